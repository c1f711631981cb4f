/**
 * Where the student disagrees with its teacher (issue 12 item 3): on one text, per teacher token, the KL between the
 * teacher's prediction and the **aligned student prediction**, and whether their top-1 tokens agree; and the aligned
 * fill-mask probe (the same character span masked on both sides, both top-k lists). The student is a snapshot of a
 * run (snapshots.ts) or any student of the run's shape; the alignment tables are the run's (`alignedContext`).
 *
 * The aligned student prediction, per method: the rows and columns the method's KL compares (distillLoss.ts), with
 * both models reading the **unmasked** text (as Reduce's KL rows always do) at temperature 1:
 * - reduce:     the student reads the t2s sequence σ(t₁)‖…‖σ(tₙ) of the teacher's tokens (alignment/align.ts), its
 *               piece logits are summed per group Gᵢ (or averaged: the recipe's reduceGroup) — `groupSums` + the
 *               restricted `decode` of distillLoss.ts, exactly the loss's rows — and teacher and student are compared
 *               over the shared vocabulary C (columns 'C'). Every teacher token has a row, [CLS] / [SEP] included, unless
 *               its group falls past the student's positions (then none: `kl` null).
 * - reduce-map: the same group rows, scored per mapped teacher entry (Σ or logsumexp over σ(v): the recipe's
 *               reduceMapScore, `reduceMapScores` of losses.ts) and compared with the teacher over those entries
 *               (columns 'mapped'): the distribution reduce-map's loss trains, not C.
 * - match:      the student reads its own tokenization; rows at the greedy pairs (`matchPairs`, the recipe's
 *               matchWordBounded variant), over C. A teacher token without a pair has no row (`kl` null).
 * - glmd:       the student reads the teacher's ids through the rank lookup; every position, over the K kept tokens
 *               (the teacher at rankToId; columns 'kept').
 * - kd-full:    the same ids, every position, over the full (shared) vocabulary (columns 'full').
 * - mlm-only:   the baseline never saw the teacher; it is looked at through Reduce ∩'s alignment (t2s, group sums, C)
 *               so that it can be set beside a Reduce student.
 * KL(p ‖ q) = Σ_c p_c (log p_c − log q_c) with p = softmax(teacher row), q = softmax(aligned student row) over the
 * columns, in nats; the top-1s are argmaxes over the same columns (ties: the first column), so identical teacher and
 * student rows give KL 0 and agreement (tested). A text longer than the models' positions is cut at word starts into
 * chunks that fit both tokenizers (batches.ts `chunkText`), each run on its own; offsets are into the whole text.
 *
 * The probe (`alignedFillMask`): every teacher token covering a character of [start, end) becomes [MASK], and every
 * student token covering one (alignment/maskSpan.ts; glmd and kd-full read the teacher's tokens, so the same
 * positions); both models then predict over their whole vocabularies at T = 1, and the top-k at the **first** masked
 * position of each side is returned (a multi-piece span has more masked positions than that one; `masked` lists them).
 *
 * Every forward runs in tf.tidy; numbers come back with `await data()`; nothing stays on the device (tested).
 */
import * as tf from '@tensorflow/tfjs';
import { decode, encode, headTransform, mlmLogits, type MlmModel } from '../models/mlm.ts';
import { gatherRows } from '../models/layers.ts';
import type { Encoding, Tokenizer } from '../tokenizers/tokenizer.ts';
import {
  batchGroups, buildSigma, checkStudentSpecials, fitGroups, matchPairs, maskedRange, sharedVocab, spanPositions, checkSpan, t2sSequence,
  type GlmdVocab, type SharedVocab, type SigmaMap,
} from '../alignment/index.ts';
import { splitHeldOut } from '../data/heldout.ts';
import { groupSums } from './distillLoss.ts';
import { reduceMapScores, reduceMapTable, type ReduceMapTable } from './losses.ts';
import { chunkText } from './batches.ts';
import type { Method, Recipe } from './types.ts';

export class DisagreementError extends Error {
  override name = 'DisagreementError';
}

/** The columns both distributions range over: C, the mapped teacher entries, the K kept tokens, the whole vocabulary. */
export type AlignedColumns = 'C' | 'mapped' | 'kept' | 'full';

