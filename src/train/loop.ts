/**
 * The one training loop of the workbench: pretraining (MLM) and every distillation method run through it. A run only
 * supplies a `LoopTask`: its trainable variables, the weights the NaN guard restores, one micro-batch's loss (the task
 * pulls its own batches and runs any teacher work outside the gradient) and, optionally, an evaluation.
 *
 * One optimizer step (`createStepper`, synchronous, every tensor in tf.tidy): `accumulation` micro-batches, their
 * gradients averaged; the global L2 norm; clipping to `clipNorm` (0 = off); AdamW (decoupled weight decay on ≥ 2-D
 * weights only; weightDecay 0 is Adam) at the scheduled learning rate (schedule.ts); a device-side scalar records the
 * first step whose loss or gradient norm is not finite (the NaN guard: read only on logging and checkpoint steps).
 *
 * The loop (`runLoop`, nanoGPT-style): steps are synchronous; between steps it yields to the host (pause / stop
 * messages), reads scalars back only on logging, evaluation and checkpoint steps, and keeps a device copy of the guarded
 * weights at step 0 and every `checkpointEvery` steps. A non-finite step ends the run 'diverged' with the weights
 * restored to that copy. Tensor counts stay flat from the first step on (tested).
 *
 * Resume (checkpoint.ts): `onCheckpoint` gets a `capture()` that reads the loop's state back (step, trainable weights,
 * AdamW's count and moments); `runLoop(…, resumeFrom)` writes such a state into the task's variables and a new
 * optimizer and continues at step + 1, so the learning-rate schedule and the bias correction go on where they stopped.
 */
import * as tf from '@tensorflow/tfjs';
import { addAll } from '../models/layers.ts';
import { createAdamW } from './adamw.ts';
import { CheckpointError, type LoopState } from './checkpoint.ts';
import { lrAt, type LrSchedule } from './schedule.ts';

/** Named loss terms of one micro-batch (kept with tf.keep by the task; the loop averages and disposes them). */
export type Parts = Partial<Record<string, tf.Scalar>>;

export interface LoopTask {
  /** Trainable variables: gradients flow to these. */
  vars: tf.Variable[];
  /** The weights the NaN guard copies and restores (the model's; default `vars`). */
  guarded?: tf.Variable[];
  /**
   * Takes the next micro-batch and returns its loss function (run inside tf.variableGrads) and its token count (for
   * throughput). Called inside tf.tidy: work outside the returned function (a teacher's forward) gets no gradient.
   * Named loss terms go into `parts`, kept with tf.keep.
   */
  micro(parts: Parts): { loss: () => tf.Scalar; tokens: number };
  /** Held-out evaluation after `step`: its numbers are merged into that step's point. */
  evaluate?(step: number): Promise<Record<string, number>>;
}

export interface OptimizerSpec {
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay on ≥ 2-D weights (0: Adam). */
  weightDecay: number;
}

export interface StepSpec {
  schedule: LrSchedule;
  optimizer: OptimizerSpec;
  /** Clip the global gradient norm to this value (0 = off). */
  clipNorm: number;
  /** Micro-batches per optimizer step (gradients averaged). */
  accumulation: number;
}

export interface LoopSpec extends StepSpec {
  steps: number;
  /** Read the loss back and report a point every N steps (each read is a device sync). */
  logEvery: number;
  /** Evaluate every N steps (0 = never during the run). */
  evalEvery: number;
  /** Also evaluate the last step when evalEvery does not hit it (or is 0). */
  evalAtEnd: boolean;
  /** Guard copy + onCheckpoint every N steps (0 = only at the end). */
  checkpointEvery: number;
  /** Clock origin of `elapsedMs` (default: when the loop starts). */
  startedAt?: number;
}

/** One logged step. Loss terms (kl, mlm, …) and evaluation numbers ride along as extra fields. */
export interface TrainPoint {
  step: number;
  loss: number;
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  msPerStep: number;
  tokensPerSec: number;
  elapsedMs: number;
  [extra: string]: number;
}

/** Cooperative control: the host flips these flags from its message handler. */
export interface RunControl {
  stopped: boolean;
  paused: boolean;
  /** Resolves when paused becomes false or stopped becomes true. */
  waitWhilePaused(): Promise<void>;
}

export function createRunControl(): RunControl & { pause(): void; resume(): void; stop(): void } {
  let wake: (() => void) | null = null;
  const c = {
    stopped: false,
    paused: false,
    waitWhilePaused: () => (c.paused && !c.stopped ? new Promise<void>((r) => (wake = r)) : Promise.resolve()),
    pause: () => void (c.paused = true),
    resume: () => { c.paused = false; wake?.(); wake = null; },
    stop: () => { c.stopped = true; wake?.(); wake = null; },
  };
  return c;
}

export interface LoopHooks {
  onPoint(p: TrainPoint): void;
  /**
   * After the guard copy of a checkpoint step, and once at the end (done or stopped) when a step was taken. `capture`
   * reads the loop's state back (a device read; call it before this hook returns, the next step changes it).
   */
  onCheckpoint?(step: number, capture: () => Promise<LoopState>): void | Promise<void>;
  /** After every step; a host may use it for fault injection or progress (a throw ends the run). */
  onStep?(step: number): void;
  /** Lets the host's event loop run (messages, rendering). Default: a macrotask. */
  yieldToHost?(): Promise<void>;
}

