/**
 * The alignment map as the page draws it (issue 12 items 1–2): what the alignment worker computes from textMap.ts and
 * sends to the main thread, as typed arrays (cheap to clone; the main thread only lays them out).
 *
 * - `mapColumns`: the map's **columns** in text order: one per link (its teacher tokens over its student tokens), one
 *   per unlinked token (the other row empty), and one per group of special tokens ([CLS] over [CLS] at the start,
 *   [SEP] over [SEP] at the end, an added special such as [MASK] over the same span of the other row). Stored as CSR
 *   arrays (positions per column) with a kind code per column.
 * - `drawnColumns`: how many columns are drawn when a row has more than `limit` tokens (a 1 MB paste is aligned whole,
 *   drawn truncated): whole columns, never more than `limit` tokens on either row.
 * - `alignView`: the whole drawable map of one text (tokens, columns, the Reduce / Match / GLMD lenses cut to the
 *   drawn columns, counters of the whole text).
 * - `vocabView` / `corpusView` / `glmdView`: the vocabulary map's columns for the virtualised table, the loss
 *   explorer and the split-length histogram.
 * Pure TypeScript, no tf.
 */
import type { GlmdVocab } from './glmdVocab.ts';
import { alignText, glmdLens, type AlignCounters, type AlignmentContext, type IdTokenRow, type LinkKind, type LinkLayout, type TokenRow } from './textMap.ts';
import { splitLengthHistogram, vocabularyLoss, vocabularyMap, type TokenContext, type VocabularyMap } from './vocabMap.ts';

/** Column kinds: the four link kinds, then a token alone on its row, then specials. */
export const COLUMN_KINDS = ['1:1', '1:n', 'n:1', 'n:m', 'teacher only', 'student only', 'special'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];
export const KIND_CODE: Record<ColumnKind, number> = Object.fromEntries(COLUMN_KINDS.map((k, i) => [k, i])) as Record<ColumnKind, number>;
const LINK_CODE: Record<LinkKind, number> = { '1:1': 0, '1:n': 1, 'n:1': 2, 'n:m': 3 };

/** Columns in text order as CSR arrays: column c holds teacherPos[teacherPtr[c] … teacherPtr[c+1]) and the same for the student. */
export interface MapColumns {
  count: number;
  teacherPtr: Int32Array;
  teacherPos: Int32Array;
  studentPtr: Int32Array;
  studentPos: Int32Array;
  /** Index into COLUMN_KINDS. */
  kind: Uint8Array;
  /** The column's character range [start, end) in the text (specials at the start/end: [0, 0] / [length, length]). */
  start: Int32Array;
  end: Int32Array;
}

interface Entry { key: number; tie: number; t: number[]; s: number[]; kind: number; start: number; end: number }

