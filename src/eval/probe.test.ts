// Downstream features and probes (features.ts, probe.ts): the pools of each task kind (word spans, first piece,
// windows, pairs with and without token types), pooled features equal to a direct mean of the encoder's rows, a
// linear probe that learns a separable task, the bad-input warnings (unseen test labels, imbalance, [UNK]),
// fine-tuning that leaves the model untouched, determinism, no leaked tensors, and the stop hook.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../models/config.ts';
import { createMlm, encode } from '../models/mlm.ts';
import { bertTokenizer } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import { createRng } from '../data/rng.ts';
import { encodeTask, EvalStoppedError, EvalTimeLimitError, featureBatches, unitFeatures } from './features.ts';
import { evaluateTask, prepareTask, scoreTask } from './probe.ts';
import type { TaskData, TaskSplit, TextExample } from './tasks.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'ran', 'ship', '##s', '.'];
const TOK = bertTokenizer(new WordPieceModel(VOCAB), DEFAULT_NORMALIZER);
const config = (typeVocabSize = 2) => makeConfig({ vocabSize: VOCAB.length, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 64, typeVocabSize });

const seqTask = (train: TextExample[], test: TextExample[], kind: 'sequence' | 'pair' = 'sequence'): TaskData => ({
  spec: { name: 'synthetic', kind, format: 'jsonl', train: 'train.jsonl', test: 'test.jsonl', text: kind === 'pair' ? ['a', 'b'] : 'text', label: 'label' },
  train: { kind, file: 'train.jsonl', examples: train },
  test: { kind, file: 'test.jsonl', examples: test },
});

