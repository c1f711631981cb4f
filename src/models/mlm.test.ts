// Checks the masked LM of src/models/mlm.ts on CPU: output shapes, hand-computed parameter counts, analytic gradients
// of mlmLoss against central finite differences, the attention padding mask, seeded init, and tensor disposal.
// Token types, factorised embeddings, the exact HF key list and the float64 reference: mlmOptions.test.ts.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig, PRESETS } from './config.ts';
import { countParams, createMlm, decode, encode, headTransform, mlmLogits, mlmLoss, paramShapes, type MlmModel } from './mlm.ts';
import { maxAbsDiff, snapshot, tinyBatchArrays, tinyConfig, toTensors } from '../testing/reference.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('shapes', () => {
  it('encode gives [B*T, H] and mlmLogits gives [M, V]', async () => {
    const model = createMlm(tinyConfig(), 1);
    const b = toTensors(tinyBatchArrays());
    const [h, logits] = tf.tidy(() => {
      const hidden = encode(model, b.ids, b.attentionMask);
      return [hidden, mlmLogits(model, tf.gather(hidden, b.maskedPositions) as tf.Tensor2D)];
    });
    expect(h.shape).toEqual([2 * 6, 8]);
    expect(logits.shape).toEqual([3, 30]);
    expect(h.dtype).toBe('float32');
    tf.dispose([h, logits, ...Object.values(b)]);
    model.dispose();
  });

  it('encode rejects a sequence longer than maxPositions', () => {
    const model = createMlm(tinyConfig({ maxPositions: 4 }), 1);
    const ids = tf.zeros([1, 5], 'int32') as tf.Tensor2D;
    expect(() => encode(model, ids, ids)).toThrow(/maxPositions 4/);
    ids.dispose();
    model.dispose();
  });
});

describe('the head: headTransform and the tied decoder', () => {
  it('decode on a column subset equals those columns of mlmLogits; biasScale multiplies the bias per row (plain and factorised)', async () => {
    for (const over of [{}, { embeddingSize: 4 }]) {
      const model = createMlm(tinyConfig(over), 2);
      const [t, sub, ref, scaled, full] = tf.tidy(() => {
        const h = tf.randomNormal([3, 8], 0, 1, 'float32', 5) as tf.Tensor2D;
        const tr = headTransform(model, h);
        const cols = tf.tensor1d([7, 0, 29, 7], 'int32');
        const bias = model.params['cls.predictions.bias'] as unknown as tf.Tensor1D;
        const scale = tf.tensor2d([1, 2, 3], [3, 1]);
        const noBias = tf.sub(decode(model, tr, null), bias); // t·Wᵀ
        return [tr, decode(model, tr, cols), tf.gather(mlmLogits(model, h), cols, 1), decode(model, tr, null, scale), tf.add(noBias, tf.mul(scale, bias))];
      });
      expect(t.shape).toEqual([3, over.embeddingSize ?? 8]);
      expect(sub.shape).toEqual([3, 4]);
      expect(maxAbsDiff(await sub.data(), await ref.data())).toBeLessThan(1e-6);
      expect(maxAbsDiff(await scaled.data(), await full.data())).toBeLessThan(1e-5);
      tf.dispose([t, sub, ref, scaled, full]);
      model.dispose();
    }
  });
});

