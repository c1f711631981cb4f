/**
 * The masked-LM task of the training loop: each micro-batch is the next batch of the run's batcher, its loss the
 * masked-token cross-entropy of the model (models/mlm.ts); throughput counts every position of the batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmBatch } from '../data/mlmBatches.ts';
import { mlmLoss, type MlmBatchTensors, type MlmModel } from '../models/mlm.ts';
import type { LoopTask } from './loop.ts';

export function batchTensors(b: MlmBatch): MlmBatchTensors {
  return {
    ids: tf.tensor2d(b.ids, [b.batchSize, b.seqLen], 'int32'),
    attentionMask: tf.tensor2d(b.attentionMask, [b.batchSize, b.seqLen], 'int32'),
    maskedPositions: tf.tensor1d(b.maskedPositions, 'int32'),
    labels: tf.tensor1d(b.labels, 'int32'),
  };
}

/** Pretraining's optimizer: Adam (β 0.9 / 0.999, ε 1e-8), no weight decay. */
export const MLM_OPTIMIZER = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

export function createMlmTask(model: MlmModel, next: () => MlmBatch): LoopTask {
  return {
    vars: model.variables,
    micro() {
      const b = next();
      const t = batchTensors(b);
      return { loss: () => mlmLoss(model, t), tokens: b.batchSize * b.seqLen };
    },
  };
}