/** The columns of one text (see the file comment). `textLength` places the trailing specials. */
export function mapColumns(teacher: TokenRow, student: TokenRow, layout: LinkLayout, textLength: number): MapColumns {
  const entries: Entry[] = [];
  const span = (row: TokenRow, ps: number[]) => {
    let s = Infinity, e = -Infinity;
    for (const p of ps) { s = Math.min(s, row.offsets[p][0]); e = Math.max(e, row.offsets[p][1]); }
    return [s, e];
  };
  layout.links.forEach((l) => {
    const [ts, te] = span(teacher, l.teacher), [ss, se] = span(student, l.student);
    const start = Math.min(ts, ss);
    entries.push({ key: start, tie: l.teacher[0], t: l.teacher, s: l.student, kind: LINK_CODE[l.kind], start, end: Math.max(te, se) });
  });
  for (const i of layout.unlinked.teacher) {
    const [s, e] = teacher.offsets[i];
    entries.push({ key: s, tie: i, t: [i], s: [], kind: KIND_CODE['teacher only'], start: s, end: e });
  }
  for (const j of layout.unlinked.student) {
    const [s, e] = student.offsets[j];
    entries.push({ key: s, tie: 1e9 + j, t: [], s: [j], kind: KIND_CODE['student only'], start: s, end: e });
  }
  // Specials: empty-span ones before the row's first ordinary token lead, the other empty ones trail; a special with a
  // span (an added token in the text) sits at its span. Specials of both rows with the same slot share one column.
  const slots = new Map<string, Entry>();
  const addSpecials = (row: TokenRow, side: 't' | 's') => {
    const n = row.tokens.length, mask = row.specialTokensMask;
    if (!mask) return;
    let first = 0;
    while (first < n && mask[first] === 1) first++;
    for (let p = 0; p < n; p++) {
      if (mask[p] !== 1) continue;
      const [s, e] = row.offsets[p];
      let slot: string, key: number, start: number, end: number;
      if (e > s) { slot = `${s}:${e}`; key = s; start = s; end = e; }
      else if (p < first && (first < n || p === 0)) { slot = 'lead'; key = -1; start = 0; end = 0; }
      else { slot = 'trail'; key = textLength + 1; start = textLength; end = textLength; }
      let entry = slots.get(slot);
      if (!entry) {
        entry = { key, tie: -1, t: [], s: [], kind: KIND_CODE.special, start, end };
        slots.set(slot, entry);
        entries.push(entry);
      }
      entry[side].push(p);
    }
  };
  addSpecials(teacher, 't');
  addSpecials(student, 's');
  entries.sort((a, b) => a.key - b.key || a.tie - b.tie);
  const count = entries.length;
  const teacherPtr = new Int32Array(count + 1), studentPtr = new Int32Array(count + 1);
  let nt = 0, ns = 0;
  entries.forEach((e, c) => { nt += e.t.length; ns += e.s.length; teacherPtr[c + 1] = nt; studentPtr[c + 1] = ns; });
  const teacherPos = new Int32Array(nt), studentPos = new Int32Array(ns);
  const kind = new Uint8Array(count), start = new Int32Array(count), end = new Int32Array(count);
  entries.forEach((e, c) => {
    teacherPos.set(e.t, teacherPtr[c]);
    studentPos.set(e.s, studentPtr[c]);
    kind[c] = e.kind;
    start[c] = e.start;
    end[c] = e.end;
  });
  return { count, teacherPtr, teacherPos, studentPtr, studentPos, kind, start, end };
}

/**
 * How many leading columns are drawn: whole columns, at most `limit` tokens on each row. Everything fits → all of
 * them. At least one column is drawn when there is one, so that a single giant component still shows.
 */
export function drawnColumns(cols: MapColumns, limit: number): number {
  if (!(limit >= 1)) throw new RangeError(`the drawing limit must be at least 1 token, got ${limit}`);
  let c = 0;
  while (c < cols.count) {
    const t = cols.teacherPtr[c + 1], s = cols.studentPtr[c + 1];
    if ((t > limit || s > limit) && c > 0) break;
    c++;
  }
  return c;
}

/** The first `n` columns of `cols` (CSR arrays sliced). */
export function sliceColumns(cols: MapColumns, n: number): MapColumns {
  return {
    count: n,
    teacherPtr: cols.teacherPtr.slice(0, n + 1), teacherPos: cols.teacherPos.slice(0, cols.teacherPtr[n]),
    studentPtr: cols.studentPtr.slice(0, n + 1), studentPos: cols.studentPos.slice(0, cols.studentPtr[n]),
    kind: cols.kind.slice(0, n), start: cols.start.slice(0, n), end: cols.end.slice(0, n),
  };
}

/** One row of the drawn map: position p's token, id, [offsets[2p], offsets[2p+1]) and special flag. */
export interface ViewRow {
  tokens: string[];
  ids: Int32Array;
  offsets: Int32Array;
  special: Uint8Array;
  /** Link index per position (−1: special or unlinked). */
  link: Int32Array;
  /** Match pair index per position (−1: skipped). */
  pair: Int32Array;
  /** Tokens of the whole row (the drawn ones are a prefix). */
  total: number;
}

export interface AlignView {
  /** The drawn part of the text (all of it unless truncated). */
  text: string;
  textLength: number;
  teacher: ViewRow;
  student: ViewRow;
  columns: MapColumns;
  /** Per link: its kind code (0–3) and its teacher / student token counts. */
  linkKind: Uint8Array;
  /** Reduce, per drawn teacher position i: σ(t_i) = t2s[groupStart[i] … groupStart[i+1]); flags 1 = unmapped, 2 = has [UNK]. */
  reduce: { t2s: Int32Array; t2sTokens: string[]; groupStart: Int32Array; flags: Uint8Array; total: number };
  /** Match, over the whole text: pairs (teacher, student positions interleaved), jump flag and passed-over count per pair. */
  match: { pairs: Int32Array; jump: Uint8Array; passedOver: Int32Array };
  /** GLMD, per drawn teacher position: the replacement teacher id (the id itself when kept) and its token; null without a GLMD vocabulary. */
  glmd: { replacement: Int32Array; replacementTokens: string[]; removed: number; K: number } | null;
  counters: AlignCounters;
  /** Set when the drawing is cut: the drawn and total tokens per row and characters. */
  truncated: { teacher: number; student: number; chars: number } | null;
}

