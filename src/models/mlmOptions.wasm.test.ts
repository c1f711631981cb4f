// The masked LM's options on the WASM backend in Node (the backend without UnsortedSegmentSum, where the hand-written
// gradients matter): explicit token types and factorised embeddings give logits within 1e-4 of the float64 reference,
// and every gradient, including the new parameters', is finite and non-zero.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend/node.ts';
import { createMlm, encode, mlmLogits, mlmLoss } from './mlm.ts';
import { tinyBatchArrays, tinyConfig, toTensors, worstRatio } from '../testing/reference.ts';
import { referenceLogits, type Weights64 } from '../testing/mlmReference.ts';

beforeAll(async () => {
  expect(await initNodeBackend('wasm')).toBe('wasm');
});

const TYPES = Int32Array.from([0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1]);

describe('token types and factorised embeddings on WASM', () => {
  it.each([
    ['2 token types, explicit ids', {}],
    ['factorised E=4, 3 token types', { embeddingSize: 4, typeVocabSize: 3 }],
  ])('%s: logits vs float64 within 1e-4; every gradient finite and non-zero', async (_, over) => {
    expect(tf.getBackend()).toBe('wasm');
    const model = createMlm(tinyConfig({ initRange: 0.3, ...over }), 8);
    const arrays = tinyBatchArrays();
    const b = { ...toTensors(arrays), tokenTypeIds: tf.tensor2d(TYPES, [2, 6], 'int32') };
    const logits = tf.tidy(() => mlmLogits(model, tf.gather(encode(model, b.ids, b.attentionMask, b.tokenTypeIds), b.maskedPositions) as tf.Tensor2D));
    const w: Weights64 = {};
    for (const [k, v] of Object.entries(model.params)) w[k] = Float64Array.from(await v.data());
    const ref = referenceLogits(w, model.config, 2, 6, arrays.ids, arrays.attentionMask, Array.from(arrays.maskedPositions), TYPES);
    expect(worstRatio(await logits.data(), ref.flatMap((r) => Array.from(r)), 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    const { grads } = tf.variableGrads(() => mlmLoss(model, b), model.variables);
    for (const [k, v] of Object.entries(model.params)) {
      const g = await grads[v.name].data();
      expect(g.every(Number.isFinite), k).toBe(true);
      expect(g.some((x) => x !== 0), k).toBe(true);
    }
    tf.dispose([logits, ...Object.values(grads), ...Object.values(b)]);
    model.dispose();
  });
});
