// Checks src/distill/losses.ts on CPU (and the gradients once more on WASM): KL against a float64 loop reference and
// its properties (items 13, 19, 20, 29–30), column gathers for Reduce ∩ / Match / GLMD (items 8, 12, 26, 32), Reduce
// rows (item 6), Reduce-map scores (items 9–10, 31), soft CE (item 21), hidden MSE (item 15), gradients against
// hand computations and central finite differences (item 33), named errors and flat tensor counts.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  gatherColumns, hiddenMse, klLoss, LossInputError, reduceGroups, reduceMapScores, reduceMapTable, softCrossEntropy,
  type ReduceMapTable,
} from './losses.ts';
import type { SigmaMap } from '../alignment/index.ts';
import { createMlm, encode } from '../models/mlm.ts';
import { tinyBatchArrays, tinyConfig, toTensors, uniformArray, worstRatio } from '../testing/reference.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const t2 = (v: ArrayLike<number>, r: number, c: number) => tf.tensor2d(Float32Array.from(v), [r, c]);
const i1 = (v: ArrayLike<number>) => tf.tensor1d(Int32Array.from(v), 'int32');

async function value(f: () => tf.Tensor): Promise<Float32Array> {
  const t = tf.tidy(f);
  const out = (await t.data()) as Float32Array;
  t.dispose();
  return out;
}

/** Gradient of the scalar f at x [r, c] by TF.js. */
async function grad(f: (x: tf.Tensor2D) => tf.Tensor, x: Float32Array, r: number, c: number): Promise<Float32Array> {
  return value(() => tf.grad((t: tf.Tensor) => f(t as tf.Tensor2D))(t2(x, r, c)));
}

/** Central finite differences of f at x [r, c], step h. */
async function numericGrad(f: (x: tf.Tensor2D) => tf.Tensor, x: Float32Array, r: number, c: number, h = 1e-2): Promise<Float64Array> {
  const g = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const at = async (d: number) => {
      const y = Float32Array.from(x);
      y[k] += d;
      return (await value(() => f(t2(y, r, c))))[0];
    };
    g[k] = ((await at(h)) - (await at(-h))) / (2 * h);
  }
  return g;
}

/** float64 log-softmax of one row. */
function logSoftmax64(row: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i] - m);
  const lse = m + Math.log(s);
  return Array.from(row, (x) => x - lse);
}

/** float64 reference: T²/den · Σ_rows Σ_cols p_t (lp_t − lp_s). */
function kl64(t: ArrayLike<number>, s: ArrayLike<number>, N: number, C: number, T: number, den = N): number {
  let sum = 0;
  for (let i = 0; i < N; i++) {
    const lt = logSoftmax64(Array.from({ length: C }, (_, c) => t[i * C + c] / T));
    const ls = logSoftmax64(Array.from({ length: C }, (_, c) => s[i * C + c] / T));
    for (let c = 0; c < C; c++) sum += Math.exp(lt[c]) * (lt[c] - ls[c]);
  }
  return (T * T * sum) / den;
}

const kl = async (t: ArrayLike<number>, s: ArrayLike<number>, N: number, C: number, T: number, den?: number) =>
  (await value(() => klLoss(t2(t, N, C), t2(s, N, C), T, den)))[0];