/** A run's alignment tables, as the heatmap and the probe need them. */
export interface AlignedContext {
  method: Method;
  teacher: MlmModel;
  teacherTokenizer: Tokenizer;
  /** The student's own tokenizer (glmd, kd-full: unused, they read the teacher's tokens). */
  studentTokenizer: Tokenizer;
  /** reduce, reduce-map, mlm-only. */
  sigma: SigmaMap | null;
  /** reduce, match, mlm-only. */
  shared: SharedVocab | null;
  /** glmd. */
  glmd: GlmdVocab | null;
  reduceGroup: Recipe['reduceGroup'];
  reduceMapScore: Recipe['reduceMapScore'];
  matchWordBounded: boolean;
  /** Built on first use (reduce-map). */
  mapTable?: ReduceMapTable;
}

/** The run's tables (run.ts's PreparedDistill has these fields), completed for the method's lens (mlm-only: σ and C). */
export function alignedContext(
  p: { studentTokenizer: Tokenizer; sigma: SigmaMap | null; glmd: GlmdVocab | null; data: { shared?: SharedVocab } },
  teacher: MlmModel, teacherTokenizer: Tokenizer, recipe: Pick<Recipe, 'method' | 'reduceGroup' | 'reduceMapScore' | 'matchWordBounded'>,
): AlignedContext {
  const m = recipe.method;
  const st = p.studentTokenizer;
  const lensOfReduce = m === 'reduce' || m === 'reduce-map' || m === 'mlm-only';
  const sigma = lensOfReduce ? (p.sigma ?? buildSigma(teacherTokenizer.vocab, st.vocab)) : null;
  const shared = m === 'reduce' || m === 'match' || m === 'mlm-only' ? (p.data.shared ?? sharedVocab(teacherTokenizer.vocab, st.vocab)) : null;
  if (m === 'glmd' && !p.glmd) throw new DisagreementError('a GLMD run without its GLMD vocabulary');
  return {
    method: m, teacher, teacherTokenizer, studentTokenizer: st, sigma, shared, glmd: m === 'glmd' ? p.glmd : null,
    reduceGroup: recipe.reduceGroup, reduceMapScore: recipe.reduceMapScore, matchWordBounded: recipe.matchWordBounded,
  };
}

export const columnsOf = (m: Method): AlignedColumns => (m === 'reduce-map' ? 'mapped' : m === 'glmd' ? 'kept' : m === 'kd-full' ? 'full' : 'C');

/** One teacher token of the heatmap. */
export interface DisagreementToken {
  token: string;
  /** [start, end) UTF-16 offsets into the text; [CLS] / [SEP] have an empty span. */
  offsets: [number, number];
  special: boolean;
  /** Pre-tokenized word index over the whole text (null for specials): a click selects the word. */
  wordId: number | null;
  /** KL(teacher ‖ aligned student) in nats at T = 1; null: no aligned row (Match without a pair, a Reduce group past the student's positions). */
  kl: number | null;
  teacherTop1: string | null;
  /** The teacher's probability of its top-1 (over the columns). */
  teacherP: number | null;
  studentTop1: string | null;
  /** The aligned student's probability of its top-1 (over the columns). */
  studentP: number | null;
  /** Top-1 agreement (the same column); null without a row. */
  agree: boolean | null;
}

export interface DisagreementResult {
  method: Method;
  columns: AlignedColumns;
  /** How many columns the distributions range over. */
  columnCount: number;
  tokens: DisagreementToken[];
  /** The text was cut into this many chunks (0: empty text). */
  chunks: number;
}

/**
 * Per row of two logit matrices over the same columns ([N, C] each, T = 1): KL(softmax(t) ‖ softmax(s)), both argmaxes
 * and the probability each side gives its own argmax. Call inside tf.tidy.
 */
export function rowDisagreement(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D): { kl: tf.Tensor1D; teacherTop: tf.Tensor1D; studentTop: tf.Tensor1D; teacherP: tf.Tensor1D; studentP: tf.Tensor1D } {
  const [N, C] = teacherLogits.shape;
  if (studentLogits.shape[0] !== N || studentLogits.shape[1] !== C) {
    throw new DisagreementError(`teacher rows [${teacherLogits.shape}] and student rows [${studentLogits.shape}] must have the same shape`);
  }
  const lp = tf.logSoftmax(teacherLogits);
  const lq = tf.logSoftmax(studentLogits);
  const p = tf.exp(lp);
  return {
    kl: tf.sum(tf.mul(p, tf.sub(lp, lq)), 1) as tf.Tensor1D,
    teacherTop: tf.argMax(teacherLogits, 1) as tf.Tensor1D,
    studentTop: tf.argMax(studentLogits, 1) as tf.Tensor1D,
    teacherP: tf.max(p, 1) as tf.Tensor1D,
    studentP: tf.exp(tf.max(lq, 1)) as tf.Tensor1D,
  };
}

