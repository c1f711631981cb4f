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

/** Device errors seen since the last call (WebGPU's uncaptured errors: invalid pipelines, out-of-memory, validation). */
const deviceErrors: string[] = [];
export function takeDeviceErrors(): string[] {
  return deviceErrors.splice(0);
}

export class DeviceError extends Error {
  override name = 'DeviceError';
}

/**
 * The WebGPU device was lost (a driver reset, a sleeping laptop, GPUDevice.destroy()): nothing more can run on this
 * backend. The page re-initialises on the next backend that passes the parity self-test and resumes the run from its
 * last checkpoint.
 */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

/** Why the device was lost (device.lost's message), once it was. */
let lostReason: string | null = null;
let liveDevice: { destroy?(): void } | null = null;

/** The test hook: destroys the WebGPU device (device.lost then resolves, as on a real loss). False when there is none. */
export function loseDevice(): boolean {
  if (!liveDevice?.destroy) return false;
  liveDevice.destroy();
  return true;
}

/**
 * After a failure on WebGPU: a DeviceLostError when the device is lost (an operation cut short by the loss fails
 * with its own error first — mapAsync's AbortError — and device.lost settles a moment later), else null.
 */
export async function lostDeviceError(): Promise<DeviceLostError | null> {
  if (!liveDevice) return null;
  await new Promise((r) => setTimeout(r, 50));
  return lostReason === null ? null : new DeviceLostError(`the GPU device was lost (${lostReason}): the run continues from its last checkpoint on the next backend that passes the self-test`);
}

/**
 * Throws a DeviceLostError once the device is lost, and a DeviceError when it reported errors since the last check:
 * the numbers since then are garbage.
 */
export function assertNoDeviceErrors(): void {
  if (lostReason !== null) throw new DeviceLostError(`the GPU device was lost (${lostReason}): the run continues from its last checkpoint on the next backend that passes the self-test`);
  const errs = takeDeviceErrors();
  if (errs.length) throw new DeviceError(`the GPU device reported ${errs.length} error(s), so results since the last check are wrong: ${errs[0]}. Choose another backend (e.g. ?backend=wasm)`);
}

interface GpuDeviceLike {
  addEventListener(type: 'uncapturederror', f: (e: { error?: { message?: string } }) => void): void;
  lost?: Promise<{ reason?: string; message?: string }>;
  destroy?(): void;
}

/** A software rasterizer / adapter: correct, but usually far slower than WASM. */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

export interface BrowserBackendInfo {
  /** One line for the badge. */
  adapter: string;
  /** The GPU backend runs on a software adapter (WebGPU fallback adapter, SwiftShader / llvmpipe WebGL). */
  software: boolean;
}

/** Initialises `name` (with a 20 s deadline) and describes its adapter. */
export async function initBrowserBackend(name: BackendName): Promise<BrowserBackendInfo> {
  let adapterText = '';
  let software = false;
  if (name === 'webgpu') {
    const a = await webgpuAdapter();
    const i = a.info ?? {};
    adapterText = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
    software = !!(i.isFallbackAdapter ?? a.isFallbackAdapter) || SOFTWARE_RENDERER.test(adapterText);
    if (software) adapterText += ' (software fallback)';
  }
  await setBackendWithTimeout(name, 20_000);
  if (name === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: GpuDeviceLike }).device;
    device?.addEventListener('uncapturederror', (e) => deviceErrors.push(e.error?.message?.split('\n')[0] ?? 'unknown WebGPU error'));
    liveDevice = device ?? null;
    void device?.lost?.then((info) => { lostReason = [info.reason, info.message].filter(Boolean).join(': ') || 'unknown reason'; });
  } else if (name === 'webgl') {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl ? String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : '';
    software = SOFTWARE_RENDERER.test(renderer);
    adapterText = `WebGL ${tf.env().getNumber('WEBGL_VERSION')}` + (renderer ? ` · ${renderer}` : '') + (software ? ' (software)' : '');
  } else if (name === 'wasm') {
    adapterText = `WebAssembly${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' SIMD' : ''}, 1 thread`;
  } else if (name === 'cpu') {
    adapterText = 'plain JavaScript';
  }
  return { adapter: adapterText, software };
}
