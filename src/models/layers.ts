/**
 * Differentiable building blocks with gradients written out by hand where TF.js's defaults are missing or slow:
 * - `gatherRows`: TF.js differentiates `gather` with UnsortedSegmentSum, which the WASM backend lacks; we use
 *   ScatterNd (which sums duplicate indices on every backend) instead.
 * - `linear` / `matMulNT`: TF.js's matMul gradient uses `transposeA=true` products, which WASM (XNNPACK) runs up to
 *   15× slower than an explicit transpose followed by a plain product (tf.profile, one student step: 867 ms vs 56 + 55 ms);
 *   `transposeB=true` is as slow (~10×: only a product with neither flag reaches XNNPACK). The explicit transposes
 *   are wasmKernels.ts's blocked copy, and the weight gradient transposes the narrower of x and dy (xᵀ·dy, or
 *   (dyᵀ·x)ᵀ with a small [out, in] transpose at the end).
 * - `addAll`: TF.js's WebGPU AddN binds every input as a storage buffer in one shader; past the device's
 *   maxStorageBuffersPerShaderStage (8 on many adapters, SwiftShader included) the pipeline is invalid, the
 *   result is garbage and the only trace is an uncaptured GPU error. `tf.addN` is banned by the lint config.
 * All functions take and return 2-D or 3-D float32 tensors; shapes are in the comments.
 */
import * as tf from '@tensorflow/tfjs';
import { t2 } from './wasmKernels.ts';

/**
 * Σ of same-shaped tensors as a balanced tree of two-input adds (never one AddN kernel with many inputs: see the
 * header). Throws on an empty list.
 */
export function addAll<T extends tf.Tensor>(ts: readonly T[]): T {
  if (ts.length === 0) throw new RangeError('addAll needs at least one tensor');
  let level: tf.Tensor[] = [...ts];
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? tf.add(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0] as T;
}

/** rows = table[idx]: table [V, H], idx [N] int32 → [N, H]. Gradient w.r.t. table via ScatterNd (sums duplicates). */
export function gatherRows(table: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad((t, i, save) => {
    (save as tf.GradSaveFunc)([i as tf.Tensor1D]);
    return {
      value: tf.gather(t as tf.Tensor2D, i as tf.Tensor1D),
      gradFunc: (dy, saved) => {
        const [ids] = saved as [tf.Tensor1D];
        const dTable = tf.scatterND(ids.reshape([-1, 1]), dy as tf.Tensor2D, (t as tf.Tensor2D).shape);
        return [dTable, tf.zerosLike(ids)];
      },
    };
  });
  return f(table, idx) as tf.Tensor2D;
}

/** x·W (+ b): x [N, in], W [in, out], b [out] → [N, out]. Backward: dx = dy·Wᵀ, dW = xᵀ·dy with explicit transposes. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y = matMulNN(x, w);
  return b ? addRowVector(y, b) : y;
}

/** Σ over rows as a product with a row of ones: [N, C] → [C]. WASM's Sum over axis 0 transposes internally and is ~10× slower. */
function sumRows(t: tf.Tensor2D): tf.Tensor1D {
  return tf.matMul(tf.ones([1, t.shape[0]]), t).reshape([t.shape[1]]) as tf.Tensor1D;
}

/** x + b with b broadcast over rows: x [N, C], b [C]; the bias gradient is a ones-row product (see sumRows). */
export function addRowVector(x: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad((xs, bs) => ({
    value: tf.add(xs as tf.Tensor2D, bs as tf.Tensor1D),
    gradFunc: (dy) => [dy as tf.Tensor2D, sumRows(dy as tf.Tensor2D)],
  }));
  return f(x, b) as tf.Tensor2D;
}

/** x̂·γ + β over rows: x̂ [N, C], γ, β [C]; γ and β gradients as ones-row products. */
function scaleShift(xhat: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad((xs, g, bt, save) => {
    (save as tf.GradSaveFunc)([xs as tf.Tensor, g as tf.Tensor]);
    return {
      value: tf.add(tf.mul(xs as tf.Tensor2D, g as tf.Tensor1D), bt as tf.Tensor1D),
      gradFunc: (dy, saved) => {
        const [xh, gs] = saved as [tf.Tensor2D, tf.Tensor1D];
        const d = dy as tf.Tensor2D;
        return [tf.mul(d, gs), sumRows(tf.mul(d, xh)), sumRows(d)];
      },
    };
  });
  return f(xhat, gamma, beta) as tf.Tensor2D;
}

/**
 * xᵀ·dy for x [N, in], dy [N, out] → [in, out] with one explicit transpose of the narrower operand: xᵀ·dy when
 * in ≤ out, else (dyᵀ·x)ᵀ (the last transpose is only [out, in]).
 */
export function weightGrad(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  return x.shape[1] <= dy.shape[1] ? tf.matMul(t2(x), dy) : t2(tf.matMul(t2(dy), x));
}

/** a·b: a [N, K], b [K, M] → [N, M], with transpose-free backward products. */
export function matMulNN(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((x, w, save) => {
    (save as tf.GradSaveFunc)([x as tf.Tensor, w as tf.Tensor]);
    return {
      value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        return [tf.matMul(d, t2(ws)), weightGrad(xs, d)];
      },
    };
  });
  return f(a, b) as tf.Tensor2D;
}

/** a·bᵀ: a [N, K], b [M, K] → [N, M] (the tied decoder: hidden · embeddingsᵀ). */
export function matMulNT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((x, w, save) => {
    (save as tf.GradSaveFunc)([x as tf.Tensor, w as tf.Tensor]);
    return {
      value: tf.matMul(x as tf.Tensor2D, t2(w as tf.Tensor2D)),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        return [tf.matMul(d, ws), tf.matMul(t2(d), xs)];
      },
    };
  });
  return f(a, b) as tf.Tensor2D;
}

/** LayerNorm over the last axis: x [N, H], gamma/beta [H]. */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return scaleShift(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))) as tf.Tensor2D, gamma, beta);
}

/** BERT's exact GELU: 0.5·x·(1 + erf(x/√2)). */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** Mean cross-entropy of integer labels under `logits` [N, V] (log-softmax, float32). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const logp = tf.logSoftmax(logits);
  const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1]).cast('float32')), -1);
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}