/** Default drawing limit, tokens per row: a 10,000-token text is drawn whole; a 1 MB paste is cut. */
export const DRAW_LIMIT = 25_000;

/** The drawable map of one text; `limit` tokens per row at most are drawn, the counters cover the whole text. */
export function alignView(ctx: AlignmentContext, text: string, teacherEnc: IdTokenRow, studentEnc: IdTokenRow, opts: {
  limit?: number; glmd?: GlmdVocab | null; matchWordBounded?: boolean;
} = {}): AlignView {
  const a = alignText(ctx, teacherEnc, studentEnc, { matchWordBounded: opts.matchWordBounded });
  const all = mapColumns(teacherEnc, studentEnc, a.layout, text.length);
  const n = drawnColumns(all, opts.limit ?? DRAW_LIMIT);
  const cut = n < all.count;
  const columns = cut ? sliceColumns(all, n) : all;
  // Drawn positions: a prefix of each row up to the last position a drawn column holds.
  const prefix = (pos: Int32Array, total: number) => {
    if (!cut) return total;
    let m = -1;
    for (let k = 0; k < pos.length; k++) if (pos[k] > m) m = pos[k];
    return m + 1;
  };
  const nT = prefix(columns.teacherPos, teacherEnc.tokens.length), nS = prefix(columns.studentPos, studentEnc.tokens.length);
  let chars = text.length;
  if (cut) { chars = 0; for (let c = 0; c < n; c++) chars = Math.max(chars, columns.end[c]); }
  const pairOf = (len: number, side: 0 | 1) => {
    const out = new Int32Array(len).fill(-1);
    a.match.pairs.forEach((p, k) => { if (p[side] < len) out[p[side]] = k; });
    return out;
  };
  const row = (enc: IdTokenRow, len: number, link: Int32Array, side: 0 | 1): ViewRow => {
    const offsets = new Int32Array(2 * len), special = new Uint8Array(len);
    for (let p = 0; p < len; p++) {
      offsets[2 * p] = enc.offsets[p][0];
      offsets[2 * p + 1] = enc.offsets[p][1];
      special[p] = enc.specialTokensMask?.[p] === 1 ? 1 : 0;
    }
    return {
      tokens: enc.tokens.slice(0, len), ids: Int32Array.from(enc.ids.slice(0, len)), offsets, special, link: link.slice(0, len), pair: pairOf(len, side), total: enc.tokens.length,
    };
  };
  const gEnd = a.reduce.groupStart[nT];
  const t2s = Int32Array.from(a.reduce.t2s.slice(0, gEnd));
  const flags = new Uint8Array(nT);
  for (const i of a.reduce.unmapped) if (i < nT) flags[i] |= 1;
  for (const i of a.reduce.withUnk) if (i < nT) flags[i] |= 2;
  const pairs = new Int32Array(2 * a.match.pairs.length);
  a.match.pairs.forEach(([i, j], k) => { pairs[2 * k] = i; pairs[2 * k + 1] = j; });
  const jump = new Uint8Array(a.match.pairs.length);
  for (const k of a.match.jumps) jump[k] = 1;
  let glmd: AlignView['glmd'] = null;
  if (opts.glmd) {
    const lens = glmdLens(teacherEnc.ids.slice(0, nT), opts.glmd);
    glmd = {
      replacement: Int32Array.from(lens.replacement), replacementTokens: lens.replacement.map((r, i) => (r === teacherEnc.ids[i] ? '' : ctx.teacherVocab[r] ?? '')),
      removed: lens.removed.length, K: opts.glmd.K,
    };
  }
  return {
    text: cut ? text.slice(0, chars) : text, textLength: text.length,
    teacher: row(teacherEnc, nT, a.layout.teacherLink, 0), student: row(studentEnc, nS, a.layout.studentLink, 1), columns,
    linkKind: Uint8Array.from(a.layout.links, (l) => LINK_CODE[l.kind]),
    reduce: { t2s, t2sTokens: Array.from(t2s, (id) => ctx.studentVocab[id] ?? '?'), groupStart: Int32Array.from(a.reduce.groupStart.slice(0, nT + 1)), flags, total: a.reduce.t2s.length },
    match: { pairs, jump, passedOver: Int32Array.from(a.match.passedOver) },
    glmd, counters: a.counters,
    truncated: cut ? { teacher: nT, student: nS, chars } : null,
  };
}

