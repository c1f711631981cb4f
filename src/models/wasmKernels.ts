/**
 * Two copies the WASM backend makes slower than they need to be, replaced on WASM only (every other backend keeps
 * TF.js's own kernels). Measured with `vocabkd bench train` and a kernel micro-benchmark (README "Performance"):
 * - `t2`, the 2-D transpose of the backward products (layers.ts): one blocked JavaScript copy on the heap when the
 *   row count is a multiple of 256. tfjs-backend-wasm's Transpose writes each input row down an output column, and
 *   with a power-of-two row count those writes collide in the cache: [1024, 128] ~1.7 ms, [4096, 256] ~9.5 ms,
 *   [4096, 1024] ~54 ms, against ~0.4, ~2.8 and ~19 ms for the blocked copy (best of 20, 1 thread). With other row
 *   counts (the vocabulary tables: [4000, 128] 0.36 ms, [8000, 256] 3.2 ms) WASM's kernel is the faster one and is
 *   kept, as are its 3-D and 4-D permutations with a contiguous inner block (the attention heads'). Values are moved,
 *   not computed: bit-identical to tf.transpose.
 * - Identity without a copy: TF.js saves every tensor a gradient needs through the Identity kernel (engine.clone),
 *   and the WASM Identity copies the buffer (~210 copies per tiny training step). `installWasmKernels` re-registers it
 *   to share the buffer under a reference count, as the CPU backend's Identity and the WASM Reshape already do (no
 *   TF.js kernel writes into its inputs, and Variable.assign swaps buffers, so sharing is safe).
 * Tried and dropped (slower than what it replaced, same measurements): matMul's transposeB flag (~10× slower than an
 * explicit transpose + plain product on WASM: only a product with neither flag reaches XNNPACK), a JavaScript copy
 * kernel for the 3-D / 4-D permutations (3–6× slower than WASM's), and a fused JavaScript AdamW kernel (~3.5× slower
 * than the twelve SIMD elementwise kernels it replaced).
 */
import * as tf from '@tensorflow/tfjs';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: tf.DataId): void;
}

const TRANSPOSE_2D = 'VocabkdTranspose2D';
const BLOCK = 32;

/** x [R, C] → [C, R] in BLOCK × BLOCK tiles, so that both the reads and the writes stay within a few cache lines. */
const transposeKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  const [R, C] = x.shape;
  const heap = backend as unknown as WasmHeapBackend;
  const out = heap.makeOutput([C, R], x.dtype);
  // makeOutput may grow the heap, which detaches earlier views: take both views after it.
  const src = heap.typedArrayFromHeap(x);
  const dst = heap.typedArrayFromHeap(out);
  for (let r0 = 0; r0 < R; r0 += BLOCK) {
    const r1 = Math.min(R, r0 + BLOCK);
    for (let c0 = 0; c0 < C; c0 += BLOCK) {
      const c1 = Math.min(C, c0 + BLOCK);
      for (let c = c0; c < c1; c++) {
        let w = c * R + r0;
        for (let r = r0; r < r1; r++) dst[w++] = src[r * C + c];
      }
    }
  }
  return out;
};
if (!tf.getKernel(TRANSPOSE_2D, 'wasm')) tf.registerKernel({ kernelName: TRANSPOSE_2D, backendName: 'wasm', kernelFunc: transposeKernel });

/** The buffer-sharing Identity: the output is the input's buffer with one more reference. */
const identityKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  (backend as unknown as WasmHeapBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/**
 * Replaces the WASM backend's copying Identity with the buffer-sharing one (idempotent; a no-op on other backends).
 * Called lazily by the model's forward (mlm.ts `encode`), so it runs after tfjs-backend-wasm registered its own.
 */
export function installWasmKernels(): void {
  if (tf.getBackend() !== 'wasm' || wasmIdentityShares()) return;
  if (tf.getKernel('Identity', 'wasm')) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: identityKernel });
}

/** True when the buffer-sharing Identity is the registered WASM one. */
export function wasmIdentityShares(): boolean {
  return tf.getKernel('Identity', 'wasm')?.kernelFunc === identityKernel;
}

/** Row counts at which the blocked copy beats WASM's Transpose (see the header). */
export const blockedTransposeWins = (rows: number): boolean => rows % 256 === 0;

/**
 * xᵀ for x [R, C] without a gradient of its own (used inside gradient functions): the blocked copy on WASM when
 * `blockedTransposeWins(R)`, tf.transpose otherwise.
 */
export function t2(x: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm' || !blockedTransposeWins(x.shape[0]) || x.dtype === 'string' || x.dtype === 'complex64') return tf.transpose(x);
  return tf.engine().runKernel(TRANSPOSE_2D, { x }) as tf.Tensor2D;
}