export type LoopOutcome = 'done' | 'stopped' | 'diverged';

export interface LoopResult {
  outcome: LoopOutcome;
  /** Optimizer steps behind the weights now in the model (diverged: the step of the restored copy). */
  lastStep: number;
  /** The first step with a non-finite loss or gradient norm (diverged only). */
  divergedAt: number | null;
}

/** Global L2 norm of a list of gradients. */
export function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.sqrt(addAll(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
}

export interface StepResult {
  /** Mean micro-batch loss, kept: the caller disposes it. */
  loss: tf.Scalar;
  /** Pre-clip global gradient norm, kept. */
  gradNorm: tf.Scalar;
  /** Mean of each named loss term over the micro-batches that had it, kept. */
  parts: Parts;
  lr: number;
  tokens: number;
}

export interface Stepper {
  /** One optimizer step (the next, 0-based `stepCount`). */
  step(): StepResult;
  readonly stepCount: number;
  /** The state a resumed stepper starts from: stepCount, the trainable weights, AdamW's state (device reads). */
  state(): Promise<LoopState>;
  /** The first step (1-based) whose loss or gradient norm was not finite, or null. A device read. */
  divergedAt(): Promise<number | null>;
  dispose(): void;
}

/** Writes a loop state's weights into `vars` (same order and sizes, else CheckpointError). */
function restoreWeights(vars: tf.Variable[], state: LoopState): void {
  if (state.weights.length !== vars.length) throw new CheckpointError(`the checkpoint has ${state.weights.length} weights, the run ${vars.length} variables`, 'shape');
  state.weights.forEach((w, i) => {
    if (w.data.length !== vars[i].size) throw new CheckpointError(`weight ${i} has ${w.data.length} values in the checkpoint, [${vars[i].shape.join(', ')}] in the run`, 'shape');
  });
  tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(state.weights[i].data, v.shape))));
}

/** `from`: a captured state to continue (weights written into task.vars, AdamW restored, stepCount = from.step). */
export function createStepper(task: LoopTask, spec: StepSpec, from?: LoopState): Stepper {
  const { vars } = task;
  if (from) restoreWeights(vars, from);
  const optimizer = createAdamW(vars, spec.optimizer, from?.optimizer);
  const firstBad = tf.tidy(() => tf.variable(tf.scalar(Infinity), false));
  let stepCount = from?.step ?? 0;

  type Acc = { value: tf.Scalar; grads: tf.NamedTensorMap; parts: Parts; n: Record<string, number>; tokens: number };
  const addParts = (acc: Acc, parts: Parts) => {
    for (const [k, x] of Object.entries(parts)) {
      if (!x) continue;
      const prev = acc.parts[k];
      acc.parts[k] = prev ? tf.tidy(() => tf.add<tf.Scalar>(prev, x)) : x;
      acc.n[k] = (acc.n[k] ?? 0) + 1;
      if (prev) tf.dispose([prev, x]);
    }
  };
  const micro = () => {
    const parts: Parts = {};
    let tokens = 0;
    const out = tf.tidy(() => {
      const m = task.micro(parts);
      tokens = m.tokens;
      return tf.variableGrads(m.loss, vars);
    });
    return { ...out, parts, tokens };
  };

  return {
    get stepCount() {
      return stepCount;
    },
    step() {
      const lr = lrAt(stepCount, spec.schedule);
      let acc: Acc | null = null;
      for (let k = 0; k < spec.accumulation; k++) {
        const m = micro();
        if (!acc) {
          acc = { value: m.value, grads: m.grads, parts: {}, n: {}, tokens: m.tokens };
          addParts(acc, m.parts);
          continue;
        }
        const a: Acc = acc;
        const names = [...new Set([...Object.keys(a.grads), ...Object.keys(m.grads)])]; // a skipped term leaves some variables without a gradient
        const sum = tf.tidy(() => ({
          value: tf.add(a.value, m.value) as tf.Scalar,
          grads: Object.fromEntries(names.map((n) => [n, a.grads[n] && m.grads[n] ? tf.add(a.grads[n], m.grads[n]) : tf.clone(a.grads[n] ?? m.grads[n])])),
        }));
        tf.dispose([a.value, m.value, ...Object.values(a.grads), ...Object.values(m.grads)]);
        a.value = sum.value;
        a.grads = sum.grads;
        a.tokens += m.tokens;
        addParts(a, m.parts);
      }
      const a = acc!;
      const step = stepCount;
      const out = tf.tidy(() => {
        const inv = 1 / spec.accumulation;
        const grads = vars.map((v) => (a.grads[v.name] ? (spec.accumulation === 1 ? a.grads[v.name] : tf.mul(a.grads[v.name], inv)) : null));
        const present = grads.filter((g): g is tf.Tensor => g !== null);
        const norm = present.length ? globalNorm(present) : tf.scalar(0);
        const clip = spec.clipNorm > 0 ? tf.minimum(1, tf.div(spec.clipNorm, tf.add(norm, 1e-6))) : null;
        optimizer.update(grads.map((g) => (g && clip ? tf.mul(g, clip) : g)), lr);
        const loss = (spec.accumulation === 1 ? tf.clone(a.value) : tf.mul(a.value, inv)) as tf.Scalar;
        const finite = tf.logicalAnd(tf.isFinite(loss), tf.isFinite(norm));
        firstBad.assign(tf.where(finite, firstBad, tf.minimum(firstBad, step + 1)) as tf.Scalar);
        const parts: Parts = Object.fromEntries(Object.entries(a.parts).map(([k, v]) => [k, tf.div(v!, a.n[k]) as tf.Scalar]));
        return { loss, gradNorm: norm as tf.Scalar, parts };
      });
      tf.dispose([a.value, ...Object.values(a.grads), ...Object.values(a.parts).filter((x): x is tf.Scalar => !!x)]);
      stepCount++;
      return { ...out, lr, tokens: a.tokens };
    },
    async state() {
      const weights = await Promise.all(vars.map(async (v) => ({ shape: [...v.shape], data: (await v.data()) as Float32Array })));
      return { step: stepCount, weights, optimizer: await optimizer.state() };
    },
    async divergedAt() {
      const v = (await firstBad.data())[0];
      return Number.isFinite(v) ? v : null;
    },
    dispose() {
      optimizer.dispose();
      firstBad.dispose();
    },
  };
}

