/**
 * Downstream scores of a masked LM on a task (issue 13): a small trained head on the model's features.
 *
 * - `linear` (default): frozen features (features.ts), standardised with the training split's mean and standard
 *   deviation, then softmax regression W [F, C], b [C] from zeros: a fixed budget of `steps` Adam steps (default 300,
 *   lr 0.01, β 0.9 / 0.999) on minibatches of up to 512 units drawn epoch by epoch in a seeded order (the whole split
 *   when smaller), loss = mean cross-entropy + l2·‖W‖² (l2 = 1e-4). The model is never changed.
 * - `finetune`: a copy of the model (the original is untouched) and a head N(0, 0.02²) from the seed train together
 *   for `epochs` (default 3) over seeded shuffles of the training examples, `batchSize` examples per step (default 16),
 *   AdamW (constant lr: 1e-4 for the encoder, 10× that for the head), weight decay 0.01 on ≥ 2-D weights; no
 *   standardisation.
 * Labels are the training split's (sorted by frequency); a test unit whose label never occurs in training is counted
 * (`unseenTestLabels`), kept in the denominators and always wrong. Metrics: accuracy, macro-F1 (metrics.ts) and the
 * majority class of the training split scored on the test split. Warnings: heavy class imbalance (majority ≥ 80 % of
 * the training units), labels unseen in training, a text the tokenizer mostly maps to [UNK] (> 50 % of the tokens).
 * Every tensor op runs in tf.tidy; results are read with await data().
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmConfig } from '../models/config.ts';
import type { MlmModel, Params } from '../models/mlm.ts';
import { createRng } from '../data/rng.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { createAdamW } from '../train/adamw.ts';
import { crossEntropy, linear } from '../models/layers.ts';
import { classificationScores, labelCounts, majorityBaseline, type LabelScore } from './metrics.ts';
import { encodeTask, EvalStoppedError, EvalTimeLimitError, extractFeatures, featureBatches, featureWidth, unitFeatures, type EncodedSplit, type WordPooling } from './features.ts';
import type { TaskData, TaskKind } from './tasks.ts';

export type ProbeKind = 'linear' | 'finetune';

/** Majority share of the training units from which a result carries the imbalance warning. */
export const IMBALANCE_WARN_SHARE = 0.8;
/** [UNK] share of the task's tokens above which a result carries the [UNK] warning. */
export const UNK_WARN_SHARE = 0.5;

export interface PrepareTaskOptions {
  /** Longest row in tokens (default 128), capped at the model's maxPositions. */
  maxLen?: number;
  wordPooling?: WordPooling;
  /** Use only the first N training / test examples (sentences for token tasks). */
  maxTrain?: number;
  maxTest?: number;
}

/** A task encoded for one tokenizer and model shape: reusable at every evaluation point of a run. */
export interface PreparedTask {
  name: string;
  kind: TaskKind;
  train: EncodedSplit;
  test: EncodedSplit;
  /** Training labels, most frequent first; index = class id. */
  labels: string[];
  padId: number;
  maxLen: number;
  pairTypes: boolean;
  wordPooling: WordPooling;
  trainSentences?: number;
  testSentences?: number;
}

function capSplit<T extends TaskData['train']>(s: T, n: number | undefined): T {
  if (n === undefined) return s;
  return (s.kind === 'token' ? { ...s, sentences: s.sentences.slice(0, n) } : { ...s, examples: s.examples.slice(0, n) }) as T;
}

export function prepareTask(tokenizer: Tokenizer, config: MlmConfig, data: TaskData, opts: PrepareTaskOptions = {}): PreparedTask {
  const maxLen = Math.min(opts.maxLen ?? 128, config.maxPositions);
  const pairTypes = config.typeVocabSize >= 2;
  const wordPooling = opts.wordPooling ?? 'mean';
  const trainSplit = capSplit(data.train, opts.maxTrain);
  const testSplit = capSplit(data.test, opts.maxTest);
  const enc = { maxLen, pairTypes, wordPooling };
  const train = encodeTask(tokenizer, trainSplit, enc);
  const test = encodeTask(tokenizer, testSplit, enc);
  const labels = labelCounts(train.examples.flatMap((e) => e.labels)).map(([l]) => l);
  const padId = tokenizer.tokenToId('[PAD]') ?? config.padTokenId;
  return {
    name: data.spec.name, kind: data.spec.kind, train, test, labels, padId, maxLen, pairTypes, wordPooling,
    ...(trainSplit.kind === 'token' && testSplit.kind === 'token' ? { trainSentences: trainSplit.sentences.length, testSentences: testSplit.sentences.length } : {}),
  };
}

