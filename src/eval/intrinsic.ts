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
 */
import * as tf from '@tensorflow/tfjs';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { preTokenize } from '../tokenizers/preTokenizer.ts';
import { encode, mlmLogits, type MlmModel } from '../models/mlm.ts';
import { gatherRows } from '../models/layers.ts';
import { createRng } from '../data/rng.ts';
import { splitDocuments } from '../data/corpus.ts';
import { splitHeldOut } from '../data/heldout.ts';
import { EvalStoppedError } from './features.ts';

export class IntrinsicError extends Error {
  override name = 'IntrinsicError';
}

/** The held-out texts of a corpus (one document per non-empty line): every 20th line (data/heldout.ts). */
export function heldoutTexts(corpusText: string): string[] {
  return splitHeldOut(splitDocuments(corpusText)).heldout;
}

export interface PlanOptions {
  /** Seed of the word choice (default 1). */
  seed?: number;
  /** Share of a segment's words masked at once (default 0.15; at least one word). */
  wordShare?: number;
  /** Independent maskings of every segment (default 1). */
  maskings?: number;
  /** Longest segment in words (default 48). */
  maxSegmentWords?: number;
  /** Only the first N texts (default all). */
  maxTexts?: number;
}

export interface PlanSegment {
  text: string;
  /** Index of the text the segment comes from. */
  source: number;
  /** Word spans [start, end) in UTF-16 code units of `text`. */
  words: [number, number][];
}

export interface IntrinsicPlan {
  segments: PlanSegment[];
  /** Masked word k: its segment, word index in the segment and masking. Order: maskings outer, segments inner. */
  masked: { segment: number; word: number; masking: number }[];
  /** Distinct (segment, word) pairs chosen in any masking: the PLL words, in segment order. */
  pllWords: { segment: number; word: number }[];
  /** Words of every segment. */
  totalWords: number;
  options: Required<PlanOptions>;
}

export const DEFAULT_PLAN: Required<PlanOptions> = { seed: 1, wordShare: 0.15, maskings: 1, maxSegmentWords: 48, maxTexts: Infinity };

/** Splits texts into word-bounded segments and chooses the masked words (tokenizer-independent, seeded). */
export function planIntrinsic(texts: readonly string[], options: PlanOptions = {}): IntrinsicPlan {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)); // undefined = default
  const o: Required<PlanOptions> = { ...DEFAULT_PLAN, ...given };
  if (!(o.wordShare > 0 && o.wordShare <= 1)) throw new IntrinsicError(`wordShare must be in (0, 1], got ${o.wordShare}`);
  if (!Number.isInteger(o.maskings) || o.maskings < 1) throw new IntrinsicError(`maskings must be a positive integer, got ${o.maskings}`);
  if (!Number.isInteger(o.maxSegmentWords) || o.maxSegmentWords < 1) throw new IntrinsicError(`maxSegmentWords must be a positive integer, got ${o.maxSegmentWords}`);
  const segments: PlanSegment[] = [];
  texts.slice(0, o.maxTexts).forEach((text, source) => {
    const words = preTokenize(text).map((w): [number, number] => [w.start, w.end]);
    for (let i = 0; i < words.length; i += o.maxSegmentWords) {
      const ws = words.slice(i, i + o.maxSegmentWords);
      const base = ws[0][0];
      segments.push({ text: text.slice(base, ws[ws.length - 1][1]), source, words: ws.map(([s, e]) => [s - base, e - base]) });
    }
  });
  const rng = createRng(o.seed);
  const masked: IntrinsicPlan['masked'] = [];
  for (let d = 0; d < o.maskings; d++) {
    segments.forEach((s, si) => {
      const distinct = s.words.map((_, i) => i);
      const k = Math.max(1, Math.round(o.wordShare * distinct.length));
      for (let i = 0; i < k; i++) { // partial Fisher–Yates, as distill/evaluate.ts
        const j = i + rng.int(distinct.length - i);
        [distinct[i], distinct[j]] = [distinct[j], distinct[i]];
      }
      for (const w of distinct.slice(0, k)) masked.push({ segment: si, word: w, masking: d });
    });
  }
  const seen = new Set<string>();
  const pllWords = [...masked]
    .sort((a, b) => a.segment - b.segment || a.word - b.word)
    .filter((m) => { const key = `${m.segment}:${m.word}`; if (seen.has(key)) return false; seen.add(key); return true; })
    .map(({ segment, word }) => ({ segment, word }));
  return { segments, masked, pllWords, totalWords: segments.reduce((n, s) => n + s.words.length, 0), options: o };
}

