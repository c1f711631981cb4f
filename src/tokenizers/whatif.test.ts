// What-if metrics: a hand-built vocabulary whose fertility / STRR / [UNK] rate / chars per token are worked out by
// hand at every prefix size; the prefix equals a vocabulary trained at that size; the full size agrees with
// WordPieceModel and BpeModel word by word; named errors for bad sizes.
import { describe, expect, it } from 'vitest';
import { whatIf, baseSizeOf, defaultSizes, WhatIfError } from './whatif.ts';
import { WordPieceModel } from './wordpiece.ts';
import { BpeModel } from './bpe.ts';
import { trainBpe, trainWordPiece } from './train/trainers.ts';
import { countWords } from './train/countWords.ts';
import { readFileSync } from 'node:fs';
import { embeddedCorpusPath } from '../cli/assets.ts';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'c', '##a', '##b', '##c', 'ab', '##bc', 'abc'];
// 8 word occurrences, 19 characters; "d" is not in the vocabulary.
const COUNTS = new Map([['ab', 3], ['abc', 1], ['cab', 2], ['ba', 1], ['ad', 1]]);

describe('whatIf golden (hand-built vocabulary)', () => {
  const r = whatIf(VOCAB, COUNTS, { sizes: [11, 12, 13, 14], hiddenSize: 10, bodyParams: 1000 });
  const at = (k: number) => r.points.find((p) => p.size === k)!;

  it('size 11 (specials + alphabet): ab→a ##b, abc→a ##b ##c, cab→c ##a ##b, ba→b ##a, ad→[UNK]: 18 tokens', () => {
    expect(at(11).fertility).toBeCloseTo(18 / 8, 12);
    expect(at(11).strr).toBe(0); // the [UNK] word is one token but not "kept whole"
    expect(at(11).unkRate).toBeCloseTo(1 / 18, 12);
    expect(at(11).charsPerToken).toBeCloseTo(19 / 18, 12);
  });

  it('size 12 (+ab): ab kept whole (3 of 8), abc→ab ##c: 14 tokens; size 13 (+##bc) changes nothing (greedy takes ab first)', () => {
    for (const k of [12, 13]) {
      expect(at(k).fertility).toBeCloseTo(14 / 8, 12);
      expect(at(k).strr).toBeCloseTo(3 / 8, 12);
      expect(at(k).unkRate).toBeCloseTo(1 / 14, 12);
      expect(at(k).charsPerToken).toBeCloseTo(19 / 14, 12);
    }
  });

  it('size 14 (+abc): 13 tokens, STRR 4/8, embedding 14 × 10 = 140 parameters, 140 / 1140 of the model', () => {
    expect(at(14)).toEqual({ size: 14, fertility: 13 / 8, strr: 0.5, unkRate: 1 / 13, charsPerToken: 19 / 13, embeddingParams: 140, embeddingShare: 140 / 1140 });
    expect(r.sample).toEqual({ distinctWords: 5, sampledWords: 5, occurrences: 8, sampledOccurrences: 8 });
  });

  it('maxWords keeps the most frequent words only', () => {
    const top = whatIf(VOCAB, COUNTS, { sizes: [14], hiddenSize: 1, bodyParams: 0, maxWords: 2 });
    expect(top.sample).toEqual({ distinctWords: 5, sampledWords: 2, occurrences: 8, sampledOccurrences: 5 });
    expect(top.points[0].fertility).toBeCloseTo((3 * 1 + 2 * 3) / 5, 12); // ab, cab
  });

  it('base size and default sizes: 20 sizes from the last single-character entry to the full vocabulary', () => {
    expect(baseSizeOf(VOCAB)).toBe(11);
    expect(defaultSizes(VOCAB)).toEqual([11, 12, 13, 14]);
    const big = [...VOCAB, ...Array.from({ length: 100 }, (_, i) => `w${i}`)];
    const sizes = defaultSizes(big);
    expect(sizes.length).toBe(20);
    expect([sizes[0], sizes[19]]).toEqual([11, 114]);
  });

  it('bad sizes, a vocabulary without [UNK], no words → WhatIfError', () => {
    expect(() => whatIf(VOCAB, COUNTS, { sizes: [15], hiddenSize: 1, bodyParams: 0 })).toThrow(WhatIfError);
    expect(() => whatIf(VOCAB, COUNTS, { sizes: [1], hiddenSize: 1, bodyParams: 0 })).toThrow(/from 2 \(to include \[UNK\]\) to the vocabulary's 14, got 1/);
    expect(() => whatIf(VOCAB.filter((t) => t !== '[UNK]'), COUNTS, { hiddenSize: 1, bodyParams: 0 })).toThrow(/no unknown token/);
    expect(() => whatIf(VOCAB, new Map(), { hiddenSize: 1, bodyParams: 0 })).toThrow(/no words/);
  });
});

describe('whatIf on a vocabulary trained on Moby-Dick', () => {
  const counts = countWords(readFileSync(embeddedCorpusPath(), 'utf8').split('\n'));

  it('metrics at size 800 from the 3000-token vocabulary = metrics of a vocabulary trained at 800 (prefix property)', async () => {
    const full = await trainWordPiece(counts, { vocabSize: 3000 });
    const small = await trainWordPiece(counts, { vocabSize: 800 });
    const o = { hiddenSize: 264, bodyParams: 2e6, sizes: [800] };
    expect(whatIf(full.vocab, counts, o).points).toEqual(whatIf(small.vocab, counts, o).points);
  });

  it('at the full size, WordPiece token counts equal WordPieceModel\'s; BPE equal BpeModel\'s', async () => {
    const wp = await trainWordPiece(counts, { vocabSize: 3000 });
    const model = new WordPieceModel(wp.vocab);
    let tokens = 0, words = 0, whole = 0;
    for (const [w, f] of counts) {
      const p = model.tokenizeWord(w);
      tokens += f * p.length; words += f;
      if (p.length === 1 && p[0].token !== '[UNK]') whole += f;
    }
    const pt = whatIf(wp.vocab, counts, { hiddenSize: 1, bodyParams: 0, sizes: [3000], maxWords: Infinity }).points[0];
    expect(pt.fertility).toBeCloseTo(tokens / words, 12);
    expect(pt.strr).toBeCloseTo(whole / words, 12);

    const bpe = await trainBpe(counts, { vocabSize: 1500 });
    const bm = new BpeModel(bpe.vocab, bpe.merges);
    let bt = 0, bw = 0;
    for (const [w, f] of counts) { bt += f * bm.tokenizeWord(w).length; bw += f; }
    const bp = whatIf(bpe.vocab, counts, { hiddenSize: 1, bodyParams: 0, sizes: [1500], merges: bpe.merges, maxWords: Infinity }).points[0];
    expect(bp.fertility).toBeCloseTo(bt / bw, 12);
  });

  it('20 default sizes: fertility falls and STRR rises from the base to the full size', async () => {
    const wp = await trainWordPiece(counts, { vocabSize: 3000 });
    const r = whatIf(wp.vocab, counts, { hiddenSize: 264, bodyParams: 2e6 });
    expect(r.points.length).toBe(20);
    expect(r.points[0].size).toBe(wp.baseSize);
    expect(r.points[0].charsPerToken).toBeLessThan(1.01); // base: one character per token
    expect(r.points[19].fertility).toBeLessThan(r.points[0].fertility / 2);
    expect(r.points[19].strr).toBeGreaterThan(r.points[0].strr + 0.3);
    expect(r.points[19].embeddingShare).toBeCloseTo((3000 * 264) / (3000 * 264 + 2e6), 12);
  });
});
