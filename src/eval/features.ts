/**
 * Frozen (or fine-tuned) features of task examples from a masked LM's last hidden state.
 *
 * `encodeTask` (no tf) turns a task's examples into rows of token ids with pools: a pool is a set of token positions
 * whose last hidden states are averaged into one vector. The classified units and their features:
 * - token (CoNLL-U): the sentence is the words joined by single spaces, encoded once as [CLS] … [SEP]; a word's pool
 *   is every piece whose character span overlaps the word (`wordPooling: 'mean'`, the default) or only its first
 *   piece ('first'); a word the tokenizer drops (nothing overlaps it) gets a zero vector. A sentence longer than the
 *   model's window is cut at word boundaries into consecutive rows, each encoded on its own with [CLS] … [SEP];
 * - sequence: [CLS] text [SEP], truncated to the window (the first tokens kept); one pool = every non-special token
 *   (the specials too when the text has no token);
 * - pair: with a token-type table (typeVocabSize ≥ 2): one row [CLS] A [SEP] B [SEP], types 0 for [CLS] A [SEP] and
 *   1 for B [SEP], truncated longest-first; without one: A and B as two rows [CLS] A [SEP], [CLS] B [SEP]. Either way
 *   the unit's feature is [mean(A) ‖ mean(B) ‖ |mean(A) − mean(B)|] over the non-special tokens of A and of B.
 * Feature widths: H (token, sequence), 3H (pair).
 *
 * `featureBatches` groups examples (all rows of an example in the same batch) into padded batches whose length is
 * a multiple of 16; `unitFeatures` is the tf graph (hidden → pooling matrix product), used under tf.tidy for frozen
 * features and under variableGrads for fine-tuning.
 */
import * as tf from '@tensorflow/tfjs';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { encode, type MlmModel } from '../models/mlm.ts';
import { matMulNN } from '../models/layers.ts';
import type { TaskKind, TaskSplit } from './tasks.ts';

export type WordPooling = 'mean' | 'first';

export interface EncodedRow {
  ids: Int32Array;
  /** Token types (pairs in one row only); absent = all 0. */
  types?: Int32Array;
}

export interface EncodedExample {
  rows: EncodedRow[];
  /** One pool per word (token), one (sequence), two: A then B (pair). Positions index the row. */
  pools: { row: number; positions: Int32Array }[];
  /** Gold label per unit (token: per word; else one). */
  labels: string[];
}

export interface EncodedSplit {
  kind: TaskKind;
  examples: EncodedExample[];
  units: number;
  /** Non-special tokens and [UNK]s among them, over every row. */
  tokens: number;
  unk: number;
  /** Examples cut to the window (sequence / pair), or sentences cut into several rows (token). */
  truncated: number;
}

export interface EncodeOptions {
  /** Longest row in tokens, specials included (≤ the model's maxPositions). */
  maxLen: number;
  /** One [CLS] A [SEP] B [SEP] row with token types for pairs (the model has ≥ 2 token types). */
  pairTypes: boolean;
  wordPooling?: WordPooling;
}

interface Specials {
  cls?: number;
  sep?: number;
  unk?: number;
}

function specialsOf(tok: Tokenizer): Specials {
  const pp = tok.parts.postProcessor;
  return { cls: pp?.cls[1], sep: pp?.sep[1], unk: tok.tokenToId('[UNK]') };
}

/** Content tokens of a text (no specials): ids and UTF-16 offsets. */
function content(tok: Tokenizer, text: string) {
  const e = tok.encode(text, { addSpecialTokens: false });
  return { ids: e.ids, offsets: e.offsets };
}

const wrap = (sp: Specials, ids: number[]) => [...(sp.cls !== undefined ? [sp.cls] : []), ...ids, ...(sp.sep !== undefined ? [sp.sep] : [])];

const range = (a: number, n: number) => Int32Array.from({ length: n }, (_, i) => a + i);

function encodeSentence(tok: Tokenizer, sp: Specials, words: string[], labels: string[], o: EncodeOptions, stats: { tokens: number; unk: number; truncated: number }): EncodedExample {
  const starts: number[] = [];
  let text = '';
  for (const w of words) {
    if (text) text += ' ';
    starts.push(text.length);
    text += w;
  }
  const c = content(tok, text);
  // Pieces of each word: tokens whose span overlaps the word's span (words are separated by spaces, so a token
  // overlaps at most one word unless the tokenizer joins across a space, which BERT pre-tokenizers never do).
  const pieces: number[][] = words.map(() => []);
  let w = 0;
  c.offsets.forEach(([s, e], t) => {
    while (w < words.length && starts[w] + words[w].length <= s) w++;
    for (let k = w; k < words.length && starts[k] < e; k++) if (e > starts[k]) pieces[k].push(t);
  });
  const budget = o.maxLen - (sp.cls !== undefined ? 1 : 0) - (sp.sep !== undefined ? 1 : 0);
  // Consecutive word groups whose tokens fit the window.
  const groups: [number, number][] = [];
  let g0 = 0;
  let count = 0;
  for (let k = 0; k < words.length; k++) {
    const n = pieces[k].length;
    if (count + n > budget && k > g0) { groups.push([g0, k]); g0 = k; count = 0; }
    count += n;
  }
  groups.push([g0, words.length]);
  if (groups.length > 1) stats.truncated++;
  const rows: EncodedRow[] = [];
  const pools: EncodedExample['pools'] = [];
  const off = sp.cls !== undefined ? 1 : 0;
  for (const [a, b] of groups) {
    const toks = [...new Set(pieces.slice(a, b).flat())].sort((x, y) => x - y);
    const kept = toks.slice(0, budget); // a single word longer than the window keeps its first pieces
    const local = new Map(kept.map((t, i) => [t, i + off]));
    const ids = kept.map((t) => c.ids[t]);
    stats.tokens += ids.length;
    stats.unk += ids.filter((id) => id === sp.unk).length;
    rows.push({ ids: Int32Array.from(wrap(sp, ids)) });
    for (let k = a; k < b; k++) {
      const pos = pieces[k].map((t) => local.get(t)).filter((p): p is number => p !== undefined);
      pools.push({ row: rows.length - 1, positions: Int32Array.from(o.wordPooling === 'first' ? pos.slice(0, 1) : pos) });
    }
  }
  return { rows, pools, labels };
}

