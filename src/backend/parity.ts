/**
 * Parity self-test: one forward + backward of a tiny seeded masked LM. The same probe runs on the chosen backend and
 * on the CPU backend (in its own worker: switching backends inside one page breaks WebGPU); the loss and every
 * gradient norm must agree within PARITY_TOLERANCE. Weights and data come from our own seeded RNG, so they are
 * bit-identical on both sides.
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig } from '../models/config.ts';
import { createMlm, mlmLoss } from '../models/mlm.ts';
import { createBatcher } from '../data/mlmBatches.ts';
import { createRng } from '../data/rng.ts';
import { batchTensors } from '../train/trainer.ts';

/** Relative tolerance (with an absolute floor of 1e-6) for loss and gradient norms. Measured float32 drift: ~1e-6. */
export const PARITY_TOLERANCE = 1e-3;

export interface ParityProbe {
  backend: string;
  loss: number;
  gradNorms: Record<string, number>;
}

export interface ParityVerdict {
  ok: boolean;
  maxRelErr: number;
  worst: string;
}

export async function runParityProbe(): Promise<ParityProbe> {
  const config = makeConfig({ vocabSize: 64, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 16 });
  const rng = createRng(7);
  const stream = Int32Array.from({ length: 256 }, () => 5 + rng.int(59));
  const batch = createBatcher(stream, { batchSize: 2, seqLen: 8, vocabSize: 64, seed: 3, maskProb: 0.3 }).next();
  batch.attentionMask[7] = 0; // one padded key exercises the mask
  const model = createMlm(config, 11);
  try {
    const keys = Object.keys(model.params);
    const [loss, norms] = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => mlmLoss(model, batchTensors(batch)), model.variables);
      const ns = model.variables.map((v) => tf.norm(grads[v.name]));
      return [value, tf.stack(ns)];
    });
    const [l, n] = [await loss.data(), await norms.data()]; // never dataSync: wrong on WebGPU
    tf.dispose([loss, norms]);
    const gradNorms: Record<string, number> = {};
    keys.forEach((k, i) => (gradNorms[k] = n[i]));
    return { backend: tf.getBackend(), loss: l[0], gradNorms };
  } finally {
    model.dispose();
  }
}

export function compareParity(a: ParityProbe, ref: ParityProbe, tol = PARITY_TOLERANCE): ParityVerdict {
  const rel = (x: number, y: number) => (Number.isFinite(x) ? Math.abs(x - y) / Math.max(Math.abs(y), 1e-6) : Infinity);
  let maxRelErr = rel(a.loss, ref.loss);
  let worst = 'loss';
  for (const [k, v] of Object.entries(ref.gradNorms)) {
    const e = rel(a.gradNorms[k] ?? NaN, v);
    if (e > maxRelErr) { maxRelErr = e; worst = `grad ‖${k}‖`; }
  }
  return { ok: maxRelErr <= tol, maxRelErr, worst };
}
