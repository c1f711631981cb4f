/**
 * Distillation-step benchmark (`vocabkd bench distill --method reduce|match|glmd`): where the time of one step goes.
 * After one warm-up step, each timed step is split into
 * - batch: building the DistillBatch on the CPU (MLM selection, padding, alignment arrays);
 * - teacherForward: the teacher's encoder and head at the KL rows, with its column gather (awaited);
 * - studentForwardBackward: the student loss and every gradient (tf.variableGrads, awaited through the gradient norm;
 *   no optimizer update), which includes the in-graph alignment ops;
 * and, measured separately on inputs of the same shapes, the alignment itself:
 * - alignmentBuild: the per-batch alignment arrays (Reduce groups / Match pairs / GLMD positions) on the CPU;
 * - alignmentOps: forward + backward of the row gathers, Reduce's group sums and the restricted decoders' word-row
 *   gathers (C / the GLMD rank list) alone.
 * alignmentShare = (alignmentBuild + alignmentOps) / (batch + teacherForward + studentForwardBackward), medians.
 * The one-off preparation (tokenizer, σ, t2s sequences, pairs) is reported as prepareMs, outside the share.
 * cpuMsPerStep: the process CPU time (every thread) of the teacher forward and of the whole step, medians.
 */
import * as tf from '@tensorflow/tfjs';
import { addAll, gatherRows } from '../models/layers.ts';
import { createRng } from '../data/rng.ts';
import { defaultRecipe } from '../distill/recipe.ts';
import { prepareDistill, type DistillSetup } from '../distill/run.ts';
import { createDistillLoss, groupSums, type Parts } from '../distill/distillLoss.ts';
import { createDistillBatcher } from '../distill/batches.ts';
import { batchGroups, batchPairs } from '../alignment/index.ts';
import { globalNorm } from '../train/trainer.ts';
import type { DistillBatch } from '../distill/types.ts';
import { summariseKernels, wasmHeapMB, type KernelCost } from './trainBench.ts';

export type BenchMethod = 'reduce' | 'match' | 'glmd';
export const BENCH_METHODS: readonly BenchMethod[] = ['reduce', 'match', 'glmd'];

