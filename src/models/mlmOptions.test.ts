// The masked LM's HF surface and options on CPU: the exact BertForMaskedLM key list, token-type embeddings (default
// all-zero path vs explicit ids, typeVocabSize 0), factorised embeddings (GLMD "+al"): logits against the float64
// reference of src/testing/mlmReference.ts, analytic gradients of the new parameters against finite differences, and
// Adam training of a factorised model with a flat tensor count.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MlmConfig } from './config.ts';
import { createMlm, encode, isDenseKernel, mlmLogits, mlmLoss, paramShapes, type MlmBatchTensors, type MlmModel } from './mlm.ts';
import { maxAbsDiff, tinyBatchArrays, tinyConfig, toTensors, worstRatio } from '../testing/reference.ts';
import { referenceLogits, type Weights64 } from '../testing/mlmReference.ts';
import { createMlmTrainer } from '../train/trainer.ts';
import { createBatcher } from '../data/mlmBatches.ts';
import { createRng } from '../data/rng.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TYPES = Int32Array.from([0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1]); // [2, 6]: two segments per row

describe('parameter keys', () => {
  it('a 1-layer model has exactly HF BertForMaskedLM\'s state-dict keys (decoder tied), ours stored [in, out]', () => {
    const L = 'bert.encoder.layer.0';
    expect(paramShapes(tinyConfig())).toEqual([
      ['bert.embeddings.word_embeddings.weight', [30, 8]],
      ['bert.embeddings.position_embeddings.weight', [8, 8]],
      ['bert.embeddings.token_type_embeddings.weight', [2, 8]],
      ['bert.embeddings.LayerNorm.weight', [8]], ['bert.embeddings.LayerNorm.bias', [8]],
      [`${L}.attention.self.query.weight`, [8, 8]], [`${L}.attention.self.query.bias`, [8]],
      [`${L}.attention.self.key.weight`, [8, 8]], [`${L}.attention.self.key.bias`, [8]],
      [`${L}.attention.self.value.weight`, [8, 8]], [`${L}.attention.self.value.bias`, [8]],
      [`${L}.attention.output.dense.weight`, [8, 8]], [`${L}.attention.output.dense.bias`, [8]],
      [`${L}.attention.output.LayerNorm.weight`, [8]], [`${L}.attention.output.LayerNorm.bias`, [8]],
      [`${L}.intermediate.dense.weight`, [8, 16]], [`${L}.intermediate.dense.bias`, [16]],
      [`${L}.output.dense.weight`, [16, 8]], [`${L}.output.dense.bias`, [8]],
      [`${L}.output.LayerNorm.weight`, [8]], [`${L}.output.LayerNorm.bias`, [8]],
      ['cls.predictions.transform.dense.weight', [8, 8]], ['cls.predictions.transform.dense.bias', [8]],
      ['cls.predictions.transform.LayerNorm.weight', [8]], ['cls.predictions.transform.LayerNorm.bias', [8]],
      ['cls.predictions.bias', [30]],
    ]);
  });

  it('typeVocabSize 0 drops the token-type table; embeddingSize 4 adds the two projections and a [V, 4] word table', () => {
    expect(paramShapes(tinyConfig({ typeVocabSize: 0 })).map(([k]) => k)).not.toContain('bert.embeddings.token_type_embeddings.weight');
    const f = new Map(paramShapes(tinyConfig({ embeddingSize: 4, typeVocabSize: 3 })));
    expect(f.get('bert.embeddings.word_embeddings.weight')).toEqual([30, 4]);
    expect(f.get('bert.embeddings.token_type_embeddings.weight')).toEqual([3, 8]);
    expect(f.get('bert.embeddings.embedding_projection.weight')).toEqual([4, 8]);
    expect(f.get('bert.embeddings.embedding_projection.bias')).toEqual([8]);
    expect(f.get('cls.predictions.embedding_projection.weight')).toEqual([8, 4]);
    expect(f.get('cls.predictions.embedding_projection.bias')).toEqual([4]);
    expect(f.size).toBe(paramShapes(tinyConfig()).length + 4);
  });

  it('isDenseKernel marks exactly the 2-D nn.Linear weights (the ones HF stores transposed)', () => {
    for (const [k, shape] of paramShapes(tinyConfig({ embeddingSize: 4, numLayers: 2 }))) {
      expect(isDenseKernel(k), k).toBe(shape.length === 2 && !k.includes('_embeddings.'));
    }
  });
});