/** One row of input for the model: a (part of a) segment with some pieces masked and the positions to score. */
export interface IntrinsicRow {
  kind: 'mask' | 'pll';
  segment: number;
  ids: Int32Array;
  /** Positions scored in this row, their original ids, and what each belongs to (masked-word or PLL-word index). */
  positions: Int32Array;
  labels: Int32Array;
  refs: Int32Array;
  /** mask rows: the [start, end) character spans (in the segment's text) of the masked tokens, flat. */
  spans?: Int32Array;
}

interface Part {
  w0: number;
  w1: number;
  ids: number[];
  /** Token offsets in the segment's text. */
  offsets: [number, number][];
  /** Per word of the part: token positions (in ids), or null when unaligned. */
  pieces: (number[] | null)[];
}

interface TokenizerFacts {
  maskId: number;
  unkId: number | undefined;
  specialIds: Set<number>;
  prefix: string | null;
  suffix: string | null;
  lowercase: boolean;
  stripAccents: boolean;
}

function facts(tok: Tokenizer): TokenizerFacts {
  const maskId = tok.tokenToId('[MASK]');
  if (maskId === undefined) throw new IntrinsicError('the tokenizer has no [MASK] token: masked-LM metrics need one');
  const m = tok.parts.model;
  const unkToken = m.kind === 'wordpiece' ? m.options.unkToken : m.options.unkToken;
  const n = tok.parts.normalizer;
  return {
    maskId,
    unkId: unkToken === null ? undefined : tok.tokenToId(unkToken),
    specialIds: new Set([...tok.parts.addedTokens.filter((t) => t.special).map((t) => t.id), ...(tok.parts.postProcessor ? [tok.parts.postProcessor.cls[1], tok.parts.postProcessor.sep[1]] : [])]),
    prefix: m.kind === 'wordpiece' ? m.options.continuingSubwordPrefix : m.options.continuingSubwordPrefix,
    suffix: m.kind === 'wordpiece' ? null : m.options.endOfWordSuffix,
    lowercase: n?.lowercase ?? false,
    stripAccents: n ? (n.stripAccents ?? n.lowercase) : false,
  };
}

/** Encodes a segment in parts that fit `maxLen` tokens (halving at word boundaries) and aligns every word. */
function segmentParts(tok: Tokenizer, seg: PlanSegment, maxLen: number): Part[] {
  const make = (w0: number, w1: number): Part[] => {
    const base = seg.words[w0][0];
    const enc = tok.encode(seg.text.slice(base, seg.words[w1 - 1][1]));
    if (enc.ids.length > maxLen) {
      if (w1 - w0 > 1) {
        const mid = (w0 + w1) >> 1;
        return [...make(w0, mid), ...make(mid, w1)];
      }
      return [{ w0, w1, ids: [], offsets: [], pieces: [null] }]; // one word longer than the window: unaligned
    }
    const pieces: (number[] | null)[] = [];
    let t = 0;
    for (let w = w0; w < w1; w++) {
      const [ws, we] = [seg.words[w][0] - base, seg.words[w][1] - base];
      const mine: number[] = [];
      let clean = true;
      for (; t < enc.ids.length; t++) { // tokens are in text order: skip those before the word
        if (enc.specialTokensMask[t]) continue;
        const [s, e] = enc.offsets[t];
        if (e > ws || (s === e && s >= ws)) break;
      }
      let u = t;
      for (; u < enc.ids.length; u++) {
        if (enc.specialTokensMask[u]) continue;
        const [s, e] = enc.offsets[u];
        if (s >= we) break;
        mine.push(u);
        if (s < ws || e > we) clean = false;
      }
      pieces.push(clean && mine.length ? mine : null);
    }
    return [{ w0, w1, ids: enc.ids, offsets: enc.offsets.map(([a, b]): [number, number] => [a + base, b + base]), pieces }];
  };
  return make(0, seg.words.length);
}

