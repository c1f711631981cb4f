/**
 * The per-method distillation loss of one prepared run (run.ts prepares, loops and logs; the benchmark times it):
 * teacher rows in tf.tidy without gradients, then the weighted student loss for tf.variableGrads:
 *   total = w.kl·KL + w.mlm·MLM (+ w.mse·MSE through a trainable [Hs, Ht] projection created here when w.mse > 0).
 * Column restrictions (C, the GLMD rank list, the mapped teacher entries) never build the full [N, V] logits: the
 * decoder gathers only those word rows and biases of the tied table, once per micro-batch for the student and once per
 * run for the frozen teacher (`frozenDecoder`: gathered and transposed at set-up). One teacher forward per micro-batch
 * feeds every term (the KL rows and, for MSE, the averaged hidden states come from the same encoder pass). Reduce sums each group's head-transformed vectors
 * before the decoder (Σ_j Z_j = (Σ_j t_j)·Wᵀ + |G|·bias, exact since the decoder is linear) with one batched 0/1
 * product per batch (`groupSums`). Both equal the gatherColumns / reduceGroups path of losses.ts (tested in
 * run.test.ts). The method-by-method rules are in run.ts's header; the head itself (`headTransform`, `decode`) is
 * models/mlm.ts's.
 */
import * as tf from '@tensorflow/tfjs';
import { decodeWith, decoderRows, encode, frozenDecoder, headTransform, mlmLogits, type MlmModel } from '../models/mlm.ts';
import { addAll, crossEntropy, gatherRows } from '../models/layers.ts';
import { createRng, normalArray } from '../data/rng.ts';
import { hiddenMse, klLoss, reduceMapScores, reduceMapTable, type ReduceMapTable } from './losses.ts';
import type { GlmdVocab, SharedVocab, SigmaMap } from '../alignment/index.ts';
import type { DistillBatch, Method, Recipe } from './types.ts';

export const isReduce = (m: Method) => m === 'reduce' || m === 'reduce-map';
const meanOf = (hs: tf.Tensor2D[]) => tf.div(addAll(hs), hs.length) as tf.Tensor2D;

/** Per micro-batch loss parts, kept past the gradient's tidy; read on logging steps. */
export type Parts = Partial<Record<'kl' | 'mlm' | 'mse', tf.Scalar>>;

/**
 * Reduce groups as a batched product: S [B, Tt, Tr] has S[b, i, j] = 1 when t2s position j of row b belongs to teacher
 * token i. `sum(x)`: x [B*Tr, D] → [Nrows, D] (row g = Σ over group g, in rowTeacherPos order); `sizes` [Nrows, 1] = |G|.
 */
export function groupSums(r: NonNullable<DistillBatch['t2s']>, B: number, Tt: number): { sum(x: tf.Tensor2D): tf.Tensor2D; sizes: tf.Tensor2D } {
  const Tr = r.seqLen;
  const S = new Float32Array(B * Tt * Tr);
  const sizes = new Float32Array(r.rowTeacherPos.length);
  r.rowTeacherPos.forEach((tp, g) => {
    const base = Math.floor(tp / Tt) * Tt * Tr + (tp % Tt) * Tr;
    for (let k = r.groupStart[g]; k < r.groupStart[g + 1]; k++) S[base + (r.groupPos[k] % Tr)] = 1;
    sizes[g] = r.groupStart[g + 1] - r.groupStart[g];
  });
  const s3 = tf.tensor3d(S, [B, Tt, Tr]);
  const at = tf.tensor1d(r.rowTeacherPos, 'int32');
  return {
    // [B*Tr, D] → [B, Tr, D]; S·x → [B, Tt, D] → [B*Tt, D] → rows at rowTeacherPos
    sum: (x) => gatherRows(tf.matMul(s3, x.reshape([B, Tr, -1])).reshape([B * Tt, -1]) as tf.Tensor2D, at),
    sizes: tf.tensor2d(sizes, [sizes.length, 1]),
  };
}

/** Teacher rows for the KL (and averaged hidden states for MSE) of one batch: constants, no gradient. */
/** Teacher KL rows in row chunks (one chunk unless rows × columns exceed KL_CHUNK_ELEMENTS), averaged hidden rows. */
export type TeacherTargets = { logits?: tf.Tensor2D[]; hidden?: tf.Tensor2D };

/** Largest [rows, columns] logits tensor of one KL chunk (16 MB of float32: well inside WebGPU's buffer limits). */
export const KL_CHUNK_ELEMENTS = 4 * 1024 * 1024;

