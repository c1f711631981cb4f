/**
 * Distillation losses and the row/column alignments they need (methods.md §A.5, §B.3–B.4; checklist 6–10, 12, 13, 15,
 * 19–21, 26, 29–33), in float32 TF.js ops that differentiate on every backend:
 * - `klLoss`: T²/N · Σ_rows Σ_cols p_t (log p_t − log p_s), log-softmax on both sides (items 13, 19, 20, 29, 30).
 * - `gatherColumns`: logits[:, cols] — Reduce ∩ / Match restrict both sides to C, GLMD gathers the teacher at the rank
 *   list (items 8, 12, 26, 32). Custom gradient (a ScatterNd), because WASM has no gather gradient.
 * - `reduceGroups`: Reduce rows r_i = Σ_{j∈G_i} Z_j, or the mean over the |G_i| pieces (item 6; the paper's code
 *   divides by the batch-maximum group size instead, we divide by |G_i|).
 * - `reduceMapTable` / `reduceMapScores`: Reduce-map columns ẑ_v = Σ_{u∈σ(v)} r_u or log Σ exp r_u over the mapped
 *   teacher entries (items 9, 10, 31), computed in row chunks.
 * - `softCrossEntropy` (item 21) and `hiddenMse` (item 15).
 * reduceGroups and reduceMapScores have their backward written out (a scatter of dy, exactly the autodiff gradient of
 * the gathers and sums, checked against finite differences in the tests): the forward then frees its per-slot and
 * per-chunk intermediates instead of keeping them for the tape, which bounds memory at N·M instead of N·M·P.
 * Does not: choose rows or build batches (batches.ts), weight or sum the loss terms (run.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { SigmaMap } from '../alignment/index.ts';
import { linear } from '../models/layers.ts';

/** Inconsistent shapes or index tables handed to a loss. */
export class LossInputError extends Error {
  override name = 'LossInputError';
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new LossInputError(message);
}

/**
 * KL(teacher ‖ student) at temperature T, times T², summed over columns and divided by `denominator` (default: the
 * number of rows). teacher/student [N, C] float32 with the same columns in the same order. Logits must be finite (mask
 * a column with −1e9, not −∞). GLMD's padding rule (item 20): give identical (e.g. zero) rows for pads and
 * denominator = all positions.
 */
export function klLoss(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D, T: number, denominator?: number): tf.Scalar {
  const [N, C] = teacherLogits.shape;
  check(studentLogits.shape[0] === N && studentLogits.shape[1] === C, `klLoss: teacher logits [${teacherLogits.shape}] and student logits [${studentLogits.shape}] must have the same shape`);
  check(teacherLogits.dtype === 'float32' && studentLogits.dtype === 'float32', 'klLoss: logits must be float32');
  check(T > 0 && Number.isFinite(T), `klLoss: temperature must be a positive number, got ${T}`);
  const den = denominator ?? N;
  check(den > 0 && Number.isFinite(den), `klLoss: denominator must be positive, got ${den} (no rows to average over?)`);
  return tf.tidy(() => {
    const lpT = tf.logSoftmax(tf.div(teacherLogits, T));
    const lpS = tf.logSoftmax(tf.div(studentLogits, T));
    const kl = tf.sum(tf.mul(tf.exp(lpT), tf.sub(lpT, lpS)));
    return tf.mul(kl, (T * T) / den) as tf.Scalar;
  });
}

/** logits[:, cols]: [N, V], cols [C] int32 → [N, C]. Gradient: dy's columns scattered back (duplicates summed). */
export function gatherColumns(logits: tf.Tensor2D, cols: tf.Tensor1D): tf.Tensor2D {
  check(cols.dtype === 'int32', 'gatherColumns: cols must be an int32 tensor');
  const [N, V] = logits.shape;
  const f = tf.customGrad((x, c, save) => {
    (save as tf.GradSaveFunc)([c as tf.Tensor1D]);
    return {
      value: tf.gather(x as tf.Tensor2D, c as tf.Tensor1D, 1),
      gradFunc: (dy, saved) => {
        const [ids] = saved as [tf.Tensor1D];
        const dT = tf.scatterND(ids.reshape([-1, 1]), (dy as tf.Tensor2D).transpose(), [V, N]); // [C, N] → [V, N]
        return [dT.transpose(), tf.zerosLike(ids)];
      },
    };
  });
  return f(logits, cols) as tf.Tensor2D;
}

/**
 * Reduce rows (item 6): z [nT2s, V] (the student's logits on the t2s input) → [Nrows, V] with row i = Σ_{j∈G_i} z_j
 * ('sum') or that sum / |G_i| ('mean'). G_i = groupPos[groupStart[i] … groupStart[i+1]−1], flat t2s positions;
 * groupStart has Nrows + 1 entries, every group is non-empty.
 */
