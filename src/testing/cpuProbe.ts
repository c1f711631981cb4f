/**
 * Test helper run as a child process (`node --import tsx src/testing/cpuProbe.ts`): prints the parity probe computed
 * on the pure-JS CPU backend as one JSON line, so a WASM test process can compare against it without switching backends.
 */
import * as tf from '@tensorflow/tfjs';
import { runParityProbe } from '../backend/parity.ts';

await tf.setBackend('cpu');
process.stdout.write(JSON.stringify(await runParityProbe()) + '\n');
