/**
 * Corpus texts → everything a distillation run feeds its models, in plain arrays (no tf).
 *
 * `prepareDistillData` runs once:
 * - held-out split: every 20th text (index % 20 == 19, the shipped teacher's rule) is kept for evaluation only;
 * - chunking: a text whose teacher or student encoding exceeds recipe.seqLen tokens is split at word starts into
 *   consecutive chunks that fit both (so long paragraphs are not thrown away; mlm-only chunks the same way, so every
 *   method sees the same sequences); a single over-long word is still cut;
 * - per chunk and method: teacher ids `[CLS] … [SEP]`; the student's own ids (glmd: the teacher ids through the rank
 *   lookup, item 25; kd-full: the teacher ids); Reduce: the t2s sequence and its groups (item 3), dropped when
 *   ≥ 512 long or > 50 % [UNK], truncated to the student's positions keeping whole groups; Match: the pairs (item 11);
 *   a student sequence that is > 50 % [UNK] is dropped for every method;
 *   the alignment itself (σ, t2s groups, whole-group truncation, Match pairs, C) is src/alignment/'s;
 * - MLM selection weights max(count, 1)^0.7 from the training student sequences (item 5);
 * - the held-out sequences on the student's own tokenization with word ids (for evaluate.ts).
 *
 * `createDistillBatcher` is endless and seeded: every epoch shuffles the examples, groups them by student-length
 * bucket, cuts batches of exactly B, and shuffles the batch order. Each stream (teacher, student, t2s) is padded to one
 * of four bucket lengths, so a backend that compiles per shape (WebGPU) sees few shapes. The student's own input is
 * MLM-masked (batch-level selection, mlmSelect.ts); the teacher and t2s inputs never are (item 4), except for the
 * shared-tokenizer methods (glmd, kd-full), where teacher and student read the same corrupted sequence (B.3,
 * DistilBERT). For those two the `glmd` field carries the non-pad positions (the KL rows).
 * Does not: touch tensors, compute losses, or read files.
 */
import type { Tokenizer, Encoding } from '../tokenizers/tokenizer.ts';
import { createRng, type Rng } from '../data/rng.ts';
import type { DataPosition } from '../train/checkpoint.ts';
import { batchGroups, batchPairs, checkStudentSpecials, fitGroups, matchPairs, sharedVocab, t2sSequence } from '../alignment/index.ts';
import type { GlmdVocab, SharedVocab, SigmaMap, SpecialIds } from '../alignment/index.ts';
import { selectMlmTargets, selectionWeights, tokenCounts } from './mlmSelect.ts';
import type { BatchStats, DistillBatch, Method, Recipe } from './types.ts';

export class DistillDataError extends Error {
  override name = 'DistillDataError';
}

/** A t2s sequence at least this long is dropped (item 3: the original keeps t2s < 512). */
export const T2S_DROP_LENGTH = 512;
/** A sequence with more than this share of [UNK] is dropped (A.4). */
export const MAX_UNK_SHARE = 0.5;
import { HELDOUT_EVERY, isHeldOut } from '../data/heldout.ts';

export { HELDOUT_EVERY };

/** One training sequence of one chunk. */
export interface DistillExample {
  /** Teacher ids [CLS] … [SEP] (absent for mlm-only). */
  teacher?: Int32Array;
  /** The student's own ids [CLS] … [SEP] in student rows (glmd: lookup(teacher); kd-full: the teacher ids). */
  student: Int32Array;
  /** Reduce: σ(t_1) ‖ … ‖ σ(t_k) for the first k teacher positions that fit; groupStart has k + 1 entries. */
  t2s?: { ids: Int32Array; groupStart: Int32Array; truncated: boolean };
  /** Match: positions within this sequence pair, the k-th with the k-th. */
  match?: { teacherPos: Int32Array; studentPos: Int32Array };
}

/** A held-out sequence on the student's own tokenization: ids in student rows, word index per token (−1 = special). */
export interface EvalSequence {
  ids: Int32Array;
  wordIds: Int32Array;
}

