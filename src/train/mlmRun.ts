/**
 * A whole MLM pretraining run, host-neutral (the worker and the CLI both call `runMlm`): the corpus is split by the
 * one held-out rule (every 20th line, data/heldout.ts), the tokenizer is the given one or a WordPiece trained by our
 * trainer on the training lines (the preset's vocabulary size), and the steps run through the one training loop
 * (loop.ts) with an MLM task: Adam (AdamW without decay), clipping, the schedule, the NaN guard, pause / stop. A new
 * model starts with shift heads (models/shiftInit.ts) unless cfg.init is 'plain'.
 * Checkpoints (checkpoint.ts): `onCheckpoint`'s `capture()` gives the whole run state (weights, Adam, the batcher's RNG,
 * the run description, the tokenizer, the points); `inputs.resumeFrom` continues such a run at its step + 1.
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig, presetConfig, type MlmConfig } from '../models/config.ts';
import { createMlm, encode, mlmLogits, countParams, type MlmModel } from '../models/mlm.ts';
import { applyShiftHeadInit, checkShiftInit } from '../models/shiftInit.ts';
import { createBatcher, DataError, type BatchSpecials, type MlmBatch } from '../data/mlmBatches.ts';
import { splitDocuments, tokenStreams, type IdEncoder } from '../data/corpus.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { gatherRows } from '../models/layers.ts';
import { trainTokenizer, DEFAULT_TOKENIZER_TRAIN } from '../tokenizers/trainTokenizer.ts';
import { fromTokenizerJson, toTokenizerJson } from '../tokenizers/hfJson.ts';
import { splitHeldOut } from '../data/heldout.ts';
import { batchTensors, createMlmTask, MLM_OPTIMIZER } from './mlmTask.ts';
import { runLoop, type RunControl, type TrainPoint, type LoopOutcome } from './loop.ts';
import type { LoopState } from './checkpoint.ts';
import type { MlmRunConfig } from './runConfig.ts';
import { assertResumable, CheckpointError, loopStateFor, makeRunCheckpoint, textFingerprint, type RunCheckpoint } from './checkpoint.ts';

export { createRunControl, type RunControl } from './loop.ts';

/** A logged step of a pretraining run: the loop's point, with the validation numbers on evaluation steps. */
export type MetricPoint = TrainPoint & { valLoss?: number; valAccuracy?: number };

export interface RunInfo {
  params: number;
  vocabSize: number;
  trainTokens: number;
  validationTokens: number;
  batchSize: number;
  seqLen: number;
}

/** A snapshot of the weights (HF keys, our [in, out] layout) taken between steps. */
export interface Checkpoint {
  step: number;
  config: MlmConfig;
  /** The run's tokenizer as tokenizer.json (given, or the WordPiece the run trained): the checkpoint exports with it. */
  tokenizerJson: string;
  weights: Record<string, { shape: number[]; data: Float32Array }>;
}

/** Reads every variable back (await data(): safe on WebGPU). */
export async function snapshot(model: MlmModel, step: number, tokenizerJson: string): Promise<Checkpoint> {
  const weights: Checkpoint['weights'] = {};
  for (const [key, v] of Object.entries(model.params)) weights[key] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
  return { step, config: model.config, tokenizerJson, weights };
}

/** What rebuilds a pretraining run (a run checkpoint's recipe): compared field by field on resume. */
export interface PretrainRecipe {
  config: MlmRunConfig;
  model: MlmConfig;
  seqLen: number;
  batchSize: number;
  /** textFingerprint of the corpus text. */
  corpus: string;
}

export type PretrainCheckpoint = RunCheckpoint<PretrainRecipe>;

/** What a run trains on besides the corpus: a tokenizer (else a WordPiece is trained on the training lines) and a model shape. */
export interface RunInputs {
  /** Continue this run (its tokenizer, model shape, sequence length and batch size unless given; they must agree). */
  resumeFrom?: PretrainCheckpoint;
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
  /**
   * A weight snapshot every cfg.checkpointEvery steps and at the end (done or stopped; diverged: none). `capture` reads
   * the whole run state for a resumable checkpoint (call it before this hook's promise resolves; a returned promise is
   * awaited before the next step).
   */
  onCheckpoint?(c: Checkpoint, capture: () => Promise<PretrainCheckpoint>): unknown;
  /** Lets the host's event loop run (messages, rendering). Default: a macrotask. */
  yieldToHost?(): Promise<void>;
}

