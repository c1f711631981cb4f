/**
 * Hand-checked golden cases for the encoding engine (table-driven, transformers.js style) and every bad-input path
 * of the tokenizer.json / vocab.txt import (issue 3): each error is named and says what is supported or what to fix.
 */
import { describe, expect, it } from 'vitest';
import { bertTokenizer, fromTokenizerJson, fromVocabTxt, normalizerOfTokenizerJson, toTokenizerJson, toVocabTxt, TokenizerFormatError } from './hfJson.ts';
import { WordPieceModel } from './wordpiece.ts';
import { BpeModel } from './bpe.ts';
import { normalize, DEFAULT_NORMALIZER } from './normalizer.ts';
import { preTokenize } from './preTokenizer.ts';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const wp = bertTokenizer(new WordPieceModel([...SPECIALS, 'un', '##aff', '##able', 'a', '##a', 'b', '##b', 'ab', 'ё', '##лка', 'ёлка', 'ж', '!']), DEFAULT_NORMALIZER);

describe('golden encodings, worked out by hand', () => {
  const table: { name: string; text: string; tokens: string[]; offsets: [number, number][] }[] = [
    { name: 'WordPiece greedy longest match', text: 'unaffable', tokens: ['un', '##aff', '##able'], offsets: [[0, 2], [2, 5], [5, 9]] },
    { name: 'punctuation isolated, whitespace removed', text: ' ab !ab', tokens: ['ab', '!', 'ab'], offsets: [[1, 3], [4, 5], [5, 7]] },
    { name: 'a word with an unmatched part is one [UNK]', text: 'abc ab', tokens: ['[UNK]', 'ab'], offsets: [[0, 3], [4, 6]] },
    { name: 'Cyrillic ё survives (no lowercasing / accent stripping by default)', text: 'ёлка Ёлка', tokens: ['ёлка', '[UNK]'], offsets: [[0, 4], [5, 9]] },
    { name: 'special tokens in the text are matched verbatim', text: 'ab[MASK]b', tokens: ['ab', '[MASK]', 'b'], offsets: [[0, 2], [2, 8], [8, 9]] },
    { name: 'control characters dropped inside a word, offsets span them', text: 'a\u0000b', tokens: ['ab'], offsets: [[0, 3]] },
    { name: 'empty string', text: '', tokens: [], offsets: [] },
  ];
  for (const c of table) {
    it(c.name, () => {
      const e = wp.encode(c.text, { addSpecialTokens: false });
      expect(e.tokens).toEqual(c.tokens);
      expect(e.offsets).toEqual(c.offsets);
    });
  }

  it('[CLS] and [SEP] wrap the sequence with offsets [0, 0]', () => {
    const e = wp.encode('ab');
    expect(e.tokens).toEqual(['[CLS]', 'ab', '[SEP]']);
    expect(e.ids).toEqual([2, 12, 3]);
    expect(e.offsets).toEqual([[0, 0], [0, 2], [0, 0]]);
  });

  it('a word over maxInputCharsPerWord code points is [UNK]; surrogate pairs count once', () => {
    const m = new WordPieceModel([...SPECIALS, 'a', '##a', '😀', '##😀'], { maxInputCharsPerWord: 3 });
    expect(m.tokenizeWord('aaa').map((p) => p.token)).toEqual(['a', '##a', '##a']);
    expect(m.tokenizeWord('aaaa').map((p) => p.token)).toEqual(['[UNK]']);
    expect(m.tokenizeWord('😀😀😀').map((p) => [p.token, p.start, p.end])).toEqual([['😀', 0, 2], ['##😀', 2, 4], ['##😀', 4, 6]]);
  });

  it("BPE applies merges by rank (minbpe's aaabdaaabac with merges aa, aa+a, aaa+b)", () => {
    // Plain BPE (no prefix): chars a a a b d a a a b a c; merge 1: (a,a) → aa; merge 2: (aa,a) → aaa; merge 3: (aaa,b) → aaab.
    const m = new BpeModel([...SPECIALS, 'a', 'b', 'c', 'd', 'aa', 'aaa', 'aaab'], [['a', 'a'], ['aa', 'a'], ['aaa', 'b']], { continuingSubwordPrefix: null });
    expect(m.tokenizeWord('aaabdaaabac').map((p) => p.token)).toEqual(['aaab', 'd', 'aaab', 'a', 'c']);
    expect(m.tokenizeWord('aaabdaaabac').map((p) => p.id)).toEqual([11, 8, 11, 5, 7]);
  });

  it('BPE with ## continuations joins the right piece without its prefix', () => {
    const m = new BpeModel([...SPECIALS, 'l', '##o', '##w', 'lo', 'low'], [['l', '##o'], ['lo', '##w']]);
    expect(m.tokenizeWord('low').map((p) => p.token)).toEqual(['low']);
    expect(m.tokenizeWord('lowo').map((p) => p.token)).toEqual(['low', '##o']);
  });

  it('normalizer: lowercase per code point (İ → i̇, Σ → σ even at word end), strip accents, CJK spacing', () => {
    const o = { ...DEFAULT_NORMALIZER, lowercase: true, stripAccents: null };
    expect(normalize('İΣ', o).normalized).toBe('i\u0307σ'.normalize('NFD').replace(/\p{Mn}/gu, ''));
    expect(normalize('ΟΔΟΣ', o).normalized).toBe('οδοσ');
    expect(normalize('Café Ёж', o).normalized).toBe('cafe еж');
    expect(normalize('a中b', DEFAULT_NORMALIZER).normalized).toBe('a 中 b');
    expect(preTokenize(normalize('a中b', DEFAULT_NORMALIZER)).map((w) => w.word)).toEqual(['a', '中', 'b']);
  });

  it('decode joins ## pieces and cleans up spaces before punctuation', () => {
    expect(wp.decode(wp.encode('unaffable ab! ab').ids)).toBe('unaffable ab! ab');
  });
});

