/**
 * The alignment map of one text (issue 12 items 1–2, 5–6): how a teacher's and a student's tokenizations of the same
 * string line up, and what Reduce, Match and GLMD make of them (methods.md §A.3–A.5, §B.4; checklist 2, 3, 11, 25).
 *
 * - `linkLayout`: the **links** between teacher and student tokens: the connected components of the relation
 *   "their character spans overlap", over tokens that are not special (specialTokensMask 0) and have a non-empty span.
 *   Built from the offsets only (never by re-decoding), so it is exact whatever either normaliser did (lower-casing,
 *   accent stripping, CJK spacing): offsets are [start, end) UTF-16 code units into the original text (an emoji
 *   outside the BMP is 2 units wide). Kind of a component with a teacher tokens and b student tokens: 1:1, 1:n (one
 *   teacher token split into n student tokens), n:1 (merged), n:m. A token that overlaps nothing on the other side is
 *   `unlinked`. One sweep over the spans sorted by start (a union-find over the overlaps): O((n + m) log(n + m)) at
 *   worst, linear when the offsets are already ascending, as every tokenizer here emits them.
 *   Positions are indices into the full token sequences (specials counted, as `vocabkd tokenizer encode` prints them).
 * - `reduceLens`: σ(t_1) ‖ … ‖ σ(t_n) and its group starts (alignment/align.ts `t2sSequence`, item 3), with the
 *   teacher positions whose σ is unmapped or contains the student's [UNK].
 * - `matchLens`: the paper's greedy pairs over the full sequences (align.ts `matchPairs`, item 11), the tokens left
 *   unpaired on both rows, how many student tokens the search passed over before each pair, and the **jump-ahead
 *   quirk** (§A.5.4): a pair is a jump when its two tokens do not cover a common character of the text, i.e. the
 *   search found the teacher token's string somewhere else in the text (two special tokens, e.g. [CLS]–[CLS], are
 *   never a jump; a pair with an empty span on one side and not two specials always is).
 * - `glmdLens`: per teacher position, whether GLMD keeps its token, the kept token that replaces it, and the student
 *   row it reads (glmdVocab.ts `lookup`, item 25).
 * - `alignCounters`: shares of teacher tokens by link kind, share of teacher tokens in C, Match pair rate, [UNK] rates.
 * - `alignmentContext` + `alignText`: the above for one text, given σ and C built once per tokenizer pair.
 * - The vocabulary map over teacher entries lives in vocabMap.ts.
 * - `tokenizerDifferences`: what differs between the two tokenizers' pipelines (lower-casing, accents, specials), to
 *   say on the map.
 * Pure TypeScript on plain arrays, no tf.
 */
import { matchPairs, t2sSequence } from './align.ts';
import { buildSigma, checkStudentSpecials, sharedVocab } from './sigma.ts';
import type { GlmdVocab } from './glmdVocab.ts';
import type { SharedVocab, SigmaMap } from './types.ts';

/** One tokenization as the map needs it: a tokenizer Encoding fits (extra fields are ignored). */
export interface TokenRow {
  tokens: readonly string[];
  /** [start, end) UTF-16 code-unit offsets into the original text. */
  offsets: readonly (readonly [number, number])[];
  /** 1 = special (post-processor [CLS]/[SEP]); absent = none is special. */
  specialTokensMask?: readonly number[];
  /** Pre-tokenized word index per token (null for specials): only Match's word-bounded variant reads it. */
  wordIds?: readonly (number | null)[];
}

/** A TokenRow with ids (for Reduce, C and GLMD). */
export interface IdTokenRow extends TokenRow {
  ids: readonly number[];
}

export type LinkKind = '1:1' | '1:n' | 'n:1' | 'n:m';
export const LINK_KINDS: readonly LinkKind[] = ['1:1', '1:n', 'n:1', 'n:m'];

/** One connected component: teacher and student positions (ascending), at least one of each. */
export interface Link {
  teacher: number[];
  student: number[];
  kind: LinkKind;
}