/** Chunks of `text` that fit every tokenizer in `budget` tokens (specials excluded), with their start in `text`. */
export function chunkSpans(text: string, tokenizers: readonly Tokenizer[], budget: number): { start: number; text: string }[] {
  let from = 0;
  return chunkText(text, tokenizers, budget).map((c) => {
    const start = text.indexOf(c, from);
    if (start < 0) throw new DisagreementError('a chunk is not a slice of its text'); // chunkText only trims slices
    from = start + c.length;
    return { start, text: c };
  });
}

const ids2 = (ids: ArrayLike<number>) => tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32');
const ones2 = (n: number) => tf.ones([1, n], 'int32') as tf.Tensor2D;
const int1 = (a: ArrayLike<number>) => tf.tensor1d(Int32Array.from(a), 'int32');
const ownVocabulary = (m: Method) => m !== 'glmd' && m !== 'kd-full';
const budgetOf = (ctx: AlignedContext, student: MlmModel) => Math.min(ctx.teacher.config.maxPositions, student.config.maxPositions) - 2;
const tokenizersOf = (ctx: AlignedContext) => (ownVocabulary(ctx.method) ? [ctx.teacherTokenizer, ctx.studentTokenizer] : [ctx.teacherTokenizer]);

function checkStudent(ctx: AlignedContext, student: MlmModel): void {
  const want = ctx.method === 'glmd' ? ctx.glmd!.K : ctx.method === 'kd-full' ? ctx.teacher.config.vocabSize : ctx.studentTokenizer.vocabSize;
  if (student.config.vocabSize !== want) throw new DisagreementError(`the student has ${student.config.vocabSize} vocabulary rows, the run's ${ctx.method} alignment needs ${want}`);
}

/** Column index → token string, for each side. */
function columnNames(ctx: AlignedContext): { cols: AlignedColumns; count: number; teacherCols: Int32Array | null; studentCols: Int32Array | null; name(c: number): string } {
  const tv = ctx.teacherTokenizer.vocab;
  const cols = columnsOf(ctx.method);
  if (cols === 'C') {
    const C = ctx.shared!;
    if (C.teacherIds.length === 0) throw new DisagreementError('the teacher and student vocabularies share no token string (C is empty)');
    return { cols, count: C.teacherIds.length, teacherCols: C.teacherIds, studentCols: C.studentIds, name: (c) => tv[C.teacherIds[c]] };
  }
  if (cols === 'mapped') {
    ctx.mapTable ??= reduceMapTable(ctx.sigma!);
    const t = ctx.mapTable;
    return { cols, count: t.M, teacherCols: t.teacherIds, studentCols: null, name: (c) => tv[t.teacherIds[c]] };
  }
  if (cols === 'kept') {
    const r = ctx.glmd!.rankToId;
    return { cols, count: r.length, teacherCols: r, studentCols: null, name: (c) => tv[r[c]] };
  }
  return { cols, count: ctx.teacher.config.vocabSize, teacherCols: null, studentCols: null, name: (c) => tv[c] ?? `[${c}]` };
}

/**
 * The aligned rows of one chunk: teacher positions that have a row, and (inside tf.tidy) the teacher and aligned
 * student logits over the method's columns, [rows, columns] each.
 */
