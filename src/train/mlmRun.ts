/**
 * A whole MLM training run, host-neutral: the worker and the CLI both call `runMlm`. The only async part of training
 * (nanoGPT's loop): steps are synchronous and tidy; the loop yields to the host between steps so pause/stop messages
 * are handled, and reads scalars back only on logging steps.
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig, presetConfig, type MlmConfig } from '../models/config.ts';
import { createMlm, encode, mlmLogits, countParams, type MlmModel } from '../models/mlm.ts';
import { createBatcher, DataError, DEFAULT_SPECIALS, type BatchSpecials, type MlmBatch } from '../data/mlmBatches.ts';
import { splitDocuments, tokenStreams, type IdEncoder } from '../data/corpus.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { trainWordTokenizer } from '../tokenizers/wordTokenizer.ts';
import { gatherRows } from '../models/layers.ts';
import { batchTensors, createMlmTrainer } from './trainer.ts';
import type { MlmRunConfig } from './runConfig.ts';

export interface MetricPoint {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  msPerStep: number;
  tokensPerSec: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface RunInfo {
  params: number;
  vocabSize: number;
  trainTokens: number;
  validationTokens: number;
  batchSize: number;
  seqLen: number;
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

/** A snapshot of the weights (HF keys, our [in, out] layout) taken between steps. */
export interface Checkpoint {
  step: number;
  config: MlmConfig;
  weights: Record<string, { shape: number[]; data: Float32Array }>;
}

/** Reads every variable back (await data(): safe on WebGPU). */
export async function snapshot(model: MlmModel, step: number): Promise<Checkpoint> {
  const weights: Checkpoint['weights'] = {};
  for (const [key, v] of Object.entries(model.params)) weights[key] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
  return { step, config: model.config, weights };
}

/** What a run trains on besides the corpus: a real tokenizer (stage 0: pretraining a teacher), else the placeholder. */
export interface RunInputs {
  tokenizer?: Tokenizer;
  /** A full model shape (e.g. from a config.json) instead of cfg.preset's; its vocabulary must hold the tokenizer. */
  model?: MlmConfig;
  seqLen?: number;
  batchSize?: number;
}

/** Special ids of a BERT-style tokenizer; random replacements skip the specials when they are the first five ids. */
export function batchSpecials(tok: Tokenizer): BatchSpecials {
  const ids = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t) => tok.tokenToId(t));
  const missing = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].filter((_, i) => ids[i] === undefined);
  if (missing.length) throw new DataError(`the tokenizer lacks ${missing.join(' ')}; masked-LM training needs [PAD] [UNK] [CLS] [SEP] [MASK]`);
  const [, , cls, sep, mask] = ids as number[];
  return { cls, sep, mask, firstRandom: ids.every((id, i) => id === i) ? ids.length : 0 };
}

export interface RunHooks {
  onInfo?(info: RunInfo): void;
  onPoint(p: MetricPoint): void;
  /** Called after every step; a host may use it for fault injection or progress. */
  onStep?(step: number): void;
  /** A weight snapshot every cfg.checkpointEvery steps and at the end (done or stopped). */
  onCheckpoint?(c: Checkpoint): void;
  /** Lets the host's event loop run (messages, rendering). Default: a macrotask. */
  yieldToHost?(): Promise<void>;
}

export type RunOutcome = 'done' | 'stopped';

const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));

/** Masked-token loss and accuracy on fixed validation batches (no gradients). */
async function evaluate(model: MlmModel, batches: MlmBatch[]): Promise<{ loss: number; accuracy: number }> {
  let loss = 0;
  let correct = 0;
  let total = 0;
  for (const b of batches) {
    const [l, c] = tf.tidy(() => {
      const t = batchTensors(b);
      const logits = mlmLogits(model, gatherRows(encode(model, t.ids, t.attentionMask), t.maskedPositions));
      const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(t.labels, model.config.vocabSize).cast('float32'), logits);
      const hits = tf.sum(tf.equal(tf.argMax(logits, -1).cast('int32'), t.labels).cast('float32'));
      return [ce, hits];
    });
    loss += (await l.data())[0];
    correct += (await c.data())[0];
    total += b.labels.length;
    tf.dispose([l, c]);
  }
  return { loss: loss / batches.length, accuracy: correct / total };
}

