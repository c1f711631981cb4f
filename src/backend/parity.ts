/**
 * Parity self-test: a tiny seeded masked LM (2 layers, 42 variables: more than one WebGPU shader may bind) takes one
 * forward + backward, then optimiser steps of the one training loop's stepper (train/loop.ts), exactly as runs take
 * them: MLM_STEPS with pretraining's settings (Adam, global-norm clipping) and ADAMW_STEPS with the distillation
 * settings (AdamW with decoupled weight decay, 2 accumulated micro-batches, clipping). The same probe runs on the chosen backend and on the CPU backend (in its own worker:
 * switching backends inside one page breaks WebGPU), and three things must agree:
 *   - the loss and every gradient norm of the first backward pass (relative, PARITY_TOLERANCE);
 *   - the loss before every optimiser step (relative, PARITY_TOLERANCE): a wrong update shows in the next loss;
 *   - every variable's total update Δw (max |Δw − Δw_ref| relative to the optimiser's step budget Σ lr, since Adam moves
 *     each element by about lr per step whatever the gradient's size: UPDATE_TOLERANCE).
 * Weights and data come from our own seeded RNG, so they are bit-identical on both sides. A backend also fails when
 * its host reports device errors during the probe (WebGPU validation errors: the failure mode of an invalid pipeline,
 * whose output is garbage and whose only trace is an uncaptured error event).
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig } from '../models/config.ts';
import { createMlm, mlmLoss, type MlmModel } from '../models/mlm.ts';
import { createBatcher } from '../data/mlmBatches.ts';
import { createRng } from '../data/rng.ts';
import { batchTensors, createMlmTrainer } from '../train/trainer.ts';
import { createStepper } from '../train/loop.ts';
import { createMlmTask } from '../train/mlmTask.ts';

/** Relative tolerance (with an absolute floor of 1e-6) for losses and gradient norms. Measured float32 drift: ~1e-6. */
export const PARITY_TOLERANCE = 1e-3;
/**
 * Largest |Δw − Δw_ref| of any element, as a fraction of Σ lr over the probe's steps. Measured float32 drift against
 * CPU: 4e-5 (WASM), 8e-5 (WebGPU on SwiftShader); the WebGPU AddN bug (a garbage clip scale) moved elements by a
 * whole lr (ratio ≈ 1).
 */
export const UPDATE_TOLERANCE = 1e-2;
export const MLM_STEPS = 4;
export const ADAMW_STEPS = 2;
const LR = 1e-2;
const CLIP = 0.5;

export interface ParityProbe {
  backend: string;
  loss: number;
  gradNorms: Record<string, number>;
  /** The loss of each optimiser step (MLM_STEPS with the MLM trainer, then ADAMW_STEPS with AdamW). */
  stepLosses: number[];
  /** Σ lr over the optimiser steps: the scale of an element's total Adam update. */
  lrBudget: number;
  /** Per variable: w_after − w_before over all optimiser steps (float64 differences of the float32 values). */
  updates: Record<string, number[]>;
  /** Median wall time of the warm MLM trainer steps (2..MLM_STEPS), ms: used to compare backends' speed. */
  stepMs: number;
  /** Device errors the host saw during the probe (filled in by the browser host). */
  deviceErrors?: string[];
}

export interface ParityVerdict {
  ok: boolean;
  /** Largest relative error of a loss or gradient norm (limit PARITY_TOLERANCE). */
  maxRelErr: number;
  /** Largest |Δw − Δw_ref| of any element over Σ lr (limit UPDATE_TOLERANCE). */
  maxUpdateErr: number;
  /** What is furthest from agreement, relative to its own limit. */
  worst: string;
}

