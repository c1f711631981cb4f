/**
 * A run checkpoint: the whole state of a pretraining (mlmRun.ts) or distillation (distill/run.ts) run between two
 * steps, as plain data, so that a new run resumed from it continues exactly where the old one stopped (the same losses
 * on the same backend, tested in checkpoint.test.ts). Host-free (no fs, no DOM, no tf): the CLI writes the bytes to
 * files (cli/checkpointFs.ts), the page can keep them in IndexedDB.
 *
 * What it holds: the step; every trainable weight (the model's, by its HF key, and a run's extra variables such as the
 * MSE projection); AdamW's update count and moments; the data position (the batcher's RNG state and, for the
 * distillation's epoch batcher, the batches left in the epoch as example indices); the recipe or run description and
 * the tokenizer JSON(s) that rebuild the run; the metric points so far and kind-specific counters (`extra`).
 *
 * Bytes (`checkpointToBytes`): one safetensors file. Tensors `weight/<key>`, `adam.m/<key>`, `adam.v/<key>` (F32; the
 * moments only after the first update); the rest as JSON in the metadata entry `vocabkd.checkpoint`, beside
 * `format` and `version`. Any safetensors tool can list it. `checkpointFromBytes` refuses truncated or corrupt bytes,
 * another format or version, and missing or mis-shaped tensors with a CheckpointError (`reason` says which);
 * `assertResumable` refuses a checkpoint of another kind or recipe, naming the first differing field.
 */
import { readSafetensors, SafetensorsError, writeSafetensors, type WriteTensor } from '../models/safetensors.ts';

export const CHECKPOINT_FORMAT = 'vocabkd-checkpoint';
export const CHECKPOINT_VERSION = 1;

export type CheckpointKind = 'pretrain' | 'distill';
export type CheckpointFault = 'corrupt' | 'format' | 'version' | 'kind' | 'recipe' | 'shape';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
  constructor(message: string, readonly reason: CheckpointFault = 'corrupt') {
    super(message);
  }
}

/** AdamW's state: the update count and both moments in the run's variable order (empty while t is 0). */
export interface OptimizerState {
  t: number;
  m: Float32Array[];
  v: Float32Array[];
}

export interface TensorValues {
  shape: number[];
  data: Float32Array;
}

/** What the training loop itself needs to continue: its step, the trainable weights (task.vars order), AdamW's state. */
export interface LoopState {
  step: number;
  weights: TensorValues[];
  optimizer: OptimizerState;
  /** The run's clock (elapsedMs of its points) when the state was captured. */
  elapsedMs?: number;
}

/** Where the batcher stands: its RNG state, and for an epoch batcher the batches left in the epoch (example indices). */
export interface DataPosition {
  rng: number;
  queue?: number[][];
}

export interface RunCheckpoint<R = unknown> {
  version: number;
  kind: CheckpointKind;
  step: number;
  /** The run's elapsedMs at this step (a resumed run's clock continues from it). */
  elapsedMs: number;
  /** The distillation recipe or the pretraining run description that rebuilds the run (plain JSON). */
  recipe: R;
  /** tokenizer.json texts by role (pretrain: 'model'; distill: 'student'). */
  tokenizers: Record<string, string>;
  /** Weight keys in the loop's variable order (the model's HF keys, then the run's own variables). */
  keys: string[];
  loop: LoopState;
  data: DataPosition;
  /** Every metric point logged up to `step`. */
  points: Record<string, number>[];
  /** Kind-specific state (distill: counts, evaluations, warnings). */
  extra: Record<string, unknown>;
}

/** A run's checkpoint from the loop's captured state and what the run adds (elapsedMs: the loop's, else the last point's). */
export function makeRunCheckpoint<R>(kind: CheckpointKind, loop: LoopState, run: Omit<RunCheckpoint<R>, 'version' | 'kind' | 'step' | 'elapsedMs' | 'loop'>): RunCheckpoint<R> {
  const elapsedMs = loop.elapsedMs ?? (run.points.length ? run.points[run.points.length - 1].elapsedMs ?? 0 : 0);
  const state = { step: loop.step, weights: loop.weights, optimizer: loop.optimizer };
  return { version: CHECKPOINT_VERSION, kind, step: loop.step, elapsedMs, loop: state, ...run, points: [...run.points] };
}

/** A cheap fingerprint of a run's input text (FNV-1a over the UTF-16 code units, with the length): resume checks it. */
export function textFingerprint(texts: string | readonly string[]): string {
  let h = 0x811c9dc5;
  let n = 0;
  for (const t of typeof texts === 'string' ? [texts] : texts) {
    for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 10, 0x01000193);
    n += t.length + 1;
  }
  return `${n}:${(h >>> 0).toString(16).padStart(8, '0')}`;
}

const META_KEY = 'vocabkd.checkpoint';
const isFloat32 = (x: unknown): x is Float32Array => x instanceof Float32Array;