export interface ProbeOptions {
  probe?: ProbeKind;
  seed?: number;
  /** linear: Adam steps (default 300). */
  steps?: number;
  /** finetune: passes over the training split (default 3). */
  epochs?: number;
  /** linear default 0.01; finetune default 1e-4. */
  lr?: number;
  /** linear: L2 penalty on W (default 1e-4). */
  l2?: number;
  /** Examples per forward batch (feature extraction and fine-tuning; default 16). */
  batchSize?: number;
  onProgress?: (p: { phase: 'features' | 'train' | 'predict'; done: number; total: number }) => void | Promise<void>;
  /** Polled between batches and steps; true → EvalStoppedError. */
  shouldStop?: () => boolean;
  /**
   * Time cap of one scoreTask call, checked between batches and steps: past it the call throws EvalTimeLimitError
   * (a probe cut short would give a score that is not comparable, so none is given). Budget with maxTrain / maxTest
   * and the `seconds` of an earlier result.
   */
  timeLimitMs?: number;
}

/** The stop / time-cap check of one call. */
function guardOf(o: ProbeOptions): () => void {
  const t0 = performance.now();
  return () => {
    if (o.shouldStop?.()) throw new EvalStoppedError();
    if (o.timeLimitMs !== undefined && performance.now() - t0 > o.timeLimitMs) throw new EvalTimeLimitError(`the evaluation ran past its time cap of ${(o.timeLimitMs / 1000).toFixed(1)} s`);
  };
}

