/**
 * A one-batch-at-a-time handle on the training loop's optimizer step, for callers that hold their own batches (tests,
 * `vocabkd bench train`, fill-mask checks): `step(batch)` is exactly one step of loop.ts's stepper with the MLM task
 * and pretraining's optimizer (Adam, clipping, the schedule). Only the returned scalars outlive the step.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmBatch } from '../data/mlmBatches.ts';
import type { MlmModel } from '../models/mlm.ts';
import type { LrSchedule } from './schedule.ts';
import { createStepper } from './loop.ts';
import { createMlmTask, MLM_OPTIMIZER } from './mlmTask.ts';

export { batchTensors } from './mlmTask.ts';
export { globalNorm } from './loop.ts';

export interface TrainerOptions {
  schedule: LrSchedule;
  /** Clip the global gradient norm to this value (0 = off). */
  clipNorm: number;
}

export interface StepResult {
  loss: tf.Scalar;
  gradNorm: tf.Scalar;
  lr: number;
}

export interface MlmTrainer {
  step(batch: MlmBatch): StepResult;
  readonly stepCount: number;
  dispose(): void;
}

export function createMlmTrainer(model: MlmModel, opts: TrainerOptions): MlmTrainer {
  let current: MlmBatch | null = null;
  const stepper = createStepper(createMlmTask(model, () => current!), { schedule: opts.schedule, optimizer: MLM_OPTIMIZER, clipNorm: opts.clipNorm, accumulation: 1 });
  return {
    get stepCount() {
      return stepper.stepCount;
    },
    step(batch) {
      current = batch;
      const r = stepper.step();
      current = null;
      return { loss: r.loss, gradNorm: r.gradNorm, lr: r.lr };
    },
    dispose: () => stepper.dispose(),
  };
}
