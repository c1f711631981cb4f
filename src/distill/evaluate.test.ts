// Masked-word accuracy (evaluate.ts): a hand-built model whose top-1 prediction is known, the fixed seeded whole-word
// mask choice, and an independent per-sequence float64 reference (no padding, no batching) for accuracy and loss.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../models/config.ts';
import { createMlm, encode, mlmLogits } from '../models/mlm.ts';
import { createRng } from '../data/rng.ts';
import { evaluateWords, prepareWordEval } from './evaluate.ts';
import type { EvalSequence } from './batches.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const PAD = 0;
const MASK = 4;
const config = makeConfig({ vocabSize: 12, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 32 });
const seq = (ids: number[], wordIds: number[]): EvalSequence => ({ ids: Int32Array.from(ids), wordIds: Int32Array.from(wordIds) });

describe('whole-word masked accuracy', () => {
  it('a model that always predicts id 7: a word is right only when every piece is 7', async () => {
    const model = createMlm(config, 1);
    const bias = new Float32Array(12);
    bias[7] = 1000; // dominates the tiny random logits: argmax is 7 everywhere
    model.params['cls.predictions.bias'].assign(tf.tensor1d(bias));
    const seqs = [
      seq([2, 7, 7, 8, 9, 7, 3], [-1, 0, 1, 1, 2, 3, -1]), // words [7] ok, [7 8] wrong, [9] wrong, [7] ok
      seq([2, 7, 7, 3], [-1, 0, 0, -1]), // [7 7] ok
    ];
    const set = prepareWordEval(seqs, { maskId: MASK, padId: PAD, seed: 1, batchSize: 2, wordShare: 1 });
    expect(set.words).toBe(5);
    const before = tf.memory().numTensors;
    const r = await evaluateWords(model, set);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.words).toBe(5);
    expect(r.wordAcc).toBeCloseTo(3 / 5, 12);
    // 5 of 7 masked pieces are 7 (CE ≈ 0); 8 and 9 cost ≈ 1000 each: mean ≈ 2000 / 7.
    expect(r.loss).toBeGreaterThan(1990 / 7);
    expect(r.loss).toBeLessThan(2010 / 7);
    model.dispose();
  });

  it('chooses max(1, round(15 %)) whole words per sequence from the seed, masking every piece and nothing else', () => {
    const rng = createRng(9);
    const wordIds = [-1];
    for (let w = 0; w < 20; w++) for (let p = 0; p < 1 + (w % 3); p++) wordIds.push(w);
    wordIds.push(-1);
    const long = seq(wordIds.map(() => 5 + rng.int(7)), wordIds);
    const short = seq([2, 5, 6, 7, 3], [-1, 0, 1, 2, -1]);
    const a = prepareWordEval([long, short], { maskId: MASK, padId: PAD, seed: 3, batchSize: 1 });
    expect(a.words).toBe(3 + 1); // round(0.15·20) = 3; round(0.45) = 0 → 1
    const b = prepareWordEval([long, short], { maskId: MASK, padId: PAD, seed: 3, batchSize: 1 });
    expect(b).toEqual(a);
    for (const batch of a.batches) {
      const src = batch.mask.reduce((x, y) => x + y, 0) === short.ids.length ? short : long;
      const masked = new Set(batch.positions);
      const chosenWords = new Set([...batch.positions].map((p) => src.wordIds[p]));
      for (let p = 0; p < src.ids.length; p++) {
        const chosen = chosenWords.has(src.wordIds[p]);
        expect(masked.has(p)).toBe(chosen); // all pieces of a chosen word, and only those
        expect(batch.ids[p]).toBe(chosen ? MASK : src.ids[p]);
        if (chosen) expect(batch.labels[[...batch.positions].indexOf(p)]).toBe(src.ids[p]);
      }
      for (let p = src.ids.length; p < batch.seqLen; p++) expect([batch.ids[p], batch.mask[p]]).toEqual([PAD, 0]);
    }
    const c = prepareWordEval([long], { maskId: MASK, padId: PAD, seed: 4, batchSize: 1 });
    const d = prepareWordEval([long], { maskId: MASK, padId: PAD, seed: 5, batchSize: 1 });
    expect([...c.batches[0].positions]).not.toEqual([...d.batches[0].positions]);
  });

  it('maskings = 3: three rows per sequence, the first the single masking, the words counted three times', () => {
    const wordIds = [-1, ...Array.from({ length: 20 }, (_, w) => w), -1];
    const long = seq(wordIds.map((w) => (w < 0 ? 2 : 5 + (w % 7))), wordIds);
    const one = prepareWordEval([long], { maskId: MASK, padId: PAD, seed: 6, batchSize: 1 });
    const three = prepareWordEval([long], { maskId: MASK, padId: PAD, seed: 6, batchSize: 1, maskings: 3 });
    expect(three.batches).toHaveLength(3);
    expect(three.words).toBe(3 * one.words); // 3 words each
    const chosen = three.batches.map((b) => [...b.positions].join(','));
    expect(chosen).toContain([...one.batches[0].positions].join(','));
    expect(new Set(chosen).size).toBeGreaterThan(1); // independent draws, not copies
    expect(three.batches.flatMap((b) => [...b.wordOf]).sort((a, b) => a - b)).toEqual(Array.from({ length: 9 }, (_, i) => i)); // distinct word slots
  });

  it('equals a per-sequence float64 reference (no padding, no batching) in accuracy and loss', async () => {
    const model = createMlm(config, 3);
    const rng = createRng(11);
    const seqs: EvalSequence[] = [];
    for (let s = 0; s < 7; s++) {
      const wordIds = [-1];
      for (let w = 0; w < 2 + s; w++) for (let p = 0; p < 1 + rng.int(2); p++) wordIds.push(w);
      wordIds.push(-1);
      seqs.push(seq(wordIds.map((w, i) => (i === 0 ? 2 : w < 0 ? 3 : 5 + rng.int(7))), wordIds));
    }
    const set = prepareWordEval(seqs, { maskId: MASK, padId: PAD, seed: 2, batchSize: 3, wordShare: 0.4 });
    const got = await evaluateWords(model, set);

    const wordOk = new Map<number, boolean>();
    let ce = 0;
    let pieces = 0;
    for (const b of set.batches) {
      for (let r = 0; r < b.batchSize; r++) {
        const len = b.mask.slice(r * b.seqLen, (r + 1) * b.seqLen).reduce((x, y) => x + y, 0);
        const ids = b.ids.slice(r * b.seqLen, r * b.seqLen + len);
        const logitsT = tf.tidy(() => mlmLogits(model, encode(model, tf.tensor2d(ids, [1, len], 'int32'), tf.ones([1, len], 'int32'))));
        const logits = await logitsT.data();
        logitsT.dispose();
        b.positions.forEach((flat, t) => {
          if (Math.floor(flat / b.seqLen) !== r) return;
          const row = Array.from(logits.slice((flat % b.seqLen) * 12, (flat % b.seqLen + 1) * 12), Number);
          const max = Math.max(...row);
          const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
          ce += lse - row[b.labels[t]];
          pieces++;
          const hit = row.indexOf(max) === b.labels[t];
          wordOk.set(b.wordOf[t], (wordOk.get(b.wordOf[t]) ?? true) && hit);
        });
      }
    }
    const correct = [...wordOk.values()].filter(Boolean).length;
    expect(got.words).toBe(wordOk.size);
    expect(got.wordAcc).toBe(correct / wordOk.size);
    expect(got.loss).toBeCloseTo(ce / pieces, 4);
    model.dispose();
  });
});