export interface TaskResult {
  task: string;
  kind: TaskKind;
  probe: ProbeKind;
  seed: number;
  accuracy: number;
  macroF1: number;
  majorityAccuracy: number;
  majorityMacroF1: number;
  majorityLabel: string;
  /** The training labels, most frequent first. */
  labels: string[];
  /** Classified units: words (token tasks) or examples. */
  train: number;
  test: number;
  trainSentences?: number;
  testSentences?: number;
  /** Test units whose label never occurs in training, by label (counted as errors). */
  unseenTestLabels: Record<string, number>;
  perLabel: LabelScore[];
  /** [UNK] share of the task's non-special tokens (train and test). */
  unkRate: number;
  /** Examples cut to the window, or sentences split into several windows. */
  truncated: number;
  features: number;
  warnings: string[];
  seconds: number;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** Standardises rows of X [n, F] in place with the given mean / std. */
function standardise(x: Float32Array, F: number, mean: Float64Array, std: Float64Array) {
  for (let i = 0; i < x.length; i++) x[i] = (x[i] - mean[i % F]) / std[i % F];
}

function columnStats(x: Float32Array, F: number): { mean: Float64Array; std: Float64Array } {
  const n = x.length / F;
  const mean = new Float64Array(F);
  const sq = new Float64Array(F);
  for (let i = 0; i < x.length; i++) mean[i % F] += x[i];
  for (let j = 0; j < F; j++) mean[j] /= Math.max(1, n);
  for (let i = 0; i < x.length; i++) sq[i % F] += (x[i] - mean[i % F]) ** 2;
  const std = sq.map((s) => Math.sqrt(s / Math.max(1, n)) + 1e-6);
  return { mean, std };
}

const classIds = (split: EncodedSplit, index: Map<string, number>) => Int32Array.from(split.examples.flatMap((e) => e.labels), (l) => index.get(l) ?? -1);

/** Seeded epoch-by-epoch order of n items: the k-th minibatch of `size`. */
function minibatches(n: number, size: number, seed: number) {
  const rng = createRng(seed);
  let perm: number[] = [];
  let at = n;
  return () => {
    const out: number[] = [];
    while (out.length < Math.min(size, n)) {
      if (at >= n) {
        perm = Array.from({ length: n }, (_, i) => i);
        for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
        at = 0;
      }
      out.push(perm[at++]);
    }
    return out;
  };
}

async function linearProbe(model: MlmModel, p: PreparedTask, o: ProbeOptions, seed: number, guard: () => void): Promise<Int32Array> {
  const F = featureWidth(p.kind, model.config.hiddenSize);
  const batchSize = o.batchSize ?? 16;
  const xTrain = await extractFeatures(model, p.train, { batchSize, padId: p.padId, guard, onBatch: (d, t) => o.onProgress?.({ phase: 'features', done: d, total: t }) });
  const xTest = await extractFeatures(model, p.test, { batchSize, padId: p.padId, guard });
  const { mean, std } = columnStats(xTrain, F);
  standardise(xTrain, F, mean, std);
  standardise(xTest, F, mean, std);
  const index = new Map(p.labels.map((l, i) => [l, i]));
  const yTrain = classIds(p.train, index);
  const C = p.labels.length;
  const N = p.train.units;
  const steps = o.steps ?? 300;
  const lr = o.lr ?? 0.01;
  const l2 = o.l2 ?? 1e-4;
  const X = tf.tensor2d(xTrain, [N, F]);
  const Y = tf.tensor1d(yTrain, 'int32');
  // tf.variable(t) keeps t alive: create the initial values inside tidy.
  const W = tf.tidy(() => tf.variable(tf.zeros([F, C]), true));
  const b = tf.tidy(() => tf.variable(tf.zeros([C]), true));
  const opt = createAdamW([W, b], { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  const next = minibatches(N, 512, seed);
  try {
    for (let s = 0; s < steps; s++) {
      guard();
      const idx = next();
      tf.tidy(() => {
        const i = tf.tensor1d(idx, 'int32');
        const x = tf.gather(X, i) as tf.Tensor2D;
        const y = tf.gather(Y, i) as tf.Tensor1D;
        const { grads } = tf.variableGrads(() => tf.add(crossEntropy(linear(x, W as unknown as tf.Tensor2D, b as unknown as tf.Tensor1D), y), tf.mul(l2, tf.sum(tf.square(W)))) as tf.Scalar, [W, b]);
        opt.update([grads[W.name], grads[b.name]], lr);
      });
      if ((s + 1) % 50 === 0 || s + 1 === steps) await o.onProgress?.({ phase: 'train', done: s + 1, total: steps });
    }
    const pred = tf.tidy(() => tf.argMax(linear(tf.tensor2d(xTest, [p.test.units, F]), W as unknown as tf.Tensor2D, b as unknown as tf.Tensor1D), -1).cast('int32'));
    const out = (await pred.data()) as Int32Array;
    pred.dispose();
    return out;
  } finally {
    opt.dispose();
    tf.dispose([X, Y, W, b]);
  }
}

/** A copy of the model in new variables (the original stays as it is). */
export function cloneModel(model: MlmModel): MlmModel {
  const params: Params = {};
  for (const [k, v] of Object.entries(model.params)) params[k] = tf.tidy(() => tf.variable(v.clone(), true));
  const variables = Object.values(params);
  return { config: model.config, params, variables, dispose: () => variables.forEach((v) => v.dispose()) };
}

async function finetuneProbe(model: MlmModel, p: PreparedTask, o: ProbeOptions, seed: number, guard: () => void): Promise<Int32Array> {
  const F = featureWidth(p.kind, model.config.hiddenSize);
  const C = p.labels.length;
  const batchSize = o.batchSize ?? 16;
  const epochs = o.epochs ?? 3;
  const lr = o.lr ?? 1e-4;
  const index = new Map(p.labels.map((l, i) => [l, i]));
  const yAll = classIds(p.train, index);
  const copy = cloneModel(model);
  const rng = createRng(seed);
  const init = Float32Array.from({ length: F * C }, () => rng.normal() * 0.02);
  const W = tf.tidy(() => tf.variable(tf.tensor2d(init, [F, C]), true));
  const b = tf.tidy(() => tf.variable(tf.zeros([C]), true));
  const vars = [...copy.variables, W, b];
  // The encoder moves slowly (lr), the new head 10× faster: from N(0, 0.02²) it would hardly move in 3 epochs at lr.
  const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
  const encOpt = createAdamW(copy.variables, adam);
  const headOpt = createAdamW([W, b], adam);
  const head = (f: tf.Tensor2D) => linear(f, W as unknown as tf.Tensor2D, b as unknown as tf.Tensor1D);
  const n = p.train.examples.length;
  const perEpoch = Math.ceil(n / batchSize);
  try {
    for (let e = 0; e < epochs; e++) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
      const batches = featureBatches(p.train, { batchSize, padId: p.padId, order });
      for (let k = 0; k < batches.length; k++) {
        guard();
        const fb = batches[k];
        const y = Int32Array.from(fb.unitIndex, (u) => yAll[u]);
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => crossEntropy(head(unitFeatures(copy, fb)), tf.tensor1d(y, 'int32')), vars);
          encOpt.update(copy.variables.map((v) => grads[v.name] ?? null), lr);
          headOpt.update([grads[W.name], grads[b.name]], 10 * lr);
        });
        await o.onProgress?.({ phase: 'train', done: e * perEpoch + k + 1, total: epochs * perEpoch });
      }
    }
    const out = new Int32Array(p.test.units);
    const batches = featureBatches(p.test, { batchSize, padId: p.padId });
    for (let k = 0; k < batches.length; k++) {
      guard();
      const pred = tf.tidy(() => tf.argMax(head(unitFeatures(copy, batches[k])), -1).cast('int32'));
      const v = await pred.data();
      pred.dispose();
      batches[k].unitIndex.forEach((u, j) => { out[u] = v[j]; });
      await o.onProgress?.({ phase: 'predict', done: k + 1, total: batches.length });
    }
    return out;
  } finally {
    encOpt.dispose();
    headOpt.dispose();
    tf.dispose([W, b]);
    copy.dispose();
  }
}

