// Checks src/data/corpus.ts: one document per non-empty trimmed line, and the deterministic train/validation split
// of token streams (last documents held out, concatenated in order).
import { describe, expect, it } from 'vitest';
import { splitDocuments, tokenStreams } from './corpus.ts';
import { DataError } from './mlmBatches.ts';
import { trainWordTokenizer } from '../tokenizers/wordTokenizer.ts';

describe('splitDocuments', () => {
  it('splits on \\n and \\r\\n, trims, drops blank lines', () => {
    expect(splitDocuments('  one two \r\n\r\n three\n   \nfour  \n')).toEqual(['one two', 'three', 'four']);
    expect(splitDocuments('\n \n')).toEqual([]);
  });
});

describe('tokenStreams', () => {
  const text = 'a b\nb c\nc a\na a\nb b';
  const tok = trainWordTokenizer(text, 8); // a×4 → 5, b×4 → 6, c×2 → 7
  it('holds out the last round(5%) ≥ 1 documents, in order', () => {
    expect(tok.vocab.slice(5)).toEqual(['a', 'b', 'c']);
    const s = tokenStreams(splitDocuments(text), tok);
    expect(Array.from(s.train)).toEqual([5, 6, 6, 7, 7, 5, 5, 5]);
    expect(Array.from(s.validation)).toEqual([6, 6]);
  });

  it('valFraction 0.4 of 5 documents holds out 2', () => {
    const s = tokenStreams(splitDocuments(text), tok, 0.4);
    expect(Array.from(s.train)).toEqual([5, 6, 6, 7, 7, 5]);
    expect(Array.from(s.validation)).toEqual([5, 5, 6, 6]);
  });

  it('throws DataError with fewer than 2 documents', () => {
    expect(() => tokenStreams(['a b'], tok)).toThrow(DataError);
    expect(() => tokenStreams([], tok)).toThrow('at least 2 non-empty lines');
  });
});
