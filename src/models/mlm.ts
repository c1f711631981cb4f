/**
 * BERT-style masked language model in raw TF.js ops: word + position embeddings → LayerNorm → N post-LN encoder
 * blocks (self-attention with a padding mask, GELU feed-forward) → MLM head (dense + GELU + LayerNorm) → decoder tied
 * to the word embeddings, plus an output bias. Parameter keys are Hugging Face `BertForMaskedLM` state-dict keys;
 * dense kernels are stored [in, out] (HF stores nn.Linear weights [out, in]: transpose at import/export).
 * Does not: token-type embeddings, pooler, dropout (issue 4 completes the HF surface).
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmConfig } from './config.ts';
import { createRng, normalArray } from '../data/rng.ts';
import { scaledDotProductAttention } from './attention.ts';
import { crossEntropy, gatherRows, gelu, layerNorm, linear, matMulNT } from './layers.ts';

export type Params = Record<string, tf.Variable>;

export interface MlmModel {
  config: MlmConfig;
  params: Params;
  /** Trainable variables in a stable order (the order of `paramShapes`). */
  variables: tf.Variable[];
  dispose(): void;
}

const L = (i: number) => `bert.encoder.layer.${i}`;

/** Every parameter key and shape, in a fixed order. */
export function paramShapes(c: MlmConfig): [string, number[]][] {
  const H = c.hiddenSize;
  const dense = (k: string, i: number, o: number): [string, number[]][] => [[`${k}.weight`, [i, o]], [`${k}.bias`, [o]]];
  const norm = (k: string): [string, number[]][] => [[`${k}.weight`, [H]], [`${k}.bias`, [H]]];
  const out: [string, number[]][] = [
    ['bert.embeddings.word_embeddings.weight', [c.vocabSize, H]],
    ['bert.embeddings.position_embeddings.weight', [c.maxPositions, H]],
    ...norm('bert.embeddings.LayerNorm'),
  ];
  for (let i = 0; i < c.numLayers; i++) {
    out.push(
      ...dense(`${L(i)}.attention.self.query`, H, H),
      ...dense(`${L(i)}.attention.self.key`, H, H),
      ...dense(`${L(i)}.attention.self.value`, H, H),
      ...dense(`${L(i)}.attention.output.dense`, H, H),
      ...norm(`${L(i)}.attention.output.LayerNorm`),
      ...dense(`${L(i)}.intermediate.dense`, H, c.intermediateSize),
      ...dense(`${L(i)}.output.dense`, c.intermediateSize, H),
      ...norm(`${L(i)}.output.LayerNorm`),
    );
  }
  out.push(...dense('cls.predictions.transform.dense', H, H), ...norm('cls.predictions.transform.LayerNorm'), ['cls.predictions.bias', [c.vocabSize]]);
  return out;
}

export function countParams(c: MlmConfig): number {
  return paramShapes(c).reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
}

/** Builds a model with BERT's init (weights N(0, initRange²), LayerNorm 1/0, biases 0) from a seeded RNG. */
export function createMlm(config: MlmConfig, seed: number): MlmModel {
  const rng = createRng(seed);
  const params: Params = {};
  for (const [key, shape] of paramShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const isGain = key.endsWith('LayerNorm.weight');
    const isZero = key.endsWith('.bias') || key.endsWith('LayerNorm.bias');
    const values = isGain ? new Float32Array(n).fill(1) : isZero ? new Float32Array(n) : normalArray(rng, n, config.initRange);
    // tf.variable(t) keeps `t` alive: create and drop the init tensor inside tidy.
    params[key] = tf.tidy(() => tf.variable(tf.tensor(values, shape), true));
  }
  const variables = Object.values(params);
  return { config, params, variables, dispose: () => variables.forEach((v) => v.dispose()) };
}

const v1 = (p: Params, k: string) => p[k] as unknown as tf.Tensor1D;
const v2 = (p: Params, k: string) => p[k] as unknown as tf.Tensor2D;
const dense = (p: Params, k: string, x: tf.Tensor2D) => linear(x, v2(p, `${k}.weight`), v1(p, `${k}.bias`));
const norm = (p: Params, k: string, x: tf.Tensor2D, eps: number) => layerNorm(x, v1(p, `${k}.weight`), v1(p, `${k}.bias`), eps);

