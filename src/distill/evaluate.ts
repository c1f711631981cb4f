/**
 * Held-out masked-word accuracy over whole-word masks, on the student's own tokenization (the acceptance metric).
 *
 * `prepareWordEval` fixes, once and from a seed, which words are masked: in every held-out sequence
 * max(1, round(15 % of its words)) distinct words are chosen and every piece of a chosen word becomes [MASK]; with
 * `maskings` > 1 every sequence is masked that many times (independent draws, each a row of its own), which shrinks
 * the sampling noise of a small held-out text; the rows are batched by length (padded to four bucket lengths).
 * `evaluateWords` runs the model on those fixed batches: a word counts as correct when every one of its pieces is
 * predicted top-1; the loss is the mean cross-entropy over the masked pieces. Only the per-piece hits and one loss sum per batch are read back.
 * Does not: train, or choose masks from the model's vocabulary (no 80/10/10: every chosen piece is [MASK]).
 */
import * as tf from '@tensorflow/tfjs';
import { encode, mlmLogits, type MlmModel } from '../models/mlm.ts';
import { crossEntropy, gatherRows } from '../models/layers.ts';
import { createRng } from '../data/rng.ts';
import { bucketLengths, type EvalSequence } from './batches.ts';

export interface WordEvalBatch {
  batchSize: number;
  seqLen: number;
  /** [B*T] masked input ids and attention mask. */
  ids: Int32Array;
  mask: Int32Array;
  /** [M] flat masked positions (ascending), their original ids, and the index of the word each belongs to. */
  positions: Int32Array;
  labels: Int32Array;
  wordOf: Int32Array;
}

export interface WordEvalSet {
  batches: WordEvalBatch[];
  /** Masked words in all. */
  words: number;
}

export interface WordEval {
  wordAcc: number;
  words: number;
  /** Mean cross-entropy over the masked pieces. */
  loss: number;
}

export function prepareWordEval(
  seqs: readonly EvalSequence[],
  opts: { maskId: number; padId: number; seed: number; batchSize: number; wordShare?: number; maskings?: number },
): WordEvalSet {
  const share = opts.wordShare ?? 0.15;
  const rng = createRng(opts.seed);
  let words = 0;
  const masked: { ids: Int32Array; orig: Int32Array; targets: number[]; wordOf: number[] }[] = [];
  // Masking d of every sequence follows masking d − 1 from the same generator, so maskings = 1 is a prefix of more.
  for (let d = 0; d < (opts.maskings ?? 1); d++) for (const s of seqs) {
    const distinct = [...new Set(Array.from(s.wordIds).filter((w) => w >= 0))];
    if (distinct.length === 0) continue;
    const k = Math.max(1, Math.round(share * distinct.length));
    for (let i = 0; i < k; i++) { // partial Fisher–Yates: the first k entries are the chosen words
      const j = i + rng.int(distinct.length - i);
      [distinct[i], distinct[j]] = [distinct[j], distinct[i]];
    }
    const chosen = new Map(distinct.slice(0, k).map((w, i) => [w, words + i]));
    words += k;
    const ids = Int32Array.from(s.ids);
    const targets: number[] = [];
    const wordOf: number[] = [];
    s.wordIds.forEach((w, p) => {
      const g = chosen.get(w);
      if (g === undefined) return;
      targets.push(p);
      wordOf.push(g);
      ids[p] = opts.maskId;
    });
    masked.push({ ids, orig: s.ids, targets, wordOf });
  }
  // Batches of similar length; the order does not change the result.
  const order = masked.map((_, i) => i).sort((a, b) => masked[a].ids.length - masked[b].ids.length);
  const buckets = bucketLengths(Math.max(1, ...masked.map((m) => m.ids.length)));
  const batches: WordEvalBatch[] = [];
  for (let i = 0; i < order.length; i += opts.batchSize) {
    const rows = order.slice(i, i + opts.batchSize).map((j) => masked[j]);
    const longest = Math.max(...rows.map((r) => r.ids.length));
    const T = buckets.find((b) => b >= longest) ?? longest;
    const B = rows.length;
    const ids = new Int32Array(B * T).fill(opts.padId);
    const mask = new Int32Array(B * T);
    const positions: number[] = [];
    const labels: number[] = [];
    const wordOf: number[] = [];
    rows.forEach((r, b) => {
      ids.set(r.ids, b * T);
      mask.fill(1, b * T, b * T + r.ids.length);
      r.targets.forEach((p, t) => { positions.push(b * T + p); labels.push(r.orig[p]); wordOf.push(r.wordOf[t]); });
    });
    batches.push({ batchSize: B, seqLen: T, ids, mask, positions: Int32Array.from(positions), labels: Int32Array.from(labels), wordOf: Int32Array.from(wordOf) });
  }
  return { batches, words };
}

export async function evaluateWords(model: MlmModel, set: WordEvalSet): Promise<WordEval> {
  const wordOk = new Uint8Array(set.words).fill(1);
  let ceSum = 0;
  let pieces = 0;
  for (const b of set.batches) {
    const [ce, hits] = tf.tidy(() => {
      const ids = tf.tensor2d(b.ids, [b.batchSize, b.seqLen], 'int32');
      const mask = tf.tensor2d(b.mask, [b.batchSize, b.seqLen], 'int32');
      const labels = tf.tensor1d(b.labels, 'int32');
      const logits = mlmLogits(model, gatherRows(encode(model, ids, mask), tf.tensor1d(b.positions, 'int32'))); // [M, V]
      return [tf.mul(crossEntropy(logits, labels), b.labels.length), tf.equal(tf.argMax(logits, -1).cast('int32'), labels)];
    });
    ceSum += (await ce.data())[0];
    const h = await hits.data();
    tf.dispose([ce, hits]);
    b.wordOf.forEach((w, t) => { if (!h[t]) wordOk[w] = 0; });
    pieces += b.labels.length;
  }
  let correct = 0;
  for (const ok of wordOk) correct += ok;
  return { wordAcc: set.words ? correct / set.words : 0, words: set.words, loss: pieces ? ceSum / pieces : 0 };
}
