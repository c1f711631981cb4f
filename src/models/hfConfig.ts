/**
 * Hugging Face `BertConfig` (config.json) ⇄ MlmConfig. Writes what `BertForMaskedLM.from_pretrained` reads; reads real
 * HF BERT configs, ignoring fields that do not change the maths (dropouts, torch_dtype, transformers_version, …) and
 * rejecting, with a named ConfigError, the ones we cannot honour.
 *
 * Not loadable by HF's BertForMaskedLM (see `hfCompatibility`): a factorised model (`embedding_size`, our extension:
 * HF builds a [V, H] word table and fails on the [V, E] tensor) and a model with `type_vocab_size` 0 (HF builds an
 * empty table and fails on the first lookup; writing type_vocab_size 1 with a zero [1, H] table is equivalent).
 */
import { ConfigError, makeConfig, type MlmConfig } from './config.ts';

export type BertConfigJson = Record<string, unknown>;

/** The activations we implement (BERT's exact erf GELU). */
export const SUPPORTED_HIDDEN_ACT = ['gelu'] as const;

/** MlmConfig → config.json object (snake_case, HF field names); `embedding_size` only when factorised. */
export function toBertConfigJson(c: MlmConfig): BertConfigJson {
  const json: BertConfigJson = {
    architectures: ['BertForMaskedLM'],
    model_type: 'bert',
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    intermediate_size: c.intermediateSize,
    hidden_act: 'gelu',
    max_position_embeddings: c.maxPositions,
    type_vocab_size: c.typeVocabSize,
    layer_norm_eps: c.layerNormEps,
    initializer_range: c.initRange,
    pad_token_id: c.padTokenId,
    position_embedding_type: 'absolute',
    tie_word_embeddings: true,
  };
  if (c.embeddingSize !== undefined) json.embedding_size = c.embeddingSize;
  return json;
}

const REQUIRED = ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'max_position_embeddings'] as const;

function intField(json: BertConfigJson, key: string, min: number): number {
  const v = json[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ConfigError(`config.json: ${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function numField(json: BertConfigJson, key: string, fallback: number): number {
  const v = json[key] ?? fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new ConfigError(`config.json: ${key} must be a number > 0, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * config.json object (already parsed) → validated MlmConfig. Missing optional fields take BertConfig's defaults
 * (type_vocab_size 2, layer_norm_eps 1e-12, initializer_range 0.02, pad_token_id 0, hidden_act "gelu").
 * `vocabSizeOverride` replaces vocab_size (pricing a student vocabulary on a teacher's shape).
 */
export function fromBertConfigJson(json: unknown, vocabSizeOverride?: number): MlmConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`config.json must be a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`);
  const j = json as BertConfigJson;
  const missing = REQUIRED.filter((k) => j[k] === undefined || j[k] === null);
  if (missing.length) throw new ConfigError(`config.json is missing required field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (j.model_type !== undefined && j.model_type !== 'bert') throw new ConfigError(`config.json: model_type ${JSON.stringify(j.model_type)} is not supported; supported: "bert"`);
  const act = j.hidden_act ?? 'gelu';
  if (!(SUPPORTED_HIDDEN_ACT as readonly unknown[]).includes(act)) {
    throw new ConfigError(`config.json: hidden_act ${JSON.stringify(act)} is not supported; supported: ${SUPPORTED_HIDDEN_ACT.map((a) => `"${a}"`).join(', ')}`);
  }
  const posType = j.position_embedding_type ?? 'absolute';
  if (posType !== 'absolute') throw new ConfigError(`config.json: position_embedding_type ${JSON.stringify(posType)} is not supported; supported: "absolute"`);
  if (j.tie_word_embeddings === false) throw new ConfigError('config.json: tie_word_embeddings false (an untied decoder) is not supported; the decoder is tied to the word embeddings');
  const hidden = intField(j, 'hidden_size', 1);
  const heads = intField(j, 'num_attention_heads', 1);
  if (hidden % heads !== 0) throw new ConfigError(`config.json: hidden_size (${hidden}) is not divisible by num_attention_heads (${heads})`);
  const cfg: Partial<MlmConfig> & Pick<MlmConfig, 'vocabSize' | 'hiddenSize' | 'numLayers' | 'numHeads'> = {
    vocabSize: vocabSizeOverride ?? intField(j, 'vocab_size', 1),
    hiddenSize: hidden,
    numLayers: intField(j, 'num_hidden_layers', 1),
    numHeads: heads,
    intermediateSize: intField(j, 'intermediate_size', 1),
    maxPositions: intField(j, 'max_position_embeddings', 1),
    typeVocabSize: j.type_vocab_size === undefined ? 2 : intField(j, 'type_vocab_size', 0),
    layerNormEps: numField(j, 'layer_norm_eps', 1e-12),
    initRange: numField(j, 'initializer_range', 0.02),
    padTokenId: j.pad_token_id === undefined || j.pad_token_id === null ? 0 : intField(j, 'pad_token_id', 0),
  };
  if (j.embedding_size !== undefined && j.embedding_size !== null) cfg.embeddingSize = intField(j, 'embedding_size', 1);
  return makeConfig(cfg);
}

export interface HfCompatibility {
  /** True when HF's BertForMaskedLM can load and run the exported folder as is. */
  bertForMaskedLM: boolean;
  reasons: string[];
}

export function hfCompatibility(c: MlmConfig): HfCompatibility {
  const reasons: string[] = [];
  if (c.embeddingSize !== undefined) reasons.push(`factorised embeddings (embedding_size ${c.embeddingSize} < hidden_size ${c.hiddenSize}) are not part of BERT`);
  if (c.typeVocabSize === 0) reasons.push('type_vocab_size 0: BERT always adds a token-type embedding (export type_vocab_size 1 with a zero row instead)');
  return { bertForMaskedLM: reasons.length === 0, reasons };
}
