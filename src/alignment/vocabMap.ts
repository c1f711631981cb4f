/**
 * The vocabulary map (issue 12 item 2) over teacher entries: `vocabularyMap` (columns: σ split length, [UNK] in the
 * split, in C, corpus count, GLMD row / kept / replacement), `vocabularyRow` (one row for display, with strings),
 * `vocabularyLoss` (teacher tokens the student splits or loses, by corpus count), `splitLengthHistogram`,
 * `corpusTokenStats` (corpus counts and example contexts per teacher id). Pure TypeScript on plain arrays, no tf.
 */
import type { GlmdVocab } from './glmdVocab.ts';
import { checkRow, isSpecialAt, TextMapError, type IdTokenRow } from './textMap.ts';
import type { SharedVocab, SigmaMap } from './types.ts';

/** Columns over the teacher vocabulary (one entry per teacher id), for a virtualised table of 120k rows. */
export interface VocabularyMap {
  size: number;
  /** |σ(v)|; −1 = unmapped ([unusedN], <S>, <T>, </S>). */
  splitLength: Int32Array;
  /** 1 when σ(v) contains the student's [UNK] (the student loses at least part of v). */
  splitHasUnk: Uint8Array;
  /** 1 for the five specials [PAD] [UNK] [CLS] [SEP] [MASK]. */
  special: Uint8Array;
  /** The student id of the same string when v is in C, else −1. */
  sharedStudentId: Int32Array;
  /** Corpus count of v (teacher tokenization), when counts were given. */
  count: Float64Array | null;
  /** GLMD, when given: the student row v reads, whether v is kept, its replacement (v itself when kept). */
  glmdRow: Int32Array | null;
  glmdKept: Uint8Array | null;
  glmdReplacement: Int32Array | null;
}

const SPECIAL_STRINGS = new Set(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);

export function vocabularyMap(opts: {
  teacherVocab: readonly string[]; sigma: SigmaMap; shared: SharedVocab; studentUnkId: number; counts?: ArrayLike<number>; glmd?: GlmdVocab;
}): VocabularyMap {
  const { sigma, shared, studentUnkId, counts, glmd } = opts;
  const V = sigma.pieces.length;
  if (opts.teacherVocab.length !== V) throw new TextMapError(`σ covers ${V} teacher ids, the teacher vocabulary has ${opts.teacherVocab.length}: build σ from this vocabulary`);
  if (counts && counts.length !== V) throw new TextMapError(`counts has ${counts.length} entries, the teacher vocabulary ${V}`);
  if (glmd && glmd.lookup.length !== V) throw new TextMapError(`the GLMD vocabulary covers ${glmd.lookup.length} ids, the teacher vocabulary ${V}`);
  const splitLength = new Int32Array(V), splitHasUnk = new Uint8Array(V), special = new Uint8Array(V), sharedStudentId = new Int32Array(V).fill(-1);
  for (let v = 0; v < V; v++) {
    const p = sigma.pieces[v];
    splitLength[v] = p ? p.length : -1;
    if (p && p.includes(studentUnkId)) splitHasUnk[v] = 1;
    if (SPECIAL_STRINGS.has(opts.teacherVocab[v])) special[v] = 1;
  }
  shared.teacherIds.forEach((v, k) => { sharedStudentId[v] = shared.studentIds[k]; });
  let glmdKept: Uint8Array | null = null;
  if (glmd) {
    glmdKept = new Uint8Array(V);
    for (let v = 0; v < V; v++) if (glmd.replacement[v] === v) glmdKept[v] = 1;
  }
  return {
    size: V, splitLength, splitHasUnk, special, sharedStudentId, count: counts ? Float64Array.from(counts) : null,
    glmdRow: glmd ? Int32Array.from(glmd.lookup) : null, glmdKept, glmdReplacement: glmd ? Int32Array.from(glmd.replacement) : null,
  };
}

export interface VocabularyRow {
  id: number;
  token: string;
  /** σ(v) as student strings; null = unmapped. */
  pieces: string[] | null;
  splitLength: number;
  splitHasUnk: boolean;
  inShared: boolean;
  count: number | null;
  glmd: { row: number; kept: boolean; replacement: number; replacementToken: string } | null;
}

/** One row of the vocabulary map, with strings, for display. */
export function vocabularyRow(map: VocabularyMap, sigma: SigmaMap, teacherVocab: readonly string[], studentVocab: readonly string[], v: number): VocabularyRow {
  if (!(Number.isInteger(v) && v >= 0 && v < map.size)) throw new TextMapError(`teacher id ${v} is outside the vocabulary map (0 … ${map.size - 1})`);
  const p = sigma.pieces[v];
  return {
    id: v, token: teacherVocab[v], pieces: p ? Array.from(p, (u) => studentVocab[u]) : null, splitLength: map.splitLength[v],
    splitHasUnk: map.splitHasUnk[v] === 1, inShared: map.sharedStudentId[v] >= 0, count: map.count ? map.count[v] : null,
    glmd: map.glmdRow && map.glmdKept && map.glmdReplacement
      ? { row: map.glmdRow[v], kept: map.glmdKept[v] === 1, replacement: map.glmdReplacement[v], replacementToken: teacherVocab[map.glmdReplacement[v]] }
      : null,
  };
}

