/**
 * Masked-LM batches from one token stream (nanoGPT-style random windows).
 * Each row is `[CLS] w1 … w(T-2) [SEP]`; exactly `maskedPerBatch` positions (never specials) are chosen per batch so
 * every step has the same tensor shapes (WebGPU and WebGL compile shaders per shape). BERT's 80/10/10 rule applies.
 */
import { createRng, type Rng } from './rng.ts';

/** The layout of our trained vocabularies (tokenizers/trainTokenizer.ts): [PAD] [UNK] [CLS] [SEP] [MASK] first. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export const CLS_ID = 2;
export const SEP_ID = 3;
export const MASK_ID = 4;

export interface MlmBatch {
  batchSize: number;
  seqLen: number;
  /** [B*T] input ids after masking. */
  ids: Int32Array;
  /** [B*T] 1 for real tokens, 0 for padding. */
  attentionMask: Int32Array;
  /** [M] flat positions (row * T + col) of the masked tokens, ascending. */
  maskedPositions: Int32Array;
  /** [M] original ids at those positions. */
  labels: Int32Array;
}

/** Ids of the special tokens the batcher writes, and where random replacement ids start. */
export interface BatchSpecials {
  cls: number;
  sep: number;
  mask: number;
  /** The 10 % random replacements are drawn from [firstRandom, vocabSize): past the specials when they come first. */
  firstRandom: number;
}

/** Specials of the SPECIAL_TOKENS layout (the default when a batcher is given none). */
export const DEFAULT_SPECIALS: BatchSpecials = { cls: CLS_ID, sep: SEP_ID, mask: MASK_ID, firstRandom: SPECIAL_TOKENS.length };

export interface BatchOptions {
  batchSize: number;
  seqLen: number;
  vocabSize: number;
  maskProb?: number;
  seed: number;
  specials?: BatchSpecials;
}

export class DataError extends Error {
  override name = 'DataError';
}

export function maskedCount(batchSize: number, seqLen: number, maskProb = 0.15): number {
  return Math.max(1, Math.round(maskProb * batchSize * (seqLen - 2)));
}

/** Endless generator of MLM batches over `stream` (token ids without specials). */
export function createBatcher(stream: Int32Array, opts: BatchOptions): { next(): MlmBatch; rng: Rng } {
  const { batchSize: B, seqLen: T, vocabSize } = opts;
  if (T < 3) throw new DataError(`seqLen must be ≥ 3 (room for [CLS], one token, [SEP]), got ${T}`);
  if (stream.length < T - 2) {
    throw new DataError(`the corpus has ${stream.length} tokens, fewer than one window of ${T - 2}: add text or shorten seqLen`);
  }
  const rng = createRng(opts.seed);
  const M = maskedCount(B, T, opts.maskProb);
  const candidates = B * (T - 2);
  const sp = opts.specials ?? DEFAULT_SPECIALS;
  const next = (): MlmBatch => {
    const ids = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = rng.int(stream.length - (T - 2) + 1);
      ids[b * T] = sp.cls;
      ids.set(stream.subarray(start, start + T - 2), b * T + 1);
      ids[b * T + T - 1] = sp.sep;
    }
    // Partial Fisher–Yates over the B*(T-2) word positions picks M distinct ones.
    const pool = new Int32Array(candidates);
    for (let i = 0; i < candidates; i++) pool[i] = Math.floor(i / (T - 2)) * T + 1 + (i % (T - 2));
    for (let i = 0; i < M; i++) {
      const j = i + rng.int(candidates - i);
      const t = pool[i]; pool[i] = pool[j]; pool[j] = t;
    }
    const maskedPositions = pool.slice(0, M).sort();
    const labels = new Int32Array(M);
    maskedPositions.forEach((p, i) => {
      labels[i] = ids[p];
      const r = rng.next();
      if (r < 0.8) ids[p] = sp.mask;
      else if (r < 0.9) ids[p] = sp.firstRandom + rng.int(vocabSize - sp.firstRandom);
    });
    return { batchSize: B, seqLen: T, ids, attentionMask: new Int32Array(B * T).fill(1), maskedPositions, labels };
  };
  return { next, rng };
}
