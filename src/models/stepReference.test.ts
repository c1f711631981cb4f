// Issue 16 item 2 (fewer copies): the engine's step — mlm.ts with layers.ts's hand-written gradients, the fused WASM
// attention, wasmKernels.ts's blocked transpose and buffer-sharing Identity — against a straightforward reference
// written here with plain TF.js ops and TF.js's own autodiff (tf.matMul, tf.transpose, tf.softmax, tf.moments, the
// embedding lookup as a one-hot product): the loss and every parameter gradient agree within 1e-5 (relative to each
// tensor's largest entry), on the CPU backend and on WASM, with a padded row and 4 heads. Also: the blocked transpose
// is bit-identical to tf.transpose at ragged sizes, the WASM Identity shares buffers after the first forward, and
// repeated steps leave the tensor and buffer counts flat (the shared buffers are released).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig, type MlmConfig } from './config.ts';
import { createMlm, mlmLoss, type MlmBatchTensors, type MlmModel } from './mlm.ts';
import { t2, wasmIdentityShares } from './wasmKernels.ts';
import { worstRatio } from '../testing/reference.ts';

const config = makeConfig({ vocabSize: 40, hiddenSize: 16, numLayers: 2, numHeads: 4, intermediateSize: 48, maxPositions: 8, initRange: 0.3 });
const B = 2;
const T = 8;
const IDS = [2, 7, 4, 12, 19, 33, 21, 3, 2, 4, 25, 8, 3, 0, 0, 0];
const MASK = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]; // row 2 padded after 5 tokens
const POSITIONS = [2, 5, 9, 11];
const LABELS = [9, 19, 21, 30];

/** The same model in plain ops, differentiated by TF.js itself. Weights keyed as mlm.ts's params. */
function referenceLoss(p: Record<string, tf.Tensor>, c: MlmConfig, b: MlmBatchTensors): tf.Scalar {
  const H = c.hiddenSize;
  const nh = c.numHeads;
  const hs = H / nh;
  const W = (k: string) => p[k] as tf.Tensor2D;
  const dense = (k: string, x: tf.Tensor2D) => tf.add(tf.matMul(x, W(`${k}.weight`)), p[`${k}.bias`]) as tf.Tensor2D;
  const norm = (k: string, x: tf.Tensor2D) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, c.layerNormEps))), p[`${k}.weight`]), p[`${k}.bias`]) as tf.Tensor2D;
  };
  const gelu = (x: tf.Tensor2D) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as tf.Tensor2D;
  const lookup = (table: tf.Tensor2D, ids: tf.Tensor1D) => tf.matMul(tf.oneHot(ids, table.shape[0]).cast('float32'), table) as tf.Tensor2D;
  const word = W('bert.embeddings.word_embeddings.weight');
  const pos = tf.slice(W('bert.embeddings.position_embeddings.weight'), [0, 0], [T, H]);
  const type0 = tf.slice(W('bert.embeddings.token_type_embeddings.weight'), [0, 0], [1, H]);
  let x = tf.add(tf.add(lookup(word, b.ids.reshape([B * T])).reshape([B, T, H]), pos), type0).reshape([B * T, H]) as tf.Tensor2D;
  x = norm('bert.embeddings.LayerNorm', x);
  const maskBias = tf.mul(tf.sub(1, b.attentionMask.cast('float32')), -1e4).reshape([B, 1, 1, T]);
  const heads = (t: tf.Tensor2D) => tf.transpose(t.reshape([B, T, nh, hs]), [0, 2, 1, 3]);
  for (let i = 0; i < c.numLayers; i++) {
    const L = `bert.encoder.layer.${i}`;
    const q = heads(dense(`${L}.attention.self.query`, x));
    const k = heads(dense(`${L}.attention.self.key`, x));
    const v = heads(dense(`${L}.attention.self.value`, x));
    const scores = tf.add(tf.div(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), Math.sqrt(hs)), maskBias);
    const ctx = tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]).reshape([B * T, H]) as tf.Tensor2D;
    x = norm(`${L}.attention.output.LayerNorm`, tf.add(x, dense(`${L}.attention.output.dense`, ctx)));
    x = norm(`${L}.output.LayerNorm`, tf.add(x, dense(`${L}.output.dense`, gelu(dense(`${L}.intermediate.dense`, x)))));
  }
  const h = lookup(x, b.maskedPositions); // rows at the masked positions
  const t = norm('cls.predictions.transform.LayerNorm', gelu(dense('cls.predictions.transform.dense', h)));
  const logits = tf.add(tf.matMul(t, tf.transpose(word)), p['cls.predictions.bias']);
  const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(b.labels, c.vocabSize).cast('float32')), -1);
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}