describe('klLoss', () => {
  const [N, C] = [7, 50];
  const t = uniformArray(1, N * C, -5, 5);
  const s = uniformArray(2, N * C, -5, 5);

  it('item 13: identical logits give 0 (T = 1, 2, 15)', async () => {
    for (const T of [1, 2, 15]) expect(Math.abs(await kl(t, t, N, C, T))).toBeLessThan(1e-6);
  });

  it('item 13: duplicating the batch leaves the loss unchanged', async () => {
    const a = await kl(t, s, N, C, 2);
    const b = await kl([...t, ...t], [...s, ...s], 2 * N, C, 2);
    expect(a).toBeGreaterThan(0.1);
    expect(Math.abs(b - a)).toBeLessThan(1e-6 * a);
  });

  it('items 29–30: equals a float64 loop reference within 1e-5 (T = 1, 2, 15, explicit denominator)', async () => {
    for (const [T, den] of [[1, undefined], [2, undefined], [15, undefined], [2, 20]] as const) {
      const ref = kl64(t, s, N, C, T, den);
      expect(Math.abs((await kl(t, s, N, C, T, den)) - ref)).toBeLessThan(1e-5 * Math.max(1, ref));
    }
  });

  it('item 19: at the same scaled logits z/T the loss is exactly T² × the T = 1 loss (225 at T = 15)', async () => {
    const a1 = await kl(t, s, N, C, 1);
    const a15 = await kl(t.map((x) => 15 * x), s.map((x) => 15 * x), N, C, 15);
    expect(Math.abs(a15 / a1 - 225)).toBeLessThan(225 * 1e-5);
  });

  it('item 19: for s = t + εδ the loss ≈ ε²/2 · Var_{softmax(t/T)}(δ) — T² cancels the KL\'s 1/T², at T = 1 and T = 15', async () => {
    // KL(softmax(a) ‖ softmax(a + η)) = ½ Var_p(η) + O(η³) with η = εδ/T, so T²·KL ≈ ε²/2 · Var(δ): O(1) in T, where
    // the bare KL would shrink ×225 from T = 1 to T = 15. ε is chosen so that η ≈ 0.01 in both cases.
    const [n, c] = [16, 8];
    const tt = uniformArray(3, n * c, -3, 3);
    const d = uniformArray(4, n * c, -1, 1);
    for (const [T, eps] of [[1, 0.01], [15, 0.15]]) {
      const ss = tt.map((x, k) => x + eps * d[k]);
      let varSum = 0;
      for (let i = 0; i < n; i++) {
        const p = logSoftmax64(Array.from({ length: c }, (_, k) => tt[i * c + k] / T)).map(Math.exp);
        const m1 = p.reduce((a, pk, k) => a + pk * d[i * c + k], 0);
        const m2 = p.reduce((a, pk, k) => a + pk * d[i * c + k] ** 2, 0);
        varSum += m2 - m1 * m1;
      }
      const predicted = ((eps * eps) / 2) * (varSum / n);
      const got = await kl(tt, ss, n, c, T);
      expect(Math.abs(got / predicted - 1), `T = ${T}`).toBeLessThan(0.05);
    }
  });

  it('item 20: GLMD padding — zero rows for pads, divided by all positions, scale the loss by n_old/n_new', async () => {
    const pad = 5;
    const tp = [...t, ...new Array(pad * C).fill(0)];
    const sp = [...s, ...new Array(pad * C).fill(0)];
    const a = await kl(t, s, N, C, 15);
    const all = await kl(tp, sp, N + pad, C, 15);
    expect(Math.abs(all - (a * N) / (N + pad))).toBeLessThan(1e-6 * a);
    const nonPad = await kl(tp, sp, N + pad, C, 15, N); // the 'non-pad' choice
    expect(Math.abs(nonPad - a)).toBeLessThan(1e-6 * a);
  });

  it('no NaN with −1e9 logits: masked columns drop out, value and gradient finite', async () => {
    const c = 6;
    const tm = Float32Array.from([1, 2, -1e9, 0.5, -1e9, 3, 0, -1, -1e9, 2, -1e9, 1]);
    const sm = Float32Array.from([0, 1, -1e9, 2, -1e9, -1, 1, 1, -1e9, 0, -1e9, 2]);
    const keep = (a: Float32Array) => Array.from(a).filter((x) => x > -1e8);
    const got = await kl(tm, sm, 2, c, 2);
    expect(Number.isFinite(got)).toBe(true);
    expect(Math.abs(got - kl64(keep(tm), keep(sm), 2, 4, 2))).toBeLessThan(1e-5);
    const g = await grad((x) => klLoss(t2(tm, 2, c), x, 2), sm, 2, c);
    expect(g.every(Number.isFinite)).toBe(true);
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(0.01);
    // A student −1e9 where the teacher has mass: a huge but finite loss.
    expect(Number.isFinite(await kl(sm, tm.map((x) => (x < -1e8 ? 0 : -1e9)), 2, c, 2))).toBe(true);
  });

  it('throws LossInputError on mismatched shapes, T ≤ 0 and a zero denominator', () => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    const b = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => klLoss(a, b, 2)).toThrow(LossInputError);
    expect(() => klLoss(a, a, 0)).toThrow(/temperature/);
    expect(() => klLoss(a, a, 2, 0)).toThrow(/denominator/);
    tf.dispose([a, b]);
  });
});