/** Scores a prepared task: trains the probe, predicts the test split, computes the metrics and warnings. */
export async function scoreTask(model: MlmModel, p: PreparedTask, o: ProbeOptions = {}): Promise<TaskResult> {
  const t0 = performance.now();
  const probe = o.probe ?? 'linear';
  const seed = o.seed ?? 1;
  const guard = guardOf(o);
  const pred = probe === 'finetune' ? await finetuneProbe(model, p, o, seed, guard) : await linearProbe(model, p, o, seed, guard);
  const gold = p.test.examples.flatMap((e) => e.labels);
  const trainGold = p.train.examples.flatMap((e) => e.labels);
  const predicted = Array.from(pred, (i) => p.labels[i]);
  const scores = classificationScores(gold, predicted);
  const majority = majorityBaseline(trainGold, gold);
  const known = new Set(p.labels);
  const unseenTestLabels: Record<string, number> = {};
  for (const g of gold) if (!known.has(g)) unseenTestLabels[g] = (unseenTestLabels[g] ?? 0) + 1;
  const unkRate = (p.train.unk + p.test.unk) / Math.max(1, p.train.tokens + p.test.tokens);
  const warnings: string[] = [];
  if (majority.trainShare >= IMBALANCE_WARN_SHARE) {
    warnings.push(`heavy class imbalance: "${majority.label}" is ${pct(majority.trainShare)} of the training units; the majority class alone scores ${pct(majority.accuracy)} accuracy on the test split, read macro-F1`);
  }
  const unseen = Object.entries(unseenTestLabels);
  if (unseen.length) {
    const n = unseen.reduce((s, [, c]) => s + c, 0);
    warnings.push(`${n} test unit${n === 1 ? '' : 's'} carry label${unseen.length === 1 ? '' : 's'} never seen in training (${unseen.map(([l, c]) => `${l}: ${c}`).join(', ')}); counted as errors`);
  }
  if (unkRate > UNK_WARN_SHARE) warnings.push(`mostly [UNK]: ${pct(unkRate)} of the task's tokens are [UNK] for this tokenizer; the scores say little about the model`);
  return {
    task: p.name, kind: p.kind, probe, seed,
    accuracy: scores.accuracy, macroF1: scores.macroF1,
    majorityAccuracy: majority.accuracy, majorityMacroF1: majority.macroF1, majorityLabel: majority.label,
    labels: p.labels,
    train: p.train.units, test: p.test.units,
    ...(p.trainSentences !== undefined ? { trainSentences: p.trainSentences, testSentences: p.testSentences } : {}),
    unseenTestLabels, perLabel: scores.perLabel, unkRate,
    truncated: p.train.truncated + p.test.truncated,
    features: featureWidth(p.kind, model.config.hiddenSize),
    warnings,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** prepareTask + scoreTask in one call (the CLI; a page evaluating repeatedly keeps the PreparedTask instead). */
export async function evaluateTask(model: MlmModel, tokenizer: Tokenizer, data: TaskData, o: ProbeOptions & PrepareTaskOptions = {}): Promise<TaskResult> {
  const t0 = performance.now();
  const r = await scoreTask(model, prepareTask(tokenizer, model.config, data, o), o);
  return { ...r, seconds: (performance.now() - t0) / 1000 };
}
