/**
 * The distillation run, host-neutral (the worker and the CLI both call `runDistill`), nanoGPT-style: set-up once, then
 * synchronous tidy steps; the loop yields to the host between steps (pause / stop) and reads scalars back only on
 * logging, evaluation and checkpoint steps.
 *
 * Set-up (tokenizer, σ, C, the GLMD vocabulary, data, student) is prepare.ts; this file is the loop.
 *
 * One optimizer step = `accumulation` micro-batches. Per micro-batch the teacher runs first, in tf.tidy and outside
 * the gradient (its outputs are constants), then the student loss inside tf.variableGrads:
 *   total = w.kl·KL + w.mlm·MLM (+ w.mse·MSE through a trainable [Hs, Ht] projection the run creates when w.mse > 0)
 * - reduce:     student on the unmasked t2s input; piece logits summed (or averaged) per group (item 6) → one row
 *               per non-pad teacher token (item 7), restricted to C on both sides (item 8);
 * - reduce-map: the group rows over the full student vocabulary scored per mapped teacher entry (item 9) vs the
 *               teacher at those entries; the scores are computed in row chunks (losses.ts, item 31);
 * - match:      rows from the student's masked own run at the matched positions, C columns (item 12); a batch
 *               without a pair skips its KL (counted, warned once);
 * - glmd:       K student logits vs the teacher at rankToId (item 26) at every non-pad position, T from the recipe
 *               (15); divided by B·seqLen ('all': the original's B·n with n the fixed nominal length, not the
 *               bucket's padded length) or by the non-pad count (item 20);
 * - kd-full:    the student has the teacher's tokenizer and vocabulary; both read the same masked input and the KL runs
 *               over all non-pad positions and the full vocabulary (DistilBERT-style baseline);
 * - mlm-only:   no teacher forward at all.
 * MLM is the cross-entropy at the student's own masked targets (item 5). The KL is `klLoss` (items 13, 29).
 * The losses themselves are built by `createDistillLoss` (distillLoss.ts: restricted decoders, group sums before the
 * decoder), which keeps the alignment below 10 % of a step (`vocabkd bench distill`).
 * AdamW (β 0.9 / 0.98, ε 1e-6, decoupled weight decay on ≥ 2-D weights only), warmup then cosine / linear / constant
 * decay to minLrFrac, global-norm clipping of the averaged micro-batch gradients.
 * NaN guard: a device-side scalar records the first step whose loss or gradient norm is not finite; it is read on
 * logging and checkpoint steps, and then the run ends 'diverged' with the student restored to the last good
 * checkpoint (a device copy of the weights taken every checkpointEvery steps and at step 0).
 * Checkpoints (train/checkpoint.ts): `onCheckpoint`'s `capture()` gives the whole run state (student and MSE projection
 * weights, AdamW, the batcher's RNG and epoch queue, counts, evaluations, points, the student tokenizer, the recipe with
 * fingerprints of the corpus and the teacher); `runDistill(…, {resumeFrom})` prepares the same run with the checkpoint's
 * student tokenizer and continues at its step + 1 (the same losses as the uninterrupted run, checkpoint.test.ts).
 * Does not: read files, post messages, or export (the hosts do).
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { fromTokenizerJson, toTokenizerJson } from '../tokenizers/hfJson.ts';
import { assertResumable, loopStateFor, makeRunCheckpoint, textFingerprint, type LoopState, type RunCheckpoint } from '../train/checkpoint.ts';
import { runLoop, type LoopResult, type LoopTask, type RunControl } from '../train/loop.ts';
import { lrAt, type LrSchedule } from '../train/schedule.ts';
import type { MlmConfig } from '../models/config.ts';
import { createDistillLoss, type Parts } from './distillLoss.ts';
import { createDistillBatcher, type DataStats, type DistillBatcher } from './batches.ts';
import { evaluateWords, type WordEval } from './evaluate.ts';
import { effectiveRecipe, type EffectiveRecipe } from './recipe.ts';
import type { DistillPoint, Recipe } from './types.ts';
import { macrotask, prepareDistill, type DistillInfo, type DistillSetup, type PhaseHooks, type PreparedDistill } from './prepare.ts';

export { DistillSetupError, DistillStoppedError, initRunStudent, prepareDistill, prepareDistillVocab } from './prepare.ts';
export type { DistillInfo, DistillSetup, DistillVocab, PhaseHooks, PreparedDistill, TextPass } from './prepare.ts';

export interface DistillHooks extends PhaseHooks {
  onPoint(p: DistillPoint): void;
  onInfo?(i: DistillInfo): void;
  /** Every checkpointEvery steps and at the end; `capture` reads the whole run state (call it before returning; a promise is awaited). */
  onCheckpoint?(step: number, capture: () => Promise<DistillCheckpoint>): unknown;
  onWarning?(message: string): void;
  /** Once preparation is over, before the first step: the student tokenizer, σ, C, the GLMD map, the student. */
  onPrepared?(p: PreparedDistill): void;
  /**
   * After each held-out evaluation inside the loop (every evalEvery steps and the last step), with the student as it is
   * at `step`: a host keeps its snapshots here (snapshots.ts). Awaited before the loop goes on.
   */
  onEvaluated?(step: number, student: MlmModel): void | Promise<void>;
}

