/**
 * Multi-threaded WASM for both hosts (the page's worker and Node), without TF.js or host imports.
 *
 * Why the threaded build hangs when minified, and how this avoids it by construction. tfjs-backend-wasm 4.22 starts
 * each pthread (a Web Worker / worker_thread) by sending it the Emscripten factory *as text*:
 * `new Blob(['var WasmBackendModuleThreadedSimd = ' + wasmFactoryThreadedSimd.toString()])`. `toString()` returns the
 * function as the bundler left it. Unbundled, the factory is self-contained; bundled, it is not: a minifier renames
 * the closure variables it reads (`_scriptDir`) and helpers it calls, Rollup's CommonJS plugin turns its
 * `require("fs")` into a module-level `require$$0` (tfjs's own Node bundle does that), so the text refers to names
 * that exist only in the bundle's scope. Every pthread then dies on load (`ReferenceError: e is not defined` in a
 * minified page, `require$$0 is not defined` in Node), the main thread waits for their "loaded" message forever and
 * `tf.setBackend('wasm')` never settles.
 *
 * The fix: while the backend initialises, the Blob whose text starts with that prefix is replaced by the verbatim
 * Emscripten file (`wasm-out/tfjs-backend-wasm-threaded-simd.js`, shipped as a string: `?raw` in the page, read from
 * node_modules in Node). Strings are never renamed, so what the pthreads run no longer depends on the bundler or the
 * minifier. The main thread keeps the bundled factory (the same Emscripten build; they talk through string-keyed
 * messages and the shared memory).
 *
 * Thread count: tfjs sizes XNNPACK's pool as min(requested, 8, logicalCores / 2) (it assumes two hyper-threads per
 * core), i.e. 1 thread on a 2-core machine whatever is asked. The host reports 2 × N logical cores while the module
 * starts, so that N is what runs.
 */

/** The most threads tfjs's threaded build can run (it pre-creates 8 pthread workers). */
export const MAX_WASM_THREADS = 8;
const FACTORY_PREFIX = 'var WasmBackendModuleThreadedSimd';

export class ThreadsError extends Error {
  override name = 'ThreadsError';
}

export interface ThreadPlan {
  threads: number;
  /** Why fewer threads than asked run (more than cores, more than 8, no isolation); null when none. */
  warning: string | null;
}

/**
 * The thread count to run: `requested` (a user's --threads) or every core. 0, negative or fractional counts are
 * refused; more than the machine's cores or more than 8 is clamped, with a warning that says so.
 */
export function planThreads(requested: number | undefined, cores: number): ThreadPlan {
  const machine = Math.max(1, Math.floor(cores) || 1);
  if (requested === undefined) {
    const threads = Math.min(machine, MAX_WASM_THREADS);
    return { threads, warning: threads < machine ? `using ${threads} of ${machine} cores: the WASM backend runs at most ${MAX_WASM_THREADS} threads` : null };
  }
  if (!Number.isInteger(requested) || requested < 1) throw new ThreadsError(`--threads must be a whole number ≥ 1, got ${requested}`);
  const threads = Math.min(requested, machine, MAX_WASM_THREADS);
  if (threads === requested) return { threads, warning: null };
  const why = requested > MAX_WASM_THREADS && machine >= MAX_WASM_THREADS ? `the WASM backend runs at most ${MAX_WASM_THREADS}` : `this machine has ${machine} core${machine === 1 ? '' : 's'}`;
  return { threads, warning: `--threads ${requested}: using ${threads} (${why})` };
}

/**
 * The page's thread count: `requested` (`?threads=N`, planned like --threads) or every core but one, so that the page's
 * main thread (and the browser) keep a core while a run trains: on a 2-core machine a second WASM thread made a run
 * slower (XNNPACK's threads wait on each other when another process holds a core) and the page stutter (bench:page).
 */
export function planPageThreads(requested: number | undefined, cores: number): ThreadPlan {
  if (requested !== undefined) return planThreads(requested, cores);
  const machine = Math.max(1, Math.floor(cores) || 1);
  const plan = planThreads(Math.max(1, machine - 1), machine);
  return machine > 1 ? { threads: plan.threads, warning: `${plan.threads} of ${machine} cores: one left to the page${plan.threads === MAX_WASM_THREADS && machine - 1 > MAX_WASM_THREADS ? `, at most ${MAX_WASM_THREADS}` : ''}` } : plan;
}

/** The badge / CLI text of a WASM backend. */
export function wasmDescription(simd: boolean, threads: number, note?: string | null): string {
  return `WebAssembly${simd ? ' SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'}` + (note ? ` (${note})` : '');
}

export interface ThreadedInitHooks {
  /** The verbatim Emscripten factory file. */
  factorySource: string;
  /** Makes the module see `n` logical cores; returns the undo. */
  fakeLogicalCores(n: number): () => void;
  /**
   * Node only: a path for a Blob of this text that the host's Worker can load (worker_threads refuses blob: URLs);
   * the pthread worker script needs the factory's path too. Absent in the page.
   */
  blobToUrl?(text: string, factorySource: string): string;
}

type BlobCtor = typeof Blob;

/**
 * Runs `init` (the threaded backend's set-up) with the Blob constructor, URL.createObjectURL (Node) and the logical
 * core count patched as described above; everything is restored before this returns, whatever `init` did.
 */
export async function withThreadedInit<T>(threads: number, hooks: ThreadedInitHooks, init: () => Promise<T>): Promise<T> {
  const g = globalThis as unknown as { Blob: BlobCtor };
  const RealBlob = g.Blob;
  const texts = new WeakMap<Blob, string>();
  const Patched = function (parts?: BlobPart[], opts?: BlobPropertyBag): Blob {
    const text = parts?.every((p) => typeof p === 'string') ? parts.join('') : null;
    const blob = text?.startsWith(FACTORY_PREFIX) ? new RealBlob([hooks.factorySource], opts) : new RealBlob(parts, opts);
    if (text !== null) texts.set(blob, text.startsWith(FACTORY_PREFIX) ? hooks.factorySource : text);
    return blob;
  } as unknown as BlobCtor;
  Patched.prototype = RealBlob.prototype;
  const realCreate = URL.createObjectURL;
  const blobToUrl = hooks.blobToUrl;
  g.Blob = Patched;
  if (blobToUrl) {
    URL.createObjectURL = (obj: Blob | MediaSource) => {
      const text = texts.get(obj as Blob);
      return text === undefined ? realCreate(obj) : blobToUrl(text, hooks.factorySource);
    };
  }
  const undoCores = hooks.fakeLogicalCores(2 * threads);
  try {
    return await init();
  } finally {
    g.Blob = RealBlob;
    URL.createObjectURL = realCreate;
    undoCores();
  }
}
