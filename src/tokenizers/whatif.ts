/**
 * Vocabulary what-if (issue 3 §3): from ONE trained vocabulary, the metrics a student would get at many smaller
 * sizes without retraining — our trainers emit merges in order, so the vocabulary of size k is the first k entries
 * (WordPiece) or those entries plus the merges that build them (BPE). Metrics over a frequency-weighted sample of
 * word counts: fertility (tokens per word), STRR (share of words kept as one token, [UNK] excluded), [UNK] rate
 * (share of tokens), characters per token, and embedding parameters (size × hidden) with their share of the model.
 */
import { BpeModel } from './bpe.ts';

export class WhatIfError extends Error {
  override name = 'WhatIfError';
}

export interface WhatIfOptions {
  /** Vocabulary sizes to evaluate (each ≤ the vocabulary's length); default: 20 sizes from the base to the full size. */
  sizes?: number[];
  /** Embedding width (the student's hidden size). */
  hiddenSize: number;
  /** Parameters of the student without its token embeddings (the "body"). */
  bodyParams: number;
  /** Only the most frequent words are tokenized (weighted by their counts); default 20,000 (BPE: 5,000, slower). */
  maxWords?: number;
  unkToken?: string;
  continuingSubwordPrefix?: string;
  maxInputCharsPerWord?: number;
  /** BPE merges (token strings): evaluate as BPE instead of WordPiece. */
  merges?: readonly [string, string][];
}

export interface WhatIfPoint {
  size: number;
  fertility: number;
  strr: number;
  unkRate: number;
  charsPerToken: number;
  embeddingParams: number;
  /** embeddingParams / (embeddingParams + bodyParams). */
  embeddingShare: number;
}

export interface WhatIfResult {
  points: WhatIfPoint[];
  sample: { distinctWords: number; sampledWords: number; occurrences: number; sampledOccurrences: number };
}

/** Size of the part every prefix needs: up to the last single-character entry (bare or with the prefix). */
export function baseSizeOf(vocab: readonly string[], prefix = '##'): number {
  let last = 0;
  vocab.forEach((t, i) => {
    const s = t.startsWith(prefix) ? t.slice(prefix.length) : t;
    if ([...s].length === 1) last = i + 1;
  });
  return last;
}

export function defaultSizes(vocab: readonly string[], prefix = '##', n = 20): number[] {
  const lo = Math.max(baseSizeOf(vocab, prefix), 1), hi = vocab.length;
  if (hi - lo < n) return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  return Array.from({ length: n }, (_, i) => Math.round(lo + ((hi - lo) * i) / (n - 1)));
}

interface Sample { words: string[]; freq: number[]; chars: number[]; distinct: number; occurrences: number }

function sampleWords(counts: Map<string, number>, maxWords: number): Sample {
  const all = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = all.slice(0, maxWords);
  return {
    words: top.map((e) => e[0]), freq: top.map((e) => e[1]), chars: top.map((e) => [...e[0]].length),
    distinct: all.length, occurrences: all.reduce((s, e) => s + e[1], 0),
  };
}

/** Per size: the token count of every sampled word and how many of those tokens are [UNK]. */
interface Counts { n: Int32Array; unk: Uint8Array }

function wordPieceTokens(vocab: readonly string[], s: Sample, sizes: number[], o: Required<Pick<WhatIfOptions, 'continuingSubwordPrefix' | 'maxInputCharsPerWord'>>): Counts[] {
  const index = new Map<string, number>();
  vocab.forEach((t, i) => { if (!index.has(t)) index.set(t, i); });
  const prefix = o.continuingSubwordPrefix;
  let maxLen = 1;
  for (const t of vocab) maxLen = Math.max(maxLen, [...(t.startsWith(prefix) ? t.slice(prefix.length) : t)].length);
  const out = sizes.map(() => ({ n: new Int32Array(s.words.length), unk: new Uint8Array(s.words.length) }));
  for (let w = 0; w < s.words.length; w++) {
    const word = s.words[w];
    const bounds = [0];
    for (let i = 0; i < word.length; ) { i += word.codePointAt(i)! > 0xffff ? 2 : 1; bounds.push(i); }
    const L = bounds.length - 1;
    if (L > o.maxInputCharsPerWord) { for (const c of out) { c.n[w] = 1; c.unk[w] = 1; } continue; }
    // cand[st] = (end, id) pairs present in the full vocabulary, longest first.
    const cand: number[][] = [];
    for (let st = 0; st < L; st++) {
      const list: number[] = [];
      for (let e = Math.min(L, st + maxLen); e > st; e--) {
        const id = index.get((st > 0 ? prefix : '') + word.slice(bounds[st], bounds[e]));
        if (id !== undefined) list.push(e, id);
      }
      cand.push(list);
    }
    sizes.forEach((k, si) => {
      let st = 0, n = 0;
      while (st < L) {
        const list = cand[st];
        let next = -1;
        for (let j = 0; j < list.length; j += 2) if (list[j + 1] < k) { next = list[j]; break; }
        if (next < 0) { n = -1; break; }
        st = next;
        n++;
      }
      // A word with an unmatched part is one [UNK] (HF WordPiece).
      if (n < 0) { out[si].n[w] = 1; out[si].unk[w] = 1; } else out[si].n[w] = n;
    });
  }
  return out;
}