export async function runMlm(corpusText: string, cfg: MlmRunConfig, control: RunControl, hooks: RunHooks, inputs: RunInputs = {}): Promise<RunOutcome> {
  const preset = presetConfig(cfg.preset);
  const seqLen = inputs.seqLen ?? preset.seqLen;
  const batchSize = inputs.batchSize ?? preset.batchSize;
  const hf = inputs.tokenizer;
  // A preset takes the tokenizer's vocabulary size; a given shape keeps its own unless the tokenizer needs more rows.
  const shape = inputs.model ?? preset.model;
  const vocabSize = hf ? (inputs.model ? Math.max(shape.vocabSize, hf.vocabSize) : hf.vocabSize) : shape.vocabSize;
  const mc = vocabSize === shape.vocabSize ? shape : makeConfig({ ...shape, vocabSize });
  if (seqLen > mc.maxPositions) throw new DataError(`sequence length ${seqLen} exceeds the model's ${mc.maxPositions} positions`);
  const tok: IdEncoder = hf ? { encode: (t) => Int32Array.from(hf.encode(t, { addSpecialTokens: false }).ids) } : trainWordTokenizer(corpusText, mc.vocabSize);
  const specials = hf ? batchSpecials(hf) : DEFAULT_SPECIALS;
  const streams = tokenStreams(splitDocuments(corpusText), tok);
  const batcher = createBatcher(streams.train, { batchSize, seqLen, vocabSize: mc.vocabSize, maskProb: cfg.maskProb, seed: cfg.seed, specials });
  // Only with evaluation on: a validation split shorter than one window must not fail a run that never evaluates.
  if (cfg.evalEvery > 0 && streams.validation.length < seqLen - 2) {
    throw new DataError(
      `the held-out validation split (the last 5 % of lines) has ${streams.validation.length} tokens, fewer than one window of ${seqLen - 2}: add text or set evalEvery to 0`,
    );
  }
  const valBatcher = cfg.evalEvery > 0 ? createBatcher(streams.validation, { batchSize, seqLen, vocabSize: mc.vocabSize, maskProb: cfg.maskProb, seed: cfg.seed + 1, specials }) : null;
  const valBatches = valBatcher ? Array.from({ length: 4 }, () => valBatcher.next()) : [];
  const model = createMlm(mc, cfg.seed);
  const trainer = createMlmTrainer(model, {
    clipNorm: cfg.clipNorm,
    schedule: { peak: cfg.lr, warmupSteps: cfg.warmupSteps, totalSteps: cfg.steps, floorRatio: 0.1 },
  });
  hooks.onInfo?.({ params: countParams(mc), vocabSize: mc.vocabSize, trainTokens: streams.train.length, validationTokens: streams.validation.length, batchSize, seqLen });
  const yieldToHost = hooks.yieldToHost ?? macrotask;
  try {
    let windowStart = performance.now();
    let windowSteps = 0;
    let lastStep = 0;
    const finish = async (outcome: RunOutcome): Promise<RunOutcome> => {
      if (hooks.onCheckpoint && lastStep > 0) hooks.onCheckpoint(await snapshot(model, lastStep));
      return outcome;
    };
    for (let step = 1; step <= cfg.steps; step++) {
      await control.waitWhilePaused();
      if (control.stopped) return await finish('stopped'); // await: the finally below disposes the model
      const { loss, gradNorm, lr } = trainer.step(batcher.next());
      windowSteps++;
      const log = step % cfg.logEvery === 0 || step === cfg.steps;
      if (log) {
        const [lv, gv] = [(await loss.data())[0], (await gradNorm.data())[0]];
        const ms = (performance.now() - windowStart) / windowSteps;
        const point: MetricPoint = { step, loss: lv, lr, gradNorm: gv, msPerStep: ms, tokensPerSec: (batchSize * seqLen * 1000) / ms };
        if (cfg.evalEvery > 0 && (step % cfg.evalEvery === 0 || step === cfg.steps)) {
          const ev = await evaluate(model, valBatches);
          point.valLoss = ev.loss;
          point.valAccuracy = ev.accuracy;
        }
        hooks.onPoint(point);
      }
      tf.dispose([loss, gradNorm]);
      lastStep = step;
      if (hooks.onCheckpoint && cfg.checkpointEvery > 0 && step % cfg.checkpointEvery === 0 && step < cfg.steps) hooks.onCheckpoint(await snapshot(model, step));
      hooks.onStep?.(step);
      await yieldToHost();
      if (log) { windowStart = performance.now(); windowSteps = 0; }
    }
    return await finish('done');
  } finally {
    trainer.dispose();
    model.dispose();
  }
}
