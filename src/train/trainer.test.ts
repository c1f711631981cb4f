// Checks the training step of src/train/trainer.ts on CPU: the loss falls on a fixed batch, no tensors leak across
// steps, global-norm clipping reports the pre-clip norm and scales the update exactly as Adam predicts, globalNorm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMlm, mlmLoss } from '../models/mlm.ts';
import { createBatcher, type MlmBatch } from '../data/mlmBatches.ts';
import { createRng } from '../data/rng.ts';
import { makeConfig } from '../models/config.ts';
import { batchTensors, createMlmTrainer, globalNorm } from './trainer.ts';
import type { LrSchedule } from './schedule.ts';
import { snapshot, uniformArray } from '../testing/reference.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config = makeConfig({ vocabSize: 50, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 16 });
const constant = (lr: number): LrSchedule => ({ peak: lr, warmupSteps: 0, totalSteps: 1000, floorRatio: 1 });

function fixedBatch(seed = 3): MlmBatch {
  const rng = createRng(seed);
  const stream = Int32Array.from({ length: 400 }, () => 5 + rng.int(45));
  return createBatcher(stream, { batchSize: 4, seqLen: 12, vocabSize: 50, seed, maskProb: 0.2 }).next();
}

async function read(s: tf.Scalar): Promise<number> {
  const v = (await s.data())[0];
  s.dispose();
  return v;
}

describe('createMlmTrainer', () => {
  it('memorises a fixed batch: loss after 30 steps is < 0.3 × the first loss', async () => {
    const model = createMlm(config, 1);
    const trainer = createMlmTrainer(model, { schedule: constant(1e-2), clipNorm: 1 });
    const batch = fixedBatch();
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = trainer.step(batch);
      losses.push(await read(r.loss));
      r.gradNorm.dispose();
    }
    expect(losses[0]).toBeGreaterThan(3); // ≈ ln 50 = 3.9 at init
    expect(losses[29]).toBeLessThan(0.3 * losses[0]);
    expect(trainer.stepCount).toBe(30);
    trainer.dispose();
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat from step 1 (Adam slots created) to step 50', async () => {
    const model = createMlm(config, 2);
    const trainer = createMlmTrainer(model, { schedule: constant(1e-3), clipNorm: 1 });
    const batcher = createBatcher(Int32Array.from({ length: 400 }, (_, i) => 5 + (i % 45)), { batchSize: 4, seqLen: 12, vocabSize: 50, seed: 1 });
    let afterStep1 = -1;
    for (let i = 1; i <= 50; i++) {
      const r = trainer.step(batcher.next());
      await read(r.loss);
      r.gradNorm.dispose();
      if (i === 1) afterStep1 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterStep1);
    const before = tf.memory().numTensors;
    trainer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before); // the optimizer's slots and the weights are released
  });

  it('reports the learning rate of the schedule for each step (warmup 4 → peak/4, peak/2, …)', async () => {
    const model = createMlm(config, 2);
    const trainer = createMlmTrainer(model, { schedule: { peak: 0.004, warmupSteps: 4, totalSteps: 100, floorRatio: 0.1 }, clipNorm: 0 });
    const lrs: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = trainer.step(fixedBatch());
      lrs.push(r.lr);
      tf.dispose([r.loss, r.gradNorm]);
    }
    expect(lrs.map((x) => +x.toPrecision(12))).toEqual([0.001, 0.002, 0.003, 0.004]);
    trainer.dispose();
    model.dispose();
  });

  describe('gradient clipping (first step, lr = 0.01)', () => {
    const lr = 0.01;

    /** Gradients of the fixed batch, computed outside the trainer, and their global norm in float64. */
    async function referenceGrads(model: ReturnType<typeof createMlm>, batch: MlmBatch) {
      const t = batchTensors(batch);
      const { value, grads } = tf.variableGrads(() => mlmLoss(model, t), model.variables);
      const g = await Promise.all(model.variables.map(async (v) => Float32Array.from(await grads[v.name].data())));
      tf.dispose([value, ...Object.values(grads), ...Object.values(t)]);
      const norm = Math.sqrt(g.reduce((s, a) => s + a.reduce((q, x) => q + x * x, 0), 0));
      return { g, norm };
    }

    /** Adam's first step in float64: m̂ = g, v̂ = g², Δ = −lr·g/(|g| + 1e-8). */
    const adamFirstStep = (g: number) => (-lr * g) / (Math.abs(g) + 1e-8);

    for (const clipNorm of [1e-5, 0]) {
      it(`clipNorm=${clipNorm}: gradNorm is the pre-clip norm, and every Δw equals Adam's first step on the ${clipNorm ? 'clipped' : 'raw'} gradient`, async () => {
        const model = createMlm(config, 4);
        const batch = fixedBatch();
        const { g, norm } = await referenceGrads(model, batch);
        const before = await snapshot(model.variables);
        const trainer = createMlmTrainer(model, { schedule: constant(lr), clipNorm });
        const r = trainer.step(batch);
        const reported = await read(r.gradNorm);
        r.loss.dispose();
        expect(Math.abs(reported - norm) / norm).toBeLessThan(1e-5);
        expect(norm).toBeGreaterThan(0.1); // so a clip of 1e-5 is a large reduction

        const scale = clipNorm > 0 ? Math.min(1, clipNorm / (norm + 1e-6)) : 1;
        const after = await snapshot(model.variables);
        let worst = 0;
        let maxStep = 0;
        let smallSteps = 0; // coordinates whose step is visibly below lr (only possible when the gradient was clipped)
        let total = 0;
        after.forEach((w, p) => {
          for (let i = 0; i < w.length; i++) {
            const delta = w[i] - before[p][i];
            const expected = adamFirstStep(g[p][i] * scale);
            worst = Math.max(worst, Math.abs(delta - expected));
            maxStep = Math.max(maxStep, Math.abs(delta));
            if (g[p][i] !== 0 && Math.abs(delta) < 0.9 * lr) smallSteps++;
            total++;
          }
        });
        expect(worst).toBeLessThan(1e-3 * lr);
        expect(maxStep).toBeLessThanOrEqual(lr * (1 + 1e-3)); // Adam's first step never exceeds lr
        if (clipNorm > 0) expect(smallSteps).toBeGreaterThan(total / 4); // clipping shrank g below Adam's ε
        trainer.dispose();
        model.dispose();
      });
    }
  });
});

describe('globalNorm', () => {
  it('equals √Σ g² computed in plain JS over tensors of different shapes', async () => {
    const arrays = [uniformArray(1, 6), uniformArray(2, 12, -3, 3), Float32Array.from([5])];
    const tensors = [tf.tensor2d(arrays[0], [2, 3]), tf.tensor3d(arrays[1], [2, 3, 2]), tf.scalar(arrays[2][0])];
    const expected = Math.sqrt(arrays.reduce((s, a) => s + a.reduce((q, x) => q + x * x, 0), 0));
    const n = await read(globalNorm(tensors));
    expect(Math.abs(n - expected) / expected).toBeLessThan(1e-6);
    const pythagoras = await read(globalNorm([tf.tensor1d([3]), tf.tensor1d([4])]));
    expect(pythagoras).toBeCloseTo(5, 6);
    tf.dispose(tensors);
  });
});