export function checkpointToBytes(c: RunCheckpoint): Uint8Array {
  const { loop, keys } = c;
  if (keys.length !== loop.weights.length) throw new CheckpointError(`${keys.length} keys for ${loop.weights.length} weights`, 'shape');
  const tensors: [string, WriteTensor][] = keys.map((k, i) => [`weight/${k}`, loop.weights[i]]);
  if (loop.optimizer.t > 0) {
    keys.forEach((k, i) => {
      const shape = loop.weights[i].shape;
      tensors.push([`adam.m/${k}`, { shape, data: loop.optimizer.m[i] }], [`adam.v/${k}`, { shape, data: loop.optimizer.v[i] }]);
    });
  }
  const header = {
    kind: c.kind, step: c.step, elapsedMs: c.elapsedMs, recipe: c.recipe, tokenizers: c.tokenizers, keys, t: loop.optimizer.t,
    data: c.data, points: c.points, extra: c.extra,
  };
  const metadata = { format: CHECKPOINT_FORMAT, version: String(CHECKPOINT_VERSION), [META_KEY]: JSON.stringify(header) };
  return writeSafetensors(tensors, { dtype: 'F32', metadata });
}

type Header = Omit<RunCheckpoint, 'version' | 'loop'> & { t: number };

function readHeader(bytes: Uint8Array): { header: Header; tensors: ReturnType<typeof readSafetensors>['tensors'] } {
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(`not a readable checkpoint (truncated or corrupt): ${e.message}`, 'corrupt');
    throw e;
  }
  const meta = file.metadata ?? {};
  if (meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`not a vocabkd checkpoint (format ${JSON.stringify(meta.format ?? null)})`, 'format');
  if (meta.version !== String(CHECKPOINT_VERSION)) {
    throw new CheckpointError(`checkpoint version ${meta.version} is not supported (this build reads version ${CHECKPOINT_VERSION})`, 'version');
  }
  let header: Header;
  try {
    header = JSON.parse(meta[META_KEY] ?? '');
  } catch (e) {
    throw new CheckpointError(`the checkpoint's state is not valid JSON: ${(e as Error).message}`, 'corrupt');
  }
  const ok = header && (header.kind === 'pretrain' || header.kind === 'distill') && Number.isInteger(header.step) && header.step >= 0
    && Number.isInteger(header.t) && Array.isArray(header.keys) && Array.isArray(header.points) && Number.isInteger(header.data?.rng);
  if (!ok) throw new CheckpointError('the checkpoint\'s state lacks its kind, step, keys, points or data position', 'corrupt');
  return { header, tensors: file.tensors };
}

export function checkpointFromBytes(bytes: Uint8Array): RunCheckpoint {
  const { header, tensors } = readHeader(bytes);
  const get = (name: string): Float32Array => {
    const t = tensors.get(name);
    if (!t || !isFloat32(t.data) || t.dtype !== 'F32') throw new CheckpointError(`the checkpoint lacks the F32 tensor "${name}"`, 'shape');
    return t.data;
  };
  const weights = header.keys.map((k) => ({ shape: tensors.get(`weight/${k}`)?.shape ?? [], data: get(`weight/${k}`) }));
  const moments = (which: 'm' | 'v') => (header.t > 0 ? header.keys.map((k) => get(`adam.${which}/${k}`)) : []);
  const { t, ...rest } = header;
  return { version: CHECKPOINT_VERSION, ...rest, loop: { step: header.step, weights, optimizer: { t, m: moments('m'), v: moments('v') } } };
}

/** The first path where two JSON values differ (null when equal). */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path || '(root)';
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    if (d !== null) return d;
  }
  return null;
}

/**
 * Refuses a checkpoint of another run kind or recipe (`recipe` as the run would record it: plain JSON). The checkpoint
 * cadence (`checkpointEvery`, at any depth) may differ: it changes no loss.
 */
export function assertResumable(c: RunCheckpoint, kind: CheckpointKind, recipe: unknown): void {
  if (c.kind !== kind) throw new CheckpointError(`this is a ${c.kind} checkpoint; a ${kind} run cannot resume from it`, 'kind');
  const plain = (x: unknown) => (x === undefined ? null : JSON.parse(JSON.stringify(x, (k, v) => (k === 'checkpointEvery' ? undefined : v))));
  const diff = firstDifference(plain(c.recipe), plain(recipe));
  if (diff !== null) throw new CheckpointError(`the checkpoint was taken with another recipe: ${diff} differs`, 'recipe');
}

/** The loop state of a checkpoint, checked against the run's weight keys and shapes (in the run's variable order). */
export function loopStateFor(c: RunCheckpoint, keys: readonly string[], shapes: readonly (readonly number[])[]): LoopState {
  const diff = firstDifference(c.keys, [...keys]);
  if (diff !== null) throw new CheckpointError(`the checkpoint's weights are not this run's (keys differ at ${diff})`, 'shape');
  shapes.forEach((s, i) => {
    if (firstDifference(c.loop.weights[i].shape, [...s]) !== null) {
      throw new CheckpointError(`weight "${keys[i]}" is [${c.loop.weights[i].shape.join(', ')}] in the checkpoint, [${s.join(', ')}] in the run`, 'shape');
    }
  });
  return c.loop;
}
