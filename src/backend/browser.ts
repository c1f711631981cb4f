/**
 * Browser host (used inside the workers): registers WebGPU and WASM next to TF.js's built-in WebGL and CPU, serves the
 * WASM binaries from this origin (Vite `?url` imports, no CDN), starts WASM multi-threaded with every core but one
 * (`navigator.hardwareConcurrency` - 1: the page keeps a core; `?threads=N` chooses) when the page is cross-origin isolated (COOP/COEP: SharedArrayBuffer), else
 * single-threaded, and describes the active adapter for the badge. The threaded build's hang in minified builds is
 * avoided by construction: wasmThreads.ts.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import threadedFactorySource from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';
import { BackendError, setBackendWithTimeout, type BackendName } from './backends.ts';
import { planPageThreads, wasmDescription, withThreadedInit } from './wasmThreads.ts';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** Why WASM runs fewer threads than the machine has (shown on the badge); null when it uses them all. */
let wasmNote: string | null = null;

/** The cores of this machine and why threads are impossible here (null when they are possible). */
function threadSupport(): { cores: number; blocker: string | null } {
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  if (!globalThis.crossOriginIsolated) return { cores, blocker: 'single-threaded: the page is not cross-origin isolated (the server sends no COOP/COEP headers)' };
  if (typeof SharedArrayBuffer === 'undefined') return { cores, blocker: 'single-threaded: this browser has no SharedArrayBuffer' };
  return { cores, blocker: null };
}

const pageHooks = {
  factorySource: threadedFactorySource,
  fakeLogicalCores(n: number) {
    const nav = globalThis.navigator as unknown as { hardwareConcurrency?: number };
    Object.defineProperty(nav, 'hardwareConcurrency', { value: n, configurable: true });
    return () => { delete nav.hardwareConcurrency; };
  },
};

/**
 * WASM with threads where the page allows them: every core but one, or `requested` (`?threads=N`; planPageThreads). A
 * plan of one thread runs the single-threaded build (no pthreads to start). A threaded start that fails or hangs falls back to the
 * single-threaded build in this worker (a fresh registration of the backend), and the badge says why.
 */
async function initWasm(requested: number | undefined): Promise<void> {
  const { cores, blocker } = threadSupport();
  const plan = planPageThreads(requested, cores);
  wasmNote = blocker ?? plan.warning;
  if (blocker || plan.threads < 2) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return setBackendWithTimeout('wasm', 20_000);
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(plan.threads);
  // A pthread that dies on load reports to this worker as an uncaught error (Emscripten rethrows it): caught here,
  // it fails the threaded start at once instead of killing this worker.
  let onError: (e: ErrorEvent) => void = () => {};
  const pthreadFailed = new Promise<never>((_, reject) => {
    onError = (e) => { e.preventDefault(); reject(new BackendError(/\[object /.test(e.message ?? '') || !e.message ? 'a WASM thread failed to load' : e.message)); };
  });
  pthreadFailed.catch(() => {});
  globalThis.addEventListener('error', onError);
  try {
    await withThreadedInit(plan.threads, pageHooks, () => Promise.race([setBackendWithTimeout('wasm', 15_000), pthreadFailed]));
  } catch (e) {
    const factory = tf.findBackendFactory('wasm');
    if (!factory) throw e;
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory, 2);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await setBackendWithTimeout('wasm', 20_000);
    wasmNote = `single-threaded: the threaded build failed to start (${(e as Error).message})`;
  } finally {
    globalThis.removeEventListener('error', onError);
  }
}

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

/** Initialises `name` (with a 20 s deadline) and describes its adapter; `threads`: the page's ?threads= (WASM only). */
export async function initBrowserBackend(name: BackendName, threads?: number): Promise<BrowserBackendInfo> {
  let adapterText = '';
  let software = false;
  if (name === 'webgpu') {
    const a = await webgpuAdapter();
    const i = a.info ?? {};
    adapterText = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
    software = !!(i.isFallbackAdapter ?? a.isFallbackAdapter) || SOFTWARE_RENDERER.test(adapterText);
    if (software) adapterText += ' (software fallback)';
  }
  if (name === 'wasm') await initWasm(threads);
  else await setBackendWithTimeout(name, 20_000);
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
    adapterText = wasmDescription(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), getThreadsCount(), wasmNote);
  } else if (name === 'cpu') {
    adapterText = 'plain JavaScript';
  }
  return { adapter: adapterText, software };
}
