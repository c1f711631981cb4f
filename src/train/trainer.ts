/**
 * One synchronous MLM training step inside tf.tidy: loss and gradients (tf.variableGrads), global-norm clipping,
 * Adam update with the scheduled learning rate. Only the returned scalars outlive the step; the caller reads them
 * (await data()) when it logs and disposes them.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmBatch } from '../data/mlmBatches.ts';
import { mlmLoss, type MlmBatchTensors, type MlmModel } from '../models/mlm.ts';
import { addAll } from '../models/layers.ts';
import { lrAt, type LrSchedule } from './schedule.ts';

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

export function batchTensors(b: MlmBatch): MlmBatchTensors {
  return {
    ids: tf.tensor2d(b.ids, [b.batchSize, b.seqLen], 'int32'),
    attentionMask: tf.tensor2d(b.attentionMask, [b.batchSize, b.seqLen], 'int32'),
    maskedPositions: tf.tensor1d(b.maskedPositions, 'int32'),
    labels: tf.tensor1d(b.labels, 'int32'),
  };
}

/** Global L2 norm of a list of gradients. */
export function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.sqrt(addAll(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
}

export function createMlmTrainer(model: MlmModel, opts: TrainerOptions): MlmTrainer {
  const optimizer = tf.train.adam(opts.schedule.peak, 0.9, 0.999, 1e-8);
  let stepCount = 0;
  return {
    get stepCount() {
      return stepCount;
    },
    step(batch) {
      const lr = lrAt(stepCount, opts.schedule);
      (optimizer as unknown as { learningRate: number }).learningRate = lr; // read by Adam on every update
      const [loss, gradNorm] = tf.tidy(() => {
        const t = batchTensors(batch);
        const { value, grads } = tf.variableGrads(() => mlmLoss(model, t), model.variables);
        const names = Object.keys(grads);
        const norm = globalNorm(names.map((n) => grads[n]));
        const scale = opts.clipNorm > 0 ? tf.minimum(1, tf.div(opts.clipNorm, tf.add(norm, 1e-6))) : tf.scalar(1);
        optimizer.applyGradients(names.map((name) => ({ name, tensor: tf.mul(grads[name], scale) })));
        return [value, norm] as [tf.Scalar, tf.Scalar];
      });
      stepCount++;
      return { loss, gradNorm, lr };
    },
    dispose() {
      optimizer.dispose();
    },
  };
}