/** Cuts two token lists longest-first until their total fits `budget`. */
function truncatePair(a: number[], b: number[], budget: number): [number[], number[]] {
  let na = a.length;
  let nb = b.length;
  while (na + nb > budget) { if (na > nb) na--; else nb--; } // ties: B first (HF longest_first)
  return [a.slice(0, na), b.slice(0, nb)];
}

export function encodeTask(tok: Tokenizer, split: TaskSplit, o: EncodeOptions): EncodedSplit {
  const sp = specialsOf(tok);
  const stats = { tokens: 0, unk: 0, truncated: 0 };
  const count = (ids: number[]) => { stats.tokens += ids.length; stats.unk += ids.filter((id) => id === sp.unk).length; };
  const nSpecial = (sp.cls !== undefined ? 1 : 0) + (sp.sep !== undefined ? 1 : 0);
  const off = sp.cls !== undefined ? 1 : 0;
  const examples: EncodedExample[] = [];
  if (split.kind === 'token') {
    for (const s of split.sentences) examples.push(encodeSentence(tok, sp, s.words, s.labels, o, stats));
  } else {
    for (const ex of split.examples) {
      if (ex.texts.length === 1) {
        let ids = content(tok, ex.texts[0]).ids;
        if (ids.length > o.maxLen - nSpecial) { ids = ids.slice(0, o.maxLen - nSpecial); stats.truncated++; }
        count(ids);
        const positions = ids.length ? range(off, ids.length) : range(0, ids.length + nSpecial);
        examples.push({ rows: [{ ids: Int32Array.from(wrap(sp, ids)) }], pools: [{ row: 0, positions }], labels: [ex.label] });
        continue;
      }
      const a0 = content(tok, ex.texts[0]).ids;
      const b0 = content(tok, ex.texts[1]).ids;
      if (o.pairTypes) {
        const sepN = sp.sep !== undefined ? 1 : 0;
        const budget = o.maxLen - nSpecial - sepN;
        const [a, b] = truncatePair(a0, b0, budget);
        if (a.length + b.length < a0.length + b0.length) stats.truncated++;
        count(a);
        count(b);
        const ids = [...wrap(sp, a), ...b, ...(sp.sep !== undefined ? [sp.sep] : [])];
        const aEnd = off + a.length + sepN; // first position of B
        const types = Int32Array.from(ids, (_, i) => (i >= aEnd ? 1 : 0));
        examples.push({
          rows: [{ ids: Int32Array.from(ids), types }],
          pools: [{ row: 0, positions: range(off, a.length) }, { row: 0, positions: range(aEnd, b.length) }],
          labels: [ex.label],
        });
      } else {
        const cut = (x: number[]) => (x.length > o.maxLen - nSpecial ? x.slice(0, o.maxLen - nSpecial) : x);
        const [a, b] = [cut(a0), cut(b0)];
        if (a.length < a0.length || b.length < b0.length) stats.truncated++;
        count(a);
        count(b);
        examples.push({
          rows: [{ ids: Int32Array.from(wrap(sp, a)) }, { ids: Int32Array.from(wrap(sp, b)) }],
          pools: [{ row: 0, positions: range(off, a.length) }, { row: 1, positions: range(off, b.length) }],
          labels: [ex.label],
        });
      }
    }
  }
  const units = examples.reduce((n, e) => n + e.labels.length, 0);
  return { kind: split.kind, examples, units, ...stats };
}

/** A padded batch of whole examples: rows [R, T], pooling matrices, the units' label indices. */
export interface FeatureBatch {
  rows: number;
  seqLen: number;
  ids: Int32Array;
  mask: Int32Array;
  types?: Int32Array;
  /** [P, R·T] row-major averaging weights: pool p's row has 1/n at its n positions. Pairs: A pools in `pool`, B in `poolB`. */
  pool: Float32Array;
  poolB?: Float32Array;
  /** Units in this batch = rows of `pool`. */
  units: number;
  /** Index of each unit in the split's unit order. */
  unitIndex: Int32Array;
}

