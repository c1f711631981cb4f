/**
 * Plain-data types of the alignment between a teacher and a student vocabulary (methods.md §A.3–A.5; checklist item
 * numbers as there): σ, C, special ids, t2s sequences, Match pairs. No tf.
 */

/** σ(v) for every teacher id v (item 2). `pieces[v]` null = unmapped ([unusedN], <S>, <T>, </S>). */
export interface SigmaMap {
  pieces: (Int32Array | null)[];
  /** Teacher entries left unmapped. */
  unmapped: number;
  /** Teacher entries whose split contains [UNK]. */
  withUnk: number;
  /** Longest split, in pieces. */
  maxPieces: number;
}

/** The shared vocabulary C (item 4): token strings present in both vocabularies, as aligned id lists (one fixed order). */
export interface SharedVocab {
  teacherIds: Int32Array;
  studentIds: Int32Array;
}

/** Ids of the special tokens of one tokenizer. */
export interface SpecialIds {
  pad: number;
  unk: number;
  cls: number;
  sep: number;
  mask: number;
}

/** One teacher sequence re-split into student pieces (item 3). */
export interface T2s {
  /** σ(t_1) ‖ … ‖ σ(t_n). */
  ids: number[];
  /** groupStart[i] … groupStart[i+1]-1 is G_i; length n + 1, groupStart[n] = ids.length. */
  groupStart: number[];
}

/** Match result for one sequence pair (item 11): the k-th teacher match pairs with the k-th student match. */
export interface MatchPairs {
  teacherPos: number[];
  studentPos: number[];
}
