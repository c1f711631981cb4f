/**
 * Test-only helpers: float64 reference maths written independently of TF.js, seeded test data and closeness checks.
 * Nothing here is imported by the engine.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../data/rng.ts';
import { makeConfig, type MlmConfig } from '../models/config.ts';
import type { MlmBatchTensors } from '../models/mlm.ts';

/** erf by its Maclaurin series (float64; accurate to ~1e-12 for |x| ≤ 4.5, saturates to ±1 beyond 6). */
export function erf64(x: number): number {
  if (x > 6) return 1;
  if (x < -6) return -1;
  let term = x; // x^(2n+1) (-1)^n / n!
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.max(1, Math.abs(sum))) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** Uniform values in [lo, hi) from the project's seeded RNG (deterministic test data). */
export function uniformArray(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** Largest |a_i − b_i| / (atol + rtol·|b_i|); ≤ 1 means every element is within tolerance. */
export function worstRatio(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol = 0): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const r = Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    if (Number.isNaN(r)) return Infinity;
    worst = Math.max(worst, r);
  }
  return worst;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A deliberately tiny model config for gradient and masking checks (V=30, H=8, 1 layer, 2 heads). */
export function tinyConfig(over: Partial<MlmConfig> = {}): MlmConfig {
  return makeConfig({ vocabSize: 30, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 8, ...over });
}

/**
 * A hand-written batch for the tiny config: B=2, T=6, `[CLS] w w w w [SEP]` rows with three masked positions
 * (two [MASK]=4 and one kept word) and labels in the word range 5..29.
 */
export function tinyBatchArrays() {
  const ids = Int32Array.from([2, 7, 4, 12, 19, 3, 2, 4, 25, 8, 14, 3]);
  const attentionMask = new Int32Array(12).fill(1);
  const maskedPositions = Int32Array.from([2, 4, 7]);
  const labels = Int32Array.from([9, 19, 21]);
  return { batchSize: 2, seqLen: 6, ids, attentionMask, maskedPositions, labels };
}

export function toTensors(b: ReturnType<typeof tinyBatchArrays>): MlmBatchTensors {
  return {
    ids: tf.tensor2d(b.ids, [b.batchSize, b.seqLen], 'int32'),
    attentionMask: tf.tensor2d(b.attentionMask, [b.batchSize, b.seqLen], 'int32'),
    maskedPositions: tf.tensor1d(b.maskedPositions, 'int32'),
    labels: tf.tensor1d(b.labels, 'int32'),
  };
}

/** Every variable's values, copied out (CPU/WASM only callers; uses await data()). */
export async function snapshot(vars: tf.Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => Float32Array.from(await v.data())));
}