export interface LinkLayout {
  /** Ordered by their first teacher position. */
  links: Link[];
  /** Non-special tokens that link to nothing: their span overlaps no token of the other row, or it is empty. */
  unlinked: { teacher: number[]; student: number[] };
  /** Per position: index into `links`, −1 for specials and unlinked tokens (hover a token → its component). */
  teacherLink: Int32Array;
  studentLink: Int32Array;
}

export class TextMapError extends Error {
  override name = 'TextMapError';
}

export const kindOf = (teachers: number, students: number): LinkKind =>
  teachers === 1 ? (students === 1 ? '1:1' : '1:n') : students === 1 ? 'n:1' : 'n:m';

/** Position i is a special token ([CLS], [SEP], …). */
export const isSpecialAt = (row: TokenRow, i: number) => row.specialTokensMask?.[i] === 1;

/** Throws TextMapError when a row's arrays disagree in length (also used by vocabMap.ts). */
export function checkRow(row: TokenRow, side: string): void {
  if (row.offsets.length !== row.tokens.length) {
    throw new TextMapError(`${side}: ${row.tokens.length} tokens but ${row.offsets.length} offsets`);
  }
  if (row.specialTokensMask && row.specialTokensMask.length !== row.tokens.length) {
    throw new TextMapError(`${side}: ${row.tokens.length} tokens but ${row.specialTokensMask.length} special-token flags`);
  }
  if ('ids' in row && (row as IdTokenRow).ids.length !== row.tokens.length) {
    throw new TextMapError(`${side}: ${row.tokens.length} tokens but ${(row as IdTokenRow).ids.length} ids`);
  }
}

/** Linkable tokens of a row (not special, non-empty span) ordered by span start (stable): positions, starts, ends. */
function linkable(row: TokenRow): { pos: Int32Array; start: Float64Array; end: Float64Array } {
  const n = row.tokens.length, mask = row.specialTokensMask, offsets = row.offsets;
  let pos = new Int32Array(n);
  let count = 0, sorted = true, prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const o = offsets[i], s = o[0];
    if ((mask !== undefined && mask[i] === 1) || !(o[1] > s)) continue;
    if (s < prev) sorted = false;
    prev = s;
    pos[count++] = i;
  }
  pos = pos.subarray(0, count);
  if (!sorted) pos = Int32Array.from(Array.from(pos).sort((a, b) => offsets[a][0] - offsets[b][0] || a - b));
  const start = new Float64Array(count), end = new Float64Array(count);
  for (let k = 0; k < count; k++) { const o = offsets[pos[k]]; start[k] = o[0]; end[k] = o[1]; }
  return { pos, start, end };
}

/** Root of x with path halving. */
function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) { parent[x] = parent[parent[x]]; x = parent[x]; }
  return x;
}

