/**
 * Test-only float64 forward of the whole masked LM (embeddings with token types and optional factorisation, post-LN
 * encoder, MLM head, tied decoder), written with plain loops and independent of TF.js and of mlm.ts's code paths.
 * Weights come in our layout (dense kernels [in, out]) keyed by the HF BertForMaskedLM names of `paramShapes`.
 */
import type { MlmConfig } from '../models/config.ts';
import { erf64 } from './reference.ts';

export type Weights64 = Record<string, Float64Array>;
type Mat = Float64Array[]; // rows

const rows = (flat: Float64Array, n: number, w: number): Mat => Array.from({ length: n }, (_, i) => flat.subarray(i * w, (i + 1) * w));

/** x [N, in] · W [in, out] + b [out] → [N, out] (W row-major [in, out]). */
function dense(x: Mat, w: Float64Array, b: Float64Array): Mat {
  const out = b.length;
  return x.map((r) => {
    const y = Float64Array.from(b);
    for (let i = 0; i < r.length; i++) for (let o = 0; o < out; o++) y[o] += r[i] * w[i * out + o];
    return y;
  });
}

function layerNorm(x: Mat, g: Float64Array, b: Float64Array, eps: number): Mat {
  return x.map((r) => {
    const mean = r.reduce((s, v) => s + v, 0) / r.length;
    const variance = r.reduce((s, v) => s + (v - mean) ** 2, 0) / r.length;
    return r.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * g[i] + b[i]);
  });
}

const gelu = (x: Mat): Mat => x.map((r) => r.map((v) => 0.5 * v * (1 + erf64(v / Math.SQRT2))));
const add = (a: Mat, b: Mat): Mat => a.map((r, i) => r.map((v, j) => v + b[i][j]));

/** Self-attention of one sequence: x [T, H], key mask [T] (1 = attend) → context after the output dense, [T, H]. */
function attention(w: Weights64, l: string, c: MlmConfig, x: Mat, mask: ArrayLike<number>): Mat {
  const [H, nh] = [c.hiddenSize, c.numHeads];
  const hs = H / nh;
  const q = dense(x, w[`${l}.attention.self.query.weight`], w[`${l}.attention.self.query.bias`]);
  const k = dense(x, w[`${l}.attention.self.key.weight`], w[`${l}.attention.self.key.bias`]);
  const v = dense(x, w[`${l}.attention.self.value.weight`], w[`${l}.attention.self.value.bias`]);
  const ctx = x.map(() => new Float64Array(H));
  for (let h = 0; h < nh; h++) {
    for (let i = 0; i < x.length; i++) {
      const s = x.map((_, j) => {
        let d = 0;
        for (let e = h * hs; e < (h + 1) * hs; e++) d += q[i][e] * k[j][e];
        return d / Math.sqrt(hs) + (mask[j] ? 0 : -1e4);
      });
      const m = Math.max(...s);
      const p = s.map((e) => Math.exp(e - m));
      const z = p.reduce((a, b) => a + b, 0);
      for (let j = 0; j < x.length; j++) for (let e = h * hs; e < (h + 1) * hs; e++) ctx[i][e] += (p[j] / z) * v[j][e];
    }
  }
  return dense(ctx, w[`${l}.attention.output.dense.weight`], w[`${l}.attention.output.dense.bias`]);
}

/**
 * Logits [M, V] at the given flat positions (row b·T + t). ids, mask, types: [B*T] flat; types may be omitted (all 0).
 */
export function referenceLogits(w: Weights64, c: MlmConfig, B: number, T: number, ids: ArrayLike<number>, mask: ArrayLike<number>, positions: number[], types?: ArrayLike<number>): Mat {
  const H = c.hiddenSize;
  const E = c.embeddingSize ?? H;
  const word = rows(w['bert.embeddings.word_embeddings.weight'], c.vocabSize, E);
  const pos = rows(w['bert.embeddings.position_embeddings.weight'], c.maxPositions, H);
  const typ = c.typeVocabSize > 0 ? rows(w['bert.embeddings.token_type_embeddings.weight'], c.typeVocabSize, H) : [];
  const hidden: Mat = [];
  for (let b = 0; b < B; b++) {
    let x: Mat = Array.from({ length: T }, (_, t) => Float64Array.from(word[ids[b * T + t]]));
    if (c.embeddingSize !== undefined) x = dense(x, w['bert.embeddings.embedding_projection.weight'], w['bert.embeddings.embedding_projection.bias']);
    x = x.map((r, t) => r.map((v, e) => v + pos[t][e] + (typ.length ? typ[types ? types[b * T + t] : 0][e] : 0)));
    x = layerNorm(x, w['bert.embeddings.LayerNorm.weight'], w['bert.embeddings.LayerNorm.bias'], c.layerNormEps);
    const m = Array.from({ length: T }, (_, t) => mask[b * T + t]);
    for (let i = 0; i < c.numLayers; i++) {
      const l = `bert.encoder.layer.${i}`;
      x = layerNorm(add(x, attention(w, l, c, x, m)), w[`${l}.attention.output.LayerNorm.weight`], w[`${l}.attention.output.LayerNorm.bias`], c.layerNormEps);
      const f = dense(gelu(dense(x, w[`${l}.intermediate.dense.weight`], w[`${l}.intermediate.dense.bias`])), w[`${l}.output.dense.weight`], w[`${l}.output.dense.bias`]);
      x = layerNorm(add(x, f), w[`${l}.output.LayerNorm.weight`], w[`${l}.output.LayerNorm.bias`], c.layerNormEps);
    }
    hidden.push(...x);
  }
  let t = gelu(dense(positions.map((p) => hidden[p]), w['cls.predictions.transform.dense.weight'], w['cls.predictions.transform.dense.bias']));
  t = layerNorm(t, w['cls.predictions.transform.LayerNorm.weight'], w['cls.predictions.transform.LayerNorm.bias'], c.layerNormEps);
  if (c.embeddingSize !== undefined) t = dense(t, w['cls.predictions.embedding_projection.weight'], w['cls.predictions.embedding_projection.bias']);
  const bias = w['cls.predictions.bias'];
  return t.map((r) => Float64Array.from(word, (row, v) => row.reduce((s, e, j) => s + e * r[j], bias[v])));
}
