/**
 * The tokenizer-independent half of the intrinsic metrics (intrinsic.ts has the method): the plan (word-bounded
 * segments of the held-out texts, the masked words chosen from the seed, the PLL words) and, for one tokenizer, the rows a
 * model runs for it (`intrinsicRows`: masking and PLL rows, unaligned / [UNK] words, fertility statistics). No tf here.
 */
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { preTokenize } from '../tokenizers/preTokenizer.ts';
import { createRng } from '../data/rng.ts';
import { splitDocuments } from '../data/corpus.ts';
import { splitHeldOut } from '../data/heldout.ts';

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

export interface TokenizerFacts {
  maskId: number;
  unkId: number | undefined;
  specialIds: Set<number>;
  prefix: string | null;
  suffix: string | null;
  lowercase: boolean;
  stripAccents: boolean;
}

export function facts(tok: Tokenizer): TokenizerFacts {
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