export function reduceGroups(z: tf.Tensor2D, groupStart: Int32Array, groupPos: Int32Array, nT2s: number, mode: 'sum' | 'mean'): tf.Tensor2D {
  const [rowsZ, V] = z.shape;
  const nRows = groupStart.length - 1;
  check(mode === 'sum' || mode === 'mean', `reduceGroups: mode must be 'sum' or 'mean', got '${String(mode)}'`);
  check(rowsZ === nT2s, `reduceGroups: z has ${rowsZ} rows but nT2s is ${nT2s}`);
  check(nRows >= 1 && groupStart[0] === 0 && groupStart[nRows] === groupPos.length, `reduceGroups: groupStart must run from 0 to groupPos.length (${groupPos.length}) with at least one group`);
  let maxM = 0;
  for (let i = 0; i < nRows; i++) {
    const m = groupStart[i + 1] - groupStart[i];
    check(m >= 1, `reduceGroups: group ${i} is empty (groupStart must be strictly increasing)`);
    maxM = Math.max(maxM, m);
  }
  for (const p of groupPos) check(p >= 0 && p < nT2s, `reduceGroups: group position ${p} is outside the t2s rows [0, ${nT2s})`);
  // Slot k holds the k-th member of every group that has one: rows slotRows[k], t2s positions slotPos[k].
  const slotRows: number[][] = Array.from({ length: maxM }, () => []);
  const slotPos: number[][] = Array.from({ length: maxM }, () => []);
  const rowOfEntry = new Int32Array(groupPos.length);
  const scale = new Float32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const m = groupStart[i + 1] - groupStart[i];
    scale[i] = mode === 'mean' ? 1 / m : 1;
    for (let k = 0; k < m; k++) {
      slotRows[k].push(i);
      slotPos[k].push(groupPos[groupStart[i] + k]);
      rowOfEntry[groupStart[i] + k] = i;
    }
  }
  const f = tf.customGrad((zs) => {
    let r = tf.gather(zs as tf.Tensor2D, tf.tensor1d(slotPos[0], 'int32')) as tf.Tensor2D; // every group has a slot 0
    for (let k = 1; k < maxM; k++) {
      const part = tf.gather(zs as tf.Tensor2D, tf.tensor1d(slotPos[k], 'int32')); // [n_k, V]
      r = tf.add(r, tf.scatterND(tf.tensor2d(slotRows[k], [slotRows[k].length, 1], 'int32'), part, [nRows, V]));
    }
    if (mode === 'mean') r = tf.mul(r, tf.tensor2d(scale, [nRows, 1]));
    return {
      value: r,
      gradFunc: (dy) => {
        // dz_j = scale_i · dy_i for j ∈ G_i; a position in two groups gets both (ScatterNd sums duplicates).
        let d = dy as tf.Tensor2D;
        if (mode === 'mean') d = tf.mul(d, tf.tensor2d(scale, [nRows, 1]));
        const perEntry = tf.gather(d, tf.tensor1d(rowOfEntry, 'int32')); // [groupPos.length, V]
        return tf.scatterND(tf.tensor2d(groupPos, [groupPos.length, 1], 'int32'), perEntry, [nT2s, V]);
      },
    };
  });
  return f(z) as tf.Tensor2D;
}

/**
 * σ pieces of every mapped teacher entry, padded to P slots (item 9). Entry m (teacher id teacherIds[m], ascending) has
 * pieces pieceIdx[m·P … m·P+P−1]; padding slots have valid 0 (and pieceIdx 0). Unmapped entries are left out, so every
 * row has at least one valid slot (item 10).
 */
export interface ReduceMapTable {
  pieceIdx: Int32Array;
  valid: Uint8Array;
  M: number;
  P: number;
  teacherIds: Int32Array;
}

export function reduceMapTable(sigma: SigmaMap): ReduceMapTable {
  const ids: number[] = [];
  let P = 0;
  sigma.pieces.forEach((p, v) => {
    if (!p) return;
    check(p.length > 0, `reduceMapTable: teacher entry ${v} maps to an empty split (σ must give at least one piece or be null)`);
    ids.push(v);
    P = Math.max(P, p.length);
  });
  check(ids.length > 0, 'reduceMapTable: σ maps no teacher entry');
  const M = ids.length;
  const pieceIdx = new Int32Array(M * P);
  const valid = new Uint8Array(M * P);
  ids.forEach((v, m) => {
    const p = sigma.pieces[v] as Int32Array;
    pieceIdx.set(p, m * P);
    valid.fill(1, m * P, m * P + p.length);
  });
  return { pieceIdx, valid, M, P, teacherIds: Int32Array.from(ids) };
}

/** Rows per chunk so that one [rows, M, P] gather holds at most this many elements (item 31). */
export const REDUCE_MAP_CHUNK_ELEMENTS = 16 * 1024 * 1024;

/**
 * Reduce-map scores (items 9–10): r [N, Vs] → [N, M], column m = Σ_{u∈σ(v_m)} r_u ('sum', padding adds 0) or
 * log Σ_{u∈σ(v_m)} exp r_u ('logsumexp', padding −∞). Rows are processed in chunks of at most `chunkElements`
 * gathered elements. Gradient: dr_u = Σ over slots holding u of dy_m · w, with w = 1 ('sum') or exp(r_u − score_m).
 */
