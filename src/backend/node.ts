/**
 * Node host: WASM (tfjs-backend-wasm loads its .wasm from node_modules) or the pure-JS CPU backend.
 * WebGPU and WebGL need a browser; @tensorflow/tfjs-node cannot be installed on this kind of machine.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BackendError, parseBackend, setBackendWithTimeout, type BackendName } from './backends.ts';

export const NODE_BACKENDS: readonly BackendName[] = ['wasm', 'cpu'];

export async function initNodeBackend(name: string): Promise<BackendName> {
  const b = parseBackend(name);
  if (!NODE_BACKENDS.includes(b)) throw new BackendError(`backend "${b}" needs a browser; in Node use one of: ${NODE_BACKENDS.join(', ')}`);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await setBackendWithTimeout(b, 30_000);
  return b;
}