async function weights64(model: MlmModel): Promise<Weights64> {
  const w: Weights64 = {};
  for (const [k, v] of Object.entries(model.params)) w[k] = Float64Array.from(await v.data());
  return w;
}

/** Our float32 logits at the batch's masked positions, optionally with explicit token types. */
async function ourLogits(model: MlmModel, types?: Int32Array): Promise<Float32Array> {
  const b = toTensors(tinyBatchArrays());
  const tt = types ? tf.tensor2d(types, [2, 6], 'int32') : undefined;
  const out = tf.tidy(() => mlmLogits(model, tf.gather(encode(model, b.ids, b.attentionMask, tt), b.maskedPositions) as tf.Tensor2D));
  const v = Float32Array.from(await out.data());
  tf.dispose([out, ...Object.values(b), ...(tt ? [tt] : [])]);
  return v;
}

describe('logits vs the float64 reference', () => {
  const batch = tinyBatchArrays();
  batch.attentionMask.fill(0, 10, 12); // two padded keys in row 1
  const cases: [string, Partial<MlmConfig>, boolean][] = [
    ['2 token types, default ids (all 0)', {}, false],
    ['2 token types, two segments', {}, true],
    ['no token types (typeVocabSize 0)', { typeVocabSize: 0 }, false],
    ['factorised E=4, two segments', { embeddingSize: 4 }, true],
    ['factorised E=4, no token types, 2 layers', { embeddingSize: 4, typeVocabSize: 0, numLayers: 2 }, false],
  ];
  it.each(cases)('%s: within 1e-4', async (_, over, withTypes) => {
    const model = createMlm(tinyConfig({ initRange: 0.3, ...over }), 4);
    const b = toTensors(batch);
    const tt = withTypes ? tf.tensor2d(TYPES, [2, 6], 'int32') : undefined;
    const out = tf.tidy(() => mlmLogits(model, tf.gather(encode(model, b.ids, b.attentionMask, tt), b.maskedPositions) as tf.Tensor2D));
    const ours = await out.data();
    const ref = referenceLogits(await weights64(model), model.config, 2, 6, batch.ids, batch.attentionMask, Array.from(batch.maskedPositions), withTypes ? TYPES : undefined);
    expect(out.shape).toEqual([3, 30]);
    expect(worstRatio(ours, ref.flatMap((r) => Array.from(r)), 1e-4, 1e-4)).toBeLessThanOrEqual(1);
    tf.dispose([out, ...Object.values(b), ...(tt ? [tt] : [])]);
    model.dispose();
  });

  it('explicit all-zero token types equal the default path; segment ids 1 change the logits', async () => {
    const model = createMlm(tinyConfig({ initRange: 0.3 }), 6);
    const implicit = await ourLogits(model);
    expect(maxAbsDiff(await ourLogits(model, new Int32Array(12)), implicit)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(await ourLogits(model, TYPES), implicit)).toBeGreaterThan(1e-2);
    model.dispose();
  });

  it('encode rejects token types for a model without a table, and a shape that differs from ids', () => {
    const none = createMlm(tinyConfig({ typeVocabSize: 0 }), 1);
    const ids = tf.zeros([2, 6], 'int32') as tf.Tensor2D;
    expect(() => encode(none, ids, ids, ids)).toThrow(/typeVocabSize 0/);
    const two = createMlm(tinyConfig(), 1);
    const short = tf.zeros([2, 5], 'int32') as tf.Tensor2D;
    expect(() => encode(two, ids, ids, short)).toThrow(/tokenTypeIds shape \[2,5\] differs from ids shape \[2,6\]/);
    tf.dispose([ids, short]);
    none.dispose();
    two.dispose();
  });
});

