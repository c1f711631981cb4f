// The distillation run (run.ts) on tiny models on CPU: every method trains with a flat tensor count and leaks nothing;
// the restricted decoders and Reduce's group sums equal the plain mlmLogits → reduceGroups → gatherColumns path
// (items 6, 8); the learning-rate schedule and AdamW against hand computations; seeded determinism; stop; the NaN
// guard returns the last good checkpoint; mismatched lengths fail before anything starts.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode, headTransform, mlmLogits, type MlmModel } from '../models/mlm.ts';
import { loadDistillFixture, tinyRecipe, type DistillFixture } from '../testing/distillFixture.ts';
import { createRunControl } from '../train/mlmRun.ts';
import { defaultRecipe } from './recipe.ts';
import { gatherColumns, reduceGroups } from './losses.ts';
import { createDistillBatcher } from './batches.ts';
import { createAdamW, distillLr, DistillSetupError, DistillStoppedError, prepareDistill, probeDistill, runDistill, type DistillSetup } from './run.ts';
import { createDistillLoss, groupSums } from './distillLoss.ts';
import type { DistillPoint, Method, Recipe } from './types.ts';

let fx: DistillFixture;
let teacher: MlmModel;
const setup = (): DistillSetup => fx.setup();

beforeAll(async () => {
  fx = await loadDistillFixture();
  ({ teacher } = fx);
});
afterAll(() => fx.dispose());

const tiny = (method: Method, over: Partial<Recipe> = {}): Recipe => tinyRecipe(method, over);


async function collect(recipe: Recipe, hooks: { onPoint?: (p: DistillPoint) => void } = {}) {
  const points: (DistillPoint & { tensors: number })[] = [];
  const warnings: string[] = [];
  const control = createRunControl();
  const r = await runDistill(setup(), recipe, control, {
    onPoint: (p) => { points.push({ ...p, tensors: tf.memory().numTensors }); hooks.onPoint?.(p); },
    onWarning: (m) => warnings.push(m),
  });
  return { r, points, warnings, control };
}

