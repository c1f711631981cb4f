/// <reference lib="webworker" />
/** CPU reference for the parity self-test, in its own worker so the training worker never switches backends. */
import * as tf from '@tensorflow/tfjs';
import { runParityProbe } from '../backend/parity.ts';
import type { FromParityWorker } from './protocol.ts';

const post = (m: FromParityWorker) => self.postMessage(m);

(async () => {
  try {
    await tf.setBackend('cpu');
    post({ type: 'reference', probe: await runParityProbe() });
  } catch (e) {
    post({ type: 'error', message: String((e as Error).message ?? e) });
  }
})();