function attention(p: Params, c: MlmConfig, i: number, x: tf.Tensor2D, maskBias: tf.Tensor4D, B: number, T: number): tf.Tensor2D {
  const nh = c.numHeads;
  const hs = c.hiddenSize / nh;
  // [B*T, H] → [B, T, nh, hs] → [B, nh, T, hs]
  const heads = (t: tf.Tensor2D) => t.reshape([B, T, nh, hs]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  const q = heads(dense(p, `${L(i)}.attention.self.query`, x));
  const k = heads(dense(p, `${L(i)}.attention.self.key`, x));
  const v = heads(dense(p, `${L(i)}.attention.self.value`, x));
  const flat = (t: tf.Tensor4D) => t.reshape([B * nh, T, hs]) as tf.Tensor3D;
  const ctx = scaledDotProductAttention(flat(q), flat(k), flat(v), maskBias).reshape([B, nh, T, hs]); // [B, nh, T, hs]
  return ctx.transpose([0, 2, 1, 3]).reshape([B * T, c.hiddenSize]); // [B, T, nh, hs] → [B*T, H]
}

/**
 * Encoder forward. ids, attentionMask: [B, T] int32 → hidden states [B*T, H].
 * Masked keys get a bias of −10⁴ (finite, so a fully padded row never produces NaN).
 */
export function encode(model: MlmModel, ids: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor2D {
  const { params: p, config: c } = model;
  const [B, T] = ids.shape;
  if (T > c.maxPositions) throw new RangeError(`sequence length ${T} exceeds maxPositions ${c.maxPositions}`);
  const H = c.hiddenSize;
  const words = gatherRows(v2(p, 'bert.embeddings.word_embeddings.weight'), ids.reshape([B * T])); // [B*T, H]
  const pos = tf.slice(v2(p, 'bert.embeddings.position_embeddings.weight'), [0, 0], [T, H]); // [T, H]
  let x = tf.add(words.reshape([B, T, H]), pos).reshape([B * T, H]) as tf.Tensor2D;
  x = norm(p, 'bert.embeddings.LayerNorm', x, c.layerNormEps);
  const maskBias = tf.mul(tf.sub(1, attentionMask.cast('float32')), -1e4).reshape([B, 1, 1, T]) as tf.Tensor4D;
  for (let i = 0; i < c.numLayers; i++) {
    const a = dense(p, `${L(i)}.attention.output.dense`, attention(p, c, i, x, maskBias, B, T));
    x = norm(p, `${L(i)}.attention.output.LayerNorm`, tf.add(x, a), c.layerNormEps);
    const f = dense(p, `${L(i)}.output.dense`, gelu(dense(p, `${L(i)}.intermediate.dense`, x)));
    x = norm(p, `${L(i)}.output.LayerNorm`, tf.add(x, f), c.layerNormEps);
  }
  return x;
}

/** MLM head on selected hidden rows: h [N, H] → logits [N, V] (decoder tied to the word embeddings). */
export function mlmLogits(model: MlmModel, h: tf.Tensor2D): tf.Tensor2D {
  const { params: p, config: c } = model;
  const t = norm(p, 'cls.predictions.transform.LayerNorm', gelu(dense(p, 'cls.predictions.transform.dense', h)), c.layerNormEps);
  return tf.add(matMulNT(t, v2(p, 'bert.embeddings.word_embeddings.weight')), v1(p, 'cls.predictions.bias'));
}

export interface MlmBatchTensors {
  ids: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  maskedPositions: tf.Tensor1D;
  labels: tf.Tensor1D;
}

/** Masked-token cross-entropy: logits only at the M masked positions ([M, V], not [B*T, V]). */
export function mlmLoss(model: MlmModel, batch: MlmBatchTensors): tf.Scalar {
  const hidden = encode(model, batch.ids, batch.attentionMask);
  const picked = gatherRows(hidden, batch.maskedPositions); // [M, H]
  return crossEntropy(mlmLogits(model, picked), batch.labels);
}