/** Plain data (it crosses postMessage and is written as summary.json). */
export interface DistillSummary {
  /** The recipe as the run used it: fields the method ignores are absent and listed in `recipe.ignored` (recipe.ts). */
  recipe: EffectiveRecipe;
  info: DistillInfo;
  outcome: 'done' | 'stopped' | 'diverged';
  /** Optimizer steps behind the returned student (diverged: the step of the restored checkpoint). */
  steps: number;
  /** The first step with a non-finite loss or gradient norm (diverged only). */
  divergedAt?: number;
  wallMs: number;
  /** Held-out masked-word accuracy of the returned student (null when there is no held-out text). */
  finalEval: WordEval | null;
  evals: { step: number; wordAcc: number; loss: number }[];
  data: DataStats;
  counts: { microBatches: number; studentTokens: number; klSkippedBatches: number; matchPairs: number; t2sTruncated: number };
  warnings: string[];
}

export interface DistillResult {
  outcome: 'done' | 'stopped' | 'diverged';
  student: MlmModel;
  studentTokenizer: Tokenizer;
  summary: DistillSummary;
}

/** Learning rate of 0-based optimizer step `step`: linear warmup over round(warmupFrac·steps), then the decay. */
export function distillLr(step: number, r: Recipe): number {
  return lrAt(step, distillSchedule(r));
}

/** The recipe's learning-rate schedule in the loop's terms (warm-up share → steps, decay, floor). */
export function distillSchedule(r: Recipe): LrSchedule {
  return { peak: r.lr, warmupSteps: Math.round(r.warmupFrac * r.steps), totalSteps: r.steps, floorRatio: r.minLrFrac, decay: r.decay };
}

export { createAdamW } from '../train/adamw.ts';

/** The distillation runs' optimizer: AdamW (β 0.9 / 0.98, ε 1e-6) with the recipe's decoupled weight decay. */
export const DISTILL_OPTIMIZER = (r: Recipe) => ({ beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: r.weightDecay });

/** What rebuilds a distillation (a checkpoint's recipe): the recipe and fingerprints of the corpus and the teacher. */
export interface DistillRecord {
  recipe: Recipe;
  corpus: string;
  teacher: { config: MlmConfig; vocab: string };
}
export type DistillCheckpoint = RunCheckpoint<DistillRecord>;
type Progress = { counts: DistillSummary['counts']; evals: DistillSummary['evals']; warnings: string[]; points: DistillPoint[] };

const distillRecord = (setup: DistillSetup, recipe: Recipe): DistillRecord => ({
  recipe, corpus: textFingerprint(setup.texts), teacher: { config: setup.teacher.config, vocab: textFingerprint(setup.teacherTokenizer.vocab) },
});

