// Run checkpoints (src/train/checkpoint.ts) on CPU: the bytes round-trip and refuse truncated, foreign, newer or
// mismatched input with a named CheckpointError; and resume equivalence for both run kinds: N steps uninterrupted vs
// k steps, capture, toBytes → fromBytes, a fresh run resumed to N. The losses (and gradient norms) from k + 1 on are
// compared EXACTLY (toEqual): the same CPU kernels on the same inputs are deterministic, Float32 weights and moments
// survive the F32 safetensors body bit for bit, and the schedule is a function of the step, so any difference means
// some state was not restored. The negative cases show the comparison can fail: a checkpoint with the batcher's RNG
// state or AdamW's moments left out gives different losses at the very next step.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../models/safetensors.ts';
import { createRunControl, runMlm, type MetricPoint, type PretrainCheckpoint } from './mlmRun.ts';
import { validateRunConfig, type MlmRunConfig } from './runConfig.ts';
import {
  assertResumable, checkpointFromBytes, checkpointToBytes, CheckpointError, makeRunCheckpoint, type RunCheckpoint,
} from './checkpoint.ts';
import { createRng } from '../data/rng.ts';
import { loadDistillFixture, tinyRecipe, type DistillFixture } from '../testing/distillFixture.ts';
import { runDistill, type DistillCheckpoint } from '../distill/run.ts';
import type { DistillPoint, Method, Recipe } from '../distill/types.ts';

const sample = (): RunCheckpoint => makeRunCheckpoint('pretrain', {
  step: 3,
  weights: [{ shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 1e-30]) }, { shape: [3], data: Float32Array.from([0, 7, -7]) }],
  optimizer: { t: 3, m: [new Float32Array(4).fill(0.5), new Float32Array(3)], v: [new Float32Array(4).fill(2), Float32Array.from([1, 2, 3])] },
}, {
  recipe: { config: { steps: 9 }, corpus: '12:abc' }, tokenizers: { model: '{"x":1}' }, keys: ['a.weight', 'b.bias'], data: { rng: 0xdeadbeef },
  points: [{ step: 1, loss: 2.5, elapsedMs: 10 }, { step: 2, loss: 2.25, elapsedMs: 21 }], extra: { note: 'kept' },
});

const fault = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return `${(e as CheckpointError).reason}: ${(e as Error).message}`;
  }
  throw new Error('no CheckpointError');
};

