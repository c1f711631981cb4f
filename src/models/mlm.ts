/**
 * BERT-style masked language model in raw TF.js ops: word + position + token-type embeddings → LayerNorm → N post-LN
 * encoder blocks (self-attention with a padding mask, GELU feed-forward) → MLM head (dense + GELU + LayerNorm) →
 * decoder tied to the word embeddings, plus an output bias. Parameter keys are Hugging Face `BertForMaskedLM`
 * state-dict keys; dense kernels (`isDenseKernel`) are stored [in, out] (HF stores nn.Linear weights [out, in]:
 * transpose at import/export). Options beyond BERT: typeVocabSize 0 (no token-type table) and factorised embeddings
 * (embeddingSize E < H: word table [V, E], `bert.embeddings.embedding_projection` E→H after the lookup — ALBERT's
 * embedding_hidden_mapping_in — and `cls.predictions.embedding_projection` H→E before the tied product; keys of ours).
 * Does not: pooler, dropout.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmConfig } from './config.ts';
import { createRng, normalArray } from '../data/rng.ts';
import { scaledDotProductAttention } from './attention.ts';
import { addRowVector, crossEntropy, gatherRows, gelu, layerNorm, linear, matMulNT } from './layers.ts';
import { installWasmKernels } from './wasmKernels.ts';

export type Params = Record<string, tf.Variable>;

export interface MlmModel {
  config: MlmConfig;
  params: Params;
  /** Trainable variables in a stable order (the order of `paramShapes`). */
  variables: tf.Variable[];
  dispose(): void;
}

const L = (i: number) => `bert.encoder.layer.${i}`;

const WORD = 'bert.embeddings.word_embeddings.weight';
const TYPES = 'bert.embeddings.token_type_embeddings.weight';
const PROJ_IN = 'bert.embeddings.embedding_projection';
const PROJ_OUT = 'cls.predictions.embedding_projection';

/** True for the 2-D nn.Linear weights, which we store [in, out] and HF stores [out, in]. */
export function isDenseKernel(key: string): boolean {
  return key.endsWith('.weight') && !key.endsWith('LayerNorm.weight') && !key.endsWith('_embeddings.weight');
}

