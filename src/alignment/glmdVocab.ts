/**
 * GLMD vocabulary compression (methods.md §B.4; checklist 22–26), built once before training:
 * - K = ceil(floor(r·V)/128)·128 kept rows; r ≥ 1 or K ≥ V disables compression (K = V and every map is the identity).
 * - Rank order: the protected ids (specials, single-token label words) first by descending count, then every other id
 *   by descending count; ties go to the lower id. Student row p holds the teacher id at rank p; ranks < K are kept.
 * - rep(v) for a removed v = the kept k maximising the similarity of teacher embedding rows: ⟨E[v], E[k]⟩ ('dot', the
 *   paper's "decoder" similarity), cosine, or −‖E[v] − E[k]‖² ('l2'); ties go to the lower rank.
 * - lookup(v) = rank(v) if kept, else rank(rep(v)): the id → student-row map for inputs, hard labels and cloze targets.
 * The argmax is plain JS over Float32Array (float64 accumulators), blocked as 4 × 4 tiles so that a 16,000-entry
 * vocabulary with H = 256 takes seconds (≈ 7 s of one core). Gathering the teacher logits at rankToId and the
 * student's K-row head are elsewhere. No tf.
 */

export class GlmdVocabError extends Error {
  override name = 'GlmdVocabError';
}

export interface GlmdVocab {
  K: number;
  /** [K] teacher ids in rank order. */
  rankToId: Int32Array;
  /** [V] teacher id → student row. */
  lookup: Int32Array;
  /** [V] teacher id → kept id (identity on kept). */
  replacement: Int32Array;
}

const TILE = 4;
const ROW_BLOCK = 32; // removed rows per progress report (a multiple of TILE)
const COL_BLOCK = 128; // kept rows per cache block (a multiple of TILE)

/** Kept rows K = ceil(floor(r·V)/128)·128; V itself when that is not smaller (compression off). */
export function keptSize(vReal: number, ratio: number): number {
  if (!(Number.isInteger(vReal) && vReal > 0)) throw new GlmdVocabError(`the vocabulary size must be a positive integer, got ${vReal}`);
  if (!(ratio > 0 && Number.isFinite(ratio))) throw new GlmdVocabError(`the kept ratio r must be a positive number (e.g. 0.5), got ${ratio}`);
  const k = Math.ceil(Math.floor(ratio * vReal) / 128) * 128;
  return k < vReal ? k : vReal;
}

/** Copies rows `ids` of E into a [ceil(n/4)·4, H] block (zero rows pad the last tile), optionally L2-normalised. */
function packRows(E: Float32Array, ids: ArrayLike<number>, H: number, normalise: boolean): Float32Array {
  const n = Math.ceil(ids.length / TILE) * TILE;
  const out = new Float32Array(n * H);
  for (let r = 0; r < ids.length; r++) {
    const src = ids[r] * H;
    let norm = 1;
    if (normalise) {
      let s = 0;
      for (let h = 0; h < H; h++) s += E[src + h] * E[src + h];
      norm = Math.sqrt(s) || 1;
    }
    for (let h = 0; h < H; h++) out[r * H + h] = E[src + h] / norm;
  }
  return out;
}

/**
 * For every row i of A ([nA, H]) the index j < nB of B ([·, H]) maximising scale·⟨A_i, B_j⟩ + bias[j] (first j on ties).
 * A and B are padded to whole 4-row tiles.
 */
function argmaxRows(A: Float32Array, nA: number, B: Float32Array, nB: number, H: number, scale: number, bias: Float64Array,
  onProgress?: (done: number, total: number) => void): Int32Array {
  const best = new Int32Array(nA);
  const score = new Float64Array(TILE * TILE);
  const top = new Float64Array(ROW_BLOCK);
  for (let i0 = 0; i0 < nA; i0 += ROW_BLOCK) {
    const iEnd = Math.min(i0 + ROW_BLOCK, nA);
    top.fill(-Infinity);
    for (let j0 = 0; j0 < nB; j0 += COL_BLOCK) { // a block of B stays in cache while every tile of the row block uses it
      const jEnd = Math.min(j0 + COL_BLOCK, nB);
      for (let i = i0; i < iEnd; i += TILE) {
        const a0 = i * H, a1 = a0 + H, a2 = a1 + H, a3 = a2 + H;
        for (let j = j0; j < jEnd; j += TILE) {
          const b0 = j * H, b1 = b0 + H, b2 = b1 + H, b3 = b2 + H;
          let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
          let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
          for (let h = 0; h < H; h++) {
            const x0 = A[a0 + h], x1 = A[a1 + h], x2 = A[a2 + h], x3 = A[a3 + h];
            const y0 = B[b0 + h], y1 = B[b1 + h], y2 = B[b2 + h], y3 = B[b3 + h];
            s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
            s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
            s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
            s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
          }
          score[0] = s00; score[1] = s01; score[2] = s02; score[3] = s03; score[4] = s10; score[5] = s11; score[6] = s12; score[7] = s13;
          score[8] = s20; score[9] = s21; score[10] = s22; score[11] = s23; score[12] = s30; score[13] = s31; score[14] = s32; score[15] = s33;
          for (let c = 0; c < TILE && j + c < jEnd; c++) {
            for (let r = 0; r < TILE && i + r < iEnd; r++) {
              const v = scale * score[r * TILE + c] + bias[j + c];
              if (v > top[i - i0 + r]) { top[i - i0 + r] = v; best[i + r] = j + c; }
            }
          }
        }
      }
    }
    onProgress?.(iEnd, nA);
  }
  return best;
}