describe('gatherColumns (item 32)', () => {
  it('value and gradient equal a hand computation (a repeated column sums its gradients)', async () => {
    const x = [1, 2, 3, 4, 5, 6];
    expect(Array.from(await value(() => gatherColumns(t2(x, 2, 3), i1([2, 0, 2]))))).toEqual([3, 1, 3, 6, 4, 6]);
    // L = Σ W ⊙ x[:, [2, 0, 2]] → dL/dx[i, 0] = W[i, 1], dL/dx[i, 1] = 0, dL/dx[i, 2] = W[i, 0] + W[i, 2].
    const w = t2([1, 10, 100, 2, 20, 200], 2, 3);
    const g = await grad((t) => tf.sum(tf.mul(gatherColumns(t, i1([2, 0, 2])), w)), Float32Array.from(x), 2, 3);
    expect(Array.from(g)).toEqual([10, 0, 101, 20, 0, 202]);
    w.dispose();
  });

  it('rejects float column indices', () => {
    const x = tf.zeros([2, 3]) as tf.Tensor2D;
    const c = tf.tensor1d([0, 1]);
    expect(() => gatherColumns(x, c)).toThrow(LossInputError);
    tf.dispose([x, c]);
  });
});

describe('reduceGroups (item 6)', () => {
  // z: 5 t2s positions × 3; groups G_0 = {0}, G_1 = {1, 2}, G_2 = {4, 3} (positions in any order), position … none left out.
  const z = Float32Array.from([0.1, 0.2, 0.3, 1.5, -2.25, 3.125, 0.7, 0.11, -0.9, 5, 6, 7, -1, 2.5, 0.3]);
  const row = (j: number) => Array.from(z.slice(3 * j, 3 * j + 3));
  const start = Int32Array.from([0, 1, 3, 5]);
  const pos = Int32Array.from([0, 1, 2, 4, 3]);

  it('item 6: m = 1 gives exactly the piece row, m = 2 gives exactly a + b (float32 sums)', async () => {
    const r = await value(() => reduceGroups(t2(z, 5, 3), start, pos, 5, 'sum'));
    const f32sum = (a: number[], b: number[]) => a.map((x, k) => Math.fround(x + b[k]));
    expect(Array.from(r)).toEqual([...row(0), ...f32sum(row(1), row(2)), ...f32sum(row(4), row(3))]);
  });

  it('item 6: mean mode divides by |G_i| (our documented choice, not the batch-maximum group size)', async () => {
    const r = await value(() => reduceGroups(t2(z, 5, 3), start, pos, 5, 'mean'));
    const ref = [...row(0), ...row(1).map((x, k) => (x + row(2)[k]) / 2), ...row(4).map((x, k) => (x + row(3)[k]) / 2)];
    expect(worstRatio(r, ref, 1e-7, 1e-6)).toBeLessThanOrEqual(1);
  });

  it('item 33: gradient equals the hand computation (scale_i · dy_i at every member of G_i) and finite differences', async () => {
    const dy = uniformArray(5, 9, -1, 1);
    for (const mode of ['sum', 'mean'] as const) {
      const g = await grad((x) => tf.sum(tf.mul(reduceGroups(x, start, pos, 5, mode), t2(dy, 3, 3))), z, 5, 3);
      const ref = new Array(15).fill(0);
      for (let i = 0; i < 3; i++) {
        for (let e = start[i]; e < start[i + 1]; e++) {
          for (let k = 0; k < 3; k++) ref[3 * pos[e] + k] += dy[3 * i + k] / (mode === 'mean' ? start[i + 1] - start[i] : 1);
        }
      }
      expect(worstRatio(g, ref, 1e-7, 1e-6), mode).toBeLessThanOrEqual(1);
      // A non-linear loss through the reduction, against central differences.
      const f = (x: tf.Tensor2D) => tf.sum(tf.square(tf.sin(reduceGroups(x, start, pos, 5, mode))));
      expect(worstRatio(await grad(f, z, 5, 3), await numericGrad(f, z, 5, 3), 2e-3, 1e-2), mode).toBeLessThanOrEqual(1);
    }
  });

  it('a t2s position outside every group gets no gradient; bad groups throw LossInputError', async () => {
    const g = await grad((x) => tf.sum(reduceGroups(x, Int32Array.from([0, 1, 2]), Int32Array.from([3, 0]), 5, 'sum')), z, 5, 3);
    expect(Array.from(g)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    const zt = t2(z, 5, 3);
    expect(() => reduceGroups(zt, Int32Array.from([0, 1, 1]), Int32Array.from([0]), 5, 'sum')).toThrow(/empty/);
    expect(() => reduceGroups(zt, Int32Array.from([0, 1]), Int32Array.from([5]), 5, 'sum')).toThrow(LossInputError);
    expect(() => reduceGroups(zt, Int32Array.from([0, 1]), Int32Array.from([0]), 6, 'sum')).toThrow(/nT2s/);
    zt.dispose();
  });
});

describe('reduceMapTable / reduceMapScores (items 9–10, 31)', () => {
  // Teacher entries 0 … 6; 0 and 3 unmapped; 2 and 4 share σ = (1, 2); 5 = (3); 6 = (0, 3, 1).
  const sigma: SigmaMap = {
    pieces: [null, Int32Array.from([0]), Int32Array.from([1, 2]), null, Int32Array.from([1, 2]), Int32Array.from([3]), Int32Array.from([0, 3, 1])],
    unmapped: 2, withUnk: 0, maxPieces: 3,
  };
  const table = reduceMapTable(sigma);
  const Vs = 4;
  const N = 3;
  const r = uniformArray(6, N * Vs, -4, 4);

  /** float64 reference, column m = Σ or log Σ exp over the valid slots. */
  function scores64(rv: ArrayLike<number>, n: number, tb: ReduceMapTable, mode: 'sum' | 'logsumexp'): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let m = 0; m < tb.M; m++) {
        const xs: number[] = [];
        for (let p = 0; p < tb.P; p++) if (tb.valid[m * tb.P + p]) xs.push(rv[i * Vs + tb.pieceIdx[m * tb.P + p]]);
        const mx = Math.max(...xs);
        out.push(mode === 'sum' ? xs.reduce((a, b) => a + b, 0) : mx + Math.log(xs.reduce((a, x) => a + Math.exp(x - mx), 0)));
      }
    }
    return out;
  }

  it('item 9: the table lists the mapped entries only, padded to P slots', () => {
    expect(Array.from(table.teacherIds)).toEqual([1, 2, 4, 5, 6]);
    expect([table.M, table.P]).toEqual([5, 3]);
    expect(Array.from(table.valid)).toEqual([1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1]);
    expect(Array.from(table.pieceIdx)).toEqual([0, 0, 0, 1, 2, 0, 1, 2, 0, 3, 0, 0, 0, 3, 1]);
    expect(() => reduceMapTable({ ...sigma, pieces: [Int32Array.from([])] })).toThrow(LossInputError);
  });

  for (const mode of ['sum', 'logsumexp'] as const) {
    it(`item 9 (${mode}): identical σ → identical scores; σ(v) = (u) → exactly r_u; float64 reference within 1e-5`, async () => {
      const sc = await value(() => reduceMapScores(t2(r, N, Vs), table, mode));
      for (let i = 0; i < N; i++) {
        const at = (m: number) => sc[i * table.M + m];
        expect(at(1)).toBe(at(2)); // teacher 2 and 4
        expect(at(0)).toBe(r[i * Vs + 0]); // teacher 1 = (0)
        expect(at(3)).toBe(r[i * Vs + 3]); // teacher 5 = (3)
      }
      expect(worstRatio(sc, scores64(r, N, table, mode), 1e-5, 1e-5)).toBeLessThanOrEqual(1);
    });

    it(`items 10, 31, 33 (${mode}): no NaN in value or gradient with padding and −1e9 logits; row chunks give the same value and gradient; gradient = finite differences`, async () => {
      const rm = Float32Array.from(r);
      rm[1] = -1e9; // row 0, piece 1: in σ of teachers 2, 4 and 6
      const dy = t2(uniformArray(7, N * table.M, -1, 1), N, table.M);
      const lossOf = (chunk?: number) => (x: tf.Tensor2D) => tf.sum(tf.mul(reduceMapScores(x, table, mode, chunk), dy));
      const [v1, vChunked] = [await value(() => reduceMapScores(t2(rm, N, Vs), table, mode)), await value(() => reduceMapScores(t2(rm, N, Vs), table, mode, 1))];
      expect(v1.every(Number.isFinite)).toBe(true);
      expect(Array.from(vChunked)).toEqual(Array.from(v1));
      const g = await grad(lossOf(), rm, N, Vs);
      expect(g.every(Number.isFinite)).toBe(true);
      expect(Array.from(await grad(lossOf(1), rm, N, Vs))).toEqual(Array.from(g));
      // Finite differences on the unmasked logits (a step on −1e9 is lost in float32).
      const gr = await grad(lossOf(15), r, N, Vs);
      expect(worstRatio(gr, await numericGrad(lossOf(15), r, N, Vs), 2e-3, 1e-2)).toBeLessThanOrEqual(1);
      dy.dispose();
    });
  }

  it('item 9: unmapped entries are excluded — a teacher logit of an unmapped entry does not change the KL', async () => {
    const tl = uniformArray(8, N * 7, -3, 3);
    const loss = async (teacher: ArrayLike<number>) => (await value(() =>
      klLoss(gatherColumns(t2(teacher, N, 7), tf.tensor1d(table.teacherIds, 'int32')), reduceMapScores(t2(r, N, Vs), table, 'logsumexp'), 2)))[0];
    const changed = Float32Array.from(tl);
    changed[3] += 5; // row 0, teacher 3 (unmapped)
    changed[7 + 0] -= 4; // row 1, teacher 0 (unmapped)
    expect(await loss(changed)).toBe(await loss(tl));
    const mapped = Float32Array.from(tl);
    mapped[2] += 1; // teacher 2 is mapped: the loss moves
    expect(await loss(mapped)).not.toBe(await loss(tl));
  });

  it('rejects a piece outside the student vocabulary and an unknown mode', () => {
    const x = tf.zeros([2, 3]) as tf.Tensor2D; // Vs = 3 < piece 3
    expect(() => reduceMapScores(x, table, 'sum')).toThrow(/student vocabulary/);
    expect(() => reduceMapScores(x, table, 'max' as 'sum')).toThrow(LossInputError);
    x.dispose();
  });
});

