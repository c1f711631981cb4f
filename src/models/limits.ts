/**
 * Will a model fit the active backend? Checked after the folder is parsed and before any variable is created, so an
 * oversized import fails with a named error (the limit and the model's size) instead of an out-of-memory crash.
 * - WebGPU: every tensor is one storage buffer: the largest must fit the adapter's maxStorageBufferBindingSize.
 * - WASM: one 32-bit heap of at most 4 GiB; importing holds about twice the weights (file + tensors), so 2 GiB of weights.
 * - WebGL: a tensor lives in a texture of at most maxTextureSize² texels (4 floats each when packed).
 * - CPU: JavaScript typed arrays; we keep the same 2 GiB budget as WASM.
 */
import type { MlmConfig } from './config.ts';
import { paramShapes } from './mlm.ts';

export class ModelTooLargeError extends Error {
  override name = 'ModelTooLargeError';
}

export interface BackendLimits {
  backend: string;
  /** WebGPU: bytes per storage buffer. */
  maxBufferBytes?: number;
  /** WebGL: texture side in texels. */
  maxTextureSize?: number;
}

export const WASM_WEIGHT_BUDGET = 2 * 2 ** 30;

const MiB = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** Throws ModelTooLargeError when `config` cannot be held by the backend described by `limits`. */
export function checkBackendLimits(config: MlmConfig, limits: BackendLimits): void {
  const shapes = paramShapes(config);
  const sizes = shapes.map(([key, shape]) => [key, shape.reduce((a, b) => a * b, 1) * 4] as const);
  const total = sizes.reduce((s, [, b]) => s + b, 0);
  const [bigKey, bigBytes] = sizes.reduce((m, x) => (x[1] > m[1] ? x : m));
  if (limits.backend === 'webgpu' && limits.maxBufferBytes !== undefined && bigBytes > limits.maxBufferBytes) {
    throw new ModelTooLargeError(`${bigKey} needs ${MiB(bigBytes)} in one buffer; this WebGPU adapter allows ${MiB(limits.maxBufferBytes)} (maxStorageBufferBindingSize): use a smaller vocabulary or hidden size, or ?backend=wasm`);
  }
  if (limits.backend === 'webgl' && limits.maxTextureSize !== undefined) {
    const texels = limits.maxTextureSize ** 2 * 4;
    if (bigBytes / 4 > texels) throw new ModelTooLargeError(`${bigKey} has ${(bigBytes / 4).toLocaleString('en')} values; WebGL textures here hold at most ${texels.toLocaleString('en')} (max texture size ${limits.maxTextureSize})`);
  }
  if ((limits.backend === 'wasm' || limits.backend === 'cpu') && total > WASM_WEIGHT_BUDGET) {
    throw new ModelTooLargeError(`the model's weights take ${MiB(total)}; the ${limits.backend} backend can hold at most ${MiB(WASM_WEIGHT_BUDGET)} (a 4 GiB WebAssembly heap, about twice the weights while importing)`);
  }
}
