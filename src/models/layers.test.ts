// Checks the hand-written building blocks of src/models/layers.ts: custom gradients (gatherRows, matMulNN, matMulNT)
// against TF.js's own autodiff on CPU, and layerNorm / gelu / crossEntropy against float64 references written here.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addAll, crossEntropy, gatherRows, gelu, layerNorm, linear, matMulNN, matMulNT } from './layers.ts';
import { erf64, maxAbsDiff, uniformArray, worstRatio } from '../testing/reference.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TOL = 1e-5;

/** Values of f(a, b) and the gradients of Σ f(a, b)·W w.r.t. a and b (W: a fixed random upstream gradient). */
async function valueAndGrads(f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, w: tf.Tensor) {
  const value = tf.tidy(() => f(a, b));
  const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
  const out = { value: await value.data(), da: await da.data(), db: await db.data(), shape: value.shape };
  tf.dispose([value, da, db]);
  return out;
}

describe('gatherRows (custom ScatterNd gradient)', () => {
  it('matches tf.gather in value and sums the gradient over duplicate indices', async () => {
    const table = tf.tensor2d(uniformArray(1, 5 * 3), [5, 3]);
    const idxValues = [1, 3, 1, 1, 0, 3]; // row 1 three times, row 3 twice, rows 2 and 4 never
    const idx = tf.tensor1d(idxValues, 'int32');
    const wValues = uniformArray(2, 6 * 3);
    const w = tf.tensor2d(wValues, [6, 3]);

    const ours = tf.tidy(() => gatherRows(table, idx));
    const ref = tf.tidy(() => tf.gather(table, idx));
    expect(ours.shape).toEqual([6, 3]);
    expect(Array.from(await ours.data())).toEqual(Array.from(await ref.data()));

    const gOurs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, idx), w)))(table);
    const gRef = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), w)))(table);
    const ga = await gOurs.data();
    expect(worstRatio(ga, await gRef.data(), TOL, TOL)).toBeLessThanOrEqual(1);

    // Independent of TF.js: row r of the gradient is the sum of the upstream rows that gathered r.
    const expected = new Float64Array(5 * 3);
    idxValues.forEach((r, i) => { for (let j = 0; j < 3; j++) expected[r * 3 + j] += wValues[i * 3 + j]; });
    expect(worstRatio(ga, expected, TOL, TOL)).toBeLessThanOrEqual(1);
    expect(Array.from(ga.slice(2 * 3, 3 * 3))).toEqual([0, 0, 0]); // never-gathered row
    tf.dispose([table, idx, w, ours, ref, gOurs, gRef]);
  });
});

describe('matMulNN / matMulNT / linear (custom transpose-free backward)', () => {
  it('matMulNN equals tf.matMul in value and in both input gradients', async () => {
    const a = tf.tensor2d(uniformArray(3, 4 * 5), [4, 5]);
    const b = tf.tensor2d(uniformArray(4, 5 * 3), [5, 3]);
    const w = tf.tensor2d(uniformArray(5, 4 * 3), [4, 3]);
    const ours = await valueAndGrads(matMulNN, a, b, w);
    const ref = await valueAndGrads((x, y) => tf.matMul(x, y), a, b, w);
    expect(ours.shape).toEqual([4, 3]);
    expect(worstRatio(ours.value, ref.value, TOL, TOL)).toBeLessThanOrEqual(1);
    expect(worstRatio(ours.da, ref.da, TOL, TOL)).toBeLessThanOrEqual(1);
    expect(worstRatio(ours.db, ref.db, TOL, TOL)).toBeLessThanOrEqual(1);
    tf.dispose([a, b, w]);
  });

  it('matMulNT equals tf.matMul(a, b, false, true) in value and in both input gradients', async () => {
    const a = tf.tensor2d(uniformArray(6, 4 * 5), [4, 5]);
    const b = tf.tensor2d(uniformArray(7, 6 * 5), [6, 5]);
    const w = tf.tensor2d(uniformArray(8, 4 * 6), [4, 6]);
    const ours = await valueAndGrads(matMulNT, a, b, w);
    const ref = await valueAndGrads((x, y) => tf.matMul(x, y, false, true), a, b, w);
    expect(ours.shape).toEqual([4, 6]);
    expect(worstRatio(ours.value, ref.value, TOL, TOL)).toBeLessThanOrEqual(1);
    expect(worstRatio(ours.da, ref.da, TOL, TOL)).toBeLessThanOrEqual(1);
    expect(worstRatio(ours.db, ref.db, TOL, TOL)).toBeLessThanOrEqual(1);
    tf.dispose([a, b, w]);
  });

  it('linear adds the bias and its bias gradient is the column sum of the upstream gradient', async () => {
    const x = tf.tensor2d(uniformArray(9, 3 * 4), [3, 4]);
    const k = tf.tensor2d(uniformArray(10, 4 * 2), [4, 2]);
    const bVals = [0.5, -2];
    const b = tf.tensor1d(bVals);
    const wVals = uniformArray(11, 3 * 2);
    const w = tf.tensor2d(wVals, [3, 2]);
    const y = tf.tidy(() => linear(x, k, b));
    const ref = tf.tidy(() => tf.add(tf.matMul(x, k), b));
    expect(maxAbsDiff(await y.data(), await ref.data())).toBeLessThan(TOL);
    const db = tf.grad((bb: tf.Tensor) => tf.sum(tf.mul(linear(x, k, bb as tf.Tensor1D), w)))(b);
    const colSum = [wVals[0] + wVals[2] + wVals[4], wVals[1] + wVals[3] + wVals[5]];
    expect(maxAbsDiff(await db.data(), colSum)).toBeLessThan(TOL);
    tf.dispose([x, k, b, w, y, ref, db]);
  });
});