function chunkRows(ctx: AlignedContext, student: MlmModel, te: Encoding, chunk: string, colsT: tf.Tensor1D | null, colsS: tf.Tensor1D | null): { rows: number[]; logits: () => [tf.Tensor2D, tf.Tensor2D] } {
  const { teacher, method } = ctx;
  const Tt = te.ids.length;
  const teacherRows = (rows: number[]) => decode(teacher, headTransform(teacher, gatherRows(encode(teacher, ids2(te.ids), ones2(Tt)), int1(rows))), colsT);
  if (method === 'reduce' || method === 'reduce-map' || method === 'mlm-only') {
    const unk = checkStudentSpecials(ctx.studentTokenizer.vocab).unk;
    const { t2s } = fitGroups(t2sSequence(te.ids, ctx.sigma!, unk), student.config.maxPositions); // whole groups that fit
    const k = t2s.groupStart.length - 1;
    const rows = Array.from({ length: k }, (_, i) => i);
    const Tr = t2s.ids.length;
    return {
      rows,
      logits: () => {
        const g = groupSums({ ids: Int32Array.from(t2s.ids), mask: new Int32Array(Tr).fill(1), seqLen: Tr, ...batchGroups([t2s.groupStart], Tt, Tr) }, 1, Tt);
        let x = g.sum(headTransform(student, encode(student, ids2(t2s.ids), ones2(Tr)))); // Σ_{j∈Gᵢ} t_j, [k, E]
        const mean = ctx.reduceGroup === 'mean';
        if (mean) x = tf.div(x, g.sizes);
        const z = method === 'reduce-map'
          ? reduceMapScores(decode(student, x, null, mean ? undefined : g.sizes), ctx.mapTable!, ctx.reduceMapScore)
          : decode(student, x, colsS, mean ? undefined : g.sizes);
        return [teacherRows(rows), z];
      },
    };
  }
  if (method === 'match') {
    const se = ctx.studentTokenizer.encode(chunk);
    const p = matchPairs(te.tokens, se.tokens, ctx.matchWordBounded ? { wordBounded: true, teacherWordIds: te.wordIds, studentWordIds: se.wordIds } : {});
    return {
      rows: p.teacherPos,
      logits: () => {
        const hs = encode(student, ids2(se.ids), ones2(se.ids.length));
        return [teacherRows(p.teacherPos), decode(student, headTransform(student, gatherRows(hs, int1(p.studentPos))), colsS)];
      },
    };
  }
  // glmd / kd-full: one tokenization, every position; GLMD's student reads the rows of the rank lookup.
  const sIds = method === 'glmd' ? te.ids.map((id) => ctx.glmd!.lookup[id]) : te.ids;
  const rows = Array.from({ length: Tt }, (_, i) => i);
  return { rows, logits: () => [teacherRows(rows), mlmLogits(student, encode(student, ids2(sIds), ones2(Tt)))] };
}

/** The heatmap of `text` for `student` (a snapshot of the run whose tables `ctx` holds). */
export async function disagreement(ctx: AlignedContext, student: MlmModel, text: string): Promise<DisagreementResult> {
  checkStudent(ctx, student);
  const names = columnNames(ctx);
  const tokens: DisagreementToken[] = [];
  const chunks = text.trim() ? chunkSpans(text, tokenizersOf(ctx), budgetOf(ctx, student)) : [];
  const [colsT, colsS] = [names.teacherCols && tf.tensor1d(names.teacherCols, 'int32'), names.studentCols && tf.tensor1d(names.studentCols, 'int32')];
  let wordBase = 0;
  try {
    for (const c of chunks) {
      const te = ctx.teacherTokenizer.encode(c.text);
      const { rows, logits } = chunkRows(ctx, student, te, c.text, colsT, colsS);
      let values: Float32Array[] | Int32Array[] = [];
      if (rows.length) {
        const out = tf.tidy(() => {
          const [t, s] = logits();
          const d = rowDisagreement(t, s);
          return [d.kl, d.teacherTop, d.studentTop, d.teacherP, d.studentP];
        });
        try {
          values = (await Promise.all(out.map((x) => x.data()))) as Float32Array[];
        } finally {
          tf.dispose(out);
        }
      }
      const at = new Map(rows.map((pos, r) => [pos, r]));
      let words = 0;
      te.tokens.forEach((token, i) => {
        const r = at.get(i);
        const w = te.wordIds[i];
        if (w !== null) words = Math.max(words, w + 1);
        const o = te.offsets[i];
        const has = r !== undefined;
        tokens.push({
          token, offsets: [o[0] + c.start, o[1] + c.start], special: te.specialTokensMask[i] === 1, wordId: w === null ? null : w + wordBase,
          kl: has ? values[0][r] : null,
          teacherTop1: has ? names.name(values[1][r]) : null, teacherP: has ? values[3][r] : null,
          studentTop1: has ? names.name(values[2][r]) : null, studentP: has ? values[4][r] : null,
          agree: has ? values[1][r] === values[2][r] : null,
        });
      });
      wordBase += words;
    }
  } finally {
    tf.dispose([colsT, colsS].filter((x): x is tf.Tensor1D => x !== null));
  }
  return { method: ctx.method, columns: names.cols, columnCount: names.count, tokens, chunks: chunks.length };
}

/** One side of the probe. */
export interface ProbeSide {
  /** The masked tokens, in order (their strings and spans in the text). */
  masked: { token: string; offsets: [number, number] }[];
  /** The characters the masked tokens cover. */
  range: [number, number];
  /** Top-k at the first masked position over the side's whole vocabulary (T = 1). */
  candidates: { token: string; probability: number }[];
}

export interface AlignedFillMaskResult {
  span: [number, number];
  teacher: ProbeSide;
  student: ProbeSide;
}