/** Ranks, kept set, replacements and the id → row lookup (items 22–26). */
export function buildGlmdVocab(opts: {
  counts: Float64Array; protectedIds: readonly number[]; ratio: number; teacherEmbeddings: Float32Array; hidden: number;
  similarity?: 'dot' | 'cosine' | 'l2'; onProgress?: (done: number, total: number) => void;
}): GlmdVocab {
  const { counts, ratio, teacherEmbeddings: E, hidden: H, similarity = 'dot', onProgress } = opts;
  const V = counts.length;
  const K = keptSize(V, ratio);
  if (!(Number.isInteger(H) && H > 0)) throw new GlmdVocabError(`hidden must be a positive integer, got ${H}`);
  if (E.length !== V * H) throw new GlmdVocabError(`teacherEmbeddings has ${E.length} values, expected V × hidden = ${V} × ${H} = ${V * H}: pass the teacher's word-embedding table`);
  if (!['dot', 'cosine', 'l2'].includes(similarity)) throw new GlmdVocabError(`similarity must be 'dot', 'cosine' or 'l2', got '${similarity}'`);
  for (let v = 0; v < V; v++) if (!(counts[v] >= 0 && counts[v] < Infinity)) throw new GlmdVocabError(`count of id ${v} is ${counts[v]}: counts must be finite and ≥ 0`);
  const isProtected = new Uint8Array(V);
  for (const p of opts.protectedIds) {
    if (!(Number.isInteger(p) && p >= 0 && p < V)) throw new GlmdVocabError(`protected id ${p} is outside the vocabulary (0 … ${V - 1})`);
    isProtected[p] = 1;
  }
  const nProtected = isProtected.reduce((a, b) => a + b, 0);
  if (nProtected > K) throw new GlmdVocabError(`${nProtected} protected tokens do not fit in K = ${K} kept rows: raise the kept ratio r (now ${ratio}) or protect fewer label words`);

  const identity = Int32Array.from({ length: V }, (_, i) => i);
  if (K === V) return { K, rankToId: identity, lookup: identity.slice(), replacement: identity.slice() };

  for (let i = 0; i < E.length; i++) if (!Number.isFinite(E[i])) throw new GlmdVocabError(`teacherEmbeddings has a non-finite value at row ${Math.floor(i / H)}`);
  const order = Array.from(identity).sort((a, b) => isProtected[b] - isProtected[a] || counts[b] - counts[a] || a - b);
  const rankToId = Int32Array.from(order.slice(0, K));
  const lookup = new Int32Array(V).fill(-1);
  rankToId.forEach((id, rank) => { lookup[id] = rank; });
  const replacement = identity.slice();
  const removed = order.slice(K);

  // rep(v) = argmax over kept k (in rank order) of scale·⟨a_v, b_k⟩ + bias_k.
  const kept = packRows(E, rankToId, H, similarity === 'cosine');
  const bias = new Float64Array(K);
  if (similarity === 'l2') {
    for (let k = 0; k < K; k++) { let s = 0; for (let h = 0; h < H; h++) s += kept[k * H + h] ** 2; bias[k] = -s; } // −‖k‖² (−‖v‖² is constant per row)
  }
  const best = argmaxRows(packRows(E, removed, H, similarity === 'cosine'), removed.length, kept, K, H, similarity === 'l2' ? 2 : 1, bias, onProgress);
  removed.forEach((v, r) => { lookup[v] = best[r]; replacement[v] = rankToId[best[r]]; });
  return { K, rankToId, lookup, replacement };
}