async function weights(model: MlmModel): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(model.params)) out[k] = (await v.data()) as Float32Array; // never dataSync: wrong on WebGPU
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runParityProbe(): Promise<ParityProbe> {
  const V = 64;
  const config = makeConfig({ vocabSize: V, hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32, maxPositions: 16 });
  const rng = createRng(7);
  const stream = Int32Array.from({ length: 512 }, () => 5 + rng.int(V - 5));
  const batcher = createBatcher(stream, { batchSize: 2, seqLen: 8, vocabSize: V, seed: 3, maskProb: 0.3 });
  const batches = Array.from({ length: 1 + MLM_STEPS + 2 * ADAMW_STEPS }, () => batcher.next());
  for (const b of batches) b.attentionMask[7] = 0; // one padded key exercises the mask
  const model = createMlm(config, 11);
  const keys = Object.keys(model.params);
  const trainer = createMlmTrainer(model, { clipNorm: CLIP, schedule: { peak: LR, warmupSteps: 0, totalSteps: 1000, floorRatio: 1 } });
  let next = 1 + MLM_STEPS;
  // The distillation runs' optimizer settings, with 2 micro-batches accumulated per step.
  const adamw = createStepper(createMlmTask(model, () => batches[next++]), {
    schedule: { peak: LR, warmupSteps: 0, totalSteps: 1000, floorRatio: 1 }, optimizer: { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.01 }, clipNorm: CLIP, accumulation: 2,
  });
  try {
    const [loss, norms] = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => mlmLoss(model, batchTensors(batches[0])), model.variables);
      return [value, tf.stack(model.variables.map((v) => tf.norm(grads[v.name])))];
    });
    const [l, n] = [await loss.data(), await norms.data()];
    tf.dispose([loss, norms]);
    const gradNorms: Record<string, number> = {};
    keys.forEach((k, i) => (gradNorms[k] = n[i]));

    const before = await weights(model);
    const stepLosses: number[] = [];
    const times: number[] = [];
    for (let s = 1; s <= MLM_STEPS; s++) {
      const t0 = performance.now();
      const r = trainer.step(batches[s]);
      stepLosses.push((await r.loss.data())[0]);
      await r.gradNorm.data();
      if (s > 1) times.push(performance.now() - t0);
      tf.dispose([r.loss, r.gradNorm]);
    }
    for (let s = 0; s < ADAMW_STEPS; s++) {
      const r = adamw.step();
      stepLosses.push((await r.loss.data())[0]);
      tf.dispose([r.loss, r.gradNorm]);
    }
    const after = await weights(model);
    const updates: Record<string, number[]> = {};
    for (const k of keys) updates[k] = Array.from(after[k], (x, i) => x - before[k][i]);
    return { backend: tf.getBackend(), loss: l[0], gradNorms, stepLosses, lrBudget: LR * (MLM_STEPS + ADAMW_STEPS), updates, stepMs: median(times) };
  } finally {
    trainer.dispose();
    adamw.dispose();
    model.dispose();
  }
}

export function compareParity(a: ParityProbe, ref: ParityProbe, tol = PARITY_TOLERANCE, updateTol = UPDATE_TOLERANCE): ParityVerdict {
  if (a.deviceErrors?.length) return { ok: false, maxRelErr: Infinity, maxUpdateErr: Infinity, worst: `device error: ${a.deviceErrors[0]}` };
  const rel = (x: number, y: number) => (Number.isFinite(x) ? Math.abs(x - y) / Math.max(Math.abs(y), 1e-6) : Infinity);
  const v: ParityVerdict = { ok: true, maxRelErr: 0, maxUpdateErr: 0, worst: 'loss' };
  let worstRatio = -1;
  const consider = (e: number, what: string, kind: 'maxRelErr' | 'maxUpdateErr') => {
    const err = Number.isNaN(e) ? Infinity : e;
    const ratio = err / (kind === 'maxRelErr' ? tol : updateTol);
    v[kind] = Math.max(v[kind], err);
    if (ratio > 1) v.ok = false;
    if (ratio > worstRatio) { worstRatio = ratio; v.worst = what; }
  };
  consider(rel(a.loss, ref.loss), 'loss', 'maxRelErr');
  for (const [k, x] of Object.entries(ref.gradNorms)) consider(rel(a.gradNorms[k] ?? NaN, x), `grad ‖${k}‖`, 'maxRelErr');
  ref.stepLosses.forEach((x, i) => consider(rel(a.stepLosses?.[i] ?? NaN, x), `loss at optimiser step ${i + 1}`, 'maxRelErr'));
  for (const [k, r] of Object.entries(ref.updates)) {
    const u = a.updates?.[k];
    let d = u && u.length === r.length ? 0 : Infinity;
    for (let i = 0; i < r.length && d < Infinity; i++) {
      const e = Math.abs(u![i] - r[i]);
      d = Number.isNaN(e) ? Infinity : Math.max(d, e);
    }
    consider(d / ref.lrBudget, `update of ${k}`, 'maxUpdateErr');
  }
  return v;
}