/** Top-k at `position` of `model` reading `ids` (all attended), over its whole vocabulary. Inside tf.tidy. */
function topAt(model: MlmModel, ids: readonly number[], position: number, k: number): { values: tf.Tensor; indices: tf.Tensor } {
  const h = encode(model, ids2(ids), ones2(ids.length));
  const probs = tf.softmax(mlmLogits(model, gatherRows(h, int1([position]))));
  return tf.topk(probs, Math.min(k, model.config.vocabSize));
}

/** The aligned fill-mask probe: [start, end) of `text` masked on both sides, both top-k lists (see the file comment). */
export async function alignedFillMask(ctx: AlignedContext, student: MlmModel, text: string, start: number, end: number, top: number): Promise<AlignedFillMaskResult> {
  checkStudent(ctx, student);
  checkSpan(start, end, text.length);
  if (!Number.isInteger(top) || top < 1) throw new DisagreementError(`top must be a positive integer, got ${top}`);
  if (!text.slice(start, end).trim()) throw new DisagreementError(`the span [${start}, ${end}) holds only whitespace: choose a word`);
  const c = chunkSpans(text, tokenizersOf(ctx), budgetOf(ctx, student)).find((x) => x.start <= start && end <= x.start + x.text.length);
  if (!c) throw new DisagreementError(`the span [${start}, ${end}) crosses a chunk boundary of this long text (the models read it in pieces): choose a shorter span`);
  const [a, b] = [start - c.start, end - c.start];
  const tt = ctx.teacherTokenizer;
  const te = tt.encode(c.text);
  const tPos = spanPositions(te, a, b);
  if (!tPos.length) throw new DisagreementError(`no teacher token covers the characters [${start}, ${end}) ("${text.slice(start, end)}")`);
  const tMask = checkStudentSpecials(tt.vocab).mask;
  const tIds = te.ids.map((id, i) => (tPos.includes(i) ? tMask : id));
  let se: Encoding, sPos: number[], sIds: number[], sName: (id: number) => string;
  if (ownVocabulary(ctx.method)) {
    const st = ctx.studentTokenizer;
    se = st.encode(c.text);
    sPos = spanPositions(se, a, b);
    if (!sPos.length) throw new DisagreementError(`no student token covers the characters [${start}, ${end}) ("${text.slice(start, end)}")`);
    const sMask = checkStudentSpecials(st.vocab).mask;
    sIds = se.ids.map((id, i) => (sPos.includes(i) ? sMask : id));
    sName = (id) => st.vocab[id] ?? `[${id}]`;
  } else {
    se = te;
    sPos = tPos;
    const g = ctx.method === 'glmd' ? ctx.glmd! : null;
    sIds = tIds.map((id) => (g ? g.lookup[id] : id));
    sName = (id) => tt.vocab[g ? g.rankToId[id] : id] ?? `[${id}]`;
  }
  const out = tf.tidy(() => {
    const t = topAt(ctx.teacher, tIds, tPos[0], top);
    const s = topAt(student, sIds, sPos[0], top);
    return [t.values, t.indices, s.values, s.indices];
  });
  let v: (Float32Array | Int32Array)[];
  try {
    v = (await Promise.all(out.map((x) => x.data()))) as (Float32Array | Int32Array)[];
  } finally {
    tf.dispose(out);
  }
  const side = (e: Encoding, pos: number[], values: ArrayLike<number>, indices: ArrayLike<number>, name: (id: number) => string): ProbeSide => ({
    masked: pos.map((p) => ({ token: e.tokens[p], offsets: [e.offsets[p][0] + c.start, e.offsets[p][1] + c.start] as [number, number] })),
    range: maskedRange(e, pos)!.map((x) => x + c.start) as [number, number],
    candidates: Array.from(indices, (id, j) => ({ token: name(id), probability: values[j] })),
  });
  return {
    span: [start, end],
    teacher: side(te, tPos, v[0], v[1], (id) => tt.vocab[id] ?? `[${id}]`),
    student: side(se, sPos, v[2], v[3], sName),
  };
}

/** A held-out text of the corpus for the panel's default: the first of 60–300 characters, else the shortest held-out one. */
export function heldOutSample(texts: readonly string[]): string {
  const held = splitHeldOut(texts).heldout.filter((t) => t.trim());
  const pick = held.find((t) => t.length >= 60 && t.length <= 300) ?? [...held].sort((x, y) => x.length - y.length)[0];
  return pick ?? texts.find((t) => t.trim()) ?? '';
}
