/**
 * Browser host (used inside the workers): registers WebGPU and WASM next to TF.js's built-in WebGL and CPU, serves the
 * WASM binaries from this origin (Vite `?url` imports, no CDN), forces the single-threaded SIMD build (the threaded
 * one hangs in minified builds and gains nothing on 2 cores), and describes the active adapter for the badge.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BackendError, setBackendWithTimeout, type BackendName } from './backends.ts';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

async function webgpuAdapter(): Promise<GpuAdapterLike> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) throw new BackendError('WebGPU is not available in this browser (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new BackendError('no WebGPU adapter (navigator.gpu.requestAdapter() returned null)');
  return adapter;
}

/** Initialises `name` (with a 20 s deadline) and returns a one-line description of the adapter. */
export async function initBrowserBackend(name: BackendName): Promise<string> {
  let adapterText = '';
  if (name === 'webgpu') {
    const a = await webgpuAdapter();
    const i = a.info ?? {};
    adapterText = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
    if (i.isFallbackAdapter ?? a.isFallbackAdapter) adapterText += ' (software fallback)';
  }
  await setBackendWithTimeout(name, 20_000);
  if (name === 'webgl') {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    adapterText = `WebGL ${tf.env().getNumber('WEBGL_VERSION')}` + (gl ? ` · ${gl.getParameter(gl.RENDERER)}` : '');
  } else if (name === 'wasm') {
    adapterText = `WebAssembly${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' SIMD' : ''}, 1 thread`;
  } else if (name === 'cpu') {
    adapterText = 'plain JavaScript';
  }
  return adapterText;
}