function bpeTokens(vocab: readonly string[], merges: readonly [string, string][], s: Sample, sizes: number[], unk: string, prefix: string): Counts[] {
  const index = new Map<string, number>();
  vocab.forEach((t, i) => { if (!index.has(t)) index.set(t, i); });
  const join = (a: string, b: string) => a + (b.startsWith(prefix) ? b.slice(prefix.length) : b);
  return sizes.map((k) => {
    const ok = (t: string) => (index.get(t) ?? Infinity) < k;
    const model = new BpeModel(vocab.slice(0, k), merges.filter(([a, b]) => ok(a) && ok(b) && ok(join(a, b))), { unkToken: unk, continuingSubwordPrefix: prefix });
    const out = { n: new Int32Array(s.words.length), unk: new Uint8Array(s.words.length) };
    s.words.forEach((w, i) => {
      const pieces = model.tokenizeWord(w);
      out.n[i] = pieces.length;
      out.unk[i] = Math.min(255, pieces.filter((p) => p.token === unk).length);
    });
    return out;
  });
}

export function whatIf(vocab: readonly string[], counts: Map<string, number>, options: WhatIfOptions): WhatIfResult {
  const unk = options.unkToken ?? '[UNK]';
  const prefix = options.continuingSubwordPrefix ?? '##';
  const sizes = options.sizes ?? defaultSizes(vocab, prefix);
  const unkId = vocab.indexOf(unk);
  if (unkId < 0) throw new WhatIfError(`the vocabulary has no unknown token "${unk}"`);
  for (const k of sizes) {
    if (!Number.isInteger(k) || k <= unkId || k > vocab.length) {
      throw new WhatIfError(`every size must be an integer from ${unkId + 1} (to include ${unk}) to the vocabulary's ${vocab.length}, got ${k}`);
    }
  }
  if (!(options.hiddenSize > 0) || !(options.bodyParams >= 0)) throw new WhatIfError('hiddenSize must be > 0 and bodyParams ≥ 0');
  if (counts.size === 0) throw new WhatIfError('no words to evaluate');
  const s = sampleWords(counts, options.maxWords ?? (options.merges ? 5_000 : 20_000));
  const table = options.merges
    ? bpeTokens(vocab, options.merges, s, sizes, unk, prefix)
    : wordPieceTokens(vocab, s, sizes, { continuingSubwordPrefix: prefix, maxInputCharsPerWord: options.maxInputCharsPerWord ?? 100 });
  const points = sizes.map((size, si) => {
    let words = 0, tokens = 0, whole = 0, unks = 0, chars = 0;
    const { n, unk: u } = table[si];
    for (let w = 0; w < s.words.length; w++) {
      const f = s.freq[w];
      words += f;
      tokens += f * n[w];
      chars += f * s.chars[w];
      unks += f * u[w];
      if (n[w] === 1 && u[w] === 0) whole += f;
    }
    const embeddingParams = size * options.hiddenSize;
    return {
      size, fertility: tokens / words, strr: whole / words, unkRate: unks / tokens, charsPerToken: chars / tokens,
      embeddingParams, embeddingShare: embeddingParams / (embeddingParams + options.bodyParams),
    };
  });
  const sampledOccurrences = s.freq.reduce((a, b) => a + b, 0);
  return { points, sample: { distinctWords: s.distinct, sampledWords: s.words.length, occurrences: s.occurrences, sampledOccurrences } };
}
