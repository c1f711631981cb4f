/**
 * Masked-LM configuration, presets and validation. Field names follow Hugging Face `BertConfig` (snake_case there,
 * camelCase here; `hfConfig.ts` converts config.json both ways). Two extensions beyond BertConfig:
 * `typeVocabSize` may be 0 (no token-type table, DistilBERT-style students) and `embeddingSize` < hiddenSize
 * factorises the word embeddings (GLMD "+al"); models using either are not loadable by HF's BertForMaskedLM.
 * Parameter counting lives in `params.ts` (TF.js-free).
 */
export interface MlmConfig {
  /** Vocabulary size: rows of the word-embedding table and width of the tied output layer. */
  vocabSize: number;
  /** Width of every hidden state. */
  hiddenSize: number;
  /** Number of encoder blocks. */
  numLayers: number;
  /** Attention heads per block; must divide hiddenSize. */
  numHeads: number;
  /** Feed-forward inner width (BERT: 4 × hiddenSize). */
  intermediateSize: number;
  /** Rows of the position-embedding table: the longest sequence the model accepts. */
  maxPositions: number;
  /** LayerNorm epsilon (BERT: 1e-12). */
  layerNormEps: number;
  /** Std of the normal weight init (BERT: 0.02). */
  initRange: number;
  /** Rows of the token-type (segment) table; HF default 2, 0 = no table (DistilBERT-style). */
  typeVocabSize: number;
  /** Id of [PAD] (HF `pad_token_id`, default 0); metadata for config.json, the model itself does not read it. */
  padTokenId: number;
  /**
   * Factorised word embeddings (ALBERT / GLMD "+al"): word table [V, E] with a projection E→H after the lookup and
   * H→E before the tied output product. Absent = unfactorised (table [V, H]); when present must be < hiddenSize.
   */
  embeddingSize?: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function makeConfig(partial: Partial<MlmConfig> & Pick<MlmConfig, 'vocabSize' | 'hiddenSize' | 'numLayers' | 'numHeads'>): MlmConfig {
  const cfg: MlmConfig = {
    intermediateSize: partial.hiddenSize * 4,
    maxPositions: 512,
    layerNormEps: 1e-12,
    initRange: 0.02,
    typeVocabSize: 2,
    padTokenId: 0,
    ...partial,
  };
  validateConfig(cfg);
  return cfg;
}

/** Throws a ConfigError naming the first field out of range. */
export function validateConfig(c: MlmConfig): void {
  const positiveInts = ['vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'intermediateSize', 'maxPositions'] as const;
  for (const k of positiveInts) {
    const v = c[k];
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`${k} must be a positive integer, got ${v}`);
  }
  if (c.vocabSize < 6) throw new ConfigError(`vocabSize must be ≥ 6 (5 specials + 1 word), got ${c.vocabSize}`);
  if (c.hiddenSize % c.numHeads !== 0) {
    throw new ConfigError(`hiddenSize (${c.hiddenSize}) must be divisible by numHeads (${c.numHeads})`);
  }
  if (!(c.layerNormEps > 0)) throw new ConfigError(`layerNormEps must be > 0, got ${c.layerNormEps}`);
  if (!(c.initRange > 0)) throw new ConfigError(`initRange must be > 0, got ${c.initRange}`);
  if (!Number.isInteger(c.typeVocabSize) || c.typeVocabSize < 0) throw new ConfigError(`typeVocabSize must be an integer ≥ 0 (0 = no token-type embeddings), got ${c.typeVocabSize}`);
  if (!Number.isInteger(c.padTokenId) || c.padTokenId < 0 || c.padTokenId >= c.vocabSize) {
    throw new ConfigError(`padTokenId must be an integer in [0, vocabSize ${c.vocabSize}), got ${c.padTokenId}`);
  }
  const E = c.embeddingSize;
  if (E !== undefined && (!Number.isInteger(E) || E < 1 || E >= c.hiddenSize)) {
    throw new ConfigError(`embeddingSize must be an integer in [1, hiddenSize ${c.hiddenSize}) (leave it out for unfactorised embeddings), got ${E}`);
  }
}

/** Width of the word-embedding rows: embeddingSize when factorised, else hiddenSize. */
export function wordEmbeddingWidth(c: MlmConfig): number {
  return c.embeddingSize ?? c.hiddenSize;
}

/**
 * Named presets. `micro` is the CI/WebGPU-smoke size; `tiny` and `medium` are the benchmark shapes of issue 2.
 * They keep BertConfig's default of 2 token types (makeConfig), so a model trained from a preset exports as a plain
 * HF BertForMaskedLM; that costs 2·H parameters (64 for micro, 256 for tiny) and one [T, H] row add per step.
 */
export const PRESETS = {
  micro: { model: { vocabSize: 500, hiddenSize: 32, numLayers: 1, numHeads: 2, intermediateSize: 128 }, seqLen: 16, batchSize: 4 },
  tiny: { model: { vocabSize: 4000, hiddenSize: 128, numLayers: 2, numHeads: 4, intermediateSize: 512 }, seqLen: 64, batchSize: 16 },
  medium: { model: { vocabSize: 8000, hiddenSize: 256, numLayers: 4, numHeads: 4, intermediateSize: 1024 }, seqLen: 128, batchSize: 32 },
} as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function presetConfig(name: PresetName): { model: MlmConfig; seqLen: number; batchSize: number } {
  const p = PRESETS[name];
  if (!p) throw new ConfigError(`unknown preset "${name}"; valid: ${PRESET_NAMES.join(', ')}`);
  return { model: makeConfig({ ...p.model, maxPositions: Math.max(p.seqLen, 128) }), seqLen: p.seqLen, batchSize: p.batchSize };
}
