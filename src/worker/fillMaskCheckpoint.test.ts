// Fill-mask at a pretraining checkpoint (issue 15 item 3): the worker's fill-mask request with target 'checkpoint'
// answers from the latest Train MLM checkpoint (built for the request and disposed: tensor count flat), the same
// candidates as the model the checkpoint was taken from; without a checkpoint it is a request-error that says so.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../models/config.ts';
import { createMlm } from '../models/mlm.ts';
import { fillMask } from '../models/fillMask.ts';
import { bertTokenizer, SPECIALS, toTokenizerJson } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import { snapshot } from '../train/mlmRun.ts';
import { handleRequest } from './requests.ts';
import { createWorkerState } from './workerState.ts';
import type { WorkerReply } from './protocol.ts';

const tok = bertTokenizer(new WordPieceModel([...SPECIALS, 'the', 'white', 'whale', 'swims', '.']), DEFAULT_NORMALIZER);
beforeAll(async () => { await tf.setBackend('cpu'); });

describe('fill-mask with the latest pretraining checkpoint', () => {
  it('answers from the checkpoint, as the model it was taken from, and disposes what it built', async () => {
    const state = createWorkerState();
    const ask = async (target: 'teacher' | 'checkpoint') => {
      const replies: WorkerReply[] = [];
      await handleRequest(state, { type: 'fill-mask', requestId: 'f1', text: 'the [MASK] swims.', top: 3, target }, (m) => replies.push(m));
      return replies[0];
    };
    expect(await ask('checkpoint')).toMatchObject({ type: 'request-error', message: expect.stringContaining('no checkpoint yet') });
    const model = createMlm(makeConfig({ vocabSize: tok.vocabSize, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 16 }), 3);
    state.checkpoint = await snapshot(model, 40, toTokenizerJson(tok, false));
    const expected = await fillMask(model, tok, 'the [MASK] swims.', 3);
    model.dispose();
    const before = tf.memory().numTensors;
    const r = await ask('checkpoint');
    expect(r).toMatchObject({ type: 'fill-mask-result', requestId: 'f1' });
    if (r.type === 'fill-mask-result') expect(r.results).toEqual(expected);
    expect(tf.memory().numTensors).toBe(before);
    expect(await ask('teacher')).toMatchObject({ type: 'request-error', message: expect.stringContaining('no model is loaded') });
  });
});
