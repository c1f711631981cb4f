// Checks src/models/attention.ts on CPU: the fused customGrad op (hand-written backward) against the batched reference
// differentiated by TF.js (output, dq, dk, dv within 1e-5 relative), a fully padded row stays finite, the dispatch
// picks the batched path off WASM, and repeated forward+backward calls leave tf.memory().numTensors flat.
// The same comparison on WASM is in attention.wasm.test.ts.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batchedAttention, fusedAttention, scaledDotProductAttention, setAttentionPath } from './attention.ts';
import { fusedVsBatched, PADDED_CASE, PLAIN_CASE, runAttention } from '../testing/attentionCheck.ts';
import { maxAbsDiff, worstRatio } from '../testing/reference.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => setAttentionPath('auto'));

describe('fusedAttention vs the batched reference (CPU)', () => {
  it.each([
    ['padding mask with a fully padded row', PADDED_CASE],
    ['no padding, 4 heads, T=16', PLAIN_CASE],
  ])('%s: output and q/k/v gradients agree within 1e-5 relative', async (_, c) => {
    const { worst, ref } = await fusedVsBatched(c, 11, 1e-6, 1e-5);
    expect(worst).toEqual({ out: expect.any(Number), dq: expect.any(Number), dk: expect.any(Number), dv: expect.any(Number) });
    for (const [k, r] of Object.entries(worst)) expect(r, k).toBeLessThanOrEqual(1);
    // The comparison is meaningful: every reference gradient is far from zero.
    for (const g of ref.slice(1)) expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(0.05);
  });

  it('a fully padded row gives finite outputs and gradients (−1e4 bias on every key = no mask for that row)', async () => {
    const [out, ...grads] = await runAttention(fusedAttention, PADDED_CASE, 3);
    for (const t of [out, ...grads]) expect(t.every(Number.isFinite)).toBe(true);
    const { B, heads, T, hs } = PADDED_CASE;
    const unmasked = await runAttention(fusedAttention, { ...PADDED_CASE, mask: PADDED_CASE.mask.map((m, i) => (i >= 2 * T ? 1 : m)) }, 3);
    const row2 = (t: Float32Array) => Array.from(t.subarray(2 * heads * T * hs, B * heads * T * hs));
    // softmax ignores a bias shared by every key, up to rounding s − 1e4 to float32 (ulp(1e4) ≈ 1e-3)
    expect(maxAbsDiff(row2(out), row2(unmasked[0]))).toBeLessThan(5e-3);
    expect(maxAbsDiff(Array.from(out.subarray(0, 2 * heads * T * hs)), Array.from(unmasked[0].subarray(0, 2 * heads * T * hs)))).toBe(0);
  });

  it('a wrong backward would be caught: perturbing one dv element by 1e-3 exceeds the tolerance', async () => {
    const { fused, ref } = await fusedVsBatched(PADDED_CASE, 11, 1e-6, 1e-5);
    const dv = Float32Array.from(fused[3]);
    dv[7] += 1e-3;
    expect(worstRatio(dv, ref[3], 1e-6, 1e-5)).toBeGreaterThan(1);
  });
});

describe('scaledDotProductAttention dispatch', () => {
  it('off WASM the default path is the batched one (bit-identical), and setAttentionPath forces the fused one', async () => {
    const c = PADDED_CASE;
    const ref = await runAttention(batchedAttention, c, 5);
    expect(await runAttention(scaledDotProductAttention, c, 5)).toEqual(ref);
    setAttentionPath('fused');
    const fused = await runAttention(scaledDotProductAttention, c, 5);
    expect(fused).toEqual(await runAttention(fusedAttention, c, 5));
    expect(fused).not.toEqual(ref); // a different order of float32 operations: the path really changed
  });
});

describe('memory', () => {
  it('repeated forward+backward calls of the fused op leave numTensors flat', () => {
    const [N, T, hs] = [4, 6, 4];
    const [q, k, v] = [1, 2, 3].map((s) => tf.randomNormal([N, T, hs], 0, 1, 'float32', s) as tf.Tensor3D);
    const maskBias = tf.zeros([2, 1, 1, T]) as tf.Tensor4D;
    const g = tf.grads((a, b, d) => tf.sum(fusedAttention(a as tf.Tensor3D, b as tf.Tensor3D, d as tf.Tensor3D, maskBias)));
    const step = () => tf.dispose(tf.tidy(() => g([q, k, v])));
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    const leak = tf.tidy(() => [fusedAttention(q, k, v, maskBias), ...g([q, k, v])]);
    expect(tf.memory().numTensors).toBe(before + 4); // exactly the 4 returned tensors survive
    tf.dispose([...leak, q, k, v, maskBias]);
  });
});