export interface DataStats {
  texts: number;
  heldoutTexts: number;
  /** Training chunks before filtering. */
  chunks: number;
  /** Training sequences kept. */
  sequences: number;
  heldoutSequences: number;
  /** Dropped: t2s ≥ 512 (Reduce). */
  droppedLong: number;
  /** Dropped: > 50 % [UNK] (t2s for Reduce, else the student's own sequence). */
  droppedUnk: number;
  /** Reduce: t2s sequences truncated to the student's positions. */
  t2sTruncated: number;
  /** Sequences whose teacher or student encoding was cut at seqLen (a single word longer than a chunk). */
  cut: number;
  /** Match: sequence pairs without a single pair, and the pair total. */
  noPairSequences: number;
  matchPairs: number;
}

export interface DistillData {
  method: Method;
  train: DistillExample[];
  heldout: EvalSequence[];
  /** Rows of the student's vocabulary (K for glmd). */
  studentVocabSize: number;
  /** Special ids in the student's rows (glmd: through the lookup). */
  studentSpecials: SpecialIds;
  teacherSpecials: SpecialIds;
  /** Random MLM replacements are drawn from [firstRandom, studentVocabSize). */
  firstRandom: number;
  /** Student token counts over the training sequences and the MLM selection weights from them (item 5). */
  counts: Float64Array;
  weights: Float64Array;
  /** Reduce ∩ / Match: the shared vocabulary C (item 4). */
  shared?: SharedVocab;
  sigma?: SigmaMap;
  glmd?: GlmdVocab;
  /** Longest sequence per stream (teacher, student, t2s) over the training data. */
  maxLen: { teacher: number; student: number; t2s: number };
  stats: DataStats;
}

const SHARED_TOKENIZER: readonly Method[] = ['glmd', 'kd-full'];
const usesSharedTokenizer = (m: Method) => SHARED_TOKENIZER.includes(m);
const isReduce = (m: Method) => m === 'reduce' || m === 'reduce-map';

/** Random replacements skip the specials when they are exactly ids 0–4 (our trained vocabularies), else draw from all. */
function firstRandomOf(s: SpecialIds): number {
  const ids = new Set([s.pad, s.unk, s.cls, s.sep, s.mask]);
  return [0, 1, 2, 3, 4].every((i) => ids.has(i)) ? 5 : 0;
}

/** Start offsets of each token of an encoding without specials (one per token). */
const tokenStarts = (e: Encoding) => e.offsets.map((o) => o[0]);

/**
 * Splits `text` at word starts into chunks whose encodings under every tokenizer hold at most `budget` tokens.
 * A word longer than the budget becomes a chunk of its own (the caller cuts it).
 */
export function chunkText(text: string, tokenizers: readonly Tokenizer[], budget: number): string[] {
  const encs = tokenizers.map((t) => t.encode(text, { addSpecialTokens: false }));
  if (encs.every((e) => e.ids.length <= budget)) return text.trim() ? [text] : [];
  // Cut candidates: starts of the first tokenizer's words (word boundaries for all BERT pre-tokenizers).
  const first = encs[0];
  const cuts: number[] = [];
  for (let i = 0; i < first.ids.length; i++) if (i === 0 || first.wordIds[i] !== first.wordIds[i - 1]) cuts.push(first.offsets[i][0]);
  cuts.push(text.length);
  const starts = encs.map(tokenStarts);
  // Tokens of encoding k starting before char c (starts are ascending).
  const before = (k: number, c: number) => {
    const s = starts[k];
    let lo = 0;
    let hi = s.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] < c) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const fits = (a: number, b: number) => encs.every((_, k) => before(k, b) - before(k, a) <= budget);
  const out: string[] = [];
  let a = 0; // index into cuts
  while (a < cuts.length - 1) {
    let b = a + 1;
    while (b + 1 < cuts.length && fits(cuts[a], cuts[b + 1])) b++;
    const chunk = text.slice(cuts[a], cuts[b]).trim();
    if (chunk) out.push(chunk);
    a = b;
  }
  return out;
}

/** [CLS] … [SEP] encoding cut to `maxLen` tokens (the [SEP] kept last); reports whether it was cut. */
function encodeCut(tok: Tokenizer, text: string, maxLen: number): { enc: Encoding; cut: boolean } {
  const enc = tok.encode(text);
  if (enc.ids.length <= maxLen) return { enc, cut: false };
  const keep = (xs: readonly unknown[]) => [...xs.slice(0, maxLen - 1), xs[xs.length - 1]];
  return {
    enc: {
      ids: keep(enc.ids) as number[],
      tokens: keep(enc.tokens) as string[],
      offsets: keep(enc.offsets) as [number, number][],
      specialTokensMask: keep(enc.specialTokensMask) as number[],
      wordIds: keep(enc.wordIds) as (number | null)[],
    },
    cut: true,
  };
}