export function reduceMapScores(r: tf.Tensor2D, table: ReduceMapTable, mode: 'sum' | 'logsumexp', chunkElements = REDUCE_MAP_CHUNK_ELEMENTS): tf.Tensor2D {
  const [N, Vs] = r.shape;
  const { M, P } = table;
  check(mode === 'sum' || mode === 'logsumexp', `reduceMapScores: mode must be 'sum' or 'logsumexp', got '${String(mode)}'`);
  check(table.pieceIdx.length === M * P && table.valid.length === M * P, `reduceMapScores: table arrays must hold M·P = ${M * P} slots`);
  // Padding slots point at an extra column Vs filled with 0 ('sum') or −∞ ('logsumexp').
  const idx = new Int32Array(M * P);
  for (let s = 0; s < M * P; s++) {
    const u = table.pieceIdx[s];
    if (table.valid[s]) check(u >= 0 && u < Vs, `reduceMapScores: piece id ${u} is outside the student vocabulary [0, ${Vs})`);
    idx[s] = table.valid[s] ? u : Vs;
  }
  const fill = mode === 'sum' ? 0 : -Infinity;
  const rowsPerChunk = Math.max(1, Math.floor(chunkElements / (M * P)));
  const chunks: [number, number][] = [];
  for (let s = 0; s < N; s += rowsPerChunk) chunks.push([s, Math.min(rowsPerChunk, N - s)]);
  // [n, Vs] → [n, Vs+1] → gathered [n, M·P] → [n, M, P]
  const gathered = (rs: tf.Tensor2D, s: number, n: number, cols: tf.Tensor1D) =>
    tf.gather(tf.concat([tf.slice(rs, [s, 0], [n, Vs]), tf.fill([n, 1], fill)], 1), cols, 1).reshape([n, M, P]) as tf.Tensor3D;
  const f = tf.customGrad((rs, save) => {
    const cols = tf.tensor1d(idx, 'int32');
    const parts = chunks.map(([s, n]) => tf.tidy(() => {
      const x = gathered(rs as tf.Tensor2D, s, n, cols);
      return (mode === 'sum' ? tf.sum(x, 2) : tf.logSumExp(x, 2)) as tf.Tensor2D; // [n, M]
    }));
    const value = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    (save as tf.GradSaveFunc)([rs as tf.Tensor2D, value]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [rSaved, score] = saved as [tf.Tensor2D, tf.Tensor2D];
        const cols = tf.tensor1d(idx, 'int32');
        const cols2d = cols.reshape([M * P, 1]);
        const grads = chunks.map(([s, n]) => tf.tidy(() => {
          const dyc = tf.slice(dy as tf.Tensor2D, [s, 0], [n, M]).reshape([n, M, 1]);
          const w = mode === 'sum' ? dyc : tf.mul(dyc, tf.exp(tf.sub(gathered(rSaved, s, n, cols), tf.slice(score, [s, 0], [n, M]).reshape([n, M, 1]))));
          const g = tf.broadcastTo(w, [n, M, P]).reshape([n, M * P]).transpose(); // [n, M, P] → [M·P, n]
          return tf.slice(tf.scatterND(cols2d, g, [Vs + 1, n]), [0, 0], [Vs, n]).transpose() as tf.Tensor2D; // [Vs, n] → [n, Vs]
        }));
        return grads.length === 1 ? grads[0] : tf.concat(grads, 0);
      },
    };
  });
  return f(r) as tf.Tensor2D;
}

/** Item 21: −(1/B) Σ_b Σ_c softmax(t_b)_c · log softmax(s_b)_c at T = 1, no T². [B, C] each. */
export function softCrossEntropy(teacherScores: tf.Tensor2D, studentScores: tf.Tensor2D): tf.Scalar {
  check(teacherScores.shape[0] === studentScores.shape[0] && teacherScores.shape[1] === studentScores.shape[1], `softCrossEntropy: teacher scores [${teacherScores.shape}] and student scores [${studentScores.shape}] must have the same shape`);
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.softmax(teacherScores), tf.logSoftmax(studentScores)), 1))) as tf.Scalar);
}

/** Item 15: (1/N) Σ_i ‖W h_s,i + b − h_t,i‖², summed over the Ht dimensions. studentRows [N, Hs], teacherRows [N, Ht], w [Hs, Ht], b [Ht]. */
export function hiddenMse(studentRows: tf.Tensor2D, teacherRows: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Scalar {
  const [N, Hs] = studentRows.shape;
  const Ht = teacherRows.shape[1];
  check(teacherRows.shape[0] === N, `hiddenMse: ${N} student rows but ${teacherRows.shape[0]} teacher rows`);
  check(w.shape[0] === Hs && w.shape[1] === Ht && b.shape[0] === Ht, `hiddenMse: projection must be [${Hs}, ${Ht}] with bias [${Ht}], got [${w.shape}] and [${b.shape}]`);
  return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(linear(studentRows, w, b), teacherRows)), 1)) as tf.Scalar);
}
