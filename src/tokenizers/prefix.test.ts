/** Prefix tokenizers (issue 3 what-if): a cut vocabulary equals what training to that size produces. */
import { describe, expect, it } from 'vitest';
import { prefixRange, prefixTokenizer } from './prefix.ts';
import { bertTokenizer, toTokenizerJson } from './hfJson.ts';
import { WordPieceModel } from './wordpiece.ts';
import { BpeModel } from './bpe.ts';
import { DEFAULT_NORMALIZER } from './normalizer.ts';
import { trainBpe, trainWordPiece } from './train/trainers.ts';
import { countWords } from './train/countWords.ts';
import { mobyDickLines } from '../testing/tokenizerFixtures.ts';

describe('prefix tokenizers', () => {
  const counts = countWords(mobyDickLines().slice(0, 200));

  it('WordPiece: the first k entries tokenize exactly like a vocabulary trained to size k', async () => {
    const big = await trainWordPiece(counts, { vocabSize: 1500, minFrequency: 1 });
    const small = await trainWordPiece(counts, { vocabSize: 900, minFrequency: 1 });
    const cut = prefixTokenizer(bertTokenizer(new WordPieceModel(big.vocab), DEFAULT_NORMALIZER), 900);
    expect(cut.vocab).toEqual(small.vocab);
    const direct = bertTokenizer(new WordPieceModel(small.vocab), DEFAULT_NORMALIZER);
    for (const t of mobyDickLines().slice(200, 220)) expect(cut.encode(t)).toEqual(direct.encode(t));
  });

  it('BPE: the prefix keeps exactly the merges that build its entries', async () => {
    const big = await trainBpe(counts, { vocabSize: 1500, minFrequency: 1 });
    const small = await trainBpe(counts, { vocabSize: 900, minFrequency: 1 });
    const cut = prefixTokenizer(bertTokenizer(new BpeModel(big.vocab, big.merges), DEFAULT_NORMALIZER), 900);
    expect(cut.vocab).toEqual(small.vocab);
    expect(cut.parts.model.kind === 'bpe' && cut.parts.model.merges).toEqual(small.merges);
    expect(toTokenizerJson(cut)).toBe(toTokenizerJson(bertTokenizer(new BpeModel(small.vocab, small.merges), DEFAULT_NORMALIZER)));
  });

  it('sizes below the base (specials + alphabet) or above the vocabulary are a named error', async () => {
    const big = await trainWordPiece(counts, { vocabSize: 1000, minFrequency: 1 });
    const tok = bertTokenizer(new WordPieceModel(big.vocab), DEFAULT_NORMALIZER);
    const [lo, hi] = prefixRange(tok);
    expect(lo).toBe(big.baseSize);
    expect(hi).toBe(1000);
    expect(() => prefixTokenizer(tok, lo - 1)).toThrow(/PrefixSizeError|must have/);
    expect(() => prefixTokenizer(tok, hi + 1)).toThrow(/must have \d+–1000 entries/);
    expect(prefixTokenizer(tok, lo).vocabSize).toBe(lo);
  });
});