describe('checkpoint bytes', () => {
  it('round-trip every field bit for bit', () => {
    const c = sample();
    const back = checkpointFromBytes(checkpointToBytes(c));
    expect(back).toEqual(c);
    expect(back.elapsedMs).toBe(21);
    expect(back.loop.weights[0].data[3]).toBe(Math.fround(1e-30));
  });

  it('truncated, foreign, newer-version, corrupt-state or tensor-less bytes are CheckpointErrors naming the fault', () => {
    const bytes = checkpointToBytes(sample());
    for (const cut of [0, 7, 20, bytes.length - 1]) expect(fault(() => checkpointFromBytes(bytes.slice(0, cut)))).toMatch(/^corrupt: .*truncated or corrupt/);
    const plain = writeSafetensors({ w: { shape: [1], data: [1] } });
    expect(fault(() => checkpointFromBytes(plain))).toMatch(/^format: not a vocabkd checkpoint/);
    const meta = (m: Record<string, string>) => writeSafetensors({ 'weight/a': { shape: [1], data: [1] } }, { metadata: { format: 'vocabkd-checkpoint', ...m } });
    expect(fault(() => checkpointFromBytes(meta({ version: '2', 'vocabkd.checkpoint': '{}' })))).toMatch(/^version: checkpoint version 2 is not supported/);
    expect(fault(() => checkpointFromBytes(meta({ version: '1', 'vocabkd.checkpoint': '{"kind":' })))).toMatch(/^corrupt: .*not valid JSON/);
    const header = { kind: 'pretrain', step: 1, t: 0, keys: ['a', 'b'], points: [], data: { rng: 1 } };
    expect(fault(() => checkpointFromBytes(meta({ version: '1', 'vocabkd.checkpoint': JSON.stringify(header) })))).toMatch(/^shape: .*lacks the F32 tensor "weight\/b"/);
  });

  it('assertResumable refuses another kind and names the first recipe field that differs', () => {
    const c = sample();
    expect(fault(() => assertResumable(c, 'distill', c.recipe))).toMatch(/^kind: this is a pretrain checkpoint/);
    expect(fault(() => assertResumable(c, 'pretrain', { config: { steps: 10 }, corpus: '12:abc' }))).toMatch(/^recipe: .*config\.steps differs/);
    expect(fault(() => assertResumable(c, 'pretrain', { config: { steps: 9 }, corpus: '12:abd' }))).toMatch(/corpus differs/);
    expect(() => assertResumable(c, 'pretrain', { corpus: '12:abc', config: { steps: 9 } })).not.toThrow();
  });
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The numbers a resumed run must reproduce from a step on. */
const curve = (points: readonly Record<string, number>[], from: number) => points.filter((p) => p.step > from).map(({ step, loss, gradNorm, lr, kl, mlm, mse, valLoss, evalWordAcc }) => ({
  step, loss, gradNorm, lr, kl, mlm, mse, valLoss, evalWordAcc,
}));

describe('pretraining resume equivalence (runMlm, preset micro)', () => {
  const text = Array.from({ length: 120 }, (_, i) => `the whale number ${i % 17} swims in the sea and the ship ${i % 5} follows it`).join('\n');
  const cfg: MlmRunConfig = validateRunConfig({ preset: 'micro', steps: 8, seed: 4, lr: 3e-3, warmupSteps: 2, evalEvery: 4, checkpointEvery: 3, logEvery: 1 });
  const K = 3;
  let full: MetricPoint[];
  let bytes: Uint8Array;

  async function pretrain(resumeFrom?: PretrainCheckpoint) {
    const points: MetricPoint[] = [];
    const captured: Uint8Array[] = [];
    const outcome = await runMlm(text, cfg, createRunControl(), {
      onPoint: (p) => points.push(p),
      onCheckpoint: async (c, capture) => { if (c.step === K) captured.push(checkpointToBytes(await capture())); },
    }, { resumeFrom });
    return { outcome, points, captured };
  }

  beforeAll(async () => {
    const r = await pretrain();
    expect(r.outcome).toBe('done');
    full = r.points;
    [bytes] = r.captured;
  });

  it(`resumed at step ${K} from decoded bytes, a fresh run gives the uninterrupted losses exactly, tensor count flat`, async () => {
    const c = checkpointFromBytes(bytes) as PretrainCheckpoint;
    expect(c).toMatchObject({ kind: 'pretrain', step: K, loop: { optimizer: { t: K } } });
    expect(c.points.map((p) => p.step)).toEqual([1, 2, 3]);
    const before = tf.memory().numTensors;
    const r = await pretrain(c);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.points.map((p) => p.step)).toEqual([4, 5, 6, 7, 8]);
    expect(curve(r.points, K)).toEqual(curve(full, K));
    expect(r.points[0].elapsedMs).toBeGreaterThan(c.elapsedMs);
  });

  it('negative: without the batcher RNG state or without the AdamW moments the next loss differs', async () => {
    const c = checkpointFromBytes(bytes) as PretrainCheckpoint;
    const noData = await pretrain({ ...c, data: { rng: createRng(cfg.seed).state() } });
    expect(noData.points[0].loss).not.toBe(full[K].loss);
    const fresh = { t: 0, m: [], v: [] };
    const noAdam = await pretrain({ ...c, loop: { ...c.loop, optimizer: fresh } });
    expect(noAdam.points[0].step).toBe(K + 1);
    expect(noAdam.points[0].loss).toBe(full[K].loss); // the batch and the weights are right: step K + 1's loss is computed before its update
    expect(noAdam.points[1].loss).not.toBe(full[K + 1].loss);
  });

  it('another run description is refused before anything trains', async () => {
    const c = checkpointFromBytes(bytes) as PretrainCheckpoint;
    await expect(runMlm(text + '\nmore', cfg, createRunControl(), { onPoint: () => {} }, { resumeFrom: c })).rejects.toThrow(/corpus differs/);
    await expect(runMlm(text, { ...cfg, lr: 1e-3 }, createRunControl(), { onPoint: () => {} }, { resumeFrom: c })).rejects.toThrow(/config\.lr differs/);
  });
});

describe('distillation resume equivalence (runDistill, tiny fixture)', () => {
  let fx: DistillFixture;
  beforeAll(async () => {
    fx = await loadDistillFixture();
  });
  afterAll(() => fx.dispose());

  async function distill(recipe: Recipe, K: number, resumeFrom?: DistillCheckpoint) {
    const points: DistillPoint[] = [];
    let captured: Uint8Array | null = null;
    const r = await runDistill(fx.setup(), recipe, createRunControl(), {
      onPoint: (p) => points.push(p),
      onCheckpoint: async (step, capture) => { if (step === K) captured = checkpointToBytes(await capture()); },
    }, { resumeFrom });
    const summary = r.summary;
    r.student.dispose();
    return { points, captured: captured as Uint8Array | null, summary };
  }

  // Reduce with the MSE projection (an extra trainable variable) and accumulation 2: 8 micro-batches before the
  // checkpoint, 20 in all, so the resumed run finishes the saved epoch queue and shuffles a new epoch. Match and GLMD:
  // their own data paths (pairs, the rank lookup and shared masking).
  const cases: [Method, Partial<Recipe>, number][] = [
    ['reduce', { weights: { kl: 2, mlm: 0.5, mse: 0.1 }, accumulation: 2, steps: 10, evalEvery: 5, checkpointEvery: 4 }, 4],
    ['match', { steps: 6, checkpointEvery: 2 }, 2],
    ['glmd', { steps: 6, checkpointEvery: 3 }, 3],
  ];
  for (const [method, over, K] of cases) {
    it(`${method}: resumed at step ${K} from decoded bytes, the losses, evaluations and counts equal the uninterrupted run's`, async () => {
      const recipe = tinyRecipe(method, over);
      const full = await distill(recipe, K);
      expect(full.summary.outcome).toBe('done');
      const c = checkpointFromBytes(full.captured!) as DistillCheckpoint;
      expect(c).toMatchObject({ kind: 'distill', step: K, recipe: { recipe: { method } } });
      const before = tf.memory().numTensors;
      const resumed = await distill(recipe, -1, c);
      expect(tf.memory().numTensors).toBe(before);
      expect(resumed.points[0].step).toBe(K + 1);
      expect(curve(resumed.points, K)).toEqual(curve(full.points, K));
      const { counts, evals, finalEval, steps } = full.summary;
      expect(resumed.summary).toMatchObject({ counts, evals, finalEval, steps, outcome: 'done' });
    });
  }

  it('a checkpoint of another recipe or a pretraining checkpoint is refused by name', async () => {
    const recipe = tinyRecipe('mlm-only', { steps: 2, checkpointEvery: 1 });
    const c = checkpointFromBytes((await distill(recipe, 1)).captured!) as DistillCheckpoint;
    await expect(distill({ ...recipe, seed: 2 }, -1, c)).rejects.toThrow(/recipe\.seed differs/);
    await expect(distill(recipe, -1, { ...c, kind: 'pretrain' })).rejects.toThrow(CheckpointError);
  });
});