describe('gradients of the new parameters vs central finite differences', () => {
  const lossOf = async (model: MlmModel, t: () => MlmBatchTensors) => {
    const b = t();
    const l = tf.tidy(() => mlmLoss(model, b));
    const v = (await l.data())[0];
    tf.dispose([l, ...Object.values(b)]);
    return v;
  };
  const cases: [string, Partial<MlmConfig>, boolean][] = [
    ['bert.embeddings.token_type_embeddings.weight', {}, false],
    ['bert.embeddings.token_type_embeddings.weight', {}, true],
    ['bert.embeddings.word_embeddings.weight', { embeddingSize: 4 }, false],
    ['bert.embeddings.embedding_projection.weight', { embeddingSize: 4 }, true],
    ['bert.embeddings.embedding_projection.bias', { embeddingSize: 4 }, false],
    ['cls.predictions.embedding_projection.weight', { embeddingSize: 4 }, false],
    ['cls.predictions.embedding_projection.bias', { embeddingSize: 4 }, false],
  ];
  it.each(cases)('%s (%o, explicit token types: %s): the 8 largest |grad| agree within 3%', async (key, over, withTypes) => {
    const model = createMlm(tinyConfig({ initRange: 0.3, ...over }), 5);
    const batch = () => ({ ...toTensors(tinyBatchArrays()), ...(withTypes ? { tokenTypeIds: tf.tensor2d(TYPES, [2, 6], 'int32') } : {}) });
    const v = model.params[key];
    const b = batch();
    const grads = tf.tidy(() => tf.variableGrads(() => mlmLoss(model, b), [v]).grads);
    const g = await grads[v.name].data();
    tf.dispose([...Object.values(grads), ...Object.values(b)]);
    const order = Array.from(g.keys()).sort((i, j) => Math.abs(g[j]) - Math.abs(g[i])).slice(0, 8);
    expect(Math.abs(g[order[0]])).toBeGreaterThan(1e-3);
    const base = Float32Array.from(await v.data());
    const eps = 3e-3;
    for (const i of order) {
      const probe = async (delta: number) => {
        const w = Float32Array.from(base);
        w[i] += delta;
        v.assign(tf.tensor(w, v.shape));
        return lossOf(model, batch);
      };
      const fd = ((await probe(eps)) - (await probe(-eps))) / (2 * eps);
      expect(Math.abs(fd - g[i]), `${key}[${i}]: analytic ${g[i]}, finite difference ${fd}`).toBeLessThanOrEqual(0.03 * Math.abs(g[i]) + 2e-4);
    }
    v.assign(tf.tensor(base, v.shape));
    model.dispose();
  });
});

describe('training a factorised, type-less model', () => {
  it('loss falls over 30 Adam steps on a fixed batch and tf.memory().numTensors stays flat after step 1', async () => {
    const model = createMlm(tinyConfig({ vocabSize: 50, hiddenSize: 16, intermediateSize: 32, maxPositions: 16, embeddingSize: 8, typeVocabSize: 0 }), 3);
    const rng = createRng(2);
    const stream = Int32Array.from({ length: 400 }, () => 5 + rng.int(45));
    const batch = createBatcher(stream, { batchSize: 4, seqLen: 12, vocabSize: 50, seed: 1, maskProb: 0.2 }).next();
    const trainer = createMlmTrainer(model, { clipNorm: 1, schedule: { peak: 1e-2, warmupSteps: 0, totalSteps: 30, floorRatio: 1 } });
    const losses: number[] = [];
    let afterStep1 = 0;
    for (let i = 1; i <= 30; i++) {
      const r = trainer.step(batch);
      losses.push((await r.loss.data())[0]);
      tf.dispose([r.loss, r.gradNorm]);
      if (i === 1) afterStep1 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(afterStep1);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[29], losses.join(' ')).toBeLessThan(0.5 * losses[0]);
    trainer.dispose();
    model.dispose();
  });
});