/** A prepared run's checkpoints: `restore` puts a checkpoint's data position and progress back; `capture` reads the state. */
function distillCheckpoints(record: () => DistillRecord, p: PreparedDistill, trainVars: tf.Variable[], batcher: DistillBatcher, progress: Progress) {
  const own = Object.keys(p.student.params);
  const keys = [...own, ...trainVars.slice(own.length).map((_, i) => `distill.extra.${i}`)]; // the MSE projection
  const tokenizers = { student: toTokenizerJson(p.studentTokenizer, false) };
  return {
    restore(from: DistillCheckpoint): LoopState {
      const state = loopStateFor(from, keys, trainVars.map((v) => v.shape));
      batcher.restore(from.data);
      const x = from.extra as Partial<Progress>;
      Object.assign(progress.counts, x.counts);
      progress.evals.push(...(x.evals ?? []));
      progress.warnings.push(...(x.warnings ?? []));
      progress.points.push(...(from.points as DistillPoint[]));
      return state;
    },
    capture: (loop: () => Promise<LoopState>) => async (): Promise<DistillCheckpoint> => makeRunCheckpoint('distill', await loop(), {
      recipe: record(), tokenizers, keys, data: batcher.position(), points: progress.points,
      extra: { counts: { ...progress.counts }, evals: [...progress.evals], warnings: [...progress.warnings] },
    }),
  };
}

async function run(setup: DistillSetup, recipe: Recipe, control: RunControl, hooks: DistillHooks, opts: { evaluate: boolean; resumeFrom?: DistillCheckpoint }): Promise<DistillResult> {
  const resume = opts.resumeFrom;
  const t0 = performance.now() - (resume?.elapsedMs ?? 0);
  const warnings: string[] = [];
  const warn = (m: string) => { if (!warnings.includes(m)) warnings.push(m); hooks.onWarning?.(m); };
  let rec: DistillRecord | undefined; // the corpus fingerprint costs ~10 ms per MB: only for checkpoints
  const record = () => (rec ??= distillRecord(setup, recipe));
  if (resume) assertResumable(resume, 'distill', record());
  // A resumed run prepares with the checkpoint's student tokenizer (the glmd / kd-full preparation ignores it).
  const p = await prepareDistill(resume ? { ...setup, studentTokenizer: fromTokenizerJson(resume.tokenizers.student) } : setup, recipe, hooks, control);
  const { data, student, info, evalSet } = p;
  hooks.onPrepared?.(p);
  const method = recipe.method;
  const losses = createDistillLoss(p, setup.teacher, recipe);
  const { teacherTargets, studentLoss, trainVars } = losses;
  const batcher = createDistillBatcher(data, recipe);
  const counts = { microBatches: 0, studentTokens: 0, klSkippedBatches: 0, matchPairs: 0, t2sTruncated: 0 };
  const evals: DistillSummary['evals'] = [];
  const points: DistillPoint[] = [];
  const checkpoints = distillCheckpoints(record, p, trainVars, batcher, { counts, evals, warnings, points });
  const evaluateNow = async (step: number) => {
    if (!evalSet) return null;
    const e = await evaluateWords(student, evalSet);
    evals.push({ step, wordAcc: e.wordAcc, loss: e.loss });
    return e;
  };

  /** The method's loss as the one training loop's task: the teacher runs outside the gradient, the student inside. */
  const task: LoopTask = {
    vars: trainVars,
    guarded: student.variables,
    micro(parts) {
      const b = batcher.next();
      const tokens = b.student.mask.reduce((a, x) => a + x, 0);
      counts.microBatches++;
      counts.studentTokens += tokens;
      counts.matchPairs += b.stats.matchPairs;
      counts.t2sTruncated += b.stats.t2sTruncated;
      if (method === 'match' && b.stats.matchPairs === 0) {
        if (counts.klSkippedBatches++ === 0) warn('a Match batch has no teacher/student token pair: its KL term is skipped (counted in the summary)');
      }
      const tgt = teacherTargets(b);
      return { loss: () => studentLoss(b, tgt, parts as Parts), tokens };
    },
    evaluate: opts.evaluate && evalSet ? async (step) => {
      const e = (await evaluateNow(step))!;
      await hooks.onEvaluated?.(step, student);
      return { evalWordAcc: e.wordAcc, evalLoss: e.loss };
    } : undefined,
  };

  let result: LoopResult;
  let finalEval: WordEval | null = null;
  try {
    hooks.onInfo?.(info);
    if (!evalSet) warn('no held-out text (every 20th text is held out): no masked-word accuracy will be reported');
    const from = resume && checkpoints.restore(resume);
    result = await runLoop(task, {
      steps: recipe.steps, logEvery: recipe.logEvery, evalEvery: recipe.evalEvery, evalAtEnd: true, checkpointEvery: recipe.checkpointEvery,
      schedule: distillSchedule(recipe), optimizer: DISTILL_OPTIMIZER(recipe), clipNorm: recipe.clipNorm, accumulation: recipe.accumulation, startedAt: t0,
    }, control, {
      onPoint: (pt) => { points.push(pt as DistillPoint); hooks.onPoint(pt as DistillPoint); },
      onCheckpoint: async (step, loop) => void (await hooks.onCheckpoint?.(step, checkpoints.capture(loop))),
      yieldToHost: macrotask,
    }, from);
    if (result.outcome === 'diverged') {
      warn(`the loss or gradient norm was not finite at step ${result.divergedAt}: stopped; the student is the checkpoint of step ${result.lastStep}`);
    }
    // A finished run evaluated its last step in the loop; a stopped or diverged one is evaluated here (no point).
    if (opts.evaluate && evalSet) {
      const lastEval = evals[evals.length - 1];
      finalEval = result.outcome === 'done' && lastEval?.step === result.lastStep ? { wordAcc: lastEval.wordAcc, words: evalSet.words, loss: lastEval.loss } : await evaluateNow(result.lastStep);
    }
  } catch (e) {
    student.dispose();
    throw e;
  } finally {
    losses.dispose();
  }
  const { outcome, lastStep, divergedAt } = result;
  const summary: DistillSummary = {
    recipe: effectiveRecipe(recipe, info), info, outcome, steps: lastStep, ...(divergedAt !== null ? { divergedAt } : {}), wallMs: performance.now() - t0, finalEval, evals,
    data: data.stats, counts, warnings,
  };
  return { outcome, student, studentTokenizer: p.studentTokenizer, summary };
}

