/**
 * Sequence alignment for one teacher/student pair (methods.md §A.4, §A.5.4; checklist 3, 11–12):
 * - `t2sSequence`: the teacher sequence re-split into student pieces, σ(t_1) ‖ … ‖ σ(t_n), with the group G_i of each
 *   teacher token (contiguous, disjoint, ordered, covering the t2s sequence; |G_i| = |σ(t_i)|). An unmapped teacher
 *   id ([unusedN], <S>, …) becomes a single [UNK] so that every teacher position keeps a non-empty group.
 * - `matchPairs`: the paper's greedy, order-preserving exact-string matching (with `##`). Teacher token i searches the
 *   student tokens from one past the previous student match to the end of the sequence; the first equal string wins.
 *   Quirk kept: the search is not limited to the current word, so a teacher token missing nearby can match much
 *   later and skip every student token in between.
 *   Our variant `wordBounded` (not in the paper) only accepts a student token whose word id equals the teacher
 *   token's; null word ids (specials) only match null. Both word-id arrays must number the same pre-tokenized words
 *   (the same text under the same pre-tokenizer).
 * - `fitGroups`: a t2s sequence cut to the whole groups that fit a length (the student's positions).
 * - `batchGroups` / `batchPairs`: the groups / pairs of B sequences as flat positions in padded row-major [B, T]
 *   layouts (what a batch's KL rows index).
 * Which sequences are dropped (length, [UNK] share), chunking and padding are distill/batches.ts's job. Pure
 * TypeScript, no tf.
 */
import type { MatchPairs, SigmaMap, T2s } from './types.ts';

export class AlignmentError extends Error {
  override name = 'AlignmentError';
}

/** σ(t_1) ‖ … ‖ σ(t_n) and the group starts (item 3). */
export function t2sSequence(teacherIds: readonly number[], sigma: SigmaMap, unkId: number): T2s {
  const ids: number[] = [];
  const groupStart: number[] = [];
  for (const t of teacherIds) {
    if (!Number.isInteger(t) || t < 0 || t >= sigma.pieces.length) {
      throw new AlignmentError(`teacher id ${t} is outside the σ map (0 … ${sigma.pieces.length - 1}): was σ built from this teacher's vocabulary?`);
    }
    groupStart.push(ids.length);
    const p = sigma.pieces[t];
    if (p) for (const u of p) ids.push(u);
    else ids.push(unkId);
  }
  groupStart.push(ids.length);
  return { ids, groupStart };
}

/** Greedy order-preserving matches (item 11): the k-th teacher position pairs with the k-th student position. */
export function matchPairs(
  teacherTokens: readonly string[],
  studentTokens: readonly string[],
  opts: { wordBounded?: boolean; teacherWordIds?: readonly (number | null)[]; studentWordIds?: readonly (number | null)[] } = {},
): MatchPairs {
  const bounded = opts.wordBounded ?? false;
  const tw = opts.teacherWordIds, sw = opts.studentWordIds;
  if (bounded && (!tw || !sw || tw.length !== teacherTokens.length || sw.length !== studentTokens.length)) {
    throw new AlignmentError(
      'wordBounded matching needs teacherWordIds and studentWordIds, one per token on each side ' +
        `(got ${tw?.length ?? 'none'} for ${teacherTokens.length} teacher tokens, ${sw?.length ?? 'none'} for ${studentTokens.length} student tokens)`,
    );
  }
  // Key = the token string (and its word id when bounded); positions per key in ascending order.
  const key = (tok: string, w: number | null | undefined) => (bounded ? `${w ?? 'null'}\u0000${tok}` : tok);
  const where = new Map<string, number[]>();
  studentTokens.forEach((tok, j) => {
    const k = key(tok, sw?.[j]);
    const list = where.get(k);
    if (list) list.push(j);
    else where.set(k, [j]);
  });
  const teacherPos: number[] = [], studentPos: number[] = [];
  let from = 0; // one past the previous student match
  for (let i = 0; i < teacherTokens.length && from < studentTokens.length; i++) {
    const list = where.get(key(teacherTokens[i], tw?.[i]));
    if (!list) continue;
    let lo = 0, hi = list.length; // first position ≥ from
    while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid] < from) lo = mid + 1; else hi = mid; }
    if (lo === list.length) continue;
    teacherPos.push(i);
    studentPos.push(list[lo]);
    from = list[lo] + 1;
  }
  return { teacherPos, studentPos };
}

/** The first k groups of `t2s` whose pieces fit in `maxLen` (whole groups only), and whether any group was cut off. */
export function fitGroups(t2s: T2s, maxLen: number): { t2s: T2s; truncated: boolean } {
  const n = t2s.groupStart.length - 1;
  let groups = n;
  while (groups > 0 && t2s.groupStart[groups] > maxLen) groups--;
  if (groups === n) return { t2s, truncated: false };
  return { t2s: { ids: t2s.ids.slice(0, t2s.groupStart[groups]), groupStart: t2s.groupStart.slice(0, groups + 1) }, truncated: true };
}

/**
 * The Reduce rows of a batch (item 7): row b's t2s groups (`groupStarts[b]`, as in T2s.groupStart) as flat positions.
 * rowTeacherPos[g] = b·Tt + i for the g-th group (teacher token i of row b); its t2s positions b·Tr + j are
 * groupPos[groupStart[g] … groupStart[g+1]−1].
 */
export function batchGroups(groupStarts: readonly ArrayLike<number>[], Tt: number, Tr: number): { rowTeacherPos: Int32Array; groupStart: Int32Array; groupPos: Int32Array } {
  const rowTeacherPos: number[] = [];
  const groupStart: number[] = [0];
  const groupPos: number[] = [];
  groupStarts.forEach((gs, b) => {
    for (let i = 0; i + 1 < gs.length; i++) {
      rowTeacherPos.push(b * Tt + i);
      for (let j = gs[i]; j < gs[i + 1]; j++) groupPos.push(b * Tr + j);
      groupStart.push(groupPos.length);
    }
  });
  return { rowTeacherPos: Int32Array.from(rowTeacherPos), groupStart: Int32Array.from(groupStart), groupPos: Int32Array.from(groupPos) };
}

/** The Match pairs of a batch (item 11) as flat positions: row b's pair (i, j) becomes (b·Tt + i, b·Ts + j). */
export function batchPairs(pairs: readonly { teacherPos: ArrayLike<number>; studentPos: ArrayLike<number> }[], Tt: number, Ts: number): { teacherPos: Int32Array; studentPos: Int32Array } {
  const tp: number[] = [];
  const sp: number[] = [];
  pairs.forEach((p, b) => {
    for (let k = 0; k < p.teacherPos.length; k++) tp.push(b * Tt + p.teacherPos[k]);
    for (let k = 0; k < p.studentPos.length; k++) sp.push(b * Ts + p.studentPos[k]);
  });
  return { teacherPos: Int32Array.from(tp), studentPos: Int32Array.from(sp) };
}
