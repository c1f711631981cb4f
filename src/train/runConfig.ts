/**
 * The serialisable description of one MLM training run, shared by the UI, the worker and the CLI.
 * `validateRunConfig` is the single place that checks it; errors name the field and its range.
 */
import { PRESET_NAMES, type PresetName } from '../models/config.ts';

/** Initial values of a new model: shift heads (models/shiftInit.ts) or BERT's plain N(0, 0.02). */
export type InitKind = 'shift' | 'plain';
export const INIT_KINDS: readonly InitKind[] = ['shift', 'plain'];

export interface MlmRunConfig {
  preset: PresetName;
  steps: number;
  seed: number;
  /** Peak learning rate. */
  lr: number;
  warmupSteps: number;
  clipNorm: number;
  /** Read the loss back and report a point every N steps (each read is a device sync). */
  logEvery: number;
  /** Validation loss / masked-token accuracy every N steps (0 = never). */
  evalEvery: number;
  maskProb: number;
  /** Snapshot the weights every N steps (0 = only at the end); the last snapshot can be exported. */
  checkpointEvery: number;
  /**
   * Initial values: 'shift' = layer 0 starts with heads attending to offsets −1, +1, −2, +2 (models/shiftInit.ts: gets
   * past the bag-of-words plateau; the default for new runs), 'plain' = BERT's N(0, 0.02) everywhere. A resumed run
   * takes its weights from the checkpoint, whatever this says.
   */
  init: InitKind;
}

export const DEFAULT_RUN: MlmRunConfig = {
  preset: 'micro',
  steps: 200,
  seed: 1,
  lr: 2e-3,
  warmupSteps: 10,
  clipNorm: 1,
  logEvery: 1,
  evalEvery: 25,
  maskProb: 0.15,
  checkpointEvery: 100,
  init: 'shift',
};

export class RunConfigError extends Error {
  override name = 'RunConfigError';
}

type Range = [number, number, 'int' | 'real'];
const RANGES: Record<Exclude<keyof MlmRunConfig, 'preset' | 'init'>, Range> = {
  steps: [1, 1_000_000, 'int'],
  seed: [0, 2 ** 32 - 1, 'int'],
  lr: [1e-6, 1, 'real'],
  warmupSteps: [0, 1_000_000, 'int'],
  clipNorm: [0, 1e6, 'real'],
  logEvery: [1, 10_000, 'int'],
  evalEvery: [0, 1_000_000, 'int'],
  maskProb: [0.01, 0.9, 'real'],
  checkpointEvery: [0, 1_000_000, 'int'],
};

/** Fills defaults and checks every field; throws RunConfigError naming the first bad field and its valid range. */
export function validateRunConfig(input: Partial<MlmRunConfig>): MlmRunConfig {
  const cfg = { ...DEFAULT_RUN, ...input };
  if (!PRESET_NAMES.includes(cfg.preset)) {
    throw new RunConfigError(`preset must be one of ${PRESET_NAMES.join(', ')}; got "${cfg.preset}"`);
  }
  if (!INIT_KINDS.includes(cfg.init)) throw new RunConfigError(`init must be one of ${INIT_KINDS.join(', ')}; got "${String(cfg.init)}"`);
  for (const [k, [lo, hi, kind]] of Object.entries(RANGES) as [keyof typeof RANGES, Range][]) {
    const v = cfg[k];
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi && (kind === 'real' || Number.isInteger(v));
    if (!ok) throw new RunConfigError(`${k} must be ${kind === 'int' ? 'an integer' : 'a number'} in [${lo}, ${hi}]; got ${v}`);
  }
  return cfg;
}