/** `resumeFrom`: continue a checkpointed run of the same recipe, corpus and teacher (else CheckpointError). */
export async function runDistill(setup: DistillSetup, recipe: Recipe, control: RunControl, hooks: DistillHooks, opts: { resumeFrom?: DistillCheckpoint } = {}): Promise<DistillResult> {
  return run(setup, recipe, control, hooks, { evaluate: true, resumeFrom: opts.resumeFrom });
}

/** Times `steps` optimizer steps after one warm-up step (shader compilation): median ms per step, student parameters, peak bytes. */
export async function probeDistill(setup: DistillSetup, recipe: Recipe, steps = 3): Promise<{ msPerStep: number; params: number; bytes: number }> {
  const times: number[] = [];
  let last = 0;
  let bytes = tf.memory().numBytes;
  const r = await run(setup, { ...recipe, steps: steps + 1, logEvery: 1, evalEvery: 0, checkpointEvery: 0 }, { stopped: false, paused: false, waitWhilePaused: async () => {} }, {
    onPoint: (pt) => {
      if (pt.step > 1) times.push(pt.elapsedMs - last);
      last = pt.elapsedMs;
      bytes = Math.max(bytes, tf.memory().numBytes);
    },
  }, { evaluate: false });
  const params = r.summary.info.studentParams;
  r.student.dispose();
  const sorted = times.sort((a, b) => a - b);
  return { msPerStep: sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN, params, bytes };
}
