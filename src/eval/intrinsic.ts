/**
 * Intrinsic metrics of a masked LM that stay fair when two models have different vocabularies (issue 13 item 1;
 * ../docs/methods.md §A.7; the field notes' §5 pitfalls).
 *
 * Words are defined by the text, not by a tokenizer: `planIntrinsic` splits each text with the BERT pre-tokenizer
 * rules (whitespace, every punctuation mark a word of its own) on the raw, un-normalised string, so a word is a
 * character span that is the same for every model. Texts are cut into segments of at most `maxSegmentWords` words
 * (48) at word boundaries, and the words to mask are chosen per segment from the seed exactly as
 * distill/evaluate.ts chooses them (max(1, round(15 %)) distinct words by a partial Fisher–Yates shuffle of mulberry32,
 * maskings outer, segments inner), so with a tokenizer whose words are the plan's words the two agree.
 * The plan is computed once and scored for every model (teacher, student, baseline): the same spans everywhere.
 *
 * Scoring one model (`scoreIntrinsic`): a plan word's pieces are the tokens whose character span overlaps the word;
 * the word is aligned when every such token lies inside the word (always, for BERT pre-tokenizers). A segment whose
 * encoding is longer than the window is halved at a word boundary until it fits.
 * - **masked-word accuracy**: per masking, every piece of every chosen word → [MASK] at once; a word is right when
 *   every piece is predicted top-1 and none of its pieces is [UNK]; unaligned words are counted and wrong. The
 *   denominator is every scored masked word, the same for every model.
 * - **PLL-word-l2r** (Kauf & Ivanova 2023) on the distinct chosen words with no [UNK] piece: for the word's pieces
 *   w₁…w_k, piece i is scored with pieces i…k masked (the earlier pieces of the word and every other word visible),
 *   log p(w_i | …); the word's log-likelihood is the sum over i. Reported: mean per word, pseudo-perplexity
 *   exp(−mean), and the sum divided by the scored words' characters (per-character, comparable across vocabularies).
 * - **[UNK] rate** (share of non-special tokens that are [UNK]), **fertility** (non-special tokens per plan word) and
 *   **single-token words** (share of plan words kept as one token), over every word of the plan's segments.
 * `compareIntrinsic` gives the **teacher–student top-1 agreement**: over the masked words scored and aligned on both
 * sides, the share whose predicted strings agree. A model's predicted string for a masked word is its top-1 pieces at
 * the word's masked positions, joined with each piece's continuing-subword prefix (`##`) or BPE end-of-word suffix
 * removed (a special token or [UNK] joins as its literal text, "[UNK]"); the two strings are compared after
 * lower-casing when either tokenizer lower-cases, and after stripping accents when either strips them. A model agrees
 * with itself on every word.
 * It also gives both models' PLL over the words both could score.
 * Every tensor op runs in tf.tidy; only the per-piece log-probabilities and argmax ids are read, with await data().
 * The plan and a tokenizer's rows are intrinsicPlan.ts's (no tf); this file scores them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { encode, mlmLogits, type MlmModel } from '../models/mlm.ts';
import { gatherRows } from '../models/layers.ts';
import { EvalStoppedError } from './features.ts';
import { facts, IntrinsicError, intrinsicRows, type IntrinsicPlan, type TokenizerFacts } from './intrinsicPlan.ts';

export { DEFAULT_PLAN, heldoutTexts, IntrinsicError, intrinsicRows, planIntrinsic } from './intrinsicPlan.ts';
export type { IntrinsicPlan, IntrinsicRow, PlanOptions, PlanSegment } from './intrinsicPlan.ts';

export interface IntrinsicOptions {
  /** Longest row in tokens, specials included (default 128, capped at the model's maxPositions). */
  maxLen?: number;
  /** Rows per forward batch (default 32). */
  batchSize?: number;
  /** Stop scoring after this many milliseconds; the result says complete: false and counts what was scored. */
  timeLimitMs?: number;
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** Polled between batches; true → EvalStoppedError. */
  shouldStop?: () => boolean;
}

export interface PllScores {
  /** Words scored (aligned, no [UNK] piece). */
  words: number;
  pieces: number;
  /** Mean over words of Σᵢ log p(wᵢ | …), natural log. */
  meanLogProb: number;
  pseudoPerplexity: number;
  /** Σ log-probabilities / Σ characters of the scored words. */
  logProbPerChar: number;
}