describe('Reduce ∩ / Match columns (items 8, 12)', () => {
  const [N, Vt, Vs] = [4, 12, 9];
  const teacher = uniformArray(9, N * Vt, -3, 3);
  const student = uniformArray(10, N * Vs, -3, 3);
  const Ct = [0, 3, 4, 7, 8, 11];
  const Cs = [0, 5, 1, 2, 8, 6];
  const loss = async (t: ArrayLike<number>, ct: number[], cs: number[]) =>
    (await value(() => klLoss(gatherColumns(t2(t, N, Vt), i1(ct)), gatherColumns(t2(student, N, Vs), i1(cs)), 2)))[0];

  it('item 8: permuting C consistently on both sides leaves the loss unchanged', async () => {
    const perm = [3, 0, 5, 1, 4, 2];
    const a = await loss(teacher, Ct, Cs);
    expect(a).toBeGreaterThan(0.1);
    expect(Math.abs((await loss(teacher, perm.map((k) => Ct[k]), perm.map((k) => Cs[k]))) - a)).toBeLessThan(1e-6 * a);
    // An inconsistent permutation does change it (the test can fail).
    expect(Math.abs((await loss(teacher, perm.map((k) => Ct[k]), Cs)) - a)).toBeGreaterThan(1e-3);
  });

  it('item 8: changing a teacher logit outside C leaves the loss unchanged', async () => {
    const changed = Float32Array.from(teacher);
    for (let i = 0; i < N; i++) for (const v of [1, 2, 5, 6, 9, 10]) changed[i * Vt + v] += 3 * (i + 1);
    expect(await loss(changed, Ct, Cs)).toBe(await loss(teacher, Ct, Cs));
  });

  it('item 12 / 33: a Reduce ∩ KL through reduceGroups + gatherColumns has the finite-difference gradient w.r.t. Z', async () => {
    // 6 t2s positions → 4 teacher rows: G = {0}, {1, 2}, {3}, {5}; position 4 is in no group.
    const z = uniformArray(11, 6 * Vs, -2, 2);
    const start = Int32Array.from([0, 1, 3, 4, 5]);
    const pos = Int32Array.from([0, 1, 2, 3, 5]);
    const f = (x: tf.Tensor2D) => klLoss(gatherColumns(t2(teacher, N, Vt), i1(Ct)), gatherColumns(reduceGroups(x, start, pos, 6, 'sum'), i1(Cs)), 2);
    const g = await grad(f, z, 6, Vs);
    expect(worstRatio(g, await numericGrad(f, z, 6, Vs), 2e-3, 1e-2)).toBeLessThanOrEqual(1);
    for (let c = 0; c < Vs; c++) {
      expect(g[4 * Vs + c]).toBe(0); // position outside every group
      if (!Cs.includes(c)) for (let j = 0; j < 6; j++) expect(g[j * Vs + c]).toBe(0); // column outside C
    }
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(0.01);
  });
});

