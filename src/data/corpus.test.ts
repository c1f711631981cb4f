// Checks src/data/corpus.ts: one document per non-empty trimmed line, and the deterministic train/validation split
// of token streams (every 20th document held out, both streams concatenated in order).
import { describe, expect, it } from 'vitest';
import { splitDocuments, tokenStreams } from './corpus.ts';
import { DataError } from './mlmBatches.ts';

describe('splitDocuments', () => {
  it('splits on \\n and \\r\\n, trims, drops blank lines', () => {
    expect(splitDocuments('  one two \r\n\r\n three\n   \nfour  \n')).toEqual(['one two', 'three', 'four']);
    expect(splitDocuments('\n \n')).toEqual([]);
  });
});

describe('tokenStreams', () => {
  // Document i is encoded as [i, i + 100]: the streams show exactly which documents went where, in which order.
  const tok = { encode: (d: string) => Int32Array.from([Number(d), Number(d) + 100]) };
  const docs = Array.from({ length: 45 }, (_, i) => String(i));

  it('holds out every 20th document (indices 19, 39) by the one held-out rule, both streams in order', () => {
    const s = tokenStreams(docs, tok);
    expect(Array.from(s.validation)).toEqual([19, 119, 39, 139]);
    const train = docs.map(Number).filter((i) => i !== 19 && i !== 39);
    expect(Array.from(s.train)).toEqual(train.flatMap((i) => [i, i + 100]));
  });

  it('fewer than 20 documents hold none out (the validation stream is empty)', () => {
    const s = tokenStreams(docs.slice(0, 19), tok);
    expect(s.validation.length).toBe(0);
    expect(s.train.length).toBe(38);
  });

  it('throws DataError with fewer than 2 documents', () => {
    expect(() => tokenStreams(['1'], tok)).toThrow(DataError);
    expect(() => tokenStreams([], tok)).toThrow('at least 2 non-empty lines');
  });
});