/** Every parameter key and shape, in a fixed order (optional keys only when the config has them). */
export function paramShapes(c: MlmConfig): [string, number[]][] {
  const H = c.hiddenSize;
  const dense = (k: string, i: number, o: number): [string, number[]][] => [[`${k}.weight`, [i, o]], [`${k}.bias`, [o]]];
  const norm = (k: string): [string, number[]][] => [[`${k}.weight`, [H]], [`${k}.bias`, [H]]];
  const E = c.embeddingSize;
  const out: [string, number[]][] = [
    [WORD, [c.vocabSize, E ?? H]],
    ...(E !== undefined ? dense(PROJ_IN, E, H) : []),
    ['bert.embeddings.position_embeddings.weight', [c.maxPositions, H]],
    ...(c.typeVocabSize > 0 ? [[TYPES, [c.typeVocabSize, H]] as [string, number[]]] : []),
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
  out.push(...dense('cls.predictions.transform.dense', H, H), ...norm('cls.predictions.transform.LayerNorm'));
  if (E !== undefined) out.push(...dense(PROJ_OUT, H, E));
  out.push(['cls.predictions.bias', [c.vocabSize]]);
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
 * Embeddings before the LayerNorm: word (projected E→H when factorised) + position + token type, [B*T, H].
 * Without tokenTypeIds every position has type 0: row 0 of the type table is added to the [T, H] positions (a cheaper
 * path than a [B*T] gather, the same value); with them, a gather of [B*T] rows. The path depends only on whether
 * tokenTypeIds is given, so tensor shapes stay fixed from step to step.
 */
function embed(p: Params, c: MlmConfig, ids: tf.Tensor2D, tokenTypeIds: tf.Tensor2D | undefined): tf.Tensor2D {
  const [B, T] = ids.shape;
  const H = c.hiddenSize;
  let words = gatherRows(v2(p, WORD), ids.reshape([B * T])); // [B*T, E]
  if (c.embeddingSize !== undefined) words = dense(p, PROJ_IN, words); // [B*T, E] → [B*T, H]
  let pos = tf.slice(v2(p, 'bert.embeddings.position_embeddings.weight'), [0, 0], [T, H]) as tf.Tensor2D; // [T, H]
  if (c.typeVocabSize > 0 && !tokenTypeIds) pos = addRowVector(pos, tf.slice(v2(p, TYPES), [0, 0], [1, H]).reshape([H]) as tf.Tensor1D); // row 0: [1, H] → [H]
  let x = tf.add(words.reshape([B, T, H]), pos).reshape([B * T, H]) as tf.Tensor2D; // [B*T, H] → [B, T, H] + [T, H] → [B*T, H]
  if (tokenTypeIds) x = tf.add(x, gatherRows(v2(p, TYPES), tokenTypeIds.reshape([B * T]))); // [B, T] → [B*T] ids → [B*T, H]
  return x;
}

/**
 * Encoder forward. ids, attentionMask, tokenTypeIds (optional, default all 0): [B, T] int32 → hidden states [B*T, H].
 * Masked keys get a bias of −10⁴ (finite, so a fully padded row never produces NaN). When `hiddens` is given, the
 * embedding LayerNorm output and each layer's output ([B*T, H] each, numLayers + 1 in all) are pushed into it.
 */
export function encode(model: MlmModel, ids: tf.Tensor2D, attentionMask: tf.Tensor2D, tokenTypeIds?: tf.Tensor2D, hiddens?: tf.Tensor2D[]): tf.Tensor2D {
  const { params: p, config: c } = model;
  const [B, T] = ids.shape;
  installWasmKernels();
  if (T > c.maxPositions) throw new RangeError(`sequence length ${T} exceeds maxPositions ${c.maxPositions}`);
  if (tokenTypeIds) {
    if (c.typeVocabSize === 0) throw new RangeError('tokenTypeIds given, but the model has no token-type embeddings (typeVocabSize 0)');
    if (tokenTypeIds.shape[0] !== B || tokenTypeIds.shape[1] !== T) throw new RangeError(`tokenTypeIds shape [${tokenTypeIds.shape}] differs from ids shape [${ids.shape}]`);
  }
  let x = norm(p, 'bert.embeddings.LayerNorm', embed(p, c, ids, tokenTypeIds), c.layerNormEps);
  hiddens?.push(x);
  const maskBias = tf.mul(tf.sub(1, attentionMask.cast('float32')), -1e4).reshape([B, 1, 1, T]) as tf.Tensor4D;
  for (let i = 0; i < c.numLayers; i++) {
    const a = dense(p, `${L(i)}.attention.output.dense`, attention(p, c, i, x, maskBias, B, T));
    x = norm(p, `${L(i)}.attention.output.LayerNorm`, tf.add(x, a), c.layerNormEps);
    const f = dense(p, `${L(i)}.output.dense`, gelu(dense(p, `${L(i)}.intermediate.dense`, x)));
    x = norm(p, `${L(i)}.output.LayerNorm`, tf.add(x, f), c.layerNormEps);
    hiddens?.push(x);
  }
  return x;
}

/**
 * The MLM head before its tied decoder: h [N, H] → t [N, E] (dense + GELU + LayerNorm, then the H→E projection when
 * factorised). mlmLogits(m, h) = decode(m, headTransform(m, h), null).
 */
export function headTransform(model: MlmModel, h: tf.Tensor2D): tf.Tensor2D {
  const { params: p, config: c } = model;
  const t = norm(p, 'cls.predictions.transform.LayerNorm', gelu(dense(p, 'cls.predictions.transform.dense', h)), c.layerNormEps);
  return c.embeddingSize !== undefined ? dense(p, PROJ_OUT, t) : t; // [N, H] → [N, E]
}

/**
 * The tied decoder over every column, or only over `cols` (then only those word rows and biases are gathered, so a
 * column subset never needs the full [N, V] logits): t [N, E] → [N, V or |cols|]. `biasScale` [N, 1] multiplies the
 * bias per row (a sum of |G| rows carries |G| biases). A caller that decodes several chunks with the same weights
 * gathers them once (`decoderRows`) and calls `decodeWith`; a frozen model's decoder can be prepared once per run
 * (`frozenDecoder`).
 */
export function decode(model: MlmModel, t: tf.Tensor2D, cols: tf.Tensor1D | null, biasScale?: tf.Tensor2D): tf.Tensor2D {
  return decodeWith(decoderRows(model, cols), t, biasScale);
}

/** The decoder's word rows [|cols| or V, E] and biases [|cols| or V] (differentiable: gathers of the tied table). */
export interface DecoderRows {
  /** [C, E], or its transpose [E, C] when `transposed` (a frozen decoder prepared once). */
  w: tf.Tensor2D;
  b: tf.Tensor1D;
  transposed?: boolean;
}

export function decoderRows(model: MlmModel, cols: tf.Tensor1D | null): DecoderRows {
  const word = v2(model.params, WORD);
  const bias = v1(model.params, 'cls.predictions.bias');
  const w = cols ? gatherRows(word, cols) : word; // [|cols|, E]
  const b = cols ? gatherRows(bias.reshape([-1, 1]), cols).reshape([-1]) as tf.Tensor1D : bias; // [V] → [V, 1] → [|cols|, 1] → [|cols|]
  return { w, b };
}

/**
 * A frozen model's (the teacher's) decoder rows, gathered and transposed once ([E, C] and [C], new tensors the caller
 * disposes): decodeWith then runs one plain product per chunk, no gather or transpose per step. No gradient.
 */
export function frozenDecoder(model: MlmModel, cols: tf.Tensor1D | null): DecoderRows {
  return tf.tidy(() => {
    const { w, b } = decoderRows(model, cols);
    return { w: tf.transpose(w), b: tf.clone(b), transposed: true };
  });
}

export function decodeWith(d: DecoderRows, t: tf.Tensor2D, biasScale?: tf.Tensor2D): tf.Tensor2D {
  const z = d.transposed ? tf.matMul(t, d.w) : matMulNT(t, d.w); // [N, E]·[V, E]ᵀ → [N, V]
  return (biasScale ? tf.add(z, tf.mul(biasScale, d.b)) : tf.add(z, d.b)) as tf.Tensor2D;
}

/** MLM head on selected hidden rows: h [N, H] → logits [N, V] (decoder tied to the word embeddings). */
export function mlmLogits(model: MlmModel, h: tf.Tensor2D): tf.Tensor2D {
  return decode(model, headTransform(model, h), null);
}

export interface MlmBatchTensors {
  ids: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  /** [B, T] segment ids; absent = all 0. */
  tokenTypeIds?: tf.Tensor2D;
  maskedPositions: tf.Tensor1D;
  labels: tf.Tensor1D;
}

/** Masked-token cross-entropy: logits only at the M masked positions ([M, V], not [B*T, V]). */
export function mlmLoss(model: MlmModel, batch: MlmBatchTensors): tf.Scalar {
  const hidden = encode(model, batch.ids, batch.attentionMask, batch.tokenTypeIds);
  const picked = gatherRows(hidden, batch.maskedPositions); // [M, H]
  return crossEntropy(mlmLogits(model, picked), batch.labels);
}
