/** Fill-mask: a micro model taught one fact predicts it; candidates are sorted probabilities; named errors. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fillMask, FillMaskError } from './fillMask.ts';
import { createMlm } from './mlm.ts';
import { makeConfig } from './config.ts';
import { createMlmTrainer } from '../train/trainer.ts';
import { bertTokenizer } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'white', 'whale', 'ship', 'sea', 'red'];
const tok = bertTokenizer(new WordPieceModel(VOCAB), DEFAULT_NORMALIZER);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fillMask', () => {
  it('after learning "the white whale", fills "the [MASK] whale" with "white" first', async () => {
    const model = createMlm(makeConfig({ vocabSize: VOCAB.length, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 8 }), 3);
    const trainer = createMlmTrainer(model, { clipNorm: 1, schedule: { peak: 1e-2, warmupSteps: 0, totalSteps: 100, floorRatio: 1 } });
    const ids = tok.encode('the [MASK] whale').ids; // [CLS] the [MASK] whale [SEP]
    expect(ids).toEqual([2, 5, 4, 7, 3]);
    const batch = { batchSize: 1, seqLen: 5, ids: Int32Array.from(ids), attentionMask: new Int32Array(5).fill(1), maskedPositions: Int32Array.from([2]), labels: Int32Array.from([6]) };
    for (let i = 0; i < 60; i++) tf.dispose(Object.values(trainer.step(batch)).filter((x) => x instanceof tf.Tensor));
    const before = tf.memory().numTensors;
    const [r] = await fillMask(model, tok, 'the [MASK] whale', 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.position).toBe(2);
    expect(r.candidates[0]).toMatchObject({ token: 'white', id: 6 });
    expect(r.candidates[0].probability).toBeGreaterThan(0.5);
    const p = r.candidates.map((c) => c.probability);
    expect([...p].sort((a, b) => b - a)).toEqual(p);
    expect(p.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
    trainer.dispose();
    model.dispose();
  });

  it('two masks give two results; no mask, or no [MASK] token, is a FillMaskError', async () => {
    const model = createMlm(makeConfig({ vocabSize: VOCAB.length, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 8 }), 1);
    const two = await fillMask(model, tok, '[MASK] white [MASK]', 2);
    expect(two.map((r) => r.position)).toEqual([1, 3]);
    expect(two[0].candidates).toHaveLength(2);
    await expect(fillMask(model, tok, 'the white whale')).rejects.toThrow(FillMaskError);
    await expect(fillMask(model, tok, 'the white whale')).rejects.toThrow(/has no \[MASK\]/);
    await expect(fillMask(model, tok, 'the [MASK] the white whale the sea the ship')).rejects.toThrow(/at most 8/);
    const noMask = bertTokenizer(new WordPieceModel(VOCAB.filter((t) => t !== '[MASK]')), DEFAULT_NORMALIZER);
    await expect(fillMask(model, noMask, 'the x')).rejects.toThrow(/has no \[MASK\] token/);
    model.dispose();
  });
});
