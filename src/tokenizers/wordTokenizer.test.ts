// Checks the placeholder word tokenizer (src/tokenizers/wordTokenizer.ts) with table-driven golden cases on a tiny
// corpus whose word frequencies are counted by hand: splitting, vocabulary order and ties, [UNK], errors, Cyrillic.
import { describe, expect, it } from 'vitest';
import { CLS_ID, fromVocab, MASK_ID, PAD_ID, SEP_ID, SPECIAL_TOKENS, splitWords, TokenizerError, trainWordTokenizer, UNK_ID } from './wordTokenizer.ts';

// Words (lower-cased): the×3, sat×2, and cat, on, mat, dog, ".", "!" once each.
const CORPUS = 'The cat sat on the mat.\nThe dog sat!';

describe('splitWords', () => {
  it.each([
    ['The cat sat on the mat.', ['the', 'cat', 'sat', 'on', 'the', 'mat', '.']],
    ["Don't stop — it’s 42abc!", ["don't", 'stop', '—', 'it’s', '42', 'abc', '!']],
    ['  spaces\tand\nnewlines  ', ['spaces', 'and', 'newlines']],
    ['a,b;;c', ['a', ',', 'b', ';', ';', 'c']],
    ['«Ёлка» и ЙОД.', ['«', 'ёлка', '»', 'и', 'йод', '.']],
    ['Straße CAFÉ', ['straße', 'café']],
    ['', []],
    ['   ', []],
  ])('%j → %j', (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });
});

describe('trainWordTokenizer', () => {
  it('specials come first with the fixed ids, then words by descending count, ties alphabetical', () => {
    expect(SPECIAL_TOKENS).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect([PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID]).toEqual([0, 1, 2, 3, 4]);
    const tok = trainWordTokenizer(CORPUS, 100);
    // count-1 ties in code-unit order: "!" (0x21) < "." (0x2E) < cat < dog < mat < on
    expect(tok.vocab).toEqual([...SPECIAL_TOKENS, 'the', 'sat', '!', '.', 'cat', 'dog', 'mat', 'on']);
  });

  it('vocabSize cuts the least frequent words (then the alphabetically last among ties)', () => {
    expect(trainWordTokenizer(CORPUS, 6).vocab.slice(5)).toEqual(['the']);
    expect(trainWordTokenizer(CORPUS, 9).vocab.slice(5)).toEqual(['the', 'sat', '!', '.']);
    expect(trainWordTokenizer(CORPUS, 11).vocab.slice(5)).toEqual(['the', 'sat', '!', '.', 'cat', 'dog']);
  });

  it.each([
    // vocab(9) = [PAD UNK CLS SEP MASK the sat ! .] → the=5 sat=6 !=7 .=8; everything else [UNK]=1
    ['the cat sat.', [5, 1, 6, 8]],
    ['THE SAT!', [5, 6, 7]],
    ['dog on mat', [1, 1, 1]],
    ['zebra', [1]],
    ['', []],
  ])('vocabSize 9: encode(%j) = %j', (text, ids) => {
    const tok = trainWordTokenizer(CORPUS, 9);
    expect(Array.from(tok.encode(text))).toEqual(ids);
    expect(tok.encode(text)).toBeInstanceOf(Int32Array);
  });

  it('decode joins words with spaces and maps out-of-range ids to [UNK]', () => {
    const tok = trainWordTokenizer(CORPUS, 9);
    expect(tok.decode([2, 5, 6, 8, 3])).toBe('[CLS] the sat . [SEP]');
    expect(tok.decode(Int32Array.from([5, 99, -1]))).toBe('the [UNK] [UNK]');
    expect(tok.decode(tok.encode('The sat.'))).toBe('the sat .');
  });

  it('Cyrillic words such as «ёлка» and «йод» survive splitting and get their own ids', () => {
    const tok = trainWordTokenizer('ёлка йод ёлка\nЁлка, йод и мёд', 10);
    // ёлка×3, йод×2, then ties (","=U+002C, и=U+0438, мёд=U+043C) in code-unit order
    expect(tok.vocab.slice(5)).toEqual(['ёлка', 'йод', ',', 'и', 'мёд']);
    expect(Array.from(tok.encode('Йод, ЁЛКА, мёд и ель'))).toEqual([6, 7, 5, 7, 9, 8, UNK_ID]);
  });

  it.each([
    ['', 'the corpus has no words'],
    [' \n\t ', 'the corpus has no words'],
  ])('throws TokenizerError for an empty corpus %j', (text, msg) => {
    expect(() => trainWordTokenizer(text, 10)).toThrow(TokenizerError);
    expect(() => trainWordTokenizer(text, 10)).toThrow(msg);
  });

  it.each([5, 0, -1, 6.5, NaN])('throws TokenizerError for vocabSize %d (needs an integer ≥ 6)', (v) => {
    expect(() => trainWordTokenizer(CORPUS, v)).toThrow(TokenizerError);
    expect(() => trainWordTokenizer(CORPUS, v)).toThrow(`vocabSize must be an integer ≥ 6, got ${v}`);
  });

  it('decomposed (NFD) input — й = и + U+0306, ё = е + U+0308, è = e + U+0300 — splits and encodes like composed text', () => {
    const nfd = '«Ёлка» и ЙОД, crème'.normalize('NFD');
    expect(nfd).not.toBe(nfd.normalize('NFC')); // the input really is decomposed
    expect(splitWords(nfd)).toEqual(['«', 'ёлка', '»', 'и', 'йод', ',', 'crème']);
    const tok = trainWordTokenizer('ёлка йод ёлка\nЁлка, йод и мёд', 10);
    expect(Array.from(tok.encode('йод ёлка'.normalize('NFD')))).toEqual([6, 5]);
  });

  it('fromVocab encodes with the given table as is', () => {
    const tok = fromVocab([...SPECIAL_TOKENS, 'b', 'a']);
    expect(Array.from(tok.encode('a b c'))).toEqual([6, 5, 1]);
  });
});
