/**
 * Parameter counts by part and memory estimates, without TF.js (the page prices models it never builds). The parts
 * follow HF BERT's modules:
 * - embeddings: word table V×E (E = hiddenSize unless factorised), positions P×H, token types Tt×H, LayerNorm 2H,
 *   and the factorised model's input projection E×H + H;
 * - body: every encoder layer (Q, K, V, attention output: 4(H²+H); FFN H·I + I + I·H + H; two LayerNorms 4H);
 * - head (masked-LM): transform H²+H, LayerNorm 2H, the factorised output projection H·E + E, the output bias V, and a
 *   separate V×E decoder only when it is not tied to the word table;
 * - pooler: H²+H, only when counting a BertModel with its pooler (HF's BertModel has one, BertForMaskedLM does not).
 * The conventions that reproduce methods.md §A.2 / checklist 17 are in `params.test.ts`; `glmParams` counts GLM's own
 * layout (methods.md §B.2, checklist 27) for the GLMD table.
 */
import type { MlmConfig } from './config.ts';

export interface CountOptions {
  /** Count BertModel's pooler (dense H×H + H), as the rubert-base teacher's 177.9 M does. Default false. */
  withPooler?: boolean;
  /** Count the masked-LM head (transform, LayerNorm, output projection, output bias). Default true. */
  withMlmHead?: boolean;
  /** The decoder weight is the word table (counted once). false adds a separate V×E decoder weight. Default true. */
  tiedDecoder?: boolean;
}

export interface ParamCounts {
  embeddings: { word: number; position: number; tokenType: number; layerNorm: number; projection: number; total: number };
  body: { perLayer: number; layers: number; total: number };
  head: { transform: number; layerNorm: number; projection: number; outputBias: number; decoder: number; total: number };
  pooler: number;
  total: number;
  /** The part that scales with the vocabulary: word table, output bias, untied decoder. */
  vocabDependent: number;
  /** embeddings.total / total. */
  embeddingShare: number;
  /** vocabDependent / total. */
  vocabShare: number;
}

const dense = (i: number, o: number) => i * o + o;

/** Parameters of one post-LN BERT encoder layer: hidden H, feed-forward I. */
export function encoderLayerParams(H: number, I: number): number {
  return 4 * dense(H, H) + dense(H, I) + dense(I, H) + 2 * 2 * H;
}

/** Counts by part; with the default options the total equals `countParams` of the model `createMlm` builds. */
export function countParamsByPart(c: MlmConfig, opts: CountOptions = {}): ParamCounts {
  const { withPooler = false, withMlmHead = true, tiedDecoder = true } = opts;
  const [V, H] = [c.vocabSize, c.hiddenSize];
  const E = c.embeddingSize ?? H;
  const factorised = c.embeddingSize !== undefined;
  const emb = { word: V * E, position: c.maxPositions * H, tokenType: c.typeVocabSize * H, layerNorm: 2 * H, projection: factorised ? dense(E, H) : 0 };
  const embeddings = { ...emb, total: emb.word + emb.position + emb.tokenType + emb.layerNorm + emb.projection };
  const perLayer = encoderLayerParams(H, c.intermediateSize);
  const body = { perLayer, layers: c.numLayers, total: perLayer * c.numLayers };
  const hd = withMlmHead
    ? { transform: dense(H, H), layerNorm: 2 * H, projection: factorised ? dense(H, E) : 0, outputBias: V, decoder: tiedDecoder ? 0 : V * E }
    : { transform: 0, layerNorm: 0, projection: 0, outputBias: 0, decoder: 0 };
  const head = { ...hd, total: hd.transform + hd.layerNorm + hd.projection + hd.outputBias + hd.decoder };
  const pooler = withPooler ? dense(H, H) : 0;
  const total = embeddings.total + body.total + head.total + pooler;
  const vocabDependent = emb.word + hd.outputBias + hd.decoder;
  return { embeddings, body, head, pooler, total, vocabDependent, embeddingShare: embeddings.total / total, vocabShare: vocabDependent / total };
}

/**
 * Parameters that do not depend on the vocabulary, for the tokenizer what-if (which adds size × width itself):
 * everything of the default count (MLM head, tied decoder, no pooler) except the word table and the output bias.
 */
export function vocabIndependentParams(c: MlmConfig): number {
  const n = countParamsByPart(c);
  return n.total - n.vocabDependent;
}

export interface MemoryEstimate {
  params: number;
  /** Bytes of the weights alone. */
  weightsFp32: number;
  weightsFp16: number;
  /** Bytes for training in float32: weights + gradients + Adam's two moment slots (16 bytes a parameter); no activations. */
  trainingFp32: number;
}

export function memoryEstimate(params: number): MemoryEstimate {
  return { params, weightsFp32: 4 * params, weightsFp16: 2 * params, trainingFp32: 16 * params };
}

/** Bytes → megabytes (10⁶ bytes, as HF's file listings print them), two decimals. */
export const toMB = (bytes: number) => Math.round(bytes / 1e4) / 100;

export interface GlmShape {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  /** Feed-forward width; GLM uses 4 × hiddenSize. */
  intermediateSize?: number;
  /** Rows of each position table (GLM: 513 = 512 + 1). */
  positionRows?: number;
  /** GLM's 2-D positions: a position table and a block-position table. */
  positionTables?: number;
  /** GLMD "+al" (`--compress_word_emb`): word table V×E, Linear(E→H) in, Linear(H→E) before the tied product. */
  embeddingSize?: number;
}

export interface GlmCounts {
  word: number;
  positions: number;
  body: number;
  finalLayerNorm: number;
  projections: number;
  total: number;
}

/**
 * GLM's conventions (methods.md §B.2 [Inf]): two 513-row position tables, tied input/output embeddings with no output
 * bias and no MLM transform, pre-LN layers (same parameter count as BERT's), a final LayerNorm and no embedding
 * LayerNorm or token types. Used only to reproduce GLMD's 66.8 M / 55.1 M / 49.8 M.
 */
export function glmParams(s: GlmShape): GlmCounts {
  const H = s.hiddenSize;
  const E = s.embeddingSize ?? H;
  const word = s.vocabSize * E;
  const positions = (s.positionTables ?? 2) * (s.positionRows ?? 513) * H;
  const body = s.numLayers * encoderLayerParams(H, s.intermediateSize ?? 4 * H);
  const finalLayerNorm = 2 * H;
  const projections = s.embeddingSize !== undefined ? dense(E, H) + dense(H, E) : 0;
  return { word, positions, body, finalLayerNorm, projections, total: word + positions + body + finalLayerNorm + projections };
}