/**
 * Batches of `batchSize` examples in split order (or in the given order), padded with `padId` to a multiple of 16.
 */
export function featureBatches(split: EncodedSplit, opts: { batchSize: number; padId: number; order?: readonly number[] }): FeatureBatch[] {
  const firstUnit: number[] = [];
  let u = 0;
  for (const e of split.examples) { firstUnit.push(u); u += e.labels.length; }
  const order = opts.order ?? split.examples.map((_, i) => i);
  const out: FeatureBatch[] = [];
  for (let i = 0; i < order.length; i += opts.batchSize) {
    const exs = order.slice(i, i + opts.batchSize);
    const rows = exs.flatMap((j) => split.examples[j].rows);
    const longest = Math.max(...rows.map((r) => r.ids.length));
    const T = Math.ceil(longest / 16) * 16;
    const R = rows.length;
    const ids = new Int32Array(R * T).fill(opts.padId);
    const mask = new Int32Array(R * T);
    const anyTypes = rows.some((r) => r.types);
    const types = anyTypes ? new Int32Array(R * T) : undefined;
    rows.forEach((r, k) => {
      ids.set(r.ids, k * T);
      mask.fill(1, k * T, k * T + r.ids.length);
      if (r.types) types!.set(r.types, k * T);
    });
    const pair = split.kind === 'pair';
    const units = exs.reduce((n, j) => n + split.examples[j].labels.length, 0);
    const pool = new Float32Array(units * R * T);
    const poolB = pair ? new Float32Array(units * R * T) : undefined;
    const unitIndex = new Int32Array(units);
    let rowBase = 0;
    let unit = 0;
    for (const j of exs) {
      const e = split.examples[j];
      const fill = (m: Float32Array, p: EncodedExample['pools'][number], at: number) => {
        for (const pos of p.positions) m[at * R * T + (rowBase + p.row) * T + pos] = 1 / p.positions.length;
      };
      if (pair) {
        fill(pool, e.pools[0], unit);
        fill(poolB!, e.pools[1], unit);
        unitIndex[unit] = firstUnit[j];
        unit++;
      } else {
        e.pools.forEach((p, k) => { fill(pool, p, unit); unitIndex[unit] = firstUnit[j] + k; unit++; });
      }
      rowBase += e.rows.length;
    }
    out.push({ rows: R, seqLen: T, ids, mask, types, pool, poolB, units, unitIndex });
  }
  return out;
}

/** Feature width of a task kind for hidden size H. */
export const featureWidth = (kind: TaskKind, hidden: number) => (kind === 'pair' ? 3 * hidden : hidden);

/**
 * The units' features [U, F] of one batch (differentiable in the model's variables): encode → last hidden state
 * [R·T, H] → pooling matrices. Call inside tf.tidy or under tf.variableGrads.
 */
export function unitFeatures(model: MlmModel, b: FeatureBatch): tf.Tensor2D {
  const ids = tf.tensor2d(b.ids, [b.rows, b.seqLen], 'int32');
  const mask = tf.tensor2d(b.mask, [b.rows, b.seqLen], 'int32');
  const types = b.types ? tf.tensor2d(b.types, [b.rows, b.seqLen], 'int32') : undefined;
  const h = encode(model, ids, mask, types); // [R·T, H]
  const a = matMulNN(tf.tensor2d(b.pool, [b.units, b.rows * b.seqLen]), h); // [U, R·T]·[R·T, H] → [U, H]
  if (!b.poolB) return a;
  const bb = matMulNN(tf.tensor2d(b.poolB, [b.units, b.rows * b.seqLen]), h);
  return tf.concat([a, bb, tf.abs(tf.sub(a, bb))], 1) as tf.Tensor2D; // [U, 3H]
}

/** Frozen features of every unit of a split, [units × F] row-major in unit order (await data(), one batch at a time). */
export async function extractFeatures(
  model: MlmModel,
  split: EncodedSplit,
  opts: { batchSize: number; padId: number; onBatch?: (done: number, total: number) => void | Promise<void>; guard?: () => void },
): Promise<Float32Array> {
  const F = featureWidth(split.kind, model.config.hiddenSize);
  const out = new Float32Array(split.units * F);
  const batches = featureBatches(split, opts);
  for (let i = 0; i < batches.length; i++) {
    opts.guard?.(); // throws to stop (EvalStoppedError, EvalTimeLimitError)
    const b = batches[i];
    const f = tf.tidy(() => unitFeatures(model, b));
    const v = (await f.data()) as Float32Array;
    f.dispose();
    b.unitIndex.forEach((u, k) => out.set(v.subarray(k * F, (k + 1) * F), u * F));
    await opts.onBatch?.(i + 1, batches.length);
  }
  return out;
}

export class EvalStoppedError extends Error {
  override name = 'EvalStoppedError';
  constructor() {
    super('evaluation stopped');
  }
}

/** A downstream evaluation ran past its time cap (ProbeOptions.timeLimitMs): no partial score is reported. */
export class EvalTimeLimitError extends Error {
  override name = 'EvalTimeLimitError';
}