describe('GLMD output alignment (item 26)', () => {
  // A tied-decoder stand-in: logits = h·Eᵀ + bias. Teacher V = 10; kept rank list K = 6.
  const [N, H, V] = [5, 4, 10];
  const rankToId = [0, 3, 1, 7, 9, 4];
  const h = uniformArray(12, N * H, -1, 1);
  const E = uniformArray(13, V * H, -1, 1);
  const bias = uniformArray(14, V, -0.5, 0.5);
  const teacherLogits = () => tf.add(tf.matMul(t2(h, N, H), t2(E, V, H), false, true), tf.tensor1d(bias)) as tf.Tensor2D;

  it('item 26: the student built from the teacher\'s rows in rank order gives KL = 0 at T = 15', async () => {
    const got = await value(() => {
      const EK = tf.gather(t2(E, V, H), i1(rankToId));
      const student = tf.add(tf.matMul(t2(h, N, H), EK, false, true), tf.gather(tf.tensor1d(bias), i1(rankToId))) as tf.Tensor2D;
      return klLoss(gatherColumns(teacherLogits(), i1(rankToId)), student, 15);
    });
    expect(Math.abs(got[0])).toBeLessThan(1e-6);
  });

  it('item 26: changing a teacher logit of a removed token does not change the loss', async () => {
    const student = uniformArray(15, N * rankToId.length, -2, 2);
    const loss = (bump: number) => value(() => {
      const removed = tf.oneHot(i1([2, 5, 6, 8]), V).sum(0).cast('float32'); // [V] 1 on removed ids
      const t = tf.add(teacherLogits(), tf.mul(removed, bump)) as tf.Tensor2D;
      return klLoss(gatherColumns(t, i1(rankToId)), t2(student, N, rankToId.length), 15);
    });
    const base = (await loss(0))[0];
    expect(base).toBeGreaterThan(0.1);
    expect((await loss(7))[0]).toBe(base);
  });
});

