/**
 * Fill-mask inference: tokenize a text containing [MASK] (as the tokenizer's added special token), run the encoder
 * once, and return the top-k tokens with probabilities at every mask position. Readback via `await data()` only.
 */
import * as tf from '@tensorflow/tfjs';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { encode, mlmLogits, type MlmModel } from './mlm.ts';

export class FillMaskError extends Error {
  override name = 'FillMaskError';
}

export interface FillMaskCandidate {
  token: string;
  id: number;
  probability: number;
}

export interface FillMaskResult {
  /** Token index of the mask in the encoded sequence. */
  position: number;
  candidates: FillMaskCandidate[];
}

export async function fillMask(model: MlmModel, tokenizer: Tokenizer, text: string, top = 5, maskToken = '[MASK]'): Promise<FillMaskResult[]> {
  const maskId = tokenizer.tokenToId(maskToken);
  if (maskId === undefined) throw new FillMaskError(`the tokenizer has no ${maskToken} token`);
  const enc = tokenizer.encode(text);
  const positions = enc.ids.flatMap((id, i) => (id === maskId ? [i] : []));
  if (!positions.length) throw new FillMaskError(`the text has no ${maskToken}; write e.g. "Call me ${maskToken}."`);
  const T = enc.ids.length;
  if (T > model.config.maxPositions) throw new FillMaskError(`the text is ${T} tokens long; the model accepts at most ${model.config.maxPositions}`);
  if (!Number.isInteger(top) || top < 1) throw new FillMaskError(`top must be a positive integer, got ${top}`);
  const k = Math.min(top, model.config.vocabSize);
  const [values, indices] = tf.tidy(() => {
    const ids = tf.tensor2d(enc.ids, [1, T], 'int32');
    const mask = tf.ones([1, T], 'int32') as tf.Tensor2D;
    const hidden = encode(model, ids, mask); // [T, H]
    const picked = tf.gather(hidden, tf.tensor1d(positions, 'int32')) as tf.Tensor2D; // [M, H]
    const probs = tf.softmax(mlmLogits(model, picked)); // [M, V]
    const { values, indices } = tf.topk(probs, k);
    return [values, indices];
  });
  const [v, ix] = [await values.data(), await indices.data()];
  tf.dispose([values, indices]);
  return positions.map((position, m) => ({
    position,
    candidates: Array.from({ length: k }, (_, j) => {
      const id = ix[m * k + j];
      return { id, token: tokenizer.vocab[id] ?? `[${id}]`, probability: v[m * k + j] };
    }),
  }));
}
