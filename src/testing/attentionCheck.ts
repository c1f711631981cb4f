/**
 * Test-only: runs the fused attention op and the batched reference (TF.js autodiff) on the same seeded inputs and
 * reports, for the output and the gradients w.r.t. q, k, v, the worst |fused − ref| / (atol + rtol·|ref|).
 * Shared by the CPU and the WASM test files (one backend per process). Nothing here is imported by the engine.
 */
import * as tf from '@tensorflow/tfjs';
import { batchedAttention, fusedAttention } from '../models/attention.ts';
import { uniformArray, worstRatio } from './reference.ts';

export interface AttentionCase {
  B: number;
  heads: number;
  T: number;
  hs: number;
  /** attention mask [B, T] (1 = real token, 0 = padding), row-major. */
  mask: number[];
}

type Attn = typeof fusedAttention;

/** Output and gradients (q, k, v) of sum(attn(q, k, v, maskBias) ⊙ w) for seeded q, k, v, w. */
export async function runAttention(fn: Attn, c: AttentionCase, seed: number): Promise<Float32Array[]> {
  const N = c.B * c.heads;
  const shape: [number, number, number] = [N, c.T, c.hs];
  const n = N * c.T * c.hs;
  const [q, k, v, w] = [0, 1, 2, 3].map((i) => tf.tensor3d(uniformArray(seed + i, n, -2, 2), shape));
  const maskBias = tf.tidy(() => tf.mul(tf.sub(1, tf.tensor(c.mask, [c.B, 1, 1, c.T])), -1e4) as tf.Tensor4D);
  const outs = tf.tidy(() => {
    const g = tf.grads((a, b, d) => tf.sum(tf.mul(fn(a as tf.Tensor3D, b as tf.Tensor3D, d as tf.Tensor3D, maskBias), w)));
    return [fn(q, k, v, maskBias), ...g([q, k, v])];
  });
  const values = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose([q, k, v, w, maskBias, ...outs]);
  return values;
}

/** Worst closeness ratio per quantity (≤ 1: within atol + rtol·|ref|), fused vs batched reference. */
export async function fusedVsBatched(c: AttentionCase, seed: number, atol: number, rtol: number) {
  const fused = await runAttention(fusedAttention, c, seed);
  const ref = await runAttention(batchedAttention, c, seed);
  const names = ['out', 'dq', 'dk', 'dv'] as const;
  const worst = Object.fromEntries(names.map((nm, i) => [nm, worstRatio(fused[i], ref[i], atol, rtol)])) as Record<(typeof names)[number], number>;
  return { worst, fused, ref };
}

/** B=3, 2 heads, T=5: row 0 unpadded, row 1 with two padded keys, row 2 fully padded. hs=6 (scale 1/√6 is inexact). */
export const PADDED_CASE: AttentionCase = {
  B: 3,
  heads: 2,
  T: 5,
  hs: 6,
  mask: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
};

/** Every row unpadded, several heads and a longer sequence. */
export const PLAIN_CASE: AttentionCase = { B: 2, heads: 4, T: 16, hs: 8, mask: new Array(32).fill(1) };
