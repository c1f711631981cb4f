/**
 * Node host: WASM (tfjs-backend-wasm loads its .wasm from node_modules) or the pure-JS CPU backend.
 * WebGPU and WebGL need a browser; @tensorflow/tfjs-node cannot be installed on this kind of machine.
 *
 * WASM runs multi-threaded (the threaded SIMD build, one worker_thread per extra thread) with every core of the
 * machine (`os.availableParallelism()`) unless `threads` says otherwise; 1 thread uses the single-threaded SIMD
 * build. tfjs 4.22 does not support threads in Node by itself (its flag says no, and worker_threads cannot load the
 * blob: URLs it makes): wasmThreads.ts explains what is patched while it starts.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BackendError, parseBackend, setBackendWithTimeout, type BackendName } from './backends.ts';
import { planThreads, wasmDescription, withThreadedInit } from './wasmThreads.ts';

export const NODE_BACKENDS: readonly BackendName[] = ['wasm', 'cpu'];

export interface NodeBackendOptions {
  /** WASM threads (--threads); default: every core. */
  threads?: number;
  /** Where a clamp warning goes (default: stderr). */
  warn?: (message: string) => void;
}

/** What initialised: the backend, its thread count (1 for cpu) and one line for the output. */
export interface NodeBackendInfo {
  backend: BackendName;
  threads: number;
  description: string;
}

let active: NodeBackendInfo | null = null;

/** The initialised backend's description (null before initNodeBackend). */
export function nodeBackendInfo(): NodeBackendInfo | null {
  return active;
}

export async function initNodeBackend(name: string, opts: NodeBackendOptions = {}): Promise<BackendName> {
  const b = parseBackend(name);
  if (!NODE_BACKENDS.includes(b)) throw new BackendError(`backend "${b}" needs a browser; in Node use one of: ${NODE_BACKENDS.join(', ')}`);
  if (b === 'cpu') {
    await setBackendWithTimeout(b, 30_000);
    active = { backend: b, threads: 1, description: 'plain JavaScript' };
    return b;
  }
  const plan = planThreads(opts.threads, os.availableParallelism());
  if (plan.warning) (opts.warn ?? ((m) => process.stderr.write(`warning: ${m}\n`)))(plan.warning);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', plan.threads > 1);
  if (plan.threads > 1) {
    setThreadsCount(plan.threads);
    await withThreadedInit(plan.threads, nodeHooks(), () => setBackendWithTimeout(b, 30_000));
    unrefThreads();
  } else {
    await setBackendWithTimeout(b, 30_000);
  }
  const threads = getThreadsCount();
  active = { backend: b, threads, description: wasmDescription(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads) };
  return b;
}

/**
 * XNNPACK's pool threads live as long as the module, and Emscripten keeps a running pthread's worker_thread ref'd:
 * the process would never exit by itself after a command. Unref'd, they end with it.
 */
function unrefThreads(): void {
  const pthread = (tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers?: { unref?(): void }[] } } }).wasm?.PThread;
  for (const w of pthread?.runningWorkers ?? []) w.unref?.();
}

function nodeHooks() {
  const require = createRequire(import.meta.url);
  const factorySource = readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'), 'utf8');
  let dir: string | null = null;
  let factoryPath = '';
  return {
    factorySource,
    fakeLogicalCores(n: number) {
      const real = os.cpus;
      os.cpus = () => Array.from({ length: n }, (_, i) => real()[i % real().length]);
      return () => { os.cpus = real; };
    },
    /** Written as .cjs files (worker_threads loads paths); the pthread script's createObjectURL yields the factory's path. */
    blobToUrl(text: string, factory: string): string {
      if (!dir) {
        const made = mkdtempSync(join(os.tmpdir(), 'vocabkd-wasm-'));
        dir = made;
        process.once('exit', () => rmSync(made, { recursive: true, force: true }));
        factoryPath = join(dir, 'factory.cjs');
        writeFileSync(factoryPath, factory);
      }
      const path = join(dir, `blob-${Math.random().toString(36).slice(2)}.cjs`);
      writeFileSync(path, `URL.createObjectURL=()=>${JSON.stringify(factoryPath)};URL.revokeObjectURL=()=>{};\n` + text);
      return path;
    },
  };
}
