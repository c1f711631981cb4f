/**
 * Scaled dot-product attention, softmax(q·kᵀ/√hs + mask)·v, for q, k, v [N, T, hs] (N = batch · heads).
 * On WASM, BatchMatMul with a batch dimension > 1 skips XNNPACK (~2 GFLOP/s: [128,128,64]·[128,64,128] takes ~130 ms),
 * so `fusedAttention` runs every product as N plain 2-D XNNPACK products (all 128 take ~15 ms) inside one
 * tf.customGrad with a hand-written backward. Its slices come from `unstackRows`, a copy-out kernel (~1.5 ms for 128
 * slices of [128,128,64]; tf.gather ~34 ms, tf.unstack/slice ~134 ms). Other backends keep the batched path.
 */
import * as tf from '@tensorflow/tfjs';

/** The batched formulation (every backend; the reference the fused op is tested against). maskBias [B, 1, 1, T]. */
export function batchedAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, maskBias: tf.Tensor4D): tf.Tensor3D {
  const [N, T, hs] = q.shape;
  const B = maskBias.shape[0];
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)).reshape([B, N / B, T, T]), maskBias);
  return tf.matMul(tf.softmax(scores).reshape([N, T, T]) as tf.Tensor3D, v);
}

export type AttentionPath = 'auto' | 'batched' | 'fused';
let path: AttentionPath = 'auto';

/** Forces one implementation ('auto' = fused on WASM, batched elsewhere); for tests and benchmarks. */
export function setAttentionPath(p: AttentionPath): void {
  path = p;
}

/**
 * Dispatch used by the model: the fused per-slice op on WASM, the batched one elsewhere (GPU backends pay per kernel
 * launch, and CPU has no XNNPACK). The mask is a constant: no gradient flows to it.
 */
export function scaledDotProductAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, maskBias: tf.Tensor4D): tf.Tensor3D {
  const fused = path === 'fused' || (path === 'auto' && tf.getBackend() === 'wasm');
  return fused ? fusedAttention(q, k, v, maskBias) : batchedAttention(q, k, v, maskBias);
}

const UNSTACK_ROWS = 'VocabkdUnstackRows';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * x [n, ...rest] → n tensors [...rest], each copied straight out of the WASM heap. (The WASM Slice kernel, which
 * tf.unstack/split/slice use, first copies the whole input buffer out of the heap for every slice; GatherV2's C++ loop
 * moves ~150 MB/s.) Used only inside fusedAttention's forward and backward, so it needs no gradient.
 */
const unstackRowsKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  const heap = backend as unknown as WasmHeapBackend;
  if (x.dtype !== 'float32') throw new TypeError(`${UNSTACK_ROWS}: float32 only, got ${x.dtype}`);
  const [n, ...rest] = x.shape;
  const size = rest.reduce((a, b) => a * b, 1);
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < n; i++) {
    const out = heap.makeOutput(rest, x.dtype);
    // makeOutput may grow the heap, which detaches earlier views: take both views after it.
    heap.typedArrayFromHeap(out).set(heap.typedArrayFromHeap(x).subarray(i * size, (i + 1) * size));
    outs.push(out);
  }
  return outs;
};
if (!tf.getKernel(UNSTACK_ROWS, 'wasm')) tf.registerKernel({ kernelName: UNSTACK_ROWS, backendName: 'wasm', kernelFunc: unstackRowsKernel });

/** x [n, r, c] → n tensors [r, c]: the copy-out kernel on WASM, tf.unstack elsewhere. */
export function unstackRows(x: tf.Tensor3D): tf.Tensor2D[] {
  if (tf.getBackend() !== 'wasm') return tf.unstack(x) as tf.Tensor2D[];
  return tf.engine().runKernel(UNSTACK_ROWS, { x }, {}) as unknown as tf.Tensor2D[];
}

/** stack_i(a_i · b_i): a [N, M, K], b [N, K, P] → [N, M, P] as N plain 2-D products (XNNPACK on WASM). */
function sliceProducts(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const as = unstackRows(a);
    const bs = unstackRows(b);
    return tf.stack(as.map((x, i) => tf.matMul(x, bs[i]))) as tf.Tensor3D;
  });
}

const tr = (x: tf.Tensor3D) => tf.transpose(x, [0, 2, 1]) as tf.Tensor3D;

/**
 * The same function as `batchedAttention` as one tf.customGrad (WASM backend). With s = 1/√hs and q' = q·s:
 * S = q'·kᵀ + mask; P = softmax(S); O = P·v. Backward: dV = Pᵀ·dO; dP = dO·vᵀ; dS = P ⊙ (dP − rowsum(dP ⊙ P));
 * dQ = dS·k·s; dK = dSᵀ·q'. Saves q', k, v, P (one [N, T, T] tensor: P is not recomputed).
 */
export function fusedAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, maskBias: tf.Tensor4D): tf.Tensor3D {
  const [N, T, hs] = q.shape;
  const B = maskBias.shape[0];
  const scale = 1 / Math.sqrt(hs);
  const f = tf.customGrad((qIn, kIn, vIn, save) => {
    const qs = tf.mul(qIn as tf.Tensor3D, scale) as tf.Tensor3D;
    const scores = sliceProducts(qs, tr(kIn as tf.Tensor3D)).reshape([B, N / B, T, T]);
    const p = tf.softmax(tf.add(scores, maskBias)).reshape([N, T, T]) as tf.Tensor3D;
    (save as tf.GradSaveFunc)([qs, kIn as tf.Tensor3D, vIn as tf.Tensor3D, p]);
    return {
      value: sliceProducts(p, vIn as tf.Tensor3D),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [sq, sk, sv, sp] = saved as tf.Tensor3D[];
          const dO = dy as tf.Tensor3D;
          const dV = sliceProducts(tr(sp), dO);
          const dP = sliceProducts(dO, tr(sv));
          const dS = tf.mul(sp, tf.sub(dP, tf.sum(tf.mul(dP, sp), -1, true))) as tf.Tensor3D;
          const dQ = tf.mul(sliceProducts(dS, sk), scale);
          const dK = sliceProducts(tr(dS), sq);
          return [dQ, dK, dV];
        }),
    };
  });
  return f(q, k, v) as tf.Tensor3D;
}
