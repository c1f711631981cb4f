// Student snapshots (snapshots.ts; issue 12 item 3) on a tiny distillation on CPU: runDistill's onEvaluated hook fires at
// every evaluation point with the student of that step; the store keeps at most `limit` evaluation snapshots (the
// oldest dropped) plus the final one, each equal to the student's weights at its step; the tensor count stays flat
// once the store is full; disposing the store and the student returns the tensor count to where it was. Then the
// heatmap on two snapshots of one run differs, and a run's own tables drive it (alignedContext from onPrepared).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../models/config.ts';
import { countParams, createMlm, type MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { loadDistillFixture, TEXTS, tinyRecipe, type DistillFixture } from '../testing/distillFixture.ts';
import { createRunControl } from '../train/mlmRun.ts';
import { runDistill, type DistillSetup, type PreparedDistill } from './run.ts';
import { copyModel, createSnapshotStore, SNAPSHOT_LIMIT } from './snapshots.ts';
import { alignedContext, disagreement } from './disagreement.ts';
import type { Method, Recipe } from './types.ts';

let fx: DistillFixture;
let teacherTok: Tokenizer;
let teacher: MlmModel;
const setup = (): DistillSetup => fx.setup();

beforeAll(async () => {
  fx = await loadDistillFixture();
  ({ teacherTok, teacher } = fx);
});
afterAll(() => fx.dispose());

const tiny = (method: Method, over: Partial<Recipe> = {}): Recipe => tinyRecipe(method, { steps: 12, evalEvery: 1, lr: 5e-3, ...over });


const weightsOf = async (m: MlmModel) => Promise.all(m.variables.map(async (v) => Float32Array.from(await v.data())));

/** A run that snapshots every evaluation (as the worker does) and records what the student was at each one. */
async function snapshotRun(recipe: Recipe, limit: number, stopAfter?: number) {
  const store = createSnapshotStore(limit);
  const seen = new Map<number, Float32Array[]>();
  const tensorsAtEval: number[] = [];
  let prepared: PreparedDistill | null = null;
  const control = createRunControl();
  const r = await runDistill(setup(), recipe, control, {
    onPoint: (p) => { if (p.step === stopAfter) control.stop(); },
    onPrepared: (p) => { prepared = p; },
    onEvaluated: async (step, student) => {
      seen.set(step, await weightsOf(student));
      store.take(step, student);
      tensorsAtEval.push(tf.memory().numTensors);
    },
  });
  store.takeFinal(r.summary.steps, r.student);
  return { r, store, seen, tensorsAtEval, prepared: prepared! };
}

describe('createSnapshotStore on a distillation run', () => {
  it('a finished run: the last `limit` evaluation points, the last step as the final one; each equals the student at its step; nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const { r, store, seen, tensorsAtEval } = await snapshotRun(tiny('reduce'), 3);
    expect([...seen.keys()]).toEqual(Array.from({ length: 12 }, (_, i) => i + 1)); // onEvaluated at every evaluation point
    const list = store.list();
    expect(list.steps).toEqual([10, 11, 12]);
    expect(list.finalStep).toBe(12);
    expect(list.limit).toBe(3);
    expect(list.bytesEach).toBe(4 * countParams(r.student.config));
    for (const step of list.steps) {
      const w = await weightsOf(store.get(step)!);
      seen.get(step)!.forEach((want, i) => expect(w[i]).toEqual(want));
    }
    // The final one is the returned student; the weights moved between snapshots.
    expect(await weightsOf(store.get(12)!)).toEqual(await weightsOf(r.student));
    expect(await weightsOf(store.get(10)!)).not.toEqual(await weightsOf(store.get(12)!));
    expect(store.get(9)).toBeNull(); // dropped
    // Flat once the store holds `limit` snapshots (from the 3rd evaluation on).
    expect(new Set(tensorsAtEval.slice(3)).size).toBe(1);
    store.dispose();
    expect(store.list().steps).toEqual([]);
    r.student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a stopped run: the final snapshot is a step of its own, so limit + 1 are kept', async () => {
    const before = tf.memory().numTensors;
    const { r, store } = await snapshotRun(tiny('match', { evalEvery: 2, steps: 40 }), 3, 7);
    expect(r.outcome).toBe('stopped');
    expect(store.list()).toMatchObject({ steps: [2, 4, 6, 7], finalStep: 7 });
    expect(await weightsOf(store.get(7)!)).toEqual(await weightsOf(r.student));
    store.dispose();
    r.student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the heatmap of one text on two snapshots of the run, with the run’s own tables', async () => {
    const before = tf.memory().numTensors;
    const recipe = tiny('reduce');
    const { r, store, prepared } = await snapshotRun(recipe, SNAPSHOT_LIMIT);
    const ctx = alignedContext(prepared, teacher, teacherTok, recipe);
    const text = TEXTS[19];
    const [early, late] = [store.list().steps[0], store.list().finalStep!];
    const a = await disagreement(ctx, store.get(early)!, text);
    const b = await disagreement(ctx, store.get(late)!, text);
    expect(a.tokens.filter((t) => !t.special).map((t) => t.token)).toEqual(teacherTok.encode(text, { addSpecialTokens: false }).tokens);
    expect(a.tokens.every((t) => t.kl !== null && t.kl >= -1e-6)).toBe(true);
    expect(a.tokens.map((t) => t.kl)).not.toEqual(b.tokens.map((t) => t.kl));
    store.dispose();
    r.student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('createSnapshotStore alone', () => {
  it('copyModel is a device copy: the original can change or go, the copy stays', async () => {
    const before = tf.memory().numTensors;
    const m = createMlm(makeConfig({ vocabSize: 20, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 8 }), 3);
    const want = await weightsOf(m);
    const c = copyModel(m);
    tf.tidy(() => m.variables[0].assign(tf.zerosLike(m.variables[0])));
    expect(await weightsOf(c)).toEqual(want);
    m.dispose();
    expect(await weightsOf(c)).toEqual(want);
    expect(c.variables.every((v) => !v.trainable)).toBe(true);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a repeated step replaces its snapshot; a bad limit is refused', () => {
    const before = tf.memory().numTensors;
    const m = createMlm(makeConfig({ vocabSize: 20, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 8 }), 3);
    const s = createSnapshotStore(2);
    s.take(5, m);
    s.take(5, m);
    s.take(6, m);
    s.take(7, m);
    expect(s.list().steps).toEqual([6, 7]);
    s.takeFinal(9, m);
    s.takeFinal(10, m); // a second final replaces the first
    expect(s.list()).toMatchObject({ steps: [6, 7, 10], finalStep: 10 });
    s.dispose();
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createSnapshotStore(0)).toThrow(RangeError);
  });
});