const unkShare = (ids: ArrayLike<number>, unk: number) => {
  let n = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] === unk) n++;
  return n / Math.max(1, ids.length);
};

const wordIdArray = (w: readonly (number | null)[]) => Int32Array.from(w, (x) => (x === null ? -1 : x));

export function prepareDistillData(opts: {
  texts: string[];
  teacherTokenizer: Tokenizer;
  studentTokenizer: Tokenizer;
  recipe: Recipe;
  sigma?: SigmaMap;
  glmd?: GlmdVocab;
  studentMaxPositions: number;
  onProgress?: (done: number, total: number) => void;
  /** A slice of a corpus (export-run's windows): no training sequence is not an error. */
  allowEmpty?: boolean;
}): DistillData {
  const { texts, teacherTokenizer: tt, recipe } = opts;
  const method = recipe.method;
  const shared = usesSharedTokenizer(method);
  const st = shared ? tt : opts.studentTokenizer;
  if (isReduce(method) && !opts.sigma) throw new DistillDataError(`method "${method}" needs the σ map (sigma)`);
  if (method === 'glmd' && !opts.glmd) throw new DistillDataError('method "glmd" needs the GLMD vocabulary (glmd)');
  if (recipe.seqLen > opts.studentMaxPositions) {
    throw new DistillDataError(`recipe.seqLen ${recipe.seqLen} exceeds the student's ${opts.studentMaxPositions} positions`);
  }
  const teacherSpecials = checkStudentSpecials(tt.vocab);
  const ownSpecials = checkStudentSpecials(st.vocab);
  const lookup = method === 'glmd' ? opts.glmd!.lookup : null;
  const row = (id: number) => (lookup ? lookup[id] : id);
  const studentSpecials: SpecialIds = lookup
    ? { pad: row(ownSpecials.pad), unk: row(ownSpecials.unk), cls: row(ownSpecials.cls), sep: row(ownSpecials.sep), mask: row(ownSpecials.mask) }
    : ownSpecials;
  const studentVocabSize = method === 'glmd' ? opts.glmd!.K : st.vocabSize;
  const needsTeacher = method !== 'mlm-only';
  // Chunks fit both tokenizers for every method (mlm-only too), so all methods share training and held-out sequences.
  const chunkers = shared ? [tt] : [tt, st];
  const budget = recipe.seqLen - 2;

  const stats: DataStats = {
    texts: texts.length, heldoutTexts: 0, chunks: 0, sequences: 0, heldoutSequences: 0, droppedLong: 0, droppedUnk: 0,
    t2sTruncated: 0, cut: 0, noPairSequences: 0, matchPairs: 0,
  };
  const train: DistillExample[] = [];
  const heldout: EvalSequence[] = [];
  const maxLen = { teacher: 0, student: 0, t2s: 0 };

  texts.forEach((text, ti) => {
    const isHeldout = isHeldOut(ti);
    if (isHeldout) stats.heldoutTexts++;
    for (const chunk of chunkText(text, chunkers, budget)) {
      const own = encodeCut(st, chunk, recipe.seqLen);
      const ownIds = Int32Array.from(own.enc.ids, row);
      if (isHeldout) {
        heldout.push({ ids: ownIds, wordIds: wordIdArray(own.enc.wordIds) });
        continue;
      }
      stats.chunks++;
      if (unkShare(own.enc.ids, ownSpecials.unk) > MAX_UNK_SHARE) { stats.droppedUnk++; continue; }
      const ex: DistillExample = { student: ownIds };
      let cut = own.cut;
      if (needsTeacher) {
        const te = shared ? own : encodeCut(tt, chunk, recipe.seqLen);
        cut ||= te.cut;
        ex.teacher = Int32Array.from(te.enc.ids);
        if (isReduce(method)) {
          const t2s = t2sSequence(te.enc.ids, opts.sigma!, ownSpecials.unk);
          if (t2s.ids.length >= T2S_DROP_LENGTH) { stats.droppedLong++; continue; }
          if (unkShare(t2s.ids, ownSpecials.unk) > MAX_UNK_SHARE) { stats.droppedUnk++; continue; }
          const fit = fitGroups(t2s, opts.studentMaxPositions); // keep whole groups that fit
          if (fit.truncated) stats.t2sTruncated++;
          ex.t2s = { ids: Int32Array.from(fit.t2s.ids), groupStart: Int32Array.from(fit.t2s.groupStart), truncated: fit.truncated };
          maxLen.t2s = Math.max(maxLen.t2s, ex.t2s.ids.length);
        }
        if (method === 'match') {
          const p = matchPairs(te.enc.tokens, own.enc.tokens, recipe.matchWordBounded ? { wordBounded: true, teacherWordIds: te.enc.wordIds, studentWordIds: own.enc.wordIds } : {});
          ex.match = { teacherPos: Int32Array.from(p.teacherPos), studentPos: Int32Array.from(p.studentPos) };
          stats.matchPairs += p.teacherPos.length;
          if (p.teacherPos.length === 0) stats.noPairSequences++;
        }
        maxLen.teacher = Math.max(maxLen.teacher, ex.teacher.length);
      }
      if (cut) stats.cut++;
      maxLen.student = Math.max(maxLen.student, ownIds.length);
      train.push(ex);
    }
    opts.onProgress?.(ti + 1, texts.length);
  });
  stats.sequences = train.length;
  stats.heldoutSequences = heldout.length;
  if (train.length === 0 && !opts.allowEmpty) throw new DistillDataError(`no training sequence left from ${texts.length} texts (held out: every ${HELDOUT_EVERY}th; dropped: ${stats.droppedLong} too long, ${stats.droppedUnk} mostly [UNK]); give more text`);

  const counts = tokenCounts(train.map((e) => e.student), studentVocabSize);
  const s = studentSpecials;
  const weights = selectionWeights(counts, [s.pad, s.unk, s.cls, s.sep, s.mask], opts.recipe.mlmSmoothing);
  const needsShared = method === 'reduce' || method === 'match';
  return {
    method, train, heldout, studentVocabSize, studentSpecials, teacherSpecials, firstRandom: firstRandomOf(studentSpecials),
    counts, weights, shared: needsShared ? sharedVocab(tt.vocab, st.vocab) : undefined, sigma: opts.sigma, glmd: opts.glmd, maxLen, stats,
  };
}

