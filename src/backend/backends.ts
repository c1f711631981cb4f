/**
 * Backend helpers that need TF.js (engine side). Names, order and validation live in names.ts so that the main
 * thread can use them without loading TF.js.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError, type BackendName } from './names.ts';

export * from './names.ts';

/** tf.setBackend with a deadline: a hanging initialisation (e.g. threaded WASM in a minified build) becomes an error. */
export async function setBackendWithTimeout(name: BackendName, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BackendError(`${name} did not initialise within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const ok = await Promise.race([tf.setBackend(name), deadline]);
    if (!ok) throw new BackendError(`${name} failed to initialise`);
    await tf.ready();
    if (tf.getBackend() !== name) throw new BackendError(`asked for ${name}, TF.js is on ${tf.getBackend()}`);
  } finally {
    clearTimeout(timer);
  }
}