/** Random sentences over the plain words; label "yes" when "ship" occurs. */
function shipTask(n: number, seed: number): TextExample[] {
  const rng = createRng(seed);
  const words = ['the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'ran'];
  return Array.from({ length: n }, (_, i) => {
    const w = Array.from({ length: 3 + rng.int(4) }, () => words[rng.int(words.length)]);
    if (i % 2 === 0) w[rng.int(w.length)] = 'ship';
    return { texts: [w.join(' ')], label: i % 2 === 0 ? 'yes' : 'no' };
  });
}

describe('encodeTask', () => {
  const sentence: TaskSplit = { kind: 'token', file: 'x.conllu', sentences: [{ words: ['the', 'cats', 'sat', '.'], labels: ['DET', 'NOUN', 'VERB', 'PUNCT'] }] };

  it('token: one pool per word over every piece of the word (or its first piece)', () => {
    const mean = encodeTask(TOK, sentence, { maxLen: 64, pairTypes: true });
    expect(Array.from(mean.examples[0].rows[0].ids)).toEqual([2, 5, 6, 14, 7, 15, 3]); // [CLS] the cat ##s sat . [SEP]
    expect(mean.examples[0].pools.map((p) => Array.from(p.positions))).toEqual([[1], [2, 3], [4], [5]]);
    const first = encodeTask(TOK, sentence, { maxLen: 64, pairTypes: true, wordPooling: 'first' });
    expect(first.examples[0].pools.map((p) => Array.from(p.positions))).toEqual([[1], [2], [4], [5]]);
    expect(mean.units).toBe(4);
    expect(mean.truncated).toBe(0);
  });

  it('token: a sentence longer than the window is cut at word boundaries into rows', () => {
    const e = encodeTask(TOK, sentence, { maxLen: 5, pairTypes: true }); // 3 content tokens per row
    expect(e.examples[0].rows.map((r) => Array.from(r.ids))).toEqual([[2, 5, 6, 14, 3], [2, 7, 15, 3]]);
    expect(e.examples[0].pools.map((p) => [p.row, Array.from(p.positions)])).toEqual([[0, [1]], [0, [2, 3]], [1, [1]], [1, [2]]]);
    expect(e.truncated).toBe(1);
  });

  it('pair: [CLS] A [SEP] B [SEP] with token types, or two rows without a type table; sequence truncation', () => {
    const split: TaskSplit = { kind: 'pair', file: 'p', examples: [{ texts: ['the cat', 'a dog ran'], label: 'x' }] };
    const joint = encodeTask(TOK, split, { maxLen: 64, pairTypes: true }).examples[0];
    expect(Array.from(joint.rows[0].ids)).toEqual([2, 5, 6, 3, 10, 11, 12, 3]);
    expect(Array.from(joint.rows[0].types!)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(joint.pools.map((p) => [p.row, Array.from(p.positions)])).toEqual([[0, [1, 2]], [0, [4, 5, 6]]]);
    const apart = encodeTask(TOK, split, { maxLen: 64, pairTypes: false }).examples[0];
    expect(apart.rows.map((r) => Array.from(r.ids))).toEqual([[2, 5, 6, 3], [2, 10, 11, 12, 3]]);
    expect(apart.pools.map((p) => [p.row, Array.from(p.positions)])).toEqual([[0, [1, 2]], [1, [1, 2, 3]]]);
    const cut = encodeTask(TOK, split, { maxLen: 6, pairTypes: true }); // longest first: B loses a token
    expect(Array.from(cut.examples[0].rows[0].ids)).toEqual([2, 5, 6, 3, 10, 3]);
    expect(cut.truncated).toBe(1);
    const seq = encodeTask(TOK, { kind: 'sequence', file: 's', examples: [{ texts: ['the cat sat on the mat'], label: 'x' }] }, { maxLen: 4, pairTypes: true });
    expect(Array.from(seq.examples[0].rows[0].ids)).toEqual([2, 5, 6, 3]);
    expect(seq.truncated).toBe(1);
  });
});

describe('pooled features', () => {
  it('equal the mean of the encoder rows of each pool; pairs give [A ‖ B ‖ |A − B|]', async () => {
    const model = createMlm(config(), 3);
    const split = encodeTask(TOK, { kind: 'pair', file: 'p', examples: [{ texts: ['the cat', 'a dog ran'], label: 'x' }, { texts: ['ship', 'the mats'], label: 'y' }] }, { maxLen: 64, pairTypes: true });
    const [b] = featureBatches(split, { batchSize: 8, padId: 0 });
    const f = tf.tidy(() => unitFeatures(model, b));
    const got = await f.data();
    f.dispose();
    const H = 16;
    for (let ex = 0; ex < 2; ex++) {
      const row = split.examples[ex].rows[0];
      const h = tf.tidy(() => encode(model, tf.tensor2d(row.ids, [1, row.ids.length], 'int32'), tf.ones([1, row.ids.length], 'int32'), tf.tensor2d(row.types!, [1, row.ids.length], 'int32')));
      const hv = await h.data();
      h.dispose();
      const mean = (pos: Int32Array) => Array.from({ length: H }, (_, j) => pos.reduce((s, p) => s + hv[p * H + j], 0) / pos.length);
      const a = mean(split.examples[ex].pools[0].positions);
      const c = mean(split.examples[ex].pools[1].positions);
      const want = [...a, ...c, ...a.map((x, j) => Math.abs(x - c[j]))];
      const have = Array.from(got.subarray(ex * 3 * H, (ex + 1) * 3 * H));
      expect(Math.max(...want.map((x, j) => Math.abs(x - have[j])))).toBeLessThan(1e-5);
    }
    model.dispose();
  });
});

describe('probes', () => {
  it('a linear probe learns a separable task, deterministically and without leaking tensors', async () => {
    const model = createMlm(config(), 1);
    const data = seqTask(shipTask(80, 1), shipTask(40, 2));
    const before = tf.memory().numTensors;
    const r = await evaluateTask(model, TOK, data, { seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.majorityAccuracy).toBe(0.5);
    expect(r.macroF1).toBeGreaterThanOrEqual(0.9);
    expect([r.train, r.test, r.labels.length, r.features]).toEqual([80, 40, 2, 16]);
    expect(r.warnings).toEqual([]);
    const again = await evaluateTask(model, TOK, data, { seed: 3 });
    expect(again.accuracy).toBe(r.accuracy);
    expect(again.perLabel).toEqual(r.perLabel);
    model.dispose();
  });

  it('counts test labels unseen in training as errors, and warns about them, imbalance and [UNK]', async () => {
    const model = createMlm(config(), 1);
    const train: TextExample[] = Array.from({ length: 20 }, (_, i) => ({ texts: [i % 10 === 0 ? 'the dog' : 'the cat'], label: i % 10 === 0 ? 'b' : 'a' }));
    const test: TextExample[] = [{ texts: ['the cat'], label: 'a' }, { texts: ['the dog'], label: 'b' }, { texts: ['a ship'], label: 'c' }, { texts: ['a mat'], label: 'c' }];
    const r = await evaluateTask(model, TOK, seqTask(train, test), { seed: 1 });
    expect(r.unseenTestLabels).toEqual({ c: 2 });
    expect(r.test).toBe(4);
    expect(r.accuracy).toBeLessThanOrEqual(0.5); // the two "c" can never be right
    expect(r.majorityLabel).toBe('a');
    expect(r.majorityAccuracy).toBe(0.25);
    expect(r.warnings.join('\n')).toMatch(/heavy class imbalance: "a" is 90\.0 % of the training units/);
    expect(r.warnings.join('\n')).toMatch(/2 test units carry label never seen in training \(c: 2\)/);
    expect(r.warnings.join('\n')).not.toMatch(/\[UNK\]/);
    const unkText = (e: TextExample, i: number) => ({ ...e, texts: [i % 2 ? 'zebra xylophone qua the' : 'wombat ship'] as [string] });
    const unk = await evaluateTask(model, TOK, seqTask(shipTask(10, 1).map(unkText), shipTask(4, 2).map(unkText)), { seed: 1 });
    expect(unk.unkRate).toBeGreaterThan(0.5);
    expect(unk.warnings.join('\n')).toMatch(/mostly \[UNK\]: \d+\.\d % of the task's tokens are \[UNK\]/);
    model.dispose();
  });

  it('pairs and token tasks run end to end; a model without token types encodes pairs apart', async () => {
    const pairs = shipTask(40, 5).map((e, i) => ({ texts: [e.texts[0], i % 3 ? 'the cat' : 'a dog'] as [string, string], label: e.label }));
    for (const types of [2, 0]) {
      const model = createMlm(config(types), 2);
      const p = prepareTask(TOK, model.config, seqTask(pairs, pairs.slice(0, 10), 'pair'));
      expect(p.pairTypes).toBe(types === 2);
      const r = await scoreTask(model, p, { seed: 1 });
      expect(r.features).toBe(48);
      expect(r.accuracy).toBeGreaterThanOrEqual(0.8);
      model.dispose();
    }
  });

  it('fine-tuning trains a copy: the model is unchanged afterwards; the stop hook and the time cap throw, leaking nothing', async () => {
    const model = createMlm(config(), 4);
    const snap = async () => Promise.all(model.variables.map(async (v) => Array.from(await v.data())));
    const before = await snap();
    const tensors = tf.memory().numTensors;
    const data = seqTask(shipTask(32, 7), shipTask(16, 8));
    const r = await evaluateTask(model, TOK, data, { probe: 'finetune', seed: 2, epochs: 2, batchSize: 8 });
    expect(r.probe).toBe('finetune');
    expect(r.test).toBe(16);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await snap()).toEqual(before);
    await expect(evaluateTask(model, TOK, data, { shouldStop: () => true })).rejects.toBeInstanceOf(EvalStoppedError);
    await expect(evaluateTask(model, TOK, data, { probe: 'finetune', shouldStop: () => true })).rejects.toBeInstanceOf(EvalStoppedError);
    await expect(evaluateTask(model, TOK, data, { timeLimitMs: 0 })).rejects.toBeInstanceOf(EvalTimeLimitError);
    await expect(evaluateTask(model, TOK, data, { probe: 'finetune', timeLimitMs: 0 })).rejects.toBeInstanceOf(EvalTimeLimitError);
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });
});
