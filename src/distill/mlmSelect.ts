/**
 * Batch-level MLM target selection on the student's own tokenization (methods.md §A.5.1; checklist 5), DistilBERT /
 * XLM style:
 * - n = ceil(maskProb × non-pad tokens of the whole batch) targets (fewer only when the batch has fewer selectable
 *   positions), drawn without replacement over the whole batch with probability ∝ max(count(token), 1)^0.7;
 *   special tokens have weight 0 and are never drawn. Sampling uses Efraimidis–Spirakis keys −ln(u)/w (the n smallest
 *   win), which draws exactly like successive weighted draws without replacement.
 * - each target becomes [MASK] with 80 %, stays unchanged with 10 %, becomes a uniform id in [firstRandom, vocabSize)
 *   with 10 %; labels are the original ids.
 * The loss (mean over targets) and the teacher / t2s inputs (never masked, item 4) are elsewhere. No tf.
 */
import type { Rng } from '../data/rng.ts';

export class MlmSelectError extends Error {
  override name = 'MlmSelectError';
}

/** How often each id occurs in the training sequences. */
export function tokenCounts(sequences: Iterable<ArrayLike<number>>, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (const seq of sequences) {
    for (let k = 0; k < seq.length; k++) {
      const id = seq[k];
      if (!(id >= 0 && id < vocabSize)) throw new MlmSelectError(`token id ${id} is outside the vocabulary (0 … ${vocabSize - 1}): count with the student tokenizer's vocabulary size`);
      counts[id]++;
    }
  }
  return counts;
}

/** max(count, 1)^power per id, 0 for the specials. */
export function selectionWeights(counts: Float64Array, specialIds: readonly number[], power = 0.7): Float64Array {
  const w = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) w[i] = Math.pow(Math.max(counts[i], 1), power);
  for (const s of specialIds) {
    if (!(Number.isInteger(s) && s >= 0 && s < counts.length)) throw new MlmSelectError(`special id ${s} is outside the vocabulary (0 … ${counts.length - 1})`);
    w[s] = 0;
  }
  return w;
}

/**
 * Chooses and corrupts the MLM targets of one batch. `ids` and `mask` are flat [B*T] (mask 1 = real token).
 * Returns the corrupted copy of `ids`, the chosen flat positions (ascending) and their original ids.
 */
export function selectMlmTargets(
  ids: Int32Array,
  mask: Int32Array,
  opts: { weights: Float64Array; maskProb: number; maskId: number; vocabSize: number; firstRandom: number; rng: Rng },
): { inputs: Int32Array; positions: Int32Array; labels: Int32Array } {
  const { weights, maskProb, maskId, vocabSize, firstRandom, rng } = opts;
  if (ids.length !== mask.length) throw new MlmSelectError(`ids (${ids.length}) and mask (${mask.length}) must have the same length`);
  if (!(maskProb > 0 && maskProb <= 1)) throw new MlmSelectError(`maskProb must be in (0, 1], got ${maskProb}`);
  if (weights.length !== vocabSize) throw new MlmSelectError(`weights has ${weights.length} entries for a vocabulary of ${vocabSize}`);
  if (!(Number.isInteger(firstRandom) && firstRandom >= 0 && firstRandom < vocabSize)) {
    throw new MlmSelectError(`firstRandom must be an id in [0, ${vocabSize}), got ${firstRandom}`);
  }
  // Selectable positions with their keys −ln(u)/w.
  let nonPad = 0;
  const cand: number[] = [];
  const keys: number[] = [];
  for (let p = 0; p < ids.length; p++) {
    if (mask[p] === 0) continue;
    nonPad++;
    const id = ids[p];
    if (!(id >= 0 && id < vocabSize)) throw new MlmSelectError(`token id ${id} at flat position ${p} is outside the vocabulary (0 … ${vocabSize - 1})`);
    const w = weights[id];
    if (w > 0) { cand.push(p); keys.push(-Math.log(1 - rng.next()) / w); }
  }
  const n = Math.min(Math.ceil(maskProb * nonPad), cand.length);
  const order = cand.map((_, k) => k).sort((a, b) => keys[a] - keys[b] || a - b);
  const positions = Int32Array.from(order.slice(0, n), (k) => cand[k]).sort();
  const inputs = ids.slice();
  const labels = new Int32Array(n);
  positions.forEach((p, k) => {
    labels[k] = ids[p];
    const r = rng.next();
    if (r < 0.8) inputs[p] = maskId;
    else if (r >= 0.9) inputs[p] = firstRandom + rng.int(vocabSize - firstRandom);
  });
  return { inputs, positions, labels };
}
