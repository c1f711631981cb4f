/**
 * Masked-LM configuration. Field names follow Hugging Face `BertConfig` (snake_case there, camelCase here).
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
    ...partial,
  };
  validateConfig(cfg);
  return cfg;
}

/** Throws a ConfigError naming the first field out of range. */
export function validateConfig(c: MlmConfig): void {
  const positiveInts: (keyof MlmConfig)[] = ['vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'intermediateSize', 'maxPositions'];
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
}

/** Named presets. `micro` is the CI/WebGPU-smoke size; `tiny` and `medium` are the benchmark shapes of issue 2. */
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

/**
 * Parameters that do not depend on the vocabulary (no TF.js needed, so the page can price vocabularies):
 * positions + embedding LayerNorm, every encoder block, and the MLM transform. Equals countParams(c) − V·H − V
 * (word embeddings and output bias); a unit test holds it to that.
 */
export function vocabIndependentParams(c: MlmConfig): number {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const block = 4 * (H * H + H) + 2 * 2 * H + (H * I + I) + (I * H + H);
  return c.maxPositions * H + 2 * H + c.numLayers * block + (H * H + H) + 2 * H;
}