describe('paramShapes / countParams', () => {
  it('count equals the hand-written sum for V=30, H=8, P=8, I=16, 2 token types with 1 and 2 layers', () => {
    const [V, H, P, I, Tt] = [30, 8, 8, 16, 2];
    const perLayer = 4 * (H * H + H) + 2 * 2 * H + (H * I + I) + (I * H + H); // q,k,v,out; 2 LayerNorms; FFN in, out
    const outside = V * H + P * H + Tt * H + 2 * H + (H * H + H) + 2 * H + V; // embeddings + LN; head dense + LN + bias
    expect(perLayer).toBe(600);
    expect(outside).toBe(454);
    expect(countParams(tinyConfig())).toBe(1054);
    expect(countParams(tinyConfig({ numLayers: 2 }))).toBe(454 + 2 * 600);
    expect(countParams(tinyConfig({ typeVocabSize: 0 }))).toBe(1054 - 16);
    const total = paramShapes(tinyConfig()).reduce((s, [, sh]) => s + sh.reduce((a, b) => a * b, 1), 0);
    expect(total).toBe(1054);
  });

  it('presets (2 token types): micro (maxPositions 128) = 34,548 and tiny (maxPositions 64) = 938,016, by hand', () => {
    const count = (V: number, H: number, P: number, I: number, L: number) =>
      V * H + P * H + 2 * H + 2 * H + L * (4 * (H * H + H) + 4 * H + H * I + I + I * H + H) + H * H + H + 2 * H + V;
    expect(count(500, 32, 128, 128, 1)).toBe(34_548);
    expect(count(4000, 128, 64, 512, 2)).toBe(938_016);
    expect(countParams(makeConfig({ ...PRESETS.micro.model, maxPositions: 128 }))).toBe(34_548);
    expect(countParams(makeConfig({ ...PRESETS.tiny.model, maxPositions: 64 }))).toBe(938_016);
  });

  it('factorised (E=4 < H=8): word table V×E, projections E→H and H→E, by hand', () => {
    const c = tinyConfig({ embeddingSize: 4 });
    expect(countParams(c)).toBe(1054 - 30 * 8 + 30 * 4 + (4 * 8 + 8) + (8 * 4 + 4));
  });

  it('uses Hugging Face BertForMaskedLM keys with dense kernels stored [in, out], in a fixed order', () => {
    const shapes = new Map(paramShapes(tinyConfig()));
    expect(shapes.size).toBe(paramShapes(tinyConfig()).length); // no duplicate keys
    expect(shapes.get('bert.embeddings.word_embeddings.weight')).toEqual([30, 8]);
    expect(shapes.get('bert.embeddings.position_embeddings.weight')).toEqual([8, 8]);
    expect(shapes.get('bert.embeddings.token_type_embeddings.weight')).toEqual([2, 8]);
    expect(shapes.get('bert.encoder.layer.0.intermediate.dense.weight')).toEqual([8, 16]);
    expect(shapes.get('bert.encoder.layer.0.output.dense.weight')).toEqual([16, 8]);
    expect(shapes.get('bert.encoder.layer.0.attention.output.LayerNorm.weight')).toEqual([8]);
    expect(shapes.get('cls.predictions.bias')).toEqual([30]);
    const model = createMlm(tinyConfig(), 1);
    expect(Object.keys(model.params)).toEqual(paramShapes(tinyConfig()).map(([k]) => k));
    expect(model.variables.map((v) => v.shape)).toEqual(paramShapes(tinyConfig()).map(([, s]) => s));
    model.dispose();
  });
});

describe('mlmLoss gradients vs central finite differences', () => {
  let model: MlmModel;
  const batch = tinyBatchArrays();
  // A larger init than BERT's 0.02 so that every parameter (attention included) has gradients well above float32 noise.
  beforeAll(() => {
    model = createMlm(tinyConfig({ initRange: 0.3 }), 5);
  });
  afterAll(() => model.dispose());

  async function lossNow(): Promise<number> {
    const t = toTensors(batch);
    const l = tf.tidy(() => mlmLoss(model, t));
    const v = (await l.data())[0];
    tf.dispose([l, ...Object.values(t)]);
    return v;
  }

  const checked = [
    'bert.embeddings.word_embeddings.weight',
    'bert.embeddings.position_embeddings.weight',
    'bert.embeddings.token_type_embeddings.weight',
    'bert.encoder.layer.0.attention.self.query.weight',
    'bert.encoder.layer.0.attention.self.key.weight',
    'bert.encoder.layer.0.intermediate.dense.weight',
    'bert.encoder.layer.0.output.LayerNorm.weight',
    'cls.predictions.transform.dense.weight',
    'cls.predictions.bias',
  ];

  it.each(checked)('%s: the 10 largest |grad| coordinates agree within 3%', async (key) => {
    const t = toTensors(batch);
    const grads = tf.tidy(() => tf.variableGrads(() => mlmLoss(model, t), [model.params[key]]).grads);
    const g = await grads[model.params[key].name].data();
    tf.dispose([...Object.values(grads), ...Object.values(t)]);

    const order = Array.from(g.keys()).sort((i, j) => Math.abs(g[j]) - Math.abs(g[i])).slice(0, 10);
    expect(Math.abs(g[order[0]])).toBeGreaterThan(1e-3); // the check is meaningful: a real gradient, not noise
    const v = model.params[key];
    const base = Float32Array.from(await v.data());
    const eps = 3e-3;
    for (const i of order) {
      const probe = async (delta: number) => {
        const w = Float32Array.from(base);
        w[i] += delta;
        v.assign(tf.tensor(w, v.shape));
        return lossNow();
      };
      const plus = await probe(eps);
      const minus = await probe(-eps);
      v.assign(tf.tensor(base, v.shape));
      const fd = (plus - minus) / (2 * eps);
      expect(Math.abs(fd - g[i]), `${key}[${i}]: analytic ${g[i]}, finite difference ${fd}`).toBeLessThanOrEqual(0.03 * Math.abs(g[i]) + 2e-4);
    }
  });
});