export interface VocabularyLossEntry {
  id: number;
  count: number;
  splitLength: number;
  /** σ(v) contains [UNK]: part or all of v is lost to the student. */
  lost: boolean;
}

/**
 * The vocabulary-loss ranking: mapped teacher entries that the student splits (|σ(v)| > 1) or loses ([UNK] in σ(v)),
 * by descending corpus count (ties: lower id first), those with count ≥ minCount (default 1), at most `limit`. The
 * five specials are left out (the teacher's own [UNK] maps to the student's).
 */
export function vocabularyLoss(map: VocabularyMap, opts: { limit?: number; minCount?: number } = {}): VocabularyLossEntry[] {
  if (!map.count) throw new TextMapError('the vocabulary-loss ranking needs corpus counts: build the vocabulary map with counts');
  const count = map.count;
  const minCount = opts.minCount ?? 1;
  const ids: number[] = [];
  for (let v = 0; v < map.size; v++) {
    if (map.splitLength[v] < 0 || map.special[v] || count[v] < minCount) continue;
    if (map.splitLength[v] > 1 || map.splitHasUnk[v]) ids.push(v);
  }
  ids.sort((a, b) => count[b] - count[a] || a - b);
  return ids.slice(0, opts.limit ?? ids.length).map((v) => ({ id: v, count: count[v], splitLength: map.splitLength[v], lost: map.splitHasUnk[v] === 1 }));
}

/**
 * Histogram of σ split lengths: entries[k] = mapped teacher entries with |σ(v)| = k (entries[0] is always 0);
 * occurrences[k] = their summed corpus counts (null without counts).
 */
export function splitLengthHistogram(map: VocabularyMap): { entries: number[]; occurrences: number[] | null } {
  let max = 0;
  for (let v = 0; v < map.size; v++) max = Math.max(max, map.splitLength[v]);
  const entries = new Array<number>(max + 1).fill(0);
  const occurrences = map.count ? new Array<number>(max + 1).fill(0) : null;
  for (let v = 0; v < map.size; v++) {
    const k = map.splitLength[v];
    if (k < 0) continue;
    entries[k]++;
    if (occurrences) occurrences[k] += map.count![v];
  }
  return { entries, occurrences };
}

export interface TokenContext {
  /** Index of the text in the input order. */
  text: number;
  /** A snippet of the text around the token, and the token's [start, end) within the snippet (UTF-16 units). */
  snippet: string;
  start: number;
  end: number;
}

/**
 * Corpus counts of each teacher id (non-special positions of `encode(text)`), and for each id the first
 * `contextsPerToken` places it occurs (default 0: none), as snippets of ±`width` code units (default 40) cut so that
 * no surrogate pair is split. For the vocabulary map's frequency column and the vocabulary-loss explorer's examples.
 */
export function corpusTokenStats(texts: Iterable<string>, encode: (text: string) => IdTokenRow, vocabSize: number, opts: {
  contextsPerToken?: number; width?: number;
} = {}): { counts: Float64Array; contexts: Map<number, TokenContext[]>; texts: number; tokens: number } {
  const perToken = opts.contextsPerToken ?? 0, width = opts.width ?? 40;
  const counts = new Float64Array(vocabSize);
  const contexts = new Map<number, TokenContext[]>();
  const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
  let n = 0, tokens = 0;
  for (const text of texts) {
    const row = encode(text);
    checkRow(row, 'encoding');
    for (let i = 0; i < row.ids.length; i++) {
      if (isSpecialAt(row, i)) continue;
      const v = row.ids[i];
      if (!(Number.isInteger(v) && v >= 0 && v < vocabSize)) throw new TextMapError(`token id ${v} is outside the vocabulary (0 … ${vocabSize - 1})`);
      counts[v]++;
      tokens++;
      if (perToken <= 0) continue;
      let list = contexts.get(v);
      if (!list) { list = []; contexts.set(v, list); }
      if (list.length >= perToken) continue;
      const [s, e] = row.offsets[i];
      let a = Math.max(0, s - width), b = Math.min(text.length, e + width);
      if (a > 0 && isLow(text.charCodeAt(a))) a--;
      if (b < text.length && isLow(text.charCodeAt(b))) b++;
      list.push({ text: n, snippet: text.slice(a, b), start: s - a, end: e - a });
    }
    n++;
  }
  return { counts, contexts, texts: n, tokens };
}