describe('layerNorm', () => {
  it('matches a float64 reference (biased variance, eps inside the sqrt, gain and bias per column)', async () => {
    const N = 3;
    const H = 4;
    const x = [1, 2, 3, 4, -10, 0.5, 7, 2.25, 100, 101, 99, 100.5];
    const gamma = [1.5, -0.5, 2, 1];
    const beta = [0.1, 0.2, -0.3, 0];
    for (const eps of [1e-12, 0.5]) {
      const expected: number[] = [];
      for (let r = 0; r < N; r++) {
        const row = x.slice(r * H, r * H + H);
        const mean = row.reduce((s, v) => s + v, 0) / H;
        const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / H;
        row.forEach((v, j) => expected.push(((v - mean) / Math.sqrt(variance + eps)) * gamma[j] + beta[j]));
      }
      const y = tf.tidy(() => layerNorm(tf.tensor2d(x, [N, H]), tf.tensor1d(gamma), tf.tensor1d(beta), eps));
      expect(worstRatio(await y.data(), expected, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
      y.dispose();
    }
  });

  it('gradients w.r.t. x, gain and bias equal TF.js autodiff of the plain formula (our γ/β gradients are ones-row products)', async () => {
    const [N, H] = [5, 6];
    const x = tf.tensor2d(uniformArray(3, N * H, -2, 2), [N, H]);
    const gamma = tf.tensor1d(uniformArray(4, H, 0.5, 1.5));
    const beta = tf.tensor1d(uniformArray(5, H, -0.5, 0.5));
    const w = tf.tensor2d(uniformArray(6, N * H, -1, 1), [N, H]);
    const plain = (a: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D) => {
      const { mean, variance } = tf.moments(a, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
    };
    const grads = (f: typeof plain) => tf.grads((a, g, b) => tf.sum(tf.mul(f(a as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), w)))([x, gamma, beta]);
    const ours = grads((a, g, b) => layerNorm(a, g, b, 1e-5));
    const ref = grads(plain);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(await ours[i].data(), await ref[i].data())).toBeLessThan(1e-5);
    tf.dispose([x, gamma, beta, w, ...ours, ...ref]);
  });

  it('hand-checked value: row [1, 2, 3, 4] normalises to ±1.3416, ±0.4472', async () => {
    // mean 2.5, variance 1.25, 1/√1.25 = 0.894427…
    const y = tf.tidy(() => layerNorm(tf.tensor2d([1, 2, 3, 4], [1, 4]), tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D, 1e-12));
    expect(maxAbsDiff(await y.data(), [-1.3416408, -0.4472136, 0.4472136, 1.3416408])).toBeLessThan(1e-6);
    y.dispose();
  });
});

describe('gelu', () => {
  it('is the exact erf GELU 0.5·x·(1 + erf(x/√2)) to 1e-5 over [-6, 6] (not the tanh approximation)', async () => {
    const xs = Array.from({ length: 241 }, (_, i) => -6 + i * 0.05);
    const expected = xs.map((v) => 0.5 * v * (1 + erf64(v / Math.SQRT2)));
    const y = tf.tidy(() => gelu(tf.tensor2d(xs, [1, xs.length])));
    expect(worstRatio(await y.data(), expected, 1e-5)).toBeLessThanOrEqual(1);
    y.dispose();
  });

  it('hand-checked values: gelu(0) = 0, gelu(1) = 0.8413447, gelu(-1) = -0.1586553', async () => {
    const y = tf.tidy(() => gelu(tf.tensor2d([0, 1, -1], [1, 3])));
    expect(maxAbsDiff(await y.data(), [0, 0.8413447461, -0.1586552539])).toBeLessThan(1e-6);
    y.dispose();
  });

  it('the reference erf itself is right (erf(0.5) = 0.5204998778, erf(2) = 0.9953222650)', () => {
    expect(Math.abs(erf64(0.5) - 0.5204998778130465)).toBeLessThan(1e-12);
    expect(Math.abs(erf64(2) - 0.9953222650189527)).toBeLessThan(1e-12);
    expect(Math.abs(erf64(-3) + 0.9999779095030014)).toBeLessThan(1e-12);
  });
});

describe('crossEntropy', () => {
  /** float64 mean over rows of logsumexp(row) − row[label], with the max subtracted first. */
  function refCE(logits: number[][], labels: number[]): number {
    let s = 0;
    logits.forEach((row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      s += lse - row[labels[i]];
    });
    return s / logits.length;
  }

  it('matches a float64 log-sum-exp reference, also for logits of ±80 that overflow a naive softmax (checklist 29, 30)', async () => {
    const cases: { logits: number[][]; labels: number[] }[] = [
      { logits: [[1, 2, 3, 4], [0.5, -1, 2, 0]], labels: [3, 1] },
      { logits: [[80, -80, 0, 79.5], [-80, -80, -80, -79]], labels: [1, 3] },
      { logits: [[0, 0, 0, 0]], labels: [2] }, // uniform: exactly ln 4
    ];
    for (const { logits, labels } of cases) {
      const l = tf.tidy(() => crossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32')));
      expect(l.dtype).toBe('float32');
      const v = (await l.data())[0];
      const ref = refCE(logits, labels);
      expect(Number.isFinite(v)).toBe(true);
      expect(Math.abs(v - ref)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref)));
      l.dispose();
    }
    expect(refCE([[0, 0, 0, 0]], [2])).toBeCloseTo(Math.log(4), 12);
  });

  it('its gradient is (softmax − onehot)/N, checked against float64', async () => {
    const logits = [[1, 2, 3, 4], [0.5, -1, 2, 0], [10, -10, 0, 5]];
    const labels = [3, 1, 0];
    const g = tf.grad((z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, tf.tensor1d(labels, 'int32')))(tf.tensor2d(logits));
    const expected: number[] = [];
    logits.forEach((row, i) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const z = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => expected.push((v / z - (j === labels[i] ? 1 : 0)) / logits.length));
    });
    expect(maxAbsDiff(await g.data(), expected)).toBeLessThan(1e-6);
    g.dispose();
  });
});

describe('addAll (the AddN replacement: WebGPU AddN breaks past 8 inputs)', () => {
  it.each([1, 2, 3, 8, 9, 26, 43])('sums %i tensors exactly like a float64 loop, shape kept', async (n) => {
    const parts = Array.from({ length: n }, (_, k) => Array.from({ length: 6 }, (_, i) => (k + 1) * 0.5 + i * (k % 3) - 1));
    const ts = parts.map((p) => tf.tensor2d(p, [2, 3]));
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => addAll(ts));
    expect(tf.memory().numTensors).toBe(before + (n === 1 ? 0 : 1)); // one input is returned as it is
    expect(out.shape).toEqual([2, 3]);
    const want = Array.from({ length: 6 }, (_, i) => parts.reduce((a, p) => a + p[i], 0));
    expect(maxAbsDiff(await out.data(), want)).toBeLessThan(1e-4);
    tf.dispose([out, ...ts]);
  });

  it('refuses an empty list', () => {
    expect(() => addAll([])).toThrow(RangeError);
  });
});