/** The links of one text (see the file comment). Throws TextMapError when a row's arrays disagree in length. */
export function linkLayout(teacher: TokenRow, student: TokenRow): LinkLayout {
  checkRow(teacher, 'teacher');
  checkRow(student, 'student');
  const T = linkable(teacher), S = linkable(student);
  const nT = T.pos.length, nS = S.pos.length;
  // Nodes: 0 … nT−1 teacher (in start order), nT … nT+nS−1 student. Union-find, the lower root wins.
  const parent = new Int32Array(nT + nS);
  for (let k = 0; k < parent.length; k++) parent[k] = k;
  const end = new Float64Array(nT + nS);
  end.set(T.end, 0);
  end.set(S.end, nT);
  // Sweep by start. Every interval of the other row still open at x's start overlaps x (it started no later and ends
  // after x starts), so x joins all of them; they are then one component, and any later interval that overlaps one of
  // them overlaps the one ending last, so that one alone stays open.
  const openT = new Int32Array(nT), openS = new Int32Array(nS); // open nodes per row
  let lenT = 0, lenS = 0;
  let a = 0, b = 0;
  while (a < nT || b < nS) {
    const takeTeacher = b >= nS || (a < nT && T.start[a] <= S.start[b]);
    const x = takeTeacher ? a : nT + b;
    const start = takeTeacher ? T.start[a++] : S.start[b++];
    const other = takeTeacher ? openS : openT;
    const len = takeTeacher ? lenS : lenT;
    let keep = -1;
    for (let k = 0; k < len; k++) {
      const y = other[k];
      if (end[y] <= start) continue; // closed
      const rx = find(parent, x), ry = find(parent, y);
      if (rx !== ry) { if (rx < ry) parent[ry] = rx; else parent[rx] = ry; }
      if (keep < 0 || end[y] > end[keep]) keep = y;
    }
    if (keep >= 0) other[0] = keep;
    const kept = keep >= 0 ? 1 : 0;
    if (takeTeacher) { lenS = kept; openT[lenT++] = x; } else { lenT = kept; openS[lenS++] = x; }
  }
  // Components in teacher-position order; singletons are unlinked tokens.
  const size = new Int32Array(nT + nS);
  for (let k = 0; k < nT + nS; k++) size[find(parent, k)]++;
  const nodeOfTeacher = new Int32Array(teacher.tokens.length).fill(-1);
  for (let k = 0; k < nT; k++) nodeOfTeacher[T.pos[k]] = k;
  const nodeOfStudent = new Int32Array(student.tokens.length).fill(-1);
  for (let k = 0; k < nS; k++) nodeOfStudent[S.pos[k]] = nT + k;
  const linkOfRoot = new Int32Array(nT + nS).fill(-1);
  const links: Link[] = [];
  const teacherLink = new Int32Array(teacher.tokens.length).fill(-1);
  const studentLink = new Int32Array(student.tokens.length).fill(-1);
  const unlinked = { teacher: [] as number[], student: [] as number[] };
  for (let i = 0; i < teacher.tokens.length; i++) {
    const node = nodeOfTeacher[i];
    if (node < 0) { if (!isSpecialAt(teacher, i)) unlinked.teacher.push(i); continue; }
    const r = find(parent, node);
    if (size[r] === 1) { unlinked.teacher.push(i); continue; }
    if (linkOfRoot[r] < 0) { linkOfRoot[r] = links.length; links.push({ teacher: [], student: [], kind: '1:1' }); }
    teacherLink[i] = linkOfRoot[r];
    links[linkOfRoot[r]].teacher.push(i);
  }
  for (let j = 0; j < student.tokens.length; j++) {
    const node = nodeOfStudent[j];
    if (node < 0) { if (!isSpecialAt(student, j)) unlinked.student.push(j); continue; }
    const r = find(parent, node);
    if (size[r] === 1) { unlinked.student.push(j); continue; }
    studentLink[j] = linkOfRoot[r];
    links[linkOfRoot[r]].student.push(j);
  }
  for (const l of links) l.kind = kindOf(l.teacher.length, l.student.length);
  return { links, unlinked, teacherLink, studentLink };
}

// ---- method lenses --------------------------------------------------------------------------------------------------

export interface ReduceLens {
  /** σ(t_1) ‖ … ‖ σ(t_n): student ids (specials map to themselves; an unmapped id is one [UNK]). */
  t2s: number[];
  /** n + 1 entries: group G_i = t2s[groupStart[i] … groupStart[i+1] − 1]. */
  groupStart: number[];
  /** Teacher positions whose id has no σ ([unusedN], <S>, …), shown as one [UNK]. */
  unmapped: number[];
  /** Teacher positions whose group contains the student's [UNK] (unmapped ones included). */
  withUnk: number[];
}

/** Reduce: the t2s sequence of a teacher id sequence and its groups (item 3). */
export function reduceLens(teacherIds: readonly number[], sigma: SigmaMap, studentUnkId: number): ReduceLens {
  const { ids, groupStart } = t2sSequence(teacherIds, sigma, studentUnkId);
  const unmapped: number[] = [], withUnk: number[] = [];
  for (let i = 0; i < teacherIds.length; i++) {
    if (!sigma.pieces[teacherIds[i]]) unmapped.push(i);
    for (let g = groupStart[i]; g < groupStart[i + 1]; g++) if (ids[g] === studentUnkId) { withUnk.push(i); break; }
  }
  return { t2s: ids, groupStart, unmapped, withUnk };
}