function batch(): MlmBatchTensors {
  return {
    ids: tf.tensor2d(IDS, [B, T], 'int32'),
    attentionMask: tf.tensor2d(MASK, [B, T], 'int32'),
    maskedPositions: tf.tensor1d(POSITIONS, 'int32'),
    labels: tf.tensor1d(LABELS, 'int32'),
  };
}

async function lossAndGrads(model: MlmModel, f: (b: MlmBatchTensors) => tf.Scalar): Promise<{ loss: number; grads: Float32Array[] }> {
  const b = batch();
  const { value, grads } = tf.variableGrads(() => f(b), model.variables);
  const out = { loss: (await value.data())[0], grads: await Promise.all(model.variables.map(async (v) => Float32Array.from(await grads[v.name].data()))) };
  tf.dispose([value, ...Object.values(grads), ...Object.values(b)]);
  return out;
}

const numDataIds = () => tf.engine().backend.numDataIds();

describe.each(['cpu', 'wasm'])('the engine step vs a plain-ops reference (%s)', (backend) => {
  let model: MlmModel;
  beforeAll(async () => {
    if (backend === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    expect(await tf.setBackend(backend)).toBe(true);
    model = createMlm(config, 11);
  });
  afterAll(() => model.dispose());

  it('the loss and every parameter gradient agree within 1e-5 of the largest entry', async () => {
    const ours = await lossAndGrads(model, (b) => mlmLoss(model, b));
    const ref = await lossAndGrads(model, (b) => referenceLoss(model.params, config, b));
    expect(Math.abs(ours.loss - ref.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(ref.loss));
    expect(ours.grads.length).toBe(model.variables.length);
    Object.keys(model.params).forEach((key, i) => {
      const scale = Math.max(...ref.grads[i].map(Math.abs));
      // The key bias shifts every score of a query row by the same amount, which the softmax ignores: its gradient
      // is zero up to rounding, so it is held to an absolute 1e-6 instead.
      if (key.endsWith('attention.self.key.bias')) {
        expect(Math.max(...ours.grads[i].map(Math.abs)), key).toBeLessThan(1e-6);
        return;
      }
      expect(scale, `${key}: a real gradient`).toBeGreaterThan(1e-4);
      expect(worstRatio(ours.grads[i], ref.grads[i], 1e-5 * scale), key).toBeLessThanOrEqual(1);
    });
  });

  it('the transpose of the backward products equals tf.transpose bit for bit (ragged tiles, int32 too)', async () => {
    for (const [r, c] of [[1, 1], [256, 65], [512, 7], [768, 33], [100, 7], [64, 32]]) { // multiples of 256 take the blocked copy on WASM
      const x = tf.tensor2d(Float32Array.from({ length: r * c }, (_, i) => Math.sin(i) * 1e3), [r, c]);
      const ours = t2(x);
      expect(ours.shape).toEqual([c, r]);
      expect(await ours.data()).toEqual(await tf.transpose(x).data());
      tf.dispose([x, ours]);
    }
    const ints = tf.tensor2d(Int32Array.from({ length: 512 * 3 }, (_, i) => i), [512, 3], 'int32');
    const back = t2(ints);
    expect(back.dtype).toBe('int32');
    expect(await back.data()).toEqual(await tf.transpose(ints).data());
    tf.dispose([ints, back]);
  });

  it('repeated steps leave the tensor and buffer counts flat; on WASM the Identity shares buffers', async () => {
    await lossAndGrads(model, (b) => mlmLoss(model, b));
    const tensors = tf.memory().numTensors;
    const buffers = numDataIds();
    for (let i = 0; i < 3; i++) await lossAndGrads(model, (b) => mlmLoss(model, b));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(numDataIds()).toBe(buffers);
    expect(wasmIdentityShares()).toBe(backend === 'wasm');
    if (backend !== 'wasm') return;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose(); // the shared buffer stays alive for y
    expect(await y.data()).toEqual(Float32Array.from([1, 2, 3]));
    y.dispose();
  });
});
