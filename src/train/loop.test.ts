// Checks the one training loop (src/train/loop.ts) on CPU with a toy task whose numbers are worked out by hand:
// gradient accumulation averages micro-batches, clipping and AdamW's first step, the NaN guard restores the last
// guard copy and names the step, checkpoint / evaluation / logging cadence, stop, flat tensor counts, and resuming
// from a captured state (the same losses and weights as the uninterrupted loop).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRunControl, createStepper, runLoop, type LoopSpec, type LoopTask, type TrainPoint } from './loop.ts';
import { CheckpointError, type LoopState } from './checkpoint.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Loss of micro-batch k: Σ_i (w_i − c_k,i)² with targets c from `targets`; one variable w [2]. */
function toyTask(w: tf.Variable, targets: number[][], opts: { nanAt?: number } = {}): LoopTask & { calls: number } {
  const task = {
    calls: 0,
    vars: [w],
    micro(parts: Record<string, tf.Scalar | undefined>) {
      const k = task.calls++;
      const c = tf.tensor1d(targets[k % targets.length]);
      return {
        tokens: 10,
        loss: () => {
          const l = tf.sum(tf.square(tf.sub(w, c))) as tf.Scalar;
          parts.half = tf.keep(tf.mul(l, 0.5) as tf.Scalar);
          return (opts.nanAt !== undefined && k >= opts.nanAt ? tf.mul(l, NaN) : l) as tf.Scalar;
        },
      };
    },
  };
  return task;
}

const spec = (o: Partial<LoopSpec> = {}): LoopSpec => ({
  steps: 5, logEvery: 1, evalEvery: 0, evalAtEnd: false, checkpointEvery: 0, accumulation: 1, clipNorm: 0,
  schedule: { peak: 0.1, warmupSteps: 0, totalSteps: 5, floorRatio: 1 }, optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, ...o,
});

describe('createStepper', () => {
  it('accumulation 2 averages the micro-batches: loss, parts, gradient norm and Adam step by hand', async () => {
    const w = tf.variable(tf.tensor1d([0, 0]));
    // micro 0: c = (1, 2) → loss 5, grad 2(w − c) = (−2, −4); micro 1: c = (3, 0) → loss 9, grad (−6, 0).
    const stepper = createStepper(toyTask(w, [[1, 2], [3, 0]]), { ...spec(), accumulation: 2 });
    const r = stepper.step();
    expect((await r.loss.data())[0]).toBeCloseTo(7, 6); // (5 + 9) / 2
    expect((await r.parts.half!.data())[0]).toBeCloseTo(3.5, 6);
    expect((await r.gradNorm.data())[0]).toBeCloseTo(Math.hypot(-4, -2), 5); // mean grad (−4, −2)
    expect(r.tokens).toBe(20);
    // Adam's first step moves every coordinate by lr·sign(g): w = (0.1, 0.1).
    expect(Array.from(await w.data()).map((x) => +x.toFixed(6))).toEqual([0.1, 0.1]);
    tf.dispose([r.loss, r.gradNorm, r.parts.half!]);
    stepper.dispose();
    w.dispose();
  });

  it('clipping scales the gradient before AdamW; weight decay only touches ≥ 2-D weights (by hand, first step)', async () => {
    const v = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([3]));
    const task: LoopTask = {
      vars: [v, b],
      micro: () => ({ tokens: 1, loss: () => tf.add(tf.sum(tf.mul(v, tf.tensor2d([[3, 4]]))), tf.mul(b, 0).sum()) as tf.Scalar }),
    };
    // g_v = (3, 4), g_b = 0, norm 5, clipped to 5e-7: g_v = (3e-7, 4e-7), the size of ε = 1e-6, so Adam's first step
    // lr·g/(|g| + ε) = (0.1·0.3/1.3, 0.1·0.4/1.4) is visibly below lr (unclipped it would be lr); decoupled decay adds
    // lr·wd·v to v, and nothing to the 1-D b (whose gradient is 0).
    const stepper = createStepper(task, { ...spec(), clipNorm: 5e-7, optimizer: { beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.5 } });
    const r = stepper.step();
    expect((await r.gradNorm.data())[0]).toBeCloseTo(5, 5); // reported before clipping
    const vNow = await v.data();
    expect(vNow[0]).toBeCloseTo(1 - (0.1 * 0.3) / 1.3 - 0.1 * 0.5 * 1, 6);
    expect(vNow[1]).toBeCloseTo(-2 - (0.1 * 0.4) / 1.4 - 0.1 * 0.5 * -2, 6);
    expect((await b.data())[0]).toBe(3);
    tf.dispose([r.loss, r.gradNorm, v, b]);
    stepper.dispose();
  });
});