export interface MatchLens {
  /** The paper's greedy pairs [teacher position, student position] over the full sequences (item 11). */
  pairs: [number, number][];
  /** Teacher / student positions in no pair (specials included when unpaired). */
  skippedTeacher: number[];
  skippedStudent: number[];
  /** Per pair: student tokens the search passed over since the previous pair (j_k − j_{k−1} − 1, j_{−1} = −1). */
  passedOver: number[];
  /** Indices into `pairs` of jump-ahead pairs: the two tokens share no character of the text (see the file comment). */
  jumps: number[];
}

const overlaps = (a: readonly [number, number], b: readonly [number, number]) => a[1] > a[0] && b[1] > b[0] && a[0] < b[1] && b[0] < a[1];

/**
 * Match: greedy exact-string pairs, the unpaired tokens on both rows and the jump-ahead pairs (items 11–12).
 * `wordBounded`: the recipe's matchWordBounded variant (not the paper's), which needs both rows' wordIds.
 */
export function matchLens(teacher: TokenRow, student: TokenRow, opts: { wordBounded?: boolean } = {}): MatchLens {
  checkRow(teacher, 'teacher');
  checkRow(student, 'student');
  const { teacherPos, studentPos } = matchPairs(teacher.tokens, student.tokens, opts.wordBounded
    ? { wordBounded: true, teacherWordIds: teacher.wordIds, studentWordIds: student.wordIds }
    : {});
  const pairs: [number, number][] = [];
  const passedOver: number[] = [];
  const jumps: number[] = [];
  const tPaired = new Uint8Array(teacher.tokens.length), sPaired = new Uint8Array(student.tokens.length);
  let prev = -1;
  for (let k = 0; k < teacherPos.length; k++) {
    const i = teacherPos[k], j = studentPos[k];
    pairs.push([i, j]);
    tPaired[i] = 1;
    sPaired[j] = 1;
    passedOver.push(j - prev - 1);
    prev = j;
    const bothSpecial = isSpecialAt(teacher, i) && isSpecialAt(student, j);
    if (!bothSpecial && !overlaps(teacher.offsets[i], student.offsets[j])) jumps.push(k);
  }
  const skipped = (flags: Uint8Array) => { const out: number[] = []; flags.forEach((f, p) => { if (!f) out.push(p); }); return out; };
  return { pairs, skippedTeacher: skipped(tPaired), skippedStudent: skipped(sPaired), passedOver, jumps };
}

export interface GlmdLens {
  /** Per teacher position: the student row it reads (rank(v) if kept, else rank(rep(v))). */
  rows: number[];
  /** Per teacher position: the teacher id the student reads (v itself if kept, else rep(v)). */
  replacement: number[];
  /** Teacher positions whose token GLMD removed. */
  removed: number[];
}

/** GLMD: which teacher tokens of a sequence are removed and what replaces them (items 24–25). */
export function glmdLens(teacherIds: readonly number[], glmd: GlmdVocab): GlmdLens {
  const rows: number[] = [], replacement: number[] = [], removed: number[] = [];
  teacherIds.forEach((v, i) => {
    if (!(Number.isInteger(v) && v >= 0 && v < glmd.lookup.length)) {
      throw new TextMapError(`teacher id ${v} is outside the GLMD vocabulary (0 … ${glmd.lookup.length - 1}): was it built from this teacher?`);
    }
    rows.push(glmd.lookup[v]);
    replacement.push(glmd.replacement[v]);
    if (glmd.replacement[v] !== v) removed.push(i);
  });
  return { rows, replacement, removed };
}

// ---- counters -------------------------------------------------------------------------------------------------------

export interface AlignCounters {
  /** Non-special tokens per row (the denominators below). */
  teacherTokens: number;
  studentTokens: number;
  /** Links (components with tokens on both rows). */
  links: number;
  /** Teacher tokens by the kind of their link; `unlinked` = in no link. Sums to teacherTokens. */
  teacherByKind: Record<LinkKind | 'unlinked', number>;
  /** The same as shares of teacherTokens (0 when there is none). */
  teacherShare: Record<LinkKind | 'unlinked', number>;
  /** Student tokens in no link. */
  studentUnlinked: number;
  /** Share of non-special teacher tokens whose id is in the shared vocabulary C. */
  sharedVocabShare: number;
  /** Match pairs whose teacher token is not special, and their share of teacherTokens. */
  matchPairs: number;
  matchPairRate: number;
  /** Match pairs that are jump-ahead pairs. */
  matchJumps: number;
  /** Share of non-special tokens that are the row's [UNK]. */
  unkRate: { teacher: number; student: number };
}

