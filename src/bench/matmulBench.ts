/**
 * `vocabkd bench matmul`: the CPU ceiling of a training step. Times the step's own products (the shapes of the tiny /
 * medium configs: the Q/K/V/output projections, the feed-forward pair, a weight gradient, the vocabulary head and its
 * weight gradient, the attention products) on this process's backend, and, with `--torch`, the same products in
 * PyTorch (torch_matmul_bench.py through Debian's /usr/bin/python3, at 1 thread and at N threads, after ours).
 * Each repetition multiplies by a fresh right-hand operand, as a training step does (its weights change every step;
 * XNNPACK would otherwise reuse the packed operand). Attention runs as the model runs it on WASM: one plain 2-D
 * product per (sequence, head) slice (attention.ts). GFLOP/s = 2·batch·m·k·n / time, at the best repetition (the
 * ceiling; the median too).
 */
import * as tf from '@tensorflow/tfjs';
import { PRESETS } from '../models/config.ts';
import type { BenchConfigName } from './trainBench.ts';

export interface MatmulShape {
  name: string;
  /** Independent products of [m, k]·[k, n] (the attention slices; 1 for a plain product). */
  batch: number;
  m: number;
  k: number;
  n: number;
}

export interface MatmulTiming extends MatmulShape {
  medianMs: number;
  /** At the best repetition: the ceiling, least disturbed by other work on the machine. */
  bestMs: number;
  gflops: number;
  /** GFLOP/s at the median. */
  medianGflops: number;
}

/** The step's products for a benchmark config (N = B·T rows, M = the 15 % masked rows of the head). */
export function stepShapes(config: BenchConfigName): MatmulShape[] {
  const p = PRESETS[config];
  const { hiddenSize: H, intermediateSize: I, vocabSize: V, numHeads: nh } = p.model;
  const N = p.batchSize * p.seqLen;
  const M = Math.max(1, Math.round(0.15 * N));
  const T = p.seqLen;
  const hs = H / nh;
  const S = p.batchSize * nh;
  return [
    { name: 'projection x·W [N,H]·[H,H]', batch: 1, m: N, k: H, n: H },
    { name: 'feed-forward in [N,H]·[H,I]', batch: 1, m: N, k: H, n: I },
    { name: 'feed-forward out [N,I]·[I,H]', batch: 1, m: N, k: I, n: H },
    { name: 'weight gradient xᵀ·dy [H,N]·[N,I]', batch: 1, m: H, k: N, n: I },
    { name: 'vocabulary head [M,H]·[H,V]', batch: 1, m: M, k: H, n: V },
    { name: 'vocabulary head gradient [V,M]·[M,H]', batch: 1, m: V, k: M, n: H },
    { name: 'attention scores q·kᵀ per slice [T,hs]·[hs,T]', batch: S, m: T, k: hs, n: T },
    { name: 'attention context P·v per slice [T,T]·[T,hs]', batch: S, m: T, k: T, n: hs },
  ];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export const gflops = (s: MatmulShape, ms: number): number => round((2 * s.batch * s.m * s.k * s.n) / (ms * 1e6), 1);

/** Best and median wall time of each product on the current backend over `reps` repetitions (after 2 warm-ups). */
export async function benchMatmuls(shapes: MatmulShape[], reps: number): Promise<MatmulTiming[]> {
  const out: MatmulTiming[] = [];
  for (const s of shapes) {
    const a = tf.tidy(() => Array.from({ length: s.batch }, () => tf.randomNormal([s.m, s.k]) as tf.Tensor2D));
    const times: number[] = [];
    for (let r = 0; r < reps + 2; r++) {
      const b = tf.tidy(() => Array.from({ length: s.batch }, () => tf.randomNormal([s.k, s.n]) as tf.Tensor2D)); // fresh each time
      await Promise.all(b.map((x) => x.data()));
      const t0 = performance.now();
      const ys = a.map((x, i) => tf.matMul(x, b[i]));
      await ys[ys.length - 1].data();
      const ms = performance.now() - t0;
      tf.dispose([...ys, ...b]);
      if (r >= 2) times.push(ms);
    }
    tf.dispose(a);
    const med = median(times);
    const best = Math.min(...times);
    out.push({ ...s, medianMs: round(med, 3), bestMs: round(best, 3), gflops: gflops(s, best), medianGflops: gflops(s, med) });
  }
  return out;
}