describe('runLoop', () => {
  async function run(o: Partial<LoopSpec>, taskOpts: { nanAt?: number } = {}, stopAfter?: number) {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const before = tf.memory().numTensors;
    const control = createRunControl();
    const points: TrainPoint[] = [];
    const checkpoints: number[] = [];
    const evals: number[] = [];
    const task = { ...toyTask(w, [[1, 2]], taskOpts), evaluate: async (step: number) => (evals.push(step), { score: step * 2 }) };
    const result = await runLoop(task, spec(o), control, {
      onPoint: (p) => points.push(p),
      onCheckpoint: (s) => void checkpoints.push(s),
      onStep: (s) => { if (s === stopAfter) control.stop(); },
    });
    const weights = Array.from(await w.data());
    w.dispose();
    return { result, points, checkpoints, evals, weights, leaked: tf.memory().numTensors - before + 1 };
  }

  it('logs every logEvery steps and the last, evaluates on evalEvery and (evalAtEnd) the last step, checkpoints on cadence and at the end', async () => {
    const r = await run({ steps: 7, logEvery: 3, evalEvery: 2, evalAtEnd: true, checkpointEvery: 3 });
    expect(r.result).toEqual({ outcome: 'done', lastStep: 7, divergedAt: null });
    expect(r.evals).toEqual([2, 4, 6, 7]);
    expect(r.points.map((p) => p.step)).toEqual([2, 3, 4, 6, 7]); // evaluation steps are logged too
    expect(r.points.find((p) => p.step === 4)!.score).toBe(8);
    expect(r.points.every((p) => Number.isFinite(p.half) && p.tokensPerSec > 0 && p.msPerStep > 0)).toBe(true);
    expect(r.checkpoints).toEqual([3, 6, 7]);
    expect(r.leaked).toBe(0);
  });

  it('without evalAtEnd and evalEvery 0 it never evaluates', async () => {
    const r = await run({ steps: 3, evalEvery: 0, evalAtEnd: false });
    expect(r.evals).toEqual([]);
  });

  it("a non-finite loss ends the run 'diverged' at that step, restored to the last guard copy", async () => {
    // Checkpoints (guard copies) at steps 2 and 4; the loss turns NaN at micro-batch 4, i.e. step 5.
    const ref = await run({ steps: 4, checkpointEvery: 2 });
    const r = await run({ steps: 8, checkpointEvery: 2 }, { nanAt: 4 });
    expect(r.result).toEqual({ outcome: 'diverged', lastStep: 4, divergedAt: 5 });
    expect(r.points.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(r.weights).toEqual(ref.weights); // the weights after step 4, not the NaN ones
    expect(r.checkpoints).toEqual([2, 4]); // no end-of-run checkpoint for a diverged run
    expect(r.leaked).toBe(0);
  });

  it("stop() ends 'stopped' after the step in flight, with an end checkpoint", async () => {
    const r = await run({ steps: 50, checkpointEvery: 0 }, {}, 3);
    expect(r.result).toEqual({ outcome: 'stopped', lastStep: 3, divergedAt: null });
    expect(r.points.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(r.checkpoints).toEqual([3]);
    expect(r.leaked).toBe(0);
  });

  it('keeps tf.memory().numTensors flat from step 1 on (AdamW slots created at the first step)', async () => {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const counts: number[] = [];
    await runLoop(toyTask(w, [[1, 2], [2, 1]]), spec({ steps: 30, accumulation: 2, checkpointEvery: 7 }), createRunControl(), {
      onPoint: () => {},
      onStep: () => void counts.push(tf.memory().numTensors),
    });
    expect(new Set(counts).size).toBe(1);
    w.dispose();
  });
});

describe('runLoop resumeFrom', () => {
  // Three targets cycled by micro-batch: the data position is the task's call count, restored by hand here (a run
  // restores its batcher's). Stopping at step 3, capturing, and resuming a fresh variable and optimizer must give the
  // losses of steps 4..6 and the final weights of the straight run exactly; a capture with AdamW's state dropped cannot.
  const targets = [[1, 2], [3, -1], [0, 4]];
  async function straightAndCapture(at: number) {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const points: TrainPoint[] = [];
    let state: LoopState | null = null;
    await runLoop(toyTask(w, targets), spec({ steps: 6, checkpointEvery: at }), createRunControl(), {
      onPoint: (p) => points.push(p),
      onCheckpoint: async (s, capture) => { if (s === at) state = await capture(); },
    });
    const weights = Array.from(await w.data());
    w.dispose();
    return { points, weights, state: state! };
  }
  async function resumed(state: LoopState) {
    const w = tf.variable(tf.tensor1d([9, 9]));
    const task = toyTask(w, targets);
    task.calls = state.step;
    const before = tf.memory().numTensors;
    const points: TrainPoint[] = [];
    const r = await runLoop(task, spec({ steps: 6 }), createRunControl(), { onPoint: (p) => points.push(p) }, state);
    const weights = Array.from(await w.data());
    const leaked = tf.memory().numTensors - before;
    w.dispose();
    return { r, points, weights, leaked };
  }

  it('continues at step + 1 with the same losses and weights as the uninterrupted loop, tensor count flat', async () => {
    const a = await straightAndCapture(3);
    expect(a.state).toMatchObject({ step: 3, optimizer: { t: 3 } });
    const b = await resumed(a.state);
    expect(b.r).toEqual({ outcome: 'done', lastStep: 6, divergedAt: null });
    expect(b.points.map((p) => [p.step, p.loss, p.gradNorm, p.lr])).toEqual(a.points.slice(3).map((p) => [p.step, p.loss, p.gradNorm, p.lr]));
    expect(b.weights).toEqual(a.weights);
    expect(b.leaked).toBe(0);
  });

  it('negative: without the AdamW moments (t = 0) the weights after step 4 differ', async () => {
    const a = await straightAndCapture(3);
    const b = await resumed({ ...a.state, optimizer: { t: 0, m: [], v: [] } });
    expect(b.points[0].loss).toBe(a.points[3].loss); // step 4's loss is taken before its update
    expect(b.points[1].loss).not.toBe(a.points[4].loss);
  });

  it('a state of other variables is a CheckpointError', async () => {
    const a = await straightAndCapture(3);
    await expect(resumed({ ...a.state, weights: [{ shape: [3], data: new Float32Array(3) }] })).rejects.toThrow(CheckpointError);
  });
});