export interface IntrinsicScores {
  /** False when the time cap or the row budget ended scoring early. */
  complete: boolean;
  /** Masked words in the plan, and how many were scored. */
  maskedWords: number;
  scoredWords: number;
  /** Masked-word accuracy: right / scored masked words. */
  wordAcc: number;
  correctWords: number;
  /** Scored masked words not aligned on this tokenizer, and whose pieces include [UNK] (both count as wrong). */
  unaligned: number;
  unkWords: number;
  pll: PllScores;
  /** Over every word of the plan's segments. */
  words: number;
  tokens: number;
  unkRate: number;
  fertility: number;
  singleTokenShare: number;
  /** Per masked word: 1 right, 0 wrong, 255 not scored. */
  correct: Uint8Array;
  /** Per masked word: 1 when scored and aligned on this tokenizer. */
  aligned: Uint8Array;
  /** Per masked word: the predicted string (null: not scored or unaligned). */
  predictions: (string | null)[];
  /** Per PLL word: Σ log p (NaN: not scored or excluded), its pieces on this tokenizer (0: excluded) and characters. */
  pllLogProb: Float64Array;
  pllPieces: Int32Array;
  pllChars: Int32Array;
  normalization: { lowercase: boolean; stripAccents: boolean };
  seconds: number;
}

/** Scores one model on a plan. */
export async function scoreIntrinsic(model: MlmModel, tok: Tokenizer, plan: IntrinsicPlan, o: IntrinsicOptions = {}): Promise<IntrinsicScores> {
  const t0 = performance.now();
  const f = facts(tok);
  if (tok.vocabSize > model.config.vocabSize) throw new IntrinsicError(`the tokenizer has ${tok.vocabSize} entries, the model's vocabulary ${model.config.vocabSize}`);
  const maxLen = Math.min(o.maxLen ?? 128, model.config.maxPositions);
  const padId = tok.tokenToId('[PAD]') ?? model.config.padTokenId;
  const batchSize = o.batchSize ?? 32;
  const { rows, rowsEnd, maskedUnaligned, maskedUnk, pllPieces, pllChars, stats } = intrinsicRows(tok, plan, maxLen);
  const V = model.config.vocabSize;
  const nMasked = plan.masked.length;
  const predIds: number[][] = plan.masked.map(() => []);
  const hits = new Uint8Array(nMasked).fill(1);
  const pllSum = new Float64Array(plan.pllWords.length);
  let processed = 0; // rows are run in order: a prefix of `rows`
  let complete = true;
  const total = Math.ceil(rows.length / batchSize);
  for (let bi = 0; bi < total; bi++) {
    if (o.shouldStop?.()) throw new EvalStoppedError();
    if (o.timeLimitMs !== undefined && performance.now() - t0 > o.timeLimitMs) { complete = false; break; }
    const batch = rows.slice(bi * batchSize, (bi + 1) * batchSize);
    const T = Math.min(maxLen, Math.ceil(Math.max(...batch.map((r) => r.ids.length)) / 16) * 16);
    const B = batch.length;
    const ids = new Int32Array(B * T).fill(padId);
    const mask = new Int32Array(B * T);
    const flat: number[] = [];
    const labels: number[] = [];
    batch.forEach((r, b) => {
      ids.set(r.ids, b * T);
      mask.fill(1, b * T, b * T + r.ids.length);
      r.positions.forEach((p, i) => { flat.push(b * T + p); labels.push(r.labels[i]); });
    });
    const M = flat.length;
    const [lp, am] = tf.tidy(() => {
      const h = encode(model, tf.tensor2d(ids, [B, T], 'int32'), tf.tensor2d(mask, [B, T], 'int32')); // [B·T, H]
      const logits = mlmLogits(model, gatherRows(h, tf.tensor1d(flat, 'int32'))); // [M, V]
      const at = tf.tensor1d(labels.map((l, i) => i * V + l), 'int32'); // row-major index of each label's log-prob
      return [gatherRows(tf.logSoftmax(logits).reshape([M * V, 1]) as tf.Tensor2D, at).reshape([M]), tf.argMax(logits, -1).cast('int32')];
    });
    const [logProbs, argmax] = [await lp.data(), await am.data()];
    tf.dispose([lp, am]);
    let m = 0;
    for (const r of batch) {
      for (let i = 0; i < r.positions.length; i++, m++) {
        const k = r.refs[i];
        if (r.kind === 'mask') {
          predIds[k].push(argmax[m]);
          if (argmax[m] !== r.labels[i]) hits[k] = 0;
        } else pllSum[k] += logProbs[m];
      }
    }
    processed += batch.length;
    await o.onProgress?.(bi + 1, total);
  }
  // A segment is scored when all its rows ran (rows are in segment order); its unaligned words count as wrong.
  const segmentDone = (si: number) => processed >= rowsEnd[si];
  const correct = new Uint8Array(nMasked).fill(255);
  const aligned = new Uint8Array(nMasked);
  const predictions: (string | null)[] = plan.masked.map(() => null);
  let scored = 0;
  let right = 0;
  let unaligned = 0;
  let unkWords = 0;
  plan.masked.forEach((mw, k) => {
    if (!segmentDone(mw.segment)) return;
    scored++;
    if (maskedUnaligned[k]) { unaligned++; correct[k] = 0; return; }
    aligned[k] = 1;
    if (maskedUnk[k]) unkWords++;
    correct[k] = hits[k] && !maskedUnk[k] ? 1 : 0;
    right += correct[k];
    predictions[k] = predictedString(predIds[k], tok, f);
  });
  const pllLogProb = new Float64Array(plan.pllWords.length).fill(NaN);
  let pllWords = 0;
  let pieces = 0;
  let lpSum = 0;
  let chars = 0;
  plan.pllWords.forEach((w, k) => {
    if (pllPieces[k] === 0 || !segmentDone(w.segment)) return;
    pllLogProb[k] = pllSum[k];
    pllWords++;
    pieces += pllPieces[k];
    lpSum += pllSum[k];
    chars += pllChars[k];
  });
  const mean = pllWords ? lpSum / pllWords : NaN;
  return {
    complete,
    maskedWords: nMasked, scoredWords: scored, wordAcc: scored ? right / scored : 0, correctWords: right, unaligned, unkWords,
    pll: { words: pllWords, pieces, meanLogProb: mean, pseudoPerplexity: Math.exp(-mean), logProbPerChar: chars ? lpSum / chars : NaN },
    words: plan.totalWords, tokens: stats.tokens,
    unkRate: stats.tokens ? stats.unk / stats.tokens : 0,
    fertility: plan.totalWords ? stats.tokens / plan.totalWords : 0,
    singleTokenShare: plan.totalWords ? stats.singleTokenWords / plan.totalWords : 0,
    correct, aligned, predictions, pllLogProb, pllPieces, pllChars,
    normalization: { lowercase: f.lowercase, stripAccents: f.stripAccents },
    seconds: (performance.now() - t0) / 1000,
  };
}