const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));
const readScalar = async (x: tf.Tensor) => (await x.data())[0]; // never dataSync: wrong on WebGPU

/** `resumeFrom`: continue a run from a captured state (checkpoint.ts) at step resumeFrom.step + 1. */
export async function runLoop(task: LoopTask, spec: LoopSpec, control: RunControl, hooks: LoopHooks, resumeFrom?: LoopState): Promise<LoopResult> {
  const t0 = spec.startedAt ?? performance.now();
  const guarded = task.guarded ?? task.vars;
  const stepper = createStepper(task, spec, resumeFrom);
  const first = stepper.stepCount + 1;
  let guard = { step: first - 1, weights: guarded.map((v) => tf.clone(v)) };
  const yieldToHost = hooks.yieldToHost ?? macrotask;
  const capture = async (): Promise<LoopState> => ({ ...(await stepper.state()), elapsedMs: performance.now() - t0 });
  let outcome: LoopOutcome = 'done';
  let lastStep = first - 1;
  let bad: number | null = null;
  try {
    let windowStart = performance.now();
    let windowSteps = 0;
    let windowTokens = 0;
    for (let step = first; step <= spec.steps; step++) {
      await control.waitWhilePaused();
      if (control.stopped) { outcome = 'stopped'; break; }
      const r = stepper.step();
      windowSteps++;
      windowTokens += r.tokens;
      const isEval = !!task.evaluate && ((spec.evalEvery > 0 && step % spec.evalEvery === 0) || (step === spec.steps && (spec.evalAtEnd || spec.evalEvery > 0)));
      const isCheckpoint = spec.checkpointEvery > 0 && step % spec.checkpointEvery === 0 && step < spec.steps;
      const log = step % spec.logEvery === 0 || step === spec.steps || isEval;
      if (log || isCheckpoint) bad = await stepper.divergedAt();
      if (bad !== null) {
        tf.dispose([r.loss, r.gradNorm, ...Object.values(r.parts).filter((x): x is tf.Scalar => !!x)]);
        outcome = 'diverged';
        break;
      }
      if (log) {
        const now = performance.now();
        const ms = (now - windowStart) / windowSteps;
        const point: TrainPoint = {
          step, loss: await readScalar(r.loss), lr: r.lr, gradNorm: await readScalar(r.gradNorm), msPerStep: ms,
          tokensPerSec: (windowTokens * 1000) / Math.max(1e-9, now - windowStart), elapsedMs: now - t0,
        };
        for (const [k, v] of Object.entries(r.parts)) if (v) point[k] = await readScalar(v);
        if (isEval) Object.assign(point, await task.evaluate!(step));
        hooks.onPoint(point);
      }
      tf.dispose([r.loss, r.gradNorm, ...Object.values(r.parts).filter((x): x is tf.Scalar => !!x)]);
      lastStep = step;
      if (isCheckpoint) {
        tf.dispose(guard.weights);
        guard = { step, weights: guarded.map((v) => tf.clone(v)) };
        await hooks.onCheckpoint?.(step, capture);
      }
      hooks.onStep?.(step);
      await yieldToHost();
      if (log) { windowStart = performance.now(); windowSteps = 0; windowTokens = 0; }
    }
    if (outcome === 'diverged') {
      guarded.forEach((v, i) => v.assign(guard.weights[i]));
      lastStep = guard.step;
    } else if (lastStep > 0) await hooks.onCheckpoint?.(lastStep, capture);
  } finally {
    stepper.dispose();
    tf.dispose(guard.weights);
  }
  return { outcome, lastStep, divergedAt: bad };
}