/** The per-method losses of one prepared run (also used by the benchmark); call both inside tf.tidy. */
export interface DistillLoss {
  teacherTargets(b: DistillBatch): TeacherTargets;
  /** The weighted student loss (run it inside tf.variableGrads); its parts are tf.keep'd into `parts`. */
  studentLoss(b: DistillBatch, tgt: TeacherTargets, parts: Parts): tf.Scalar;
  /** Student variables, plus the MSE projection when w.mse > 0. */
  trainVars: tf.Variable[];
  dispose(): void;
}

/** What the loss takes of a prepared run (run.ts's PreparedDistill has these fields): the student, C, σ, GLMD ranks. */
export interface DistillLossInputs {
  student: MlmModel;
  data: { shared?: SharedVocab };
  sigma: SigmaMap | null;
  glmd: GlmdVocab | null;
}

export function createDistillLoss(p: DistillLossInputs, teacher: MlmModel, recipe: Recipe, opts: { klChunkElements?: number } = {}): DistillLoss {
  const { data, student } = p;
  const method = recipe.method;
  const w = recipe.weights;
  const wantMse = w.mse > 0;
  const T = recipe.temperature;
  // Constant index tensors and the MSE projection, built once.
  const consts: tf.Tensor[] = [];
  const keepConst = <X extends tf.Tensor>(x: X) => { consts.push(x); return x; };
  const cT = data.shared ? keepConst(tf.tensor1d(data.shared.teacherIds, 'int32')) : null;
  const cS = data.shared ? keepConst(tf.tensor1d(data.shared.studentIds, 'int32')) : null;
  const mapTable: ReduceMapTable | null = method === 'reduce-map' ? reduceMapTable(p.sigma!) : null;
  const mapCols = mapTable ? keepConst(tf.tensor1d(mapTable.teacherIds, 'int32')) : null;
  const rankCols = p.glmd ? keepConst(tf.tensor1d(p.glmd.rankToId, 'int32')) : null;
  // The teacher is frozen: its decoder over the KL columns (C, the mapped entries, the GLMD rank list) is gathered and
  // transposed once per run, not per step and chunk (on WASM XNNPACK then also keeps its packed weights). kd-full
  // decodes over the whole table: that one is used in place (a copy would double the largest tensor of a big teacher).
  const teacherCols = method === 'reduce' || method === 'match' ? cT : method === 'reduce-map' ? mapCols : method === 'glmd' ? rankCols : null;
  const teacherDecoder = method === 'mlm-only' ? null : teacherCols ? frozenDecoder(teacher, teacherCols) : decoderRows(teacher, null);
  if (teacherDecoder && teacherCols) consts.push(teacherDecoder.w, teacherDecoder.b);
  // KL rows are processed in chunks so that no [rows, columns] logits tensor (teacher or student) exceeds KL_CHUNK_ELEMENTS.
  const klWidth = Math.max(student.config.vocabSize, cT?.shape[0] ?? mapCols?.shape[0] ?? rankCols?.shape[0] ?? teacher.config.vocabSize);
  const chunks = (n: number): [number, number][] => {
    const per = Math.min(n, Math.max(1, Math.floor((opts.klChunkElements ?? KL_CHUNK_ELEMENTS) / klWidth)));
    return Array.from({ length: Math.ceil(n / per) }, (_, i) => [i * per, Math.min(per, n - i * per)]);
  };
  const Hs = student.config.hiddenSize;
  const Ht = teacher.config.hiddenSize;
  const proj = wantMse
    ? { w: tf.tidy(() => tf.variable(tf.tensor2d(normalArray(createRng(recipe.seed + 2), Hs * Ht, 0.02), [Hs, Ht]), true)), b: tf.tidy(() => tf.variable(tf.zeros([Ht]), true)) }
    : null;

  const int1 = (a: Int32Array) => tf.tensor1d(a, 'int32');
  const int2 = (a: Int32Array, B: number, L: number) => tf.tensor2d(a, [B, L], 'int32');

  /** Teacher rows for the KL (and the averaged hidden states for MSE): constants, no gradient. */
  const teacherTargets = (b: DistillBatch): TeacherTargets => {
    if (method === 'mlm-only') return {};
    const t = b.teacher!;
    const rows = isReduce(method) ? b.t2s!.rowTeacherPos : method === 'match' ? b.match!.teacherPos : b.glmd!.positions;
    if (rows.length === 0) return {};
    const hiddens: tf.Tensor2D[] | undefined = wantMse ? [] : undefined;
    const h = encode(teacher, int2(t.ids, b.batchSize, t.seqLen), int2(t.mask, b.batchSize, t.seqLen), undefined, hiddens);
    const at = int1(rows);
    const t2 = headTransform(teacher, gatherRows(h, at)); // [N, Et]
    const split = chunks(rows.length);
    const logits = split.length === 1 ? [decodeWith(teacherDecoder!, t2)] : split.map(([s, n]) => decodeWith(teacherDecoder!, tf.slice(t2, [s, 0], [n, -1])));
    return { logits, hidden: hiddens ? gatherRows(meanOf(hiddens), at) : undefined };
  };

  /** The weighted student loss of one micro-batch (runs inside tf.variableGrads); parts are tf.keep'd for logging. */
  const studentLoss = (b: DistillBatch, tgt: TeacherTargets, parts: Parts): tf.Scalar => {
    const s = b.student;
    const B = b.batchSize;
    const ownHiddens: tf.Tensor2D[] | undefined = wantMse && !isReduce(method) ? [] : undefined;
    const h = encode(student, int2(s.ids, B, s.seqLen), int2(s.mask, B, s.seqLen), undefined, ownHiddens);
    const terms: tf.Scalar[] = [];
    if (w.mlm > 0 && s.mlmPositions.length > 0) {
      const mlm = crossEntropy(mlmLogits(student, gatherRows(h, int1(s.mlmPositions))), int1(s.mlmLabels));
      parts.mlm = tf.keep(mlm);
      terms.push(tf.mul(mlm, w.mlm));
    }
    if (tgt.logits) {
      let t: tf.Tensor2D; // head-transformed KL rows [N, E]
      let scale: tf.Tensor2D | undefined; // per-row bias multiplier (Reduce sums)
      let hiddenRows: tf.Tensor2D | null = null;
      if (isReduce(method)) {
        // Σ_{j∈G_i} Z_j = (Σ_{j∈G_i} t_j)·Wᵀ + |G_i|·bias with t_j the head's transform (the decoder is linear), so the
        // groups are summed over E-wide vectors before one decoder product on the Nrows rows.
        const r = b.t2s!;
        const t2sHiddens: tf.Tensor2D[] | undefined = wantMse ? [] : undefined;
        const ht = encode(student, int2(r.ids, B, r.seqLen), int2(r.mask, B, r.seqLen), undefined, t2sHiddens);
        const g = groupSums(r, B, b.teacher!.seqLen);
        t = g.sum(headTransform(student, ht));
        if (recipe.reduceGroup === 'mean') t = tf.div(t, g.sizes);
        else scale = g.sizes;
        if (t2sHiddens) hiddenRows = g.sum(meanOf(t2sHiddens));
      } else {
        const at = int1(method === 'match' ? b.match!.studentPos : b.glmd!.positions);
        t = headTransform(student, gatherRows(h, at));
        if (ownHiddens) hiddenRows = gatherRows(meanOf(ownHiddens), at);
      }
      const N = t.shape[0];
      const denominator = method === 'glmd' && recipe.glmdDivideBy === 'all' ? B * recipe.seqLen : N;
      const dec = decoderRows(student, method === 'reduce' || method === 'match' ? cS : null); // gathered once per micro-batch
      const split = chunks(N);
      const klParts = split.map(([s0, n], c) => {
        const one = split.length === 1;
        let z = decodeWith(dec, one ? t : tf.slice(t, [s0, 0], [n, -1]), scale && (one ? scale : tf.slice(scale, [s0, 0], [n, 1]))); // [n, |C| / Vs / K / V]
        if (method === 'reduce-map') z = reduceMapScores(z, mapTable!, recipe.reduceMapScore); // [n, M]
        return klLoss(tgt.logits![c], z, T, denominator);
      });
      const kl = addAll(klParts) as tf.Scalar;
      parts.kl = tf.keep(kl);
      terms.push(tf.mul(kl, w.kl));
      if (proj && hiddenRows && tgt.hidden) {
        const mse = hiddenMse(hiddenRows, tgt.hidden, proj.w as unknown as tf.Tensor2D, proj.b as unknown as tf.Tensor1D);
        parts.mse = tf.keep(mse);
        terms.push(tf.mul(mse, w.mse));
      }
    }
    if (terms.length === 0) return tf.mul(tf.sum(h), 0) as tf.Scalar; // nothing to learn from this batch: zero gradient
    return addAll(terms) as tf.Scalar;
  };

  return {
    teacherTargets,
    studentLoss,
    trainVars: [...student.variables, ...(proj ? [proj.w, proj.b] : [])],
    dispose: () => tf.dispose([...consts, ...(proj ? [proj.w, proj.b] : [])]),
  };
}