function predictedString(ids: number[], tok: Tokenizer, f: TokenizerFacts): string {
  let out = '';
  for (const id of ids) {
    let t = tok.vocab[id] ?? `[${id}]`;
    if (id === f.unkId || f.specialIds.has(id)) { out += t; continue; } // literal: "[UNK]", "[SEP]"
    if (f.prefix && t.startsWith(f.prefix) && t.length > f.prefix.length) t = t.slice(f.prefix.length);
    if (f.suffix && t.endsWith(f.suffix) && t.length > f.suffix.length) t = t.slice(0, -f.suffix.length);
    out += t;
  }
  return out;
}

function comparable(s: string, lowercase: boolean, stripAccents: boolean): string {
  if (stripAccents) s = s.normalize('NFD').replace(/\p{Mn}/gu, '');
  return lowercase ? s.toLowerCase() : s;
}

export interface IntrinsicComparison {
  /** Masked words scored and aligned on both sides. */
  words: number;
  /** words / masked words of the plan. */
  coverage: number;
  agree: number;
  /** Top-1 agreement: agree / words. */
  agreement: number;
  /** Words both models got right. */
  bothCorrect: number;
  /** PLL of each model over the PLL words both scored. */
  pll: { words: number; a: PllScores; b: PllScores };
}

/** Teacher–student (or any two models') agreement on one plan; `a` and `b` must come from the same plan. */
export function compareIntrinsic(a: IntrinsicScores, b: IntrinsicScores): IntrinsicComparison {
  if (a.correct.length !== b.correct.length || a.pllLogProb.length !== b.pllLogProb.length) throw new IntrinsicError('the two scores come from different plans');
  const lower = a.normalization.lowercase || b.normalization.lowercase;
  const strip = a.normalization.stripAccents || b.normalization.stripAccents;
  let words = 0;
  let agree = 0;
  let both = 0;
  for (let k = 0; k < a.correct.length; k++) {
    if (!a.aligned[k] || !b.aligned[k]) continue;
    words++;
    if (a.correct[k] === 1 && b.correct[k] === 1) both++;
    const pa = a.predictions[k];
    const pb = b.predictions[k];
    if (pa !== null && pb !== null && comparable(pa, lower, strip) === comparable(pb, lower, strip)) agree++;
  }
  const common = (k: number) => !Number.isNaN(a.pllLogProb[k]) && !Number.isNaN(b.pllLogProb[k]);
  const sub = (s: IntrinsicScores): PllScores => {
    let n = 0;
    let pieces = 0;
    let sum = 0;
    let chars = 0;
    s.pllLogProb.forEach((v, k) => { if (common(k)) { n++; pieces += s.pllPieces[k]; sum += v; chars += s.pllChars[k]; } });
    const mean = n ? sum / n : NaN;
    return { words: n, pieces, meanLogProb: mean, pseudoPerplexity: Math.exp(-mean), logProbPerChar: chars ? sum / chars : NaN };
  };
  const pa = sub(a);
  return {
    words, coverage: a.correct.length ? words / a.correct.length : 0, agree, agreement: words ? agree / words : 0, bothCorrect: both,
    pll: { words: pa.words, a: pa, b: sub(b) },
  };
}