describe('attention padding mask', () => {
  const hidden = async (model: MlmModel, ids: number[], mask: number[]) => {
    const h = tf.tidy(() => encode(model, tf.tensor2d(ids, [2, 6], 'int32'), tf.tensor2d(mask, [2, 6], 'int32')));
    const v = Float32Array.from(await h.data());
    h.dispose();
    return v;
  };
  const rows = (v: Float32Array, r: number[]) => r.flatMap((i) => Array.from(v.slice(i * 8, i * 8 + 8)));

  it('changing the id at a padded position leaves every unpadded hidden state unchanged; changing an unpadded one does not', async () => {
    const model = createMlm(tinyConfig({ initRange: 0.3 }), 2);
    const ids = [2, 7, 9, 3, 0, 0, 2, 11, 12, 13, 14, 3];
    const mask = [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1];
    const unpadded = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11];
    const before = await hidden(model, ids, mask);

    const padChanged = [...ids];
    padChanged[4] = 17; // a padded position in row 0
    const afterPad = await hidden(model, padChanged, mask);
    expect(maxAbsDiff(rows(afterPad, unpadded), rows(before, unpadded))).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(rows(afterPad, [4]), rows(before, [4]))).toBeGreaterThan(1e-2); // the padded row itself did change

    const realChanged = [...ids];
    realChanged[2] = 17; // an unpadded position in row 0
    const afterReal = await hidden(model, realChanged, mask);
    expect(maxAbsDiff(rows(afterReal, [0, 1, 3]), rows(before, [0, 1, 3]))).toBeGreaterThan(1e-3); // attends to it
    expect(maxAbsDiff(rows(afterReal, [6, 7, 8, 9, 10, 11]), rows(before, [6, 7, 8, 9, 10, 11]))).toBe(0); // other row
    model.dispose();
  });

  it('a fully padded row produces finite hidden states and a finite loss, no NaN (checklist 30: float32 numerics)', async () => {
    const model = createMlm(tinyConfig(), 3);
    const b = tinyBatchArrays();
    b.attentionMask.fill(0, 6, 12); // row 1 entirely padding; position 7 of it is still "masked"
    const t = toTensors(b);
    const [h, l] = tf.tidy(() => [encode(model, t.ids, t.attentionMask), mlmLoss(model, t)]);
    expect((await h.data()).every(Number.isFinite)).toBe(true);
    expect(Number.isFinite((await l.data())[0])).toBe(true);
    const { grads } = tf.variableGrads(() => mlmLoss(model, t), model.variables);
    for (const g of Object.values(grads)) expect((await g.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([h, l, ...Object.values(grads), ...Object.values(t)]);
    model.dispose();
  });
});

describe('createMlm', () => {
  it('the same seed gives identical weights, a different seed different ones', async () => {
    const [a, b, c] = [createMlm(tinyConfig(), 42), createMlm(tinyConfig(), 42), createMlm(tinyConfig(), 43)];
    const [wa, wb, wc] = [await snapshot(a.variables), await snapshot(b.variables), await snapshot(c.variables)];
    wa.forEach((w, i) => expect(w).toEqual(wb[i]));
    const we = paramShapes(tinyConfig()).findIndex(([k]) => k === 'bert.embeddings.word_embeddings.weight');
    expect(maxAbsDiff(wa[we], wc[we])).toBeGreaterThan(1e-3);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('BERT init: LayerNorm gains 1, biases 0, weights ~ N(0, initRange²)', async () => {
    const model = createMlm(makeConfig({ vocabSize: 200, hiddenSize: 32, numLayers: 1, numHeads: 2, initRange: 0.02 }), 9);
    for (const [k, v] of Object.entries(model.params)) {
      const x = Float32Array.from(await v.data());
      if (k.endsWith('LayerNorm.weight')) expect(x.every((e) => e === 1)).toBe(true);
      else if (k.endsWith('.bias')) expect(x.every((e) => e === 0)).toBe(true);
      else if (x.length >= 1024) {
        const mean = x.reduce((s, e) => s + e, 0) / x.length;
        const std = Math.sqrt(x.reduce((s, e) => s + (e - mean) ** 2, 0) / x.length);
        expect(Math.abs(mean), k).toBeLessThan(0.003);
        expect(Math.abs(std - 0.02), k).toBeLessThan(0.002);
      }
    }
    model.dispose();
  });

  it('dispose() returns tf.memory().numTensors to its value before creation', () => {
    const before = tf.memory().numTensors;
    const model = createMlm(tinyConfig(), 1);
    expect(tf.memory().numTensors).toBe(before + paramShapes(tinyConfig()).length);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