describe('bad tokenizer.json and vocab.txt input', () => {
  const good = JSON.parse(toTokenizerJson(wp));
  const variant = (patch: (j: Record<string, unknown>) => void) => {
    const j = structuredClone(good);
    patch(j);
    return JSON.stringify(j);
  };
  const table: { name: string; text: string; message: RegExp }[] = [
    { name: 'not JSON', text: '{"model": ', message: /not valid JSON/ },
    { name: 'no model', text: '{}', message: /no "model" object/ },
    { name: 'unsupported model', text: variant((j) => ((j.model as Record<string, unknown>).type = 'Unigram')), message: /unsupported model type "Unigram"; supported: WordPiece, BPE/ },
    { name: 'unsupported normalizer', text: variant((j) => (j.normalizer = { type: 'NFKC' })), message: /unsupported normalizer type "NFKC"; supported: BertNormalizer/ },
    { name: 'unsupported pre-tokenizer', text: variant((j) => (j.pre_tokenizer = { type: 'ByteLevel' })), message: /unsupported pre_tokenizer type "ByteLevel"; supported: BertPreTokenizer/ },
    { name: 'unsupported post-processor', text: variant((j) => (j.post_processor = { type: 'RobertaProcessing' })), message: /unsupported post_processor type "RobertaProcessing"/ },
    { name: 'unsupported decoder', text: variant((j) => (j.decoder = { type: 'ByteLevel' })), message: /unsupported decoder type "ByteLevel"; supported: WordPiece, BPEDecoder/ },
    { name: 'vocab id out of range', text: variant((j) => ((j.model as { vocab: Record<string, number> }).vocab.ab = 999)), message: /token "ab" has id 999, outside 0\.\.17/ },
    { name: 'two tokens with one id', text: variant((j) => ((j.model as { vocab: Record<string, number> }).vocab.ab = 0)), message: /id 0 is used by/ },
    { name: 'no unknown token in the vocabulary', text: variant((j) => ((j.model as Record<string, unknown>).unk_token = '<unk>')), message: /no unknown token "<unk>"/ },
    { name: 'BPE merge malformed', text: JSON.stringify({ model: { type: 'BPE', vocab: { '[UNK]': 0, a: 1 }, merges: ['a'], unk_token: '[UNK]' } }), message: /merges\[0\] "a" is not "left right"/ },
  ];
  for (const c of table) {
    it(`${c.name} → TokenizerFormatError`, () => {
      let err: unknown;
      try { fromTokenizerJson(c.text); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toMatch(/TokenizerFormatError|TokenizerModelError/);
      expect((err as Error).message).toMatch(c.message);
    });
  }

  it('vocab.txt with a duplicate line names both lines', () => {
    expect(() => fromVocabTxt('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nab\nb\nab\n')).toThrow(TokenizerFormatError);
    expect(() => fromVocabTxt('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nab\nb\nab\n')).toThrow(/line 8 repeats "ab" from line 6/);
  });

  it('vocab.txt that is empty, or lacks a special token, is rejected', () => {
    expect(() => fromVocabTxt('')).toThrow(/vocab.txt is empty/);
    expect(() => fromVocabTxt('[PAD]\n[UNK]\n[SEP]\n[MASK]\na\n')).toThrow(/lacks the special token \[CLS\]/);
  });

  it('vocab.txt round-trips, and an uncased vocabulary turns lower-casing on', () => {
    const t = fromVocabTxt(toVocabTxt(wp).replace('ёлка', 'ёлкa'));
    expect(t.vocab).toHaveLength(wp.vocab.length);
    expect(t.parts.normalizer?.lowercase).toBe(true);
    expect(fromVocabTxt(toVocabTxt(wp).replace('ab', 'Ab')).parts.normalizer?.lowercase).toBe(false);
  });

  it('normalizerOfTokenizerJson reads the normalizer alone, as fromTokenizerJson does, and names bad JSON', () => {
    for (const lowercase of [true, false]) {
      const json = toTokenizerJson(bertTokenizer(wp.parts.model as WordPieceModel, { ...DEFAULT_NORMALIZER, lowercase, stripAccents: null }));
      expect(normalizerOfTokenizerJson(json)).toEqual(fromTokenizerJson(json).parts.normalizer);
      expect(normalizerOfTokenizerJson(json)?.lowercase).toBe(lowercase);
    }
    expect(normalizerOfTokenizerJson('{"normalizer": null, "model": {}}')).toBeNull();
    expect(() => normalizerOfTokenizerJson('{')).toThrow(TokenizerFormatError);
    expect(() => normalizerOfTokenizerJson('{"normalizer": {"type": "NFKC"}}')).toThrow(TokenizerFormatError);
  });
});
