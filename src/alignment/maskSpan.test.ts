// The aligned fill-mask probe's span rule (maskSpan.ts; issue 12 item 3): golden cases on real encodings of tiny
// hand-written WordPiece vocabularies (a word split differently on the two sides, a span inside one token, a span over
// two words, a span touching only an edge, whitespace only, emoji as two UTF-16 units, [UNK]), the masked character
// ranges, word spans, and the refusals.
import { describe, expect, it } from 'vitest';
import { checkSpan, maskedRange, spanPositions, SpanError, wordSpan } from './maskSpan.ts';
import { bertTokenizer, SPECIALS } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';

const tokenizer = (entries: string[]) => bertTokenizer(new WordPieceModel([...SPECIALS, ...entries]), DEFAULT_NORMALIZER);
const teacher = tokenizer(['the', 'white', 'wh', '##ale', 'whale', 'swam', '.', '😀']);
const student = tokenizer(['the', 'whi', '##te', 'w', '##h', '##a', '##le', 'sw', '##am', '.']);
const TEXT = 'the white whale swam.';
// teacher: [CLS] the(0,3) white(4,9) whale(10,15) swam(16,20) .(20,21) [SEP]
// student: [CLS] the(0,3) whi(4,7) ##te(7,9) w(10,11) ##h(11,12) ##a(12,13) ##le(13,15) sw(16,18) ##am(18,20) .(20,21) [SEP]

describe('spanPositions: golden cases', () => {
  const t = teacher.encode(TEXT);
  const s = student.encode(TEXT);

  it('the encodings the cases rest on', () => {
    expect(t.tokens).toEqual(['[CLS]', 'the', 'white', 'whale', 'swam', '.', '[SEP]']);
    expect(t.offsets).toEqual([[0, 0], [0, 3], [4, 9], [10, 15], [16, 20], [20, 21], [0, 0]]);
    expect(s.tokens).toEqual(['[CLS]', 'the', 'whi', '##te', 'w', '##h', '##a', '##le', 'sw', '##am', '.', '[SEP]']);
    expect(s.offsets).toEqual([[0, 0], [0, 3], [4, 7], [7, 9], [10, 11], [11, 12], [12, 13], [13, 15], [16, 18], [18, 20], [20, 21], [0, 0]]);
  });

  const cases: [string, number, number, number[], number[]][] = [
    ['a whole word, 1 teacher token vs 4 student pieces', 10, 15, [3], [4, 5, 6, 7]],
    ['a whole word, 1 vs 2', 4, 9, [2], [2, 3]],
    ['one character inside a token masks the whole token on both sides', 12, 13, [3], [6]],
    ['a span crossing a piece boundary', 6, 8, [2], [2, 3]],
    ['two words and the space between', 4, 15, [2, 3], [2, 3, 4, 5, 6, 7]],
    ['the first word ([CLS]’s empty span at 0 never counts)', 0, 3, [1], [1]],
    ['the whole text: every non-special token, never [CLS] / [SEP]', 0, 21, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['a span from a space to the next word start masks only that word', 15, 17, [4], [8]],
    ['a span covering only whitespace masks nothing', 3, 4, [], []],
    ['punctuation glued to a word', 19, 21, [4, 5], [9, 10]],
  ];
  for (const [name, a, b, tp, sp] of cases) {
    it(`${name}: [${a}, ${b})`, () => {
      expect(spanPositions(t, a, b)).toEqual(tp);
      expect(spanPositions(s, a, b)).toEqual(sp);
    });
  }

  it('a token that only touches the span’s edge is not masked (half-open spans)', () => {
    expect(spanPositions(t, 9, 10)).toEqual([]); // the space between white (4, 9) and whale (10, 15)
    expect(spanPositions(s, 11, 12)).toEqual([5]); // ##h (11, 12) only, not w (10, 11) nor ##a (12, 13)
  });

  it('maskedRange: the characters the masked tokens cover (the sides can differ)', () => {
    expect(maskedRange(t, spanPositions(t, 12, 13))).toEqual([10, 15]);
    expect(maskedRange(s, spanPositions(s, 12, 13))).toEqual([12, 13]);
    expect(maskedRange(s, spanPositions(s, 6, 8))).toEqual([4, 9]);
    expect(maskedRange(t, [])).toBeNull();
  });
});

describe('spanPositions: UTF-16 offsets and [UNK]', () => {
  it('an emoji is two code units wide; a character neither vocabulary has is one [UNK] token with its span', () => {
    const text = 'the 😀 ∂ whale';
    const t = teacher.encode(text);
    const s = student.encode(text);
    expect(t.tokens).toEqual(['[CLS]', 'the', '😀', '[UNK]', 'whale', '[SEP]']);
    expect(t.offsets.slice(1, 5)).toEqual([[0, 3], [4, 6], [7, 8], [9, 14]]);
    expect(s.tokens).toEqual(['[CLS]', 'the', '[UNK]', '[UNK]', 'w', '##h', '##a', '##le', '[SEP]']);
    expect(spanPositions(t, 4, 6)).toEqual([2]);
    expect(spanPositions(s, 4, 6)).toEqual([2]);
    expect(spanPositions(t, 5, 6)).toEqual([2]); // the low surrogate alone still belongs to the emoji's token
    expect(spanPositions(t, 7, 8)).toEqual([3]);
    expect(spanPositions(s, 7, 8)).toEqual([3]);
  });
});

describe('wordSpan and the refusals', () => {
  it('wordSpan: every token of the clicked token’s word; a special is its own (empty) span', () => {
    const e = student.encode(TEXT);
    const tokens = e.offsets.map((o, i) => ({ offsets: o, wordId: e.wordIds[i] }));
    expect(wordSpan(tokens, 5)).toEqual([10, 15]); // ##h → w ##h ##a ##le
    expect(wordSpan(tokens, 2)).toEqual([4, 9]);
    expect(wordSpan(tokens, 10)).toEqual([20, 21]); // "." is a word of its own for the BERT pre-tokenizer
    expect(wordSpan(tokens, 0)).toEqual([0, 0]);
    expect(() => wordSpan(tokens, 99)).toThrow(SpanError);
  });

  it('bad spans are named errors', () => {
    const t = teacher.encode(TEXT);
    expect(() => spanPositions(t, 5, 5)).toThrow(/0 ≤ start < end/);
    expect(() => spanPositions(t, 6, 2)).toThrow(SpanError);
    expect(() => spanPositions(t, -1, 2)).toThrow(SpanError);
    expect(() => spanPositions(t, 0.5, 2)).toThrow(SpanError);
    expect(() => checkSpan(0, 22, TEXT.length)).toThrow(/ends past the text/);
    expect(() => checkSpan(0, 21, TEXT.length)).not.toThrow();
  });
});