export type RunOutcome = LoopOutcome;

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
  const resume = inputs.resumeFrom;
  const preset = presetConfig(cfg.preset);
  const seqLen = inputs.seqLen ?? resume?.recipe.seqLen ?? preset.seqLen;
  const batchSize = inputs.batchSize ?? resume?.recipe.batchSize ?? preset.batchSize;
  const given = inputs.model ?? resume?.recipe.model;
  const shape = given ?? preset.model;
  if (!resume && cfg.init === 'shift') checkShiftInit(shape, seqLen); // before the tokenizer is trained
  const docs = splitDocuments(corpusText);
  // No tokenizer given: the checkpoint's, else a WordPiece of our trainer on the training lines only (never the held-out ones).
  const hf: Tokenizer = inputs.tokenizer ?? (resume ? fromTokenizerJson(resume.tokenizers.model)
    : (await trainTokenizer(splitHeldOut(docs).train, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: shape.vocabSize, minFrequency: 1 })).tokenizer);
  // A preset takes the tokenizer's vocabulary size; a given shape keeps its own unless the tokenizer needs more rows.
  const vocabSize = given ? Math.max(shape.vocabSize, hf.vocabSize) : hf.vocabSize;
  // [PAD]'s id is the tokenizer's (config.json's pad_token_id when the checkpoint is exported), whatever the shape said.
  const padTokenId = hf.tokenToId('[PAD]') ?? shape.padTokenId;
  const mc = vocabSize === shape.vocabSize && padTokenId === shape.padTokenId ? shape : makeConfig({ ...shape, vocabSize, padTokenId });
  if (seqLen > mc.maxPositions) throw new DataError(`sequence length ${seqLen} exceeds the model's ${mc.maxPositions} positions`);
  const tok: IdEncoder = { encode: (t) => Int32Array.from(hf.encode(t, { addSpecialTokens: false }).ids) };
  const specials = batchSpecials(hf);
  const streams = tokenStreams(docs, tok);
  const batcher = createBatcher(streams.train, { batchSize, seqLen, vocabSize: mc.vocabSize, maskProb: cfg.maskProb, seed: cfg.seed, specials });
  // Only with evaluation on: a validation split shorter than one window must not fail a run that never evaluates.
  if (cfg.evalEvery > 0 && streams.validation.length < seqLen - 2) {
    throw new DataError(
      `the held-out validation split (every 20th line) has ${streams.validation.length} tokens, fewer than one window of ${seqLen - 2}: add text or set evalEvery to 0`,
    );
  }
  const valBatcher = cfg.evalEvery > 0 ? createBatcher(streams.validation, { batchSize, seqLen, vocabSize: mc.vocabSize, maskProb: cfg.maskProb, seed: cfg.seed + 1, specials }) : null;
  const valBatches = valBatcher ? Array.from({ length: 4 }, () => valBatcher.next()) : [];
  let rec: PretrainRecipe | undefined; // the corpus fingerprint costs ~10 ms per MB: only for checkpoints
  // `init` only chooses the first values: a resumed run takes its weights from the checkpoint (older ones have no init).
  const runCfg: MlmRunConfig = resume ? { ...cfg, init: resume.recipe.config.init } : cfg;
  const recipe = () => (rec ??= { config: runCfg, model: mc, seqLen, batchSize, corpus: textFingerprint(corpusText) });
  const tokenizerJson = toTokenizerJson(hf, false);
  if (resume) {
    assertResumable(resume, 'pretrain', recipe());
    if (tokenizerJson !== resume.tokenizers.model) throw new CheckpointError('the checkpoint was taken with another tokenizer', 'recipe');
  }
  const model = createMlm(mc, cfg.seed);
  if (!resume && cfg.init === 'shift') {
    try {
      await applyShiftHeadInit(model, { seed: cfg.seed, positionsUsed: seqLen });
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  const keys = Object.keys(model.params);
  const points: MetricPoint[] = resume ? [...(resume.points as MetricPoint[])] : [];
  hooks.onInfo?.({ params: countParams(mc), vocabSize: mc.vocabSize, trainTokens: streams.train.length, validationTokens: streams.validation.length, batchSize, seqLen });
  try {
    const from = resume && loopStateFor(resume, keys, model.variables.map((v) => v.shape));
    if (resume) batcher.rng.setState(resume.data.rng);
    const capture = (loop: () => Promise<LoopState>) => async (): Promise<PretrainCheckpoint> => makeRunCheckpoint('pretrain', await loop(), {
      recipe: recipe(), tokenizers: { model: tokenizerJson }, keys, data: { rng: batcher.rng.state() }, points, extra: {},
    });
    const task = createMlmTask(model, () => batcher.next());
    const result = await runLoop(
      {
        ...task,
        evaluate: valBatches.length ? async () => {
          const ev = await evaluate(model, valBatches);
          return { valLoss: ev.loss, valAccuracy: ev.accuracy };
        } : undefined,
      },
      {
        steps: cfg.steps, logEvery: cfg.logEvery, evalEvery: cfg.evalEvery, evalAtEnd: false, checkpointEvery: cfg.checkpointEvery,
        schedule: { peak: cfg.lr, warmupSteps: cfg.warmupSteps, totalSteps: cfg.steps, floorRatio: 0.1 },
        optimizer: MLM_OPTIMIZER, clipNorm: cfg.clipNorm, accumulation: 1, startedAt: resume ? performance.now() - resume.elapsedMs : undefined,
      },
      control,
      {
        onPoint: (p) => { points.push(p as MetricPoint); hooks.onPoint(p as MetricPoint); },
        onCheckpoint: hooks.onCheckpoint ? async (step, loop) => void (await hooks.onCheckpoint!(await snapshot(model, step, tokenizerJson), capture(loop))) : undefined,
        onStep: hooks.onStep,
        yieldToHost: hooks.yieldToHost,
      },
      from,
    );
    return result.outcome;
  } finally {
    model.dispose();
  }
}
