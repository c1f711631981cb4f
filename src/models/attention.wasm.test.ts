// Checks src/models/attention.ts on the WASM backend (single-threaded, as in Node): the fused op against the batched
// reference differentiated by TF.js, the copy-out slicing kernel (also across a heap growth), the whole model's mlmLoss
// and every parameter gradient with the fused vs the batched path (1e-5), that the model's attention then runs no
// batched BatchMatMul, and that repeated loss+gradient calls leave tf.memory().numTensors flat.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setAttentionPath, unstackRows, type AttentionPath } from './attention.ts';
import { makeConfig } from './config.ts';
import { createMlm, mlmLoss, type MlmModel } from './mlm.ts';
import { fusedVsBatched, PADDED_CASE, PLAIN_CASE } from '../testing/attentionCheck.ts';
import { worstRatio } from '../testing/reference.ts';

beforeAll(async () => {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(tf.getBackend()).toBe('wasm');
});
afterEach(() => setAttentionPath('auto'));

describe('fusedAttention vs the batched reference (WASM)', () => {
  it.each([
    ['padding mask with a fully padded row', PADDED_CASE],
    ['no padding, 4 heads, T=16', PLAIN_CASE],
    ['T=64, hs=32 (longer sums)', { B: 2, heads: 2, T: 64, hs: 32, mask: [...new Array(64).fill(1), ...new Array(40).fill(1), ...new Array(24).fill(0)] }],
  ])('%s: output and q/k/v gradients agree within 1e-5 relative', async (_, c) => {
    const { worst, ref } = await fusedVsBatched(c, 21, 1e-6, 1e-5);
    for (const [k, r] of Object.entries(worst)) expect(r, k).toBeLessThanOrEqual(1);
    for (const g of ref.slice(1)) expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(0.05);
  });
});

describe('unstackRows (copy-out kernel)', () => {
  it('equals tf.unstack, and stays correct when its outputs grow the WASM heap mid-kernel', async () => {
    const small = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i + 0.5), [3, 2, 4]);
    const parts = unstackRows(small);
    const ref = tf.unstack(small);
    expect(parts.map((p) => p.shape)).toEqual(ref.map((p) => p.shape));
    for (let i = 0; i < 3; i++) expect(await parts[i].data()).toEqual(await ref[i].data());
    tf.dispose([small, ...parts, ...ref]);

    const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
    const rows = 1 << 20; // slices of 4 MB each: n of them more than double the heap, so it grows while slicing
    const n = Math.ceil((2 * heapBytes()) / (4 * rows)) + 1;
    const big = tf.tidy(() => tf.range(0, n * rows, 1, 'float32').reshape([n, rows, 1]) as tf.Tensor3D);
    const before = heapBytes();
    const slices = unstackRows(big);
    expect(heapBytes()).toBeGreaterThan(before);
    for (let i = 0; i < n; i++) {
      const d = await slices[i].data();
      let bad = 0;
      for (let j = 0; j < rows; j += 997) if (d[j] !== Math.fround(i * rows + j)) bad++;
      expect(bad + (d[rows - 1] === Math.fround((i + 1) * rows - 1) ? 0 : 1), `slice ${i}`).toBe(0);
    }
    tf.dispose([big, ...slices]);
  });
});

describe('whole model on WASM: fused vs batched attention', () => {
  const config = makeConfig({ vocabSize: 40, hiddenSize: 16, numLayers: 2, numHeads: 4, intermediateSize: 32, maxPositions: 8, initRange: 0.3 });
  // B=3, T=7: row 0 unpadded, row 1 padded after 4 tokens, row 2 fully padded (one of its positions is still masked).
  const mask = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const batch = () => ({
    ids: tf.tensor2d([2, 9, 4, 12, 19, 33, 3, 2, 4, 25, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, 7], 'int32'),
    attentionMask: tf.tensor2d(mask, [3, 7], 'int32'),
    maskedPositions: tf.tensor1d([2, 5, 8, 16], 'int32'),
    labels: tf.tensor1d([9, 21, 30, 7], 'int32'),
  });

  async function lossAndGrads(model: MlmModel, path: AttentionPath): Promise<Float32Array[]> {
    setAttentionPath(path);
    const b = batch();
    const { value, grads } = tf.variableGrads(() => mlmLoss(model, b), model.variables);
    const out = [value, ...model.variables.map((v) => grads[v.name])];
    const values = await Promise.all(out.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose([value, ...Object.values(grads), ...Object.values(b)]);
    return values;
  }

  it('mlmLoss and every parameter gradient agree within 1e-5 (relative to each tensor’s largest entry)', async () => {
    const model = createMlm(config, 7);
    const batched = await lossAndGrads(model, 'batched');
    const fused = await lossAndGrads(model, 'auto');
    expect(fused.length).toBe(model.variables.length + 1);
    expect(fused[0][0]).toBeCloseTo(batched[0][0], 5);
    const keys = ['loss', ...Object.keys(model.params)];
    fused.forEach((f, i) => {
      expect(f.every(Number.isFinite), keys[i]).toBe(true);
      if (keys[i].endsWith('attention.self.key.bias')) {
        // Exactly 0 in exact arithmetic (softmax is shift-invariant along each query's row): both are float32 noise.
        expect(Math.max(...f.map(Math.abs), ...batched[i].map(Math.abs)), keys[i]).toBeLessThan(1e-6);
        return;
      }
      const scale = Math.max(...batched[i].map(Math.abs));
      expect(scale, keys[i]).toBeGreaterThan(1e-3); // a real gradient, not noise
      expect(worstRatio(f, batched[i], 1e-5 * scale, 0), keys[i]).toBeLessThanOrEqual(1);
    });
    model.dispose();
  });

  it('the default path on WASM runs every BatchMatMul as a 2-D product and uses the copy-out kernel', async () => {
    const model = createMlm(config, 7);
    const b = batch();
    const prof = await tf.profile(() => tf.tidy(() => tf.variableGrads(() => mlmLoss(model, b), model.variables).value));
    const mm = prof.kernels.filter((k) => k.name === 'BatchMatMul');
    expect(mm.length).toBeGreaterThan(0);
    for (const k of mm) for (const s of k.inputShapes) expect(s.length, JSON.stringify(k.inputShapes)).toBe(2);
    expect(prof.kernels.some((k) => k.name === 'VocabkdUnstackRows')).toBe(true);
    tf.dispose(prof.result as tf.Tensor);
    tf.dispose(Object.values(b));
    model.dispose();
  });

  it('repeated loss+gradient calls leave tf.memory().numTensors flat', async () => {
    const model = createMlm(config, 7);
    await lossAndGrads(model, 'auto');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await lossAndGrads(model, 'auto');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
