/**
 * Training-step benchmark (`vocabkd bench train`): median ms/step after warm-up, tokens/s, the ten most expensive
 * kernels of one profiled step (tf.profile, summed by kernel name) and peak memory (the step's live tensors, the WASM heap),
 * and the median CPU time per step (all threads). Each timed step ends with `await loss.data()`,
 * so device work is included. Batches are random token windows from a seeded RNG (content does not change the cost).
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig, PRESETS } from '../models/config.ts';
import { createMlm, countParams } from '../models/mlm.ts';
import { createBatcher } from '../data/mlmBatches.ts';
import { createRng } from '../data/rng.ts';
import { createMlmTrainer } from '../train/trainer.ts';

export type BenchConfigName = 'tiny' | 'medium';

export interface KernelCost {
  kernel: string;
  ms: number;
  calls: number;
  share: number;
}

export interface TrainBenchResult {
  config: BenchConfigName;
  shapes: { vocabSize: number; hiddenSize: number; numLayers: number; numHeads: number; seqLen: number; batchSize: number };
  params: number;
  warmup: number;
  steps: number;
  medianMsPerStep: number;
  /** Median CPU time of this process per step (every thread; process.cpuUsage): steadier than wall time on a busy machine. */
  cpuMsPerStep: number;
  minMsPerStep: number;
  maxMsPerStep: number;
  tokensPerSec: number;
  topKernels: KernelCost[];
  /** Peak bytes of live tensors during one profiled step (tf.profile's peakBytes), MiB. */
  peakTensorMB: number;
  /** The WASM module's heap after the steps (it only grows), MiB; null on other backends. */
  wasmHeapMB: number | null;
  tensorsBefore: number;
  tensorsAfter: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function benchTrain(name: BenchConfigName, opts: { steps: number; warmup: number }): Promise<TrainBenchResult> {
  const p = PRESETS[name];
  const config = makeConfig({ ...p.model, maxPositions: p.seqLen });
  const rng = createRng(5);
  const stream = Int32Array.from({ length: 200_000 }, () => 5 + rng.int(config.vocabSize - 5));
  const batcher = createBatcher(stream, { batchSize: p.batchSize, seqLen: p.seqLen, vocabSize: config.vocabSize, seed: 9 });
  const model = createMlm(config, 1);
  const trainer = createMlmTrainer(model, { clipNorm: 1, schedule: { peak: 1e-3, warmupSteps: 0, totalSteps: 1_000_000, floorRatio: 1 } });
  const runStep = async () => {
    const r = trainer.step(batcher.next());
    await r.loss.data();
    tf.dispose([r.loss, r.gradNorm]);
  };
  try {
    for (let i = 0; i < opts.warmup; i++) await runStep();
    const tensorsBefore = tf.memory().numTensors;
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < opts.steps; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await runStep();
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const tensorsAfter = tf.memory().numTensors;
    const prof = await tf.profile(async () => {
      const r = trainer.step(batcher.next());
      await r.loss.data();
      tf.dispose([r.loss, r.gradNorm]);
    });
    const topKernels = summariseKernels(prof);
    const med = median(times);
    return {
      config: name,
      shapes: { vocabSize: config.vocabSize, hiddenSize: config.hiddenSize, numLayers: config.numLayers, numHeads: config.numHeads, seqLen: p.seqLen, batchSize: p.batchSize },
      params: countParams(config),
      warmup: opts.warmup,
      steps: opts.steps,
      medianMsPerStep: round(med),
      cpuMsPerStep: round(median(cpu)),
      minMsPerStep: round(Math.min(...times)),
      maxMsPerStep: round(Math.max(...times)),
      tokensPerSec: round((p.batchSize * p.seqLen * 1000) / med),
      topKernels,
      peakTensorMB: round(prof.peakBytes / MiB),
      wasmHeapMB: wasmHeapMB(),
      tensorsBefore,
      tensorsAfter,
    };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

/** The ten most expensive kernels of a tf.profile, summed by kernel name, with their share of the kernel time. */
export function summariseKernels(prof: Awaited<ReturnType<typeof tf.profile>>, top = 10): KernelCost[] {
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of prof.kernels) {
    if (WRAPPERS.test(k.name)) continue; // customGrad/op wrappers: their inner kernels are listed themselves
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs) || 0;
    e.calls++;
    byKernel.set(k.name, e);
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  return [...byKernel.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, top)
    .map(([kernel, e]) => ({ kernel, ms: round(e.ms), calls: e.calls, share: round(e.ms / total, 3) }));
}

/** Profile entries that wrap other kernels (tf.customGrad's `forward`, composite `…__op`): counting them would double-count. */
const WRAPPERS = /^forward$|__op$|^unnamed scope$/;

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const MiB = 2 ** 20;

/** The WASM backend's linear memory (grown to its peak), or null on another backend. */
export function wasmHeapMB(): number | null {
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap ? round(heap.buffer.byteLength / MiB) : null;
}
