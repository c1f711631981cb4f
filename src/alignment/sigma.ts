/**
 * The teacher → student token map σ and the shared vocabulary C (methods.md §A.3 items 3–4; checklist 1, 2, 4).
 *
 * σ(v) is computed once for every teacher vocabulary entry v, following the original preprocessing script:
 * - `[unusedN]`, `<S>`, `<T>`, `</S>` stay unmapped (null);
 * - the specials [PAD] [UNK] [CLS] [SEP] [MASK] map to the student entry of the same string;
 * - a `##x` of at most 3 code points (so `##` plus one character) that the student lacks maps to [UNK];
 * - otherwise greedy longest-match-first over v's code points with the student vocabulary, `##` on every piece after
 *   the first; a `##` teacher entry keeps its `##` on the first piece.
 * - A position where nothing matches becomes [UNK] and ends the split (as in the original), so a split can be a
 *   partial one such as (при, [UNK]). The original meant to collapse such splits to a single [UNK] but a typo
 *   (`student_wordpices`) disabled it; we keep the splits as the released models saw them. `withUnk` counts them
 *   (the teacher's own [UNK] entry included).
 * Not reproduced: the original also sends a `##` entry whose first matched piece is a single character to [UNK];
 * we segment it like any other entry (the rule above as methods.md states it).
 * Pure TypeScript, no tf; the Reduce / Reduce-map tables built from σ live in distill/losses.ts.
 */
import type { SharedVocab, SigmaMap, SpecialIds } from './types.ts';

export class StudentVocabError extends Error {
  override name = 'StudentVocabError';
}

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const SPECIAL_SET = new Set<string>(SPECIALS);
const UNMAPPED = /^\[unused\d+\]$|^<S>$|^<T>$|^<\/S>$/;
const PREFIX = '##';
const PROGRESS_EVERY = 2000;

/** First id of each string (a duplicated entry keeps its first id, as WordPieceModel does). */
function indexOf(vocab: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  vocab.forEach((t, i) => { if (!index.has(t)) index.set(t, i); });
  return index;
}

/** Ids of [PAD] [UNK] [CLS] [SEP] [MASK] in the student vocabulary; throws naming every missing one. */
export function checkStudentSpecials(studentVocab: readonly string[]): SpecialIds {
  const index = indexOf(studentVocab);
  const missing = SPECIALS.filter((s) => !index.has(s));
  if (missing.length > 0) {
    throw new StudentVocabError(
      `the student vocabulary lacks the special token${missing.length > 1 ? 's' : ''} ${missing.join(' ')}; ` +
        'train it with our WordPiece trainer (specials first) or add them to the vocabulary',
    );
  }
  const id = (s: string) => index.get(s)!;
  return { pad: id('[PAD]'), unk: id('[UNK]'), cls: id('[CLS]'), sep: id('[SEP]'), mask: id('[MASK]') };
}

/** Greedy longest-match-first split of one (non-special) teacher entry into student ids. */
function split(entry: string, index: Map<string, number>, unk: number): number[] {
  const hashed = entry.startsWith(PREFIX);
  const word = hashed ? entry.slice(PREFIX.length) : entry;
  // Code-point boundaries (UTF-16 offsets): a piece never ends inside a surrogate pair.
  const bounds: number[] = [0];
  for (let i = 0; i < word.length; ) { i += word.codePointAt(i)! > 0xffff ? 2 : 1; bounds.push(i); }
  const n = bounds.length - 1;
  if (hashed && n <= 1 && !index.has(entry)) return [unk];
  if (n === 0) return [index.get(entry) ?? unk];
  const out: number[] = [];
  let s = 0;
  while (s < n) {
    const head = s > 0 || hashed ? PREFIX : '';
    let e = n;
    let id: number | undefined;
    for (; e > s; e--) {
      id = index.get(head + word.slice(bounds[s], bounds[e]));
      if (id !== undefined) break;
    }
    if (id === undefined) { out.push(unk); break; } // the rest of the entry is lost (original behaviour)
    out.push(id);
    s = e;
  }
  return out;
}

/** σ for every teacher id (item 2). Progress every ~2,000 entries and at the end. */
export function buildSigma(
  teacherVocab: readonly string[],
  studentVocab: readonly string[],
  onProgress?: (done: number, total: number) => void,
): SigmaMap {
  const specials = checkStudentSpecials(studentVocab);
  const index = indexOf(studentVocab);
  const pieces: (Int32Array | null)[] = new Array(teacherVocab.length);
  let unmapped = 0, withUnk = 0, maxPieces = 0;
  for (let v = 0; v < teacherVocab.length; v++) {
    const entry = teacherVocab[v];
    if (UNMAPPED.test(entry)) {
      pieces[v] = null;
      unmapped++;
    } else {
      const ids = SPECIAL_SET.has(entry) ? [index.get(entry)!] : split(entry, index, specials.unk);
      pieces[v] = Int32Array.from(ids);
      if (ids.includes(specials.unk)) withUnk++;
      maxPieces = Math.max(maxPieces, ids.length);
    }
    if ((v + 1) % PROGRESS_EVERY === 0) onProgress?.(v + 1, teacherVocab.length);
  }
  onProgress?.(teacherVocab.length, teacherVocab.length);
  return { pieces, unmapped, withUnk, maxPieces };
}

/** C (item 4): every string in both vocabularies, as (teacher id, student id) pairs ordered by teacher id. */
export function sharedVocab(teacherVocab: readonly string[], studentVocab: readonly string[]): SharedVocab {
  const student = indexOf(studentVocab);
  const seen = new Set<string>();
  const t: number[] = [], s: number[] = [];
  teacherVocab.forEach((entry, v) => {
    const u = student.get(entry);
    if (u === undefined || seen.has(entry)) return;
    seen.add(entry);
    t.push(v);
    s.push(u);
  });
  return { teacherIds: Int32Array.from(t), studentIds: Int32Array.from(s) };
}

/** σ(teacherId) as student token strings; null when unmapped. */
export function sigmaTokens(sigma: SigmaMap, studentVocab: readonly string[], teacherId: number): string[] | null {
  if (!Number.isInteger(teacherId) || teacherId < 0 || teacherId >= sigma.pieces.length) {
    throw new RangeError(`teacher id ${teacherId} is outside the σ map (0 … ${sigma.pieces.length - 1})`);
  }
  const p = sigma.pieces[teacherId];
  return p ? Array.from(p, (u) => studentVocab[u]) : null;
}