describe('softCrossEntropy (item 21)', () => {
  it('equals the hand value −(1/B) Σ softmax(t)·log softmax(s) at T = 1, no T²', async () => {
    // Row 0: t = (0, 0), s = (0, ln 3) → −(½ ln ¼ + ½ ln ¾). Row 1: t = (ln 3, 0), s = (0, 0) → ln 2.
    const got = await value(() => softCrossEntropy(t2([0, 0, Math.log(3), 0], 2, 2), t2([0, Math.log(3), 0, 0], 2, 2)));
    const ref = (-(0.5 * Math.log(0.25) + 0.5 * Math.log(0.75)) + Math.log(2)) / 2;
    expect(Math.abs(got[0] - ref)).toBeLessThan(1e-6);
  });

  it('matches a float64 reference on random scores and is the teacher entropy (not 0) for identical scores', async () => {
    const [B, C] = [6, 5];
    const t = uniformArray(16, B * C, -3, 3);
    const s = uniformArray(17, B * C, -3, 3);
    const ce64 = (a: Float32Array, b: Float32Array) => {
      let sum = 0;
      for (let i = 0; i < B; i++) {
        const la = logSoftmax64(a.slice(i * C, i * C + C));
        const lb = logSoftmax64(b.slice(i * C, i * C + C));
        for (let c = 0; c < C; c++) sum -= Math.exp(la[c]) * lb[c];
      }
      return sum / B;
    };
    expect(Math.abs((await value(() => softCrossEntropy(t2(t, B, C), t2(s, B, C))))[0] - ce64(t, s))).toBeLessThan(1e-5);
    const self = (await value(() => softCrossEntropy(t2(t, B, C), t2(t, B, C))))[0];
    expect(Math.abs(self - ce64(t, t))).toBeLessThan(1e-5);
    expect(self).toBeGreaterThan(0.1);
  });
});