/** Four padded lengths per stream (quarters of the longest, rounded up to multiples of 8). */
export function bucketLengths(maxLen: number): number[] {
  const out = [1, 2, 3, 4].map((q) => Math.max(8, Math.ceil((maxLen * q) / 4 / 8) * 8));
  return [...new Set(out)];
}

const padTo = (len: number, buckets: readonly number[]) => buckets.find((b) => b >= len) ?? len;

function shuffle<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Rows of int sequences → [B, T] ids (pad elsewhere) and mask. */
function padRows(rows: readonly Int32Array[], T: number, pad: number): { ids: Int32Array; mask: Int32Array } {
  const ids = new Int32Array(rows.length * T).fill(pad);
  const mask = new Int32Array(rows.length * T);
  rows.forEach((r, b) => { ids.set(r, b * T); mask.fill(1, b * T, b * T + r.length); });
  return { ids, mask };
}

export interface DistillBatcher {
  next(): DistillBatch;
  /** The data position (a run checkpoint keeps it): the RNG state and the batches left in this epoch, as example indices. */
  position(): DataPosition;
  /** Continues from a saved position (the same data and recipe); throws DistillDataError on an index out of range. */
  restore(p: DataPosition): void;
}

export function createDistillBatcher(data: DistillData, recipe: Recipe): DistillBatcher {
  const B = recipe.batchSize;
  const rng = createRng(recipe.seed ^ 0x5eed);
  const buckets = { teacher: bucketLengths(data.maxLen.teacher), student: bucketLengths(data.maxLen.student), t2s: bucketLengths(data.maxLen.t2s) };
  const method = data.method;
  const shared = usesSharedTokenizer(method);
  /** Batches left in this epoch (indices into data.train), the next one last. */
  let queue: number[][] = [];

  /** One epoch: shuffle, stable-sort by student bucket, cut into batches of B, shuffle the batch order. */
  const epoch = () => {
    const bucketOf = (i: number) => buckets.student.indexOf(padTo(data.train[i].student.length, buckets.student));
    const order = shuffle(data.train.map((_, i) => i), rng).sort((a, b) => bucketOf(a) - bucketOf(b));
    const batches: number[][] = [];
    for (let i = 0; i < order.length; i += B) {
      const batch = order.slice(i, i + B);
      // A short last batch takes the examples just before it (same bucket, no repeats when there are ≥ B examples).
      for (let k = 0; batch.length < B; k++) batch.push(order[(((i - 1 - k) % order.length) + order.length) % order.length]);
      batches.push(batch);
    }
    return shuffle(batches, rng);
  };

  const build = (rows: DistillExample[]): DistillBatch => {
    const stats: BatchStats = { sequences: rows.length, t2sTruncated: 0, dropped: 0, matchPairs: 0 };
    const Ts = padTo(Math.max(...rows.map((r) => r.student.length)), buckets.student);
    const own = padRows(rows.map((r) => r.student), Ts, data.studentSpecials.pad);
    const sel = selectMlmTargets(own.ids, own.mask, {
      weights: data.weights, maskProb: recipe.maskProb, maskId: data.studentSpecials.mask, vocabSize: data.studentVocabSize, firstRandom: data.firstRandom, rng,
    });
    const batch: DistillBatch = {
      batchSize: rows.length,
      student: { ids: sel.inputs, mask: own.mask, seqLen: Ts, mlmPositions: sel.positions, mlmLabels: sel.labels },
      stats,
    };
    if (method === 'mlm-only') return batch;
    if (shared) {
      // Teacher and student read the same corrupted sequence: changed positions get the teacher id of the new row.
      const tIds = padRows(rows.map((r) => r.teacher!), Ts, data.teacherSpecials.pad).ids;
      const rankToId = data.glmd?.rankToId;
      for (const p of sel.positions) {
        const s = sel.inputs[p];
        if (s === own.ids[p]) continue;
        tIds[p] = s === data.studentSpecials.mask ? data.teacherSpecials.mask : rankToId ? rankToId[s] : s;
      }
      batch.teacher = { ids: tIds, mask: own.mask, seqLen: Ts };
      const positions: number[] = [];
      for (let p = 0; p < own.mask.length; p++) if (own.mask[p]) positions.push(p);
      batch.glmd = { positions: Int32Array.from(positions) };
      return batch;
    }
    const Tt = padTo(Math.max(...rows.map((r) => r.teacher!.length)), buckets.teacher);
    const teacher = padRows(rows.map((r) => r.teacher!), Tt, data.teacherSpecials.pad);
    batch.teacher = { ids: teacher.ids, mask: teacher.mask, seqLen: Tt };
    if (isReduce(method)) {
      const Tr = padTo(Math.max(...rows.map((r) => r.t2s!.ids.length)), buckets.t2s);
      const t2s = padRows(rows.map((r) => r.t2s!.ids), Tr, data.studentSpecials.pad);
      stats.t2sTruncated = rows.filter((r) => r.t2s!.truncated).length;
      batch.t2s = { ids: t2s.ids, mask: t2s.mask, seqLen: Tr, ...batchGroups(rows.map((r) => r.t2s!.groupStart), Tt, Tr) };
    }
    if (method === 'match') {
      batch.match = batchPairs(rows.map((r) => r.match!), Tt, Ts);
      stats.matchPairs = batch.match.teacherPos.length;
    }
    return batch;
  };

  return {
    next() {
      if (queue.length === 0) queue = epoch();
      return build(queue.pop()!.map((i) => data.train[i]));
    },
    position: () => ({ rng: rng.state(), queue: queue.map((b) => [...b]) }),
    restore(p) {
      const bad = (p.queue ?? []).flat().find((i) => !Number.isInteger(i) || i < 0 || i >= data.train.length);
      if (bad !== undefined) throw new DistillDataError(`the saved data position names example ${bad}; this run has ${data.train.length}`);
      rng.setState(p.rng);
      queue = (p.queue ?? []).map((b) => [...b]);
    },
  };
}
