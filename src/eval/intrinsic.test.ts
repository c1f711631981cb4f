// Intrinsic metrics (intrinsic.ts): PLL-word-l2r against an independent float64 forward (testing/mlmReference.ts),
// the same character spans masked for different tokenizers, agreement of a model with itself, masked-word accuracy
// equal to distill/evaluate.ts's on a tokenizer whose words are the plan's, [UNK] and unaligned words counted wrong,
// the tokenizer statistics, the time cap and the stop hook.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig, type MlmConfig } from '../models/config.ts';
import { createMlm, type MlmModel } from '../models/mlm.ts';
import { bertTokenizer } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import { Tokenizer } from '../tokenizers/tokenizer.ts';
import { referenceLogits, type Weights64 } from '../testing/mlmReference.ts';
import { evaluateWords, prepareWordEval } from '../distill/evaluate.ts';
import { compareIntrinsic, heldoutTexts, intrinsicRows, planIntrinsic, scoreIntrinsic } from './intrinsic.ts';
import { EvalStoppedError } from './features.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'ran', '.', ',', '##s', '##matic', '##ly', 'whale', 'ship'];
/** Whole words and a few suffixes: "thematic" → the ##matic, "cats" → cat ##s. */
const TOK = bertTokenizer(new WordPieceModel([...SPECIALS, ...WORDS]), DEFAULT_NORMALIZER);
/** Letters only: every word is spelled out piece by piece ("cat" → c ##a ##t). */
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const CHAR_TOK = bertTokenizer(new WordPieceModel([...SPECIALS, '.', ',', ...LETTERS, ...[...LETTERS].map((c) => `##${c}`), ...[...LETTERS.toUpperCase()]]), DEFAULT_NORMALIZER);
/** Lower-casing, whole words. */
const LOWER_TOK = bertTokenizer(new WordPieceModel([...SPECIALS, ...WORDS]), { ...DEFAULT_NORMALIZER, lowercase: true });

const TEXTS = [
  'the cat sat on the mat.',
  'a dog ran, the cats sat thematic',
  'The whale ship ran on the mats, the dogs sat.', // "The" is [UNK] (a cased vocabulary without it)
];

const cfg = (vocabSize: number, over: Partial<MlmConfig> = {}) =>
  makeConfig({ vocabSize, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 64, initRange: 0.5, ...over });

async function weights64(m: MlmModel): Promise<Weights64> {
  const out: Weights64 = {};
  for (const [k, v] of Object.entries(m.params)) out[k] = Float64Array.from(await v.data());
  return out;
}

const logSoftmax64 = (row: Float64Array) => {
  const mx = Math.max(...row);
  const z = Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0)) + mx;
  return row.map((v) => v - z);
};