const share = (n: number, d: number) => (d > 0 ? n / d : 0);

/**
 * Counters of one text. `inShared[v]` = 1 when teacher id v is in C (`sharedMask`); `unk` = each row's unknown-token
 * string (default [UNK]).
 */
export function alignCounters(opts: {
  teacher: IdTokenRow; student: TokenRow; layout: LinkLayout; match: MatchLens; inShared: Uint8Array;
  unk?: { teacher?: string; student?: string };
}): AlignCounters {
  const { teacher, student, layout, match, inShared } = opts;
  const tUnk = opts.unk?.teacher ?? '[UNK]', sUnk = opts.unk?.student ?? '[UNK]';
  let teacherTokens = 0, studentTokens = 0, shared = 0, tUnks = 0, sUnks = 0;
  for (let i = 0; i < teacher.tokens.length; i++) {
    if (isSpecialAt(teacher, i)) continue;
    teacherTokens++;
    if (inShared[teacher.ids[i]] === 1) shared++;
    if (teacher.tokens[i] === tUnk) tUnks++;
  }
  for (let j = 0; j < student.tokens.length; j++) {
    if (isSpecialAt(student, j)) continue;
    studentTokens++;
    if (student.tokens[j] === sUnk) sUnks++;
  }
  const byKind: Record<LinkKind | 'unlinked', number> = { '1:1': 0, '1:n': 0, 'n:1': 0, 'n:m': 0, unlinked: layout.unlinked.teacher.length };
  for (const l of layout.links) byKind[l.kind] += l.teacher.length;
  const teacherShare = { ...byKind };
  for (const k of Object.keys(teacherShare) as (LinkKind | 'unlinked')[]) teacherShare[k] = share(byKind[k], teacherTokens);
  let pairs = 0, jumps = 0;
  const jumpSet = new Set(match.jumps);
  match.pairs.forEach(([i], k) => {
    if (isSpecialAt(teacher, i)) return;
    pairs++;
    if (jumpSet.has(k)) jumps++;
  });
  return {
    teacherTokens, studentTokens, links: layout.links.length, teacherByKind: byKind, teacherShare, studentUnlinked: layout.unlinked.student.length,
    sharedVocabShare: share(shared, teacherTokens), matchPairs: pairs, matchPairRate: share(pairs, teacherTokens), matchJumps: jumps,
    unkRate: { teacher: share(tUnks, teacherTokens), student: share(sUnks, studentTokens) },
  };
}

/** [V_teacher] 1 where the teacher id is in C. */
export function sharedMask(shared: SharedVocab, teacherVocabSize: number): Uint8Array {
  const m = new Uint8Array(teacherVocabSize);
  for (const v of shared.teacherIds) m[v] = 1;
  return m;
}

// ---- one text, given a tokenizer pair -------------------------------------------------------------------------------

/** What `alignText` needs, built once per teacher/student pair (σ over the whole teacher vocabulary, C). */
export interface AlignmentContext {
  teacherVocab: readonly string[];
  studentVocab: readonly string[];
  sigma: SigmaMap;
  shared: SharedVocab;
  /** [V_teacher] 1 = in C. */
  inShared: Uint8Array;
  studentUnkId: number;
  unk: { teacher: string; student: string };
}

/** σ and C for a tokenizer pair. Throws StudentVocabError (sigma.ts) when the student lacks one of the five specials. */
export function alignmentContext(teacherVocab: readonly string[], studentVocab: readonly string[], opts: {
  unk?: { teacher?: string; student?: string }; onProgress?: (done: number, total: number) => void;
} = {}): AlignmentContext {
  const studentUnkId = checkStudentSpecials(studentVocab).unk;
  const sigma = buildSigma(teacherVocab, studentVocab, opts.onProgress);
  const shared = sharedVocab(teacherVocab, studentVocab);
  return {
    teacherVocab, studentVocab, sigma, shared, inShared: sharedMask(shared, teacherVocab.length), studentUnkId,
    unk: { teacher: opts.unk?.teacher ?? '[UNK]', student: opts.unk?.student ?? '[UNK]' },
  };
}