describe('runDistill, every method', () => {
  const cases: [Method, Partial<Recipe>][] = [
    ['reduce', { weights: { kl: 2, mlm: 0.5, mse: 0.1 }, accumulation: 2 }],
    ['reduce-map', {}],
    ['match', { weights: { kl: 2, mlm: 0.5, mse: 0.1 } }],
    ['glmd', {}],
    ['kd-full', { weights: { kl: 2, mlm: 0.5, mse: 0.1 } }],
    ['mlm-only', {}],
  ];
  for (const [method, over] of cases) {
    it(`${method}: finite losses with the method's terms, a flat tensor count, nothing left after the student is disposed`, async () => {
      const before = tf.memory().numTensors;
      const { r, points } = await collect(tiny(method, over));
      expect(r.outcome).toBe('done');
      expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4]);
      const w = r.summary.recipe.weights;
      for (const p of points) {
        expect(Number.isFinite(p.loss) && Number.isFinite(p.gradNorm)).toBe(true);
        expect(p.kl !== undefined).toBe(w.kl > 0);
        expect(p.mlm !== undefined).toBe(w.mlm > 0);
        expect(p.mse !== undefined).toBe(w.mse > 0);
        const total = w.kl * (p.kl ?? 0) + w.mlm * (p.mlm ?? 0) + w.mse * (p.mse ?? 0);
        expect(p.loss).toBeCloseTo(total, 4);
      }
      expect(points[3].tensors).toBe(points[1].tensors); // flat after the first steps
      expect(r.summary.finalEval!.words).toBeGreaterThan(0);
      expect(points[3].evalWordAcc).toBe(r.summary.finalEval!.wordAcc);
      expect(r.summary.counts.microBatches).toBe(4 * r.summary.recipe.accumulation);
      r.student.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('restricted decoders and Reduce group sums', () => {
  it('items 6, 8: groupSums + decode on C equal mlmLogits → reduceGroups → gatherColumns (sum and mean)', async () => {
    const recipe = tiny('reduce');
    const p = await prepareDistill(setup(), recipe);
    const b = createDistillBatcher(p.data, recipe).next();
    const r = b.t2s!;
    const cS = tf.tensor1d(p.data.shared!.studentIds, 'int32');
    for (const mode of ['sum', 'mean'] as const) {
      const [ours, ref] = tf.tidy(() => {
        const ht = encode(p.student, tf.tensor2d(r.ids, [b.batchSize, r.seqLen], 'int32'), tf.tensor2d(r.mask, [b.batchSize, r.seqLen], 'int32'));
        const g = groupSums(r, b.batchSize, b.teacher!.seqLen);
        let t = g.sum(headTransform(p.student, ht));
        if (mode === 'mean') t = tf.div(t, g.sizes);
        const mine = decode(p.student, t, cS, mode === 'sum' ? g.sizes : undefined);
        const z = mlmLogits(p.student, ht); // every t2s position, full vocabulary
        return [mine, gatherColumns(reduceGroups(z, r.groupStart, r.groupPos, z.shape[0], mode), cS)];
      });
      const [a, c] = [await ours.data(), await ref.data()];
      expect(ours.shape).toEqual([r.rowTeacherPos.length, p.data.shared!.studentIds.length]);
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - c[i]));
      expect(diff).toBeLessThan(1e-4);
      tf.dispose([ours, ref]);
    }
    const [full, ref] = tf.tidy(() => {
      const h = tf.randomNormal([5, 8], 0, 1, 'float32', 3) as tf.Tensor2D;
      return [decode(p.student, headTransform(p.student, h), null), mlmLogits(p.student, h)];
    });
    expect(Math.max(...(await tf.abs(tf.sub(full, ref)).data()))).toBeLessThan(1e-5);
    tf.dispose([full, ref, cS]);
    p.student.dispose();
  });
});

describe('KL row chunks', () => {
  for (const method of ['reduce-map', 'glmd', 'match'] as const) {
    it(`${method}: the loss and every gradient are the same in one chunk and in chunks of 3 rows`, async () => {
      const recipe = tiny(method);
      const p = await prepareDistill(setup(), recipe);
      const b = createDistillBatcher(p.data, recipe).next();
      const width = Math.max(p.student.config.vocabSize, teacher.config.vocabSize);
      const results: { chunks: number; value: number; grads: Float32Array | Int32Array | Uint8Array }[] = [];
      for (const klChunkElements of [Infinity, 3 * width]) {
        const loss = createDistillLoss(p, teacher, recipe, { klChunkElements });
        const r = tf.tidy(() => {
          const tgt = loss.teacherTargets(b);
          const { value, grads } = tf.variableGrads(() => loss.studentLoss(b, tgt, {}), loss.trainVars);
          return { chunks: tf.scalar(tgt.logits!.length), value, grads: tf.concat(Object.values(grads).map((g) => g.reshape([-1]))) };
        });
        results.push({ chunks: (await r.chunks.data())[0], value: (await r.value.data())[0], grads: await r.grads.data() });
        tf.dispose([r.chunks, r.value, r.grads]);
        loss.dispose();
      }
      expect(results[0].chunks).toBe(1);
      expect(results[1].chunks).toBeGreaterThan(1);
      expect(results[1].value).toBeCloseTo(results[0].value, 5);
      let diff = 0;
      results[0].grads.forEach((g, i) => (diff = Math.max(diff, Math.abs(g - results[1].grads[i]))));
      expect(diff).toBeLessThan(1e-5);
      p.student.dispose();
    });
  }
});

describe('optimizer and schedule', () => {
  it('distillLr: linear warmup, then linear / cosine decay to minLrFrac, or constant', () => {
    const r = { ...defaultRecipe('reduce'), steps: 10, warmupFrac: 0.2, lr: 1, minLrFrac: 0.1 };
    expect([0, 1].map((s) => distillLr(s, r))).toEqual([0.5, 1]);
    expect(distillLr(2, { ...r, decay: 'linear' })).toBeCloseTo(1, 12);
    expect(distillLr(6, { ...r, decay: 'linear' })).toBeCloseTo(1 - 0.9 * 0.5, 12);
    expect(distillLr(6, { ...r, decay: 'cosine' })).toBeCloseTo(0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.5)), 12);
    expect(distillLr(10, { ...r, decay: 'cosine' })).toBeCloseTo(0.1, 12);
    expect(distillLr(9, { ...r, decay: 'constant' })).toBe(1);
  });

  it('AdamW: bias-corrected Adam plus decoupled decay on 2-D weights only (two steps by hand)', async () => {
    const w2 = tf.variable(tf.tensor2d([[1, -2]]));
    const w1 = tf.variable(tf.tensor1d([3]));
    const opt = createAdamW([w2, w1], { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.1 });
    const g2 = [[0.5, -0.25], [0.1, 0.3]];
    const g1 = [[2], [-1]];
    const ref2 = [1, -2];
    const ref1 = [3];
    const m = [[0, 0], [0]];
    const v = [[0, 0], [0]];
    for (let t = 1; t <= 2; t++) {
      tf.tidy(() => opt.update([tf.tensor2d([g2[t - 1]]), tf.tensor1d(g1[t - 1])], 0.01));
      const refStep = (ref: number[], g: number[], k: number, decay: boolean) => ref.forEach((x, i) => {
        m[k][i] = 0.9 * m[k][i] + 0.1 * g[i];
        v[k][i] = 0.98 * v[k][i] + 0.02 * g[i] ** 2;
        const step = m[k][i] / (1 - 0.9 ** t) / (Math.sqrt(v[k][i] / (1 - 0.98 ** t)) + 1e-6) + (decay ? 0.1 * x : 0);
        ref[i] = x - 0.01 * step;
      });
      refStep(ref2, g2[t - 1], 0, true);
      refStep(ref1, g1[t - 1], 1, false);
    }
    Array.from(await w2.data()).forEach((x, i) => expect(x).toBeCloseTo(ref2[i], 6));
    expect((await w1.data())[0]).toBeCloseTo(ref1[0], 6);
    opt.dispose();
    tf.dispose([w2, w1]);
  });
});