export interface DistillBenchResult {
  method: BenchMethod;
  steps: number;
  warmup: number;
  batchSize: number;
  seqLen: number;
  studentVocab: number;
  studentParams: number;
  teacherParams: number;
  prepareMs: number;
  /** Medians over the timed steps. */
  msPerStep: { batch: number; teacherForward: number; studentForwardBackward: number; total: number; alignmentBuild: number; alignmentOps: number };
  /** Median CPU time of this process (every thread; process.cpuUsage) for the teacher and for the whole step: steadier than wall time on a busy machine. */
  cpuMsPerStep: { teacherForward: number; total: number };
  alignmentShare: number;
  /** Student tokens per second of a whole step (batch + teacher forward + student forward/backward). */
  tokensPerSec: number;
  /** One extra step under tf.profile (teacher and student), summed by kernel. */
  topKernels: KernelCost[];
  /** Peak bytes of live tensors during that step, MiB; the WASM heap after the steps (null elsewhere), MiB. */
  peakTensorMB: number;
  wasmHeapMB: number | null;
  tensorsBefore: number;
  tensorsAfter: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const cpuNow = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
let lastCpu = 0;

/** Wall time of f and the wait for its result; the CPU time of the same span goes to `lastCpu`. */
async function timed<T>(f: () => T, wait: (r: T) => Promise<unknown>): Promise<[T, number]> {
  const c0 = cpuNow();
  const t0 = performance.now();
  const r = f();
  await wait(r);
  const ms = performance.now() - t0;
  lastCpu = cpuNow() - c0;
  return [r, ms];
}

export async function benchDistill(setup: DistillSetup, method: BenchMethod, opts: { steps: number; warmup?: number }): Promise<DistillBenchResult> {
  const warmup = opts.warmup ?? 1;
  const recipe = { ...defaultRecipe(method), evalEvery: 0, checkpointEvery: 0 };
  const tp = performance.now();
  const p = await prepareDistill(setup, recipe);
  const prepareMs = performance.now() - tp;
  const losses = createDistillLoss(p, setup.teacher, recipe);
  const batcher = createDistillBatcher(p.data, recipe);
  const rng = createRng(3);
  const Hs = p.student.config.hiddenSize;
  const Vs = p.student.config.vocabSize;
  const Vt = setup.teacher.config.vocabSize;
  const cS = p.data.shared ? tf.tensor1d(p.data.shared.studentIds, 'int32') : null;
  const cT = p.data.shared ? tf.tensor1d(p.data.shared.teacherIds, 'int32') : null;
  const rank = p.glmd ? tf.tensor1d(p.glmd.rankToId, 'int32') : null;
  const times: Record<keyof DistillBenchResult['msPerStep'], number[]> = { batch: [], teacherForward: [], studentForwardBackward: [], total: [], alignmentBuild: [], alignmentOps: [] };
  const cpu: Record<keyof DistillBenchResult['cpuMsPerStep'], number[]> = { teacherForward: [], total: [] };

  /** The batch's alignment arrays rebuilt for B random training examples at the batch's lengths. */
  const alignmentBuild = (b: DistillBatch) => {
    const rows = Array.from({ length: b.batchSize }, () => p.data.train[rng.int(p.data.train.length)]);
    const t0 = performance.now();
    if (method === 'reduce') batchGroups(rows.map((r) => r.t2s!.groupStart), b.teacher!.seqLen, b.t2s!.seqLen);
    else if (method === 'match') batchPairs(rows.map((r) => r.match!), b.teacher!.seqLen, b.student.seqLen);
    else { const pos: number[] = []; b.student.mask.forEach((m, i) => { if (m) pos.push(i); }); }
    return performance.now() - t0;
  };

  /**
   * Forward + backward of the alignment ops alone, on random inputs of the step's shapes: the row gathers at the KL
   * positions, Reduce's group sums, and the word-row / bias gathers of the restricted decoders (student and teacher).
   */
  const alignmentOps = async (b: DistillBatch) => {
    const B = b.batchSize;
    const E = p.student.config.embeddingSize ?? Hs;
    const Et = setup.teacher.config.embeddingSize ?? setup.teacher.config.hiddenSize;
    const T = method === 'reduce' ? b.t2s!.seqLen : b.student.seqLen;
    const inputs = tf.tidy(() => [tf.randomNormal([B * T, Hs]), tf.randomNormal([Vs, E]), tf.randomNormal([Vt, Et])]) as tf.Tensor2D[];
    const [h, word, teacherWord] = inputs;
    const [out, ms] = await timed(() => tf.tidy(() => {
      const f = (hs: tf.Tensor2D, ws: tf.Tensor2D) => {
        const rows = method === 'reduce' ? groupSums(b.t2s!, B, b.teacher!.seqLen).sum(hs) : gatherRows(hs, tf.tensor1d(method === 'match' ? b.match!.studentPos : b.glmd!.positions, 'int32'));
        const w = method === 'glmd' ? ws : gatherRows(ws, cS!);
        return tf.add(tf.sum(rows), tf.sum(w)) as tf.Scalar;
      };
      const grads = tf.grads((hs, ws) => f(hs as tf.Tensor2D, ws as tf.Tensor2D))([h, word]);
      const teacherRows = tf.gather(teacherWord, method === 'glmd' ? rank! : cT!);
      return addAll([...grads.map((g) => tf.sum(g)), tf.sum(teacherRows)]);
    }), (t) => t.data());
    tf.dispose([out, ...inputs]);
    return ms;
  };

  const step = async (record: boolean, alignment = true) => {
    const [b, batchMs] = await timed(() => batcher.next(), async () => {});
    const batchCpu = lastCpu;
    const [tgt, teacherMs] = await timed(() => tf.tidy(() => losses.teacherTargets(b)), async (t) => Promise.all((t.logits ?? []).map((x) => x.data())));
    const teacherCpu = lastCpu;
    const parts: Parts = {};
    const [norm, studentMs] = await timed(() => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => losses.studentLoss(b, tgt, parts), losses.trainVars);
      return tf.add(value, globalNorm(Object.values(grads)));
    }), (t) => t.data());
    const stepCpu = batchCpu + teacherCpu + lastCpu;
    tf.dispose([norm, ...(tgt.logits ?? []), ...(tgt.hidden ? [tgt.hidden] : []), ...Object.values(parts).filter((x): x is tf.Scalar => !!x)]);
    if (!alignment) return;
    const build = alignmentBuild(b);
    const ops = await alignmentOps(b);
    if (!record) return;
    times.batch.push(batchMs);
    times.teacherForward.push(teacherMs);
    times.studentForwardBackward.push(studentMs);
    times.total.push(batchMs + teacherMs + studentMs);
    cpu.teacherForward.push(teacherCpu);
    cpu.total.push(stepCpu);
    times.alignmentBuild.push(build);
    times.alignmentOps.push(ops);
  };

  try {
    for (let i = 0; i < warmup; i++) await step(false);
    const tensorsBefore = tf.memory().numTensors;
    for (let i = 0; i < opts.steps; i++) await step(true);
    const tensorsAfter = tf.memory().numTensors;
    const prof = await tf.profile(() => step(false, false));
    const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(median(v))])) as DistillBenchResult['msPerStep'];
    return {
      method, steps: opts.steps, warmup, batchSize: recipe.batchSize, seqLen: recipe.seqLen, studentVocab: p.info.studentVocab,
      studentParams: p.info.studentParams, teacherParams: p.info.teacherParams, prepareMs: round(prepareMs), msPerStep: ms,
      cpuMsPerStep: { teacherForward: round(median(cpu.teacherForward)), total: round(median(cpu.total)) },
      alignmentShare: round((median(times.alignmentBuild) + median(times.alignmentOps)) / median(times.total), 4),
      tokensPerSec: round((recipe.batchSize * recipe.seqLen * 1000) / median(times.total), 1), topKernels: summariseKernels(prof),
      peakTensorMB: round(prof.peakBytes / 2 ** 20, 1), wasmHeapMB: wasmHeapMB(), tensorsBefore, tensorsAfter,
    };
  } finally {
    losses.dispose();
    p.student.dispose();
    tf.dispose([cS, cT, rank].filter((x): x is tf.Tensor1D => !!x));
  }
}