export interface TextAlignment {
  layout: LinkLayout;
  reduce: ReduceLens;
  match: MatchLens;
  counters: AlignCounters;
}

/**
 * The whole map of one text: links, the Reduce and Match lenses, counters (GLMD: `glmdLens` with the run's
 * vocabulary). `matchWordBounded`: Match's word-bounded variant (rows need wordIds), as the recipe field of that name.
 */
export function alignText(ctx: AlignmentContext, teacher: IdTokenRow, student: IdTokenRow, opts: { matchWordBounded?: boolean } = {}): TextAlignment {
  const layout = linkLayout(teacher, student);
  const reduce = reduceLens(teacher.ids, ctx.sigma, ctx.studentUnkId);
  const match = matchLens(teacher, student, { wordBounded: opts.matchWordBounded });
  const counters = alignCounters({ teacher, student, layout, match, inShared: ctx.inShared, unk: ctx.unk });
  return { layout, reduce, match, counters };
}

// ---- tokenizer differences ------------------------------------------------------------------------------------------

/** The parts of a tokenizer pipeline the map compares (a Tokenizer's `parts` fits). */
export interface PipelineParts {
  normalizer: { lowercase: boolean; stripAccents: boolean | null; handleChineseChars: boolean; cleanText: boolean } | null;
  preTokenizer: string | null;
  postProcessor: { cls: [string, number]; sep: [string, number] } | null;
  model: { kind: string; options: { unkToken?: string | null } };
}

/** Sentences naming what differs between the teacher's and the student's pipelines (empty when nothing does). */
export function tokenizerDifferences(teacher: PipelineParts, student: PipelineParts): string[] {
  const notes: string[] = [];
  const lower = (p: PipelineParts) => p.normalizer?.lowercase ?? false;
  // HF's rule: strip_accents null follows lowercase.
  const strips = (p: PipelineParts) => (p.normalizer ? p.normalizer.stripAccents ?? p.normalizer.lowercase : false);
  const cased = (b: boolean) => (b ? 'lower-cases' : 'keeps case');
  if (lower(teacher) !== lower(student)) notes.push(`the teacher ${cased(lower(teacher))}, the student ${cased(lower(student))}: links still join the same characters of the original text`);
  if (strips(teacher) !== strips(student)) notes.push(`the ${strips(teacher) ? 'teacher' : 'student'} strips accents (й → и, ё → е), the ${strips(teacher) ? 'student' : 'teacher'} keeps them`);
  const cjk = (p: PipelineParts) => p.normalizer?.handleChineseChars ?? false;
  if (cjk(teacher) !== cjk(student)) notes.push(`only the ${cjk(teacher) ? 'teacher' : 'student'} splits CJK ideographs into single characters`);
  if ((teacher.preTokenizer ?? null) !== (student.preTokenizer ?? null)) notes.push(`pre-tokenizers differ: teacher ${teacher.preTokenizer ?? 'none'}, student ${student.preTokenizer ?? 'none'}`);
  const pp = (p: PipelineParts) => (p.postProcessor ? `${p.postProcessor.cls[0]} … ${p.postProcessor.sep[0]}` : 'none');
  if (pp(teacher) !== pp(student)) notes.push(`special tokens around the text differ: teacher ${pp(teacher)}, student ${pp(student)}`);
  const unk = (p: PipelineParts) => p.model.options.unkToken ?? 'none';
  if (unk(teacher) !== unk(student)) notes.push(`unknown tokens differ: teacher ${unk(teacher)}, student ${unk(student)}`);
  if (teacher.model.kind !== student.model.kind) notes.push(`models differ: teacher ${teacher.model.kind}, student ${student.model.kind}`);
  return notes;
}