// ---- the vocabulary map ---------------------------------------------------------------------------------------------

/** The teacher vocabulary's columns for the table (strings joined by NUL: one string clones faster than 120k). */
export interface VocabView {
  size: number;
  teacherTokens: string;
  studentTokens: string;
  studentSize: number;
  splitLength: Int32Array;
  splitHasUnk: Uint8Array;
  special: Uint8Array;
  sharedStudentId: Int32Array;
  /** σ(v) = sigmaIds[sigmaPtr[v] … sigmaPtr[v+1]) (student ids). */
  sigmaPtr: Int32Array;
  sigmaIds: Int32Array;
  /** |C|: teacher entries whose string the student has too. */
  shared: number;
  /** Teacher entries σ cannot map ([unusedN], …). */
  unmapped: number;
  histogram: { entries: number[]; occurrences: number[] | null };
}

export const joinTokens = (tokens: readonly string[]) => tokens.join('\u0000');
export const splitTokens = (joined: string) => (joined === '' ? [] : joined.split('\u0000'));

export function vocabView(ctx: AlignmentContext): VocabView {
  const map = vocabularyMap({ teacherVocab: ctx.teacherVocab, sigma: ctx.sigma, shared: ctx.shared, studentUnkId: ctx.studentUnkId });
  const V = map.size;
  const sigmaPtr = new Int32Array(V + 1);
  for (let v = 0; v < V; v++) sigmaPtr[v + 1] = sigmaPtr[v] + (ctx.sigma.pieces[v]?.length ?? 0);
  const sigmaIds = new Int32Array(sigmaPtr[V]);
  for (let v = 0; v < V; v++) { const p = ctx.sigma.pieces[v]; if (p) sigmaIds.set(p, sigmaPtr[v]); }
  let unmapped = 0;
  for (let v = 0; v < V; v++) if (map.splitLength[v] < 0) unmapped++;
  return {
    size: V, teacherTokens: joinTokens(ctx.teacherVocab), studentTokens: joinTokens(ctx.studentVocab), studentSize: ctx.studentVocab.length,
    splitLength: map.splitLength, splitHasUnk: map.splitHasUnk, special: map.special, sharedStudentId: map.sharedStudentId, sigmaPtr, sigmaIds,
    shared: ctx.shared.teacherIds.length, unmapped, histogram: splitLengthHistogram(map),
  };
}

export interface CorpusView {
  corpus: string;
  texts: number;
  tokens: number;
  counts: Float64Array;
  /** The vocabulary-loss ranking with up to 3 example contexts each. */
  loss: { id: number; count: number; splitLength: number; lost: boolean; contexts: TokenContext[] }[];
  /** Split-length histogram with corpus occurrences. */
  histogram: { entries: number[]; occurrences: number[] | null };
}

/** Counts, the loss ranking (top `limit`) with contexts, and the histogram with occurrences. */
export function corpusView(ctx: AlignmentContext, corpus: string, stats: { counts: Float64Array; contexts: Map<number, TokenContext[]>; texts: number; tokens: number }, limit = 300): CorpusView {
  const map: VocabularyMap = vocabularyMap({ teacherVocab: ctx.teacherVocab, sigma: ctx.sigma, shared: ctx.shared, studentUnkId: ctx.studentUnkId, counts: stats.counts });
  const loss = vocabularyLoss(map, { limit }).map((e) => ({ ...e, contexts: stats.contexts.get(e.id) ?? [] }));
  return { corpus, texts: stats.texts, tokens: stats.tokens, counts: stats.counts, loss, histogram: splitLengthHistogram(map) };
}

export interface GlmdView {
  K: number;
  ratio: number;
  /** Per teacher id: the student row it reads, kept (1) or not, its replacement. */
  row: Int32Array;
  kept: Uint8Array;
  replacement: Int32Array;
}

export function glmdView(glmd: GlmdVocab, ratio: number): GlmdView {
  const V = glmd.lookup.length;
  const kept = new Uint8Array(V);
  for (let v = 0; v < V; v++) if (glmd.replacement[v] === v) kept[v] = 1;
  return { K: glmd.K, ratio, row: Int32Array.from(glmd.lookup), kept, replacement: Int32Array.from(glmd.replacement) };
}