describe('control, determinism and errors', () => {
  it('the same seed gives the same losses; another seed does not', async () => {
    const a = await collect(tiny('match'));
    const b = await collect(tiny('match'));
    const c = await collect(tiny('match', { seed: 7 }));
    expect(b.points.map((p) => p.loss)).toEqual(a.points.map((p) => p.loss));
    expect(c.points.map((p) => p.loss)).not.toEqual(a.points.map((p) => p.loss));
    [a, b, c].forEach((x) => x.r.student.dispose());
  });

  it('stop after step 2: outcome stopped, 2 steps, the student still evaluated', async () => {
    const c = createRunControl();
    const points: number[] = [];
    const r = await runDistill(setup(), tiny('reduce', { steps: 50 }), c, { onPoint: (p) => { points.push(p.step); if (p.step === 2) c.stop(); } });
    expect(r.outcome).toBe('stopped');
    expect(r.summary.steps).toBe(2);
    expect(points).toEqual([1, 2]);
    expect(r.summary.finalEval!.words).toBeGreaterThan(0);
    r.student.dispose();
  });

  it('stop while preparing: the run ends at the next phase with DistillStoppedError naming it, before any step', async () => {
    const c = createRunControl();
    const phases: string[] = [];
    const points: number[] = [];
    const before = tf.memory().numTensors;
    const run = runDistill(setup(), tiny('reduce'), c, {
      onPhase: (name, done) => { if (done === 0 && !phases.includes(name)) phases.push(name); if (name === 'σ' && done === 0) c.stop(); },
      onPoint: (p) => points.push(p.step),
    });
    await expect(run).rejects.toThrow(DistillStoppedError);
    await expect(run).rejects.toThrow(/before the C phase/);
    expect(phases).toEqual(['σ']); // the student tokenizer is given, so σ is the first phase; C never starts
    expect(points).toEqual([]);
    expect(tf.memory().numTensors).toBe(before); // no student was built
  });

  it('NaN guard: a non-finite loss at step 3 ends the run diverged with the step-2 checkpoint, naming step 3', async () => {
    // The teacher's encoder runs every step (its decoder over C is prepared once per run: distillLoss.ts), so the
    // poison goes into the embedding LayerNorm's bias.
    const bias = teacher.params['bert.embeddings.LayerNorm.bias'];
    const saved = tf.clone(bias);
    const recipe = tiny('match', { steps: 6, checkpointEvery: 2 });
    const before = tf.memory().numTensors;
    const warnings: string[] = [];
    const r = await runDistill(setup(), recipe, createRunControl(), {
      onPoint: (p) => { if (p.step === 2) bias.assign(tf.fill(bias.shape, NaN)); }, // poisons every later teacher row
      onWarning: (m) => warnings.push(m),
    });
    bias.assign(saved);
    saved.dispose();
    expect(r.outcome).toBe('diverged');
    expect(r.summary.divergedAt).toBe(3);
    expect(r.summary.steps).toBe(2);
    expect(warnings.some((m) => /step 3/.test(m) && /checkpoint of step 2/.test(m))).toBe(true);
    for (const v of r.student.variables) expect((await v.data()).every(Number.isFinite)).toBe(true);
    // The restored weights are those after step 2: the same run stopped after step 2 has them.
    const c = createRunControl();
    const again = await runDistill(setup(), recipe, c, { onPoint: (p) => { if (p.step === 2) c.stop(); } });
    expect(again.summary.steps).toBe(2);
    for (let i = 0; i < again.student.variables.length; i++) {
      const [x, y] = [await r.student.variables[i].data(), await again.student.variables[i].data()];
      expect(Array.from(x)).toEqual(Array.from(y));
    }
    r.student.dispose();
    again.student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('probeDistill: finite ms per step, the student parameter count, peak bytes above the teacher, nothing left', async () => {
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const r = await probeDistill(setup(), tiny('reduce'), 2);
    expect(r.msPerStep).toBeGreaterThan(0);
    expect(Number.isFinite(r.msPerStep)).toBe(true);
    const p = await prepareDistill(setup(), tiny('reduce'));
    expect(r.params).toBe(p.info.studentParams);
    p.student.dispose();
    expect(r.bytes).toBeGreaterThan(bytesBefore);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a seqLen beyond the teacher positions is a DistillSetupError before any tensor exists', async () => {
    const before = tf.memory().numTensors;
    await expect(runDistill(setup(), tiny('reduce', { seqLen: 64 }), createRunControl(), { onPoint: () => {} })).rejects.toThrow(DistillSetupError);
    await expect(runDistill(setup(), tiny('reduce', { seqLen: 64 }), createRunControl(), { onPoint: () => {} })).rejects.toThrow(/seqLen 64 exceeds the teacher's 48 positions/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