describe('hiddenMse (item 15)', () => {
  const [N, Hs, Ht] = [3, 2, 3];
  const hs = Float32Array.from([1, 2, -1, 0.5, 0, 3]);
  const ht = Float32Array.from([0, 1, 2, -1, 0, 1, 2, 2, 2]);
  const w = Float32Array.from([0.5, -1, 0, 1, 2, -0.5]);
  const b = Float32Array.from([0.1, 0, -0.2]);
  /** float64: residual e_i = W h_i + b − t_i, loss = (1/N) Σ ‖e_i‖², dL/dW = (2/N) Σ h_i e_iᵀ. */
  function ref() {
    let loss = 0;
    const dW = new Array(Hs * Ht).fill(0);
    for (let i = 0; i < N; i++) {
      for (let o = 0; o < Ht; o++) {
        let y = b[o];
        for (let k = 0; k < Hs; k++) y += hs[i * Hs + k] * w[k * Ht + o];
        const e = y - ht[i * Ht + o];
        loss += (e * e) / N;
        for (let k = 0; k < Hs; k++) dW[k * Ht + o] += (2 / N) * hs[i * Hs + k] * e;
      }
    }
    return { loss, dW };
  }

  it('squared error summed over dimensions, mean over rows; projection gradient equals the float64 reference', async () => {
    const { loss, dW } = ref();
    const got = await value(() => hiddenMse(t2(hs, N, Hs), t2(ht, N, Ht), t2(w, Hs, Ht), tf.tensor1d(b)));
    expect(Math.abs(got[0] - loss)).toBeLessThan(1e-5 * loss);
    const g = await grad((x) => hiddenMse(t2(hs, N, Hs), t2(ht, N, Ht), x, tf.tensor1d(b)), w, Hs, Ht);
    expect(worstRatio(g, dW, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('rejects a projection of the wrong shape', () => {
    const [a, c, p, q] = [tf.zeros([N, Hs]), tf.zeros([N, Ht]), tf.zeros([Ht, Hs]), tf.zeros([Hs])] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    expect(() => hiddenMse(a, c, p, q)).toThrow(LossInputError);
    tf.dispose([a, c, p, q]);
  });
});

describe('encode(…, hiddens) (item 15)', () => {
  it('pushes the embedding LayerNorm output and each layer\'s output, [B*T, H] each; the last is the encoder output', async () => {
    const model = createMlm(tinyConfig({ numLayers: 2 }), 3);
    const b = toTensors(tinyBatchArrays());
    const before = tf.memory().numTensors;
    const [h, hs] = tf.tidy(() => {
      const list: tf.Tensor2D[] = [];
      const out = encode(model, b.ids, b.attentionMask, undefined, list);
      return [out, list] as const;
    });
    expect(hs.map((t) => t.shape)).toEqual([[12, 8], [12, 8], [12, 8]]);
    expect(Array.from(await hs[2].data())).toEqual(Array.from(await h.data()));
    // At init LayerNorm has gain 1 and bias 0: every row of the embedding output has mean 0 and variance ≈ 1.
    const e = await hs[0].data();
    for (let i = 0; i < 12; i++) {
      const row = Array.from(e.slice(8 * i, 8 * i + 8));
      const mean = row.reduce((a, x) => a + x, 0) / 8;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(Math.abs(row.reduce((a, x) => a + (x - mean) ** 2, 0) / 8 - 1)).toBeLessThan(1e-2);
    }
    expect(Array.from(await hs[1].data())).not.toEqual(Array.from(e));
    tf.dispose([h, ...hs]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(b));
    model.dispose();
  });
});

/** Every loss with its gradients, as one training-step-like computation; returns the values and the gradients. */
function everything(z: tf.Tensor2D): tf.Tensor[] {
  const sigma: SigmaMap = { pieces: [Int32Array.from([0, 1]), null, Int32Array.from([2])], unmapped: 1, withUnk: 0, maxPieces: 2 };
  const table = reduceMapTable(sigma);
  const teacher = t2(uniformArray(20, 3 * 3, -2, 2), 3, 3);
  const f = (x: tf.Tensor) => {
    const r = reduceGroups(x as tf.Tensor2D, Int32Array.from([0, 2, 3, 4]), Int32Array.from([0, 1, 2, 3]), 4, 'mean');
    const map = klLoss(gatherColumns(teacher, tf.tensor1d(table.teacherIds, 'int32')), reduceMapScores(r, table, 'logsumexp', 3), 2);
    const cap = klLoss(gatherColumns(teacher, i1([0, 2])), gatherColumns(r, i1([1, 2])), 2);
    const sce = softCrossEntropy(teacher, r);
    const mse = hiddenMse(r, teacher, tf.eye(3) as tf.Tensor2D, tf.zeros([3]) as tf.Tensor1D);
    return tf.add(tf.add(map, cap), tf.add(sce, mse)) as tf.Scalar;
  };
  const { value: v, grad: g } = tf.valueAndGrad(f)(z);
  return [v, g];
}

describe('tensor counts', () => {
  it('every function, with its gradient, inside tf.tidy leaves tf.memory().numTensors flat', async () => {
    const z = t2(uniformArray(21, 4 * 3, -1, 1), 4, 3);
    const first = tf.tidy(() => everything(z));
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) tf.tidy(() => void everything(z));
    expect(tf.memory().numTensors).toBe(before);
    const [v, g] = first;
    expect(Number.isFinite((await v.data())[0])).toBe(true);
    expect((await g.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([...first, z]);
  });
});

describe('WASM backend (gradients without a gather gradient)', () => {
  it('the combined loss and its gradient w.r.t. Z equal the CPU values within 1e-5', async () => {
    const zv = uniformArray(22, 4 * 3, -1, 1);
    const run = async () => {
      const z = t2(zv, 4, 3);
      const out = tf.tidy(() => everything(z));
      const vals = [await out[0].data(), await out[1].data()];
      tf.dispose([...out, z]);
      return vals;
    };
    const cpu = await run();
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    expect(await tf.setBackend('wasm')).toBe(true);
    try {
      const wasm = await run();
      expect(worstRatio(wasm[0], cpu[0], 1e-5, 1e-5)).toBeLessThanOrEqual(1);
      expect(worstRatio(wasm[1], cpu[1], 1e-5, 1e-5)).toBeLessThanOrEqual(1);
      expect(Math.max(...Array.from(cpu[1], Math.abs))).toBeGreaterThan(0.01);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