/**
 * The rows a model runs for a plan (no tf): per segment, in plan order, the masking rows then the PLL rows.
 * Also returns which masked / PLL words are unaligned or contain [UNK], and the tokenizer statistics.
 */
export function intrinsicRows(tok: Tokenizer, plan: IntrinsicPlan, maxLen: number) {
  const f = facts(tok);
  const rows: IntrinsicRow[] = [];
  const maskedUnaligned = new Uint8Array(plan.masked.length);
  const maskedUnk = new Uint8Array(plan.masked.length);
  const pllPieces = new Int32Array(plan.pllWords.length); // 0 = excluded (unaligned or [UNK])
  const pllChars = new Int32Array(plan.pllWords.length);
  const bySegment = plan.segments.map(() => [] as number[]);
  plan.masked.forEach((m, k) => bySegment[m.segment].push(k));
  const pllBySegment = plan.segments.map(() => [] as number[]);
  plan.pllWords.forEach((p, k) => pllBySegment[p.segment].push(k));
  let tokens = 0;
  let unk = 0;
  let single = 0;
  const rowsEnd = new Int32Array(plan.segments.length);
  plan.segments.forEach((seg, si) => {
    const parts = segmentParts(tok, seg, maxLen);
    const where = (w: number) => parts.find((p) => w >= p.w0 && w < p.w1)!;
    const enc = tok.encode(seg.text, { addSpecialTokens: false });
    tokens += enc.ids.length;
    unk += enc.ids.filter((id) => id === f.unkId).length;
    for (const p of parts) for (const pc of p.pieces) if (pc && pc.length === 1) single++;
    // Masking rows: one per (masking, part) with at least one aligned chosen word.
    const maskings = new Map<string, number[]>();
    for (const k of bySegment[si]) {
      const m = plan.masked[k];
      const p = where(m.word);
      const pc = p.pieces[m.word - p.w0];
      if (!pc) { maskedUnaligned[k] = 1; continue; }
      if (pc.some((t) => p.ids[t] === f.unkId)) maskedUnk[k] = 1;
      const key = `${m.masking}:${parts.indexOf(p)}`;
      maskings.set(key, [...(maskings.get(key) ?? []), k]);
    }
    for (const [key, ks] of maskings) {
      const p = parts[Number(key.split(':')[1])];
      const ids = Int32Array.from(p.ids);
      const positions: number[] = [];
      const labels: number[] = [];
      const refs: number[] = [];
      for (const k of ks) for (const t of p.pieces[plan.masked[k].word - p.w0]!) { positions.push(t); labels.push(p.ids[t]); refs.push(k); ids[t] = f.maskId; }
      const spans = positions.flatMap((t) => p.offsets[t]);
      const order = positions.map((_, i) => i).sort((a, b) => positions[a] - positions[b]);
      rows.push({
        kind: 'mask', segment: si, ids,
        positions: Int32Array.from(order, (i) => positions[i]), labels: Int32Array.from(order, (i) => labels[i]), refs: Int32Array.from(order, (i) => refs[i]),
        spans: Int32Array.from(order.flatMap((i) => [spans[2 * i], spans[2 * i + 1]])),
      });
    }
    // PLL-word-l2r rows: piece i of a word with pieces i…k masked.
    for (const k of pllBySegment[si]) {
      const w = plan.pllWords[k].word;
      const p = where(w);
      const pc = p.pieces[w - p.w0];
      if (!pc || pc.some((t) => p.ids[t] === f.unkId)) continue;
      pllPieces[k] = pc.length;
      pllChars[k] = seg.words[w][1] - seg.words[w][0];
      pc.forEach((t, i) => {
        const ids = Int32Array.from(p.ids);
        for (const u of pc.slice(i)) ids[u] = f.maskId;
        rows.push({ kind: 'pll', segment: si, ids, positions: Int32Array.of(t), labels: Int32Array.of(p.ids[t]), refs: Int32Array.of(k) });
      });
    }
    rowsEnd[si] = rows.length;
  });
  return { rows, rowsEnd, maskedUnaligned, maskedUnk, pllPieces, pllChars, stats: { tokens, unk, singleTokenWords: single } };
}

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