describe('PLL-word-l2r', () => {
  it('equals a float64 reference: piece i scored with pieces i…k of its word masked, summed per word, mean per word', async () => {
    const c = cfg(TOK.vocabSize);
    const model = createMlm(c, 5);
    const w = await weights64(model);
    const plan = planIntrinsic(TEXTS, { wordShare: 1 }); // every word is a PLL word
    const before = tf.memory().numTensors;
    const s = await scoreIntrinsic(model, TOK, plan, { batchSize: 5 });
    expect(tf.memory().numTensors).toBe(before);
    // Reference: words from the tokenizer's own word ids (BERT pre-tokenizer = the plan's words on this text).
    const mask = TOK.tokenToId('[MASK]')!;
    const variants = { l2r: [] as number[], single: [] as number[], whole: [] as number[] };
    let chars = 0;
    for (const text of TEXTS) {
      const e = TOK.encode(text);
      const T = e.ids.length;
      const byWord = new Map<number, number[]>();
      e.wordIds.forEach((wd, t) => { if (wd !== null) byWord.set(wd, [...(byWord.get(wd) ?? []), t]); });
      for (const pos of byWord.values()) {
        if (pos.some((p) => e.ids[p] === TOK.tokenToId('[UNK]'))) continue; // no PLL for a word with [UNK]
        chars += e.offsets[pos[pos.length - 1]][1] - e.offsets[pos[0]][0];
        const score = (masked: (i: number) => number[]) => pos.reduce((sum, p, i) => {
          const ids = [...e.ids];
          for (const q of masked(i)) ids[q] = mask;
          const lp = logSoftmax64(referenceLogits(w, c, 1, T, ids, new Array(T).fill(1), [p])[0]);
          return sum + lp[e.ids[p]];
        }, 0);
        variants.l2r.push(score((i) => pos.slice(i)));
        variants.single.push(score((i) => [pos[i]]));
        variants.whole.push(score(() => pos));
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(s.pll.words).toBe(variants.l2r.length);
    expect(s.pll.words).toBe(plan.totalWords - 1); // every word but "The"
    expect(Math.abs(s.pll.meanLogProb - mean(variants.l2r))).toBeLessThan(1e-4);
    expect(s.pll.pseudoPerplexity).toBeCloseTo(Math.exp(-mean(variants.l2r)), 2);
    expect(s.pll.logProbPerChar).toBeCloseTo(variants.l2r.reduce((a, b) => a + b, 0) / chars, 4);
    // Word by word (plan order = text order here), and the multi-piece words make the three definitions differ by far
    // more than the tolerance, so the check can tell them apart.
    const ours = [...s.pllLogProb].filter((v) => !Number.isNaN(v));
    const diff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
    expect(diff(ours, variants.l2r)).toBeLessThan(1e-4);
    expect(diff(ours, variants.single)).toBeGreaterThan(0.01); // ≥ 100 × the tolerance
    expect(diff(ours, variants.whole)).toBeGreaterThan(0.01);
    model.dispose();
  });
});

describe('fair masking across vocabularies', () => {
  /** Masked character positions per segment, from a tokenizer's rows. */
  const maskedChars = (tok: Tokenizer, plan: ReturnType<typeof planIntrinsic>) => {
    const out = plan.segments.map(() => new Set<number>());
    for (const r of intrinsicRows(tok, plan, 64).rows) {
      if (r.kind !== 'mask') continue;
      for (let i = 0; i < r.spans!.length; i += 2) for (let c = r.spans![i]; c < r.spans![i + 1]; c++) out[r.segment].add(c);
    }
    return out.map((s) => [...s].sort((a, b) => a - b));
  };

  it('masks the same character spans (the chosen words) for tokenizers that split words differently', () => {
    const plan = planIntrinsic(TEXTS, { seed: 7, wordShare: 0.4 });
    const expected = plan.segments.map((seg, si) => plan.masked.filter((m) => m.segment === si).flatMap((m) => {
      const [s, e] = seg.words[m.word];
      return Array.from({ length: e - s }, (_, i) => s + i);
    }).sort((a, b) => a - b));
    const whole = maskedChars(TOK, plan);
    const letters = maskedChars(CHAR_TOK, plan);
    const lower = maskedChars(LOWER_TOK, plan);
    expect(whole).toEqual(expected);
    expect(letters).toEqual(expected);
    expect(lower).toEqual(expected);
    // …with different numbers of masked pieces (letters spell words out).
    const pieces = (tok: Tokenizer) => intrinsicRows(tok, plan, 64).rows.filter((r) => r.kind === 'mask').reduce((n, r) => n + r.positions.length, 0);
    expect(pieces(CHAR_TOK)).toBeGreaterThan(pieces(TOK));
  });

  it('the plan depends on the texts and the seed only', () => {
    const a = planIntrinsic(TEXTS, { seed: 3 });
    expect(planIntrinsic(TEXTS, { seed: 3 })).toEqual(a);
    expect(planIntrinsic(TEXTS, { seed: 4 }).masked).not.toEqual(a.masked);
    expect(planIntrinsic(TEXTS, { seed: 3, maxTexts: undefined, maskings: undefined })).toEqual(a); // undefined = default
    expect(a.masked.length).toBe(1 + 1 + 2); // max(1, round(0.15 · 7, 8, 12 words))
  });

  it('cuts texts into segments of at most maxSegmentWords words at word boundaries', () => {
    const plan = planIntrinsic(['one two three four five six seven'], { maxSegmentWords: 3 });
    expect(plan.segments.map((s) => s.text)).toEqual(['one two three', 'four five six', 'seven']);
    expect(plan.totalWords).toBe(7);
  });
});

describe('agreement and accuracy', () => {
  it('a model agrees with itself on every masked word; two different models do not', async () => {
    const model = createMlm(cfg(TOK.vocabSize), 2);
    const other = createMlm(cfg(TOK.vocabSize), 9);
    const plan = planIntrinsic(TEXTS, { wordShare: 0.5, maskings: 2 });
    const a = await scoreIntrinsic(model, TOK, plan);
    const b = await scoreIntrinsic(model, TOK, plan);
    const self = compareIntrinsic(a, b);
    expect(self.words).toBe(plan.masked.length);
    expect(self.coverage).toBe(1);
    expect(self.agreement).toBe(1);
    expect(self.pll.a.meanLogProb).toBe(self.pll.b.meanLogProb);
    const cross = compareIntrinsic(a, await scoreIntrinsic(other, TOK, plan));
    expect(cross.agreement).toBeLessThan(1);
    model.dispose();
    other.dispose();
  });

  it('agreement compares predicted strings across vocabularies, lower-cased when either side lower-cases', async () => {
    // Both models always predict the piece "a" (different ids in the two vocabularies). The whole-word model says
    // "a" for every word; the letters model says "a" once per masked piece ("cat" → "aaa"). They agree exactly on
    // the one-character words: a , .
    const plan = planIntrinsic(['a cat , the dog .'], { wordShare: 1 });
    const biased = (tok: Tokenizer) => {
      const m = createMlm(cfg(tok.vocabSize), 1);
      const bias = new Float32Array(tok.vocabSize);
      bias[tok.tokenToId('a')!] = 1000;
      m.params['cls.predictions.bias'].assign(tf.tensor1d(bias));
      return m;
    };
    const [mw, ml] = [biased(TOK), biased(CHAR_TOK)];
    const a = await scoreIntrinsic(mw, TOK, plan);
    const b = await scoreIntrinsic(ml, CHAR_TOK, plan);
    expect(a.predictions).toEqual(['a', 'a', 'a', 'a', 'a', 'a']);
    expect([...b.predictions].sort()).toEqual(['a', 'a', 'a', 'aaa', 'aaa', 'aaa']);
    const c = compareIntrinsic(a, b);
    expect(c.words).toBe(6);
    expect(c.agree).toBe(3);
    expect(c.agreement).toBe(0.5);
    // Case: both cased → "A" ≠ "a"; one side lower-cases → compared lower-cased.
    const upper = { ...a, predictions: a.predictions.map(() => 'A') };
    expect(compareIntrinsic(a, upper).agreement).toBe(0);
    expect(compareIntrinsic({ ...a, normalization: { lowercase: true, stripAccents: false } }, upper).agreement).toBe(1);
    mw.dispose();
    ml.dispose();
  });

  it('masked-word accuracy equals distill/evaluate.ts on a tokenizer whose words are the plan words', async () => {
    const texts = ['the cat sat on the mat', 'the dog ran on the mat the end', 'a cat the dog sat the mat ship'];
    const model = createMlm(cfg(TOK.vocabSize), 3);
    const bias = new Float32Array(TOK.vocabSize);
    bias[TOK.tokenToId('the')!] = 1000; // every prediction is "the": a chosen "the" is right, anything else wrong
    model.params['cls.predictions.bias'].assign(tf.tensor1d(bias));
    const seqs = texts.map((t) => {
      const e = TOK.encode(t);
      return { ids: Int32Array.from(e.ids), wordIds: Int32Array.from(e.wordIds, (w) => w ?? -1) };
    });
    for (const seed of [1, 2, 3]) {
      const set = prepareWordEval(seqs, { maskId: TOK.tokenToId('[MASK]')!, padId: 0, seed, batchSize: 2, wordShare: 0.3, maskings: 3 });
      const ref = await evaluateWords(model, set);
      const s = await scoreIntrinsic(model, TOK, planIntrinsic(texts, { seed, wordShare: 0.3, maskings: 3 }));
      expect(s.scoredWords).toBe(ref.words);
      expect(s.wordAcc).toBe(ref.wordAcc);
      expect(s.correctWords).toBeGreaterThan(0);
    }
    model.dispose();
  });

  it('a word whose pieces include [UNK] is wrong even when the model predicts [UNK]; unaligned words are wrong', async () => {
    const model = createMlm(cfg(TOK.vocabSize), 4);
    const bias = new Float32Array(TOK.vocabSize);
    bias[TOK.tokenToId('[UNK]')!] = 1000;
    model.params['cls.predictions.bias'].assign(tf.tensor1d(bias));
    const plan = planIntrinsic(['zebra xylophone the'], { wordShare: 1 });
    const s = await scoreIntrinsic(model, TOK, plan);
    expect(s.scoredWords).toBe(3);
    expect(s.unkWords).toBe(2);
    expect(s.wordAcc).toBe(0);
    expect(s.pll.words).toBe(1); // only "the": [UNK] words have no PLL
    // No pre-tokenizer: the tokenizer sees the whole segment as one word → one [UNK] over every plan word.
    const glued = new Tokenizer({ ...TOK.parts, preTokenizer: null });
    const u = await scoreIntrinsic(model, glued, plan);
    expect(u.unaligned).toBe(3);
    expect(u.wordAcc).toBe(0);
    expect(u.pll.words).toBe(0);
    model.dispose();
  });
});

describe('tokenizer statistics, caps and hooks', () => {
  it('[UNK] rate, fertility and single-token share over every plan word', async () => {
    const model = createMlm(cfg(TOK.vocabSize), 1);
    // the | cat ##s | thematic → the ##matic | zebra → [UNK] | .
    const s = await scoreIntrinsic(model, TOK, planIntrinsic(['the cats thematic zebra.']));
    expect(s.words).toBe(5);
    expect(s.tokens).toBe(7);
    expect(s.fertility).toBeCloseTo(7 / 5, 12);
    expect(s.unkRate).toBeCloseTo(1 / 7, 12);
    expect(s.singleTokenShare).toBeCloseTo(3 / 5, 12);
    model.dispose();
  });

  it('halves a segment that does not fit the window and still scores every word', async () => {
    const model = createMlm(cfg(CHAR_TOK.vocabSize, { maxPositions: 16 }), 1);
    const plan = planIntrinsic(['the cat sat on the mat and a dog ran'], { wordShare: 1 });
    const s = await scoreIntrinsic(model, CHAR_TOK, plan); // 29 letters: cut into parts of ≤ 16 tokens
    expect(s.scoredWords).toBe(10);
    expect(s.unaligned).toBe(0);
    expect(s.pll.words).toBe(10);
    model.dispose();
  });

  it('a time cap ends early and says so; shouldStop throws EvalStoppedError', async () => {
    const model = createMlm(cfg(TOK.vocabSize), 1);
    const plan = planIntrinsic(TEXTS);
    const capped = await scoreIntrinsic(model, TOK, plan, { timeLimitMs: 0 });
    expect(capped.complete).toBe(false);
    expect(capped.scoredWords).toBe(0);
    expect(capped.pll.words).toBe(0);
    const full = await scoreIntrinsic(model, TOK, plan);
    expect(full.complete).toBe(true);
    expect(full.scoredWords).toBe(plan.masked.length);
    await expect(scoreIntrinsic(model, TOK, plan, { shouldStop: () => true })).rejects.toBeInstanceOf(EvalStoppedError);
    model.dispose();
  });

  it('heldoutTexts keeps every 20th non-empty line', () => {
    const lines = Array.from({ length: 45 }, (_, i) => `line ${i}`);
    expect(heldoutTexts(lines.join('\n\n'))).toEqual(['line 19', 'line 39']);
  });
});
