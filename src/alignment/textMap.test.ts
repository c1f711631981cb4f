// The alignment map of one text (textMap.ts; issue 12 item 5): golden tables computed by hand for tiny hand-written
// WordPiece vocabularies — 1:1, 1:n, n:1 and real many-to-many words; Cyrillic with «й», «ё»; CJK; emoji (offsets are
// UTF-16 code units: 😀 is 2 wide); characters neither vocabulary covers ([UNK] on both sides); empty text; a
// lower-casing, accent-stripping teacher against a cased student. Each table pins the encodings (tokens and offsets
// into the original text) and the links. Then the lenses (Reduce groups, Match pairs with the jump-ahead quirk, GLMD
// replacements), the counters, the vocabulary map, a brute-force O(n·m) check on random rows, and the speed bound.
import { describe, expect, it } from 'vitest';
import {
  alignCounters, alignmentContext, alignText, glmdLens, linkLayout, matchLens, reduceLens, sharedMask, TextMapError, tokenizerDifferences, type LinkLayout,
  type TokenRow,
} from './textMap.ts';
import { corpusTokenStats, splitLengthHistogram, vocabularyLoss, vocabularyMap, vocabularyRow } from './vocabMap.ts';
import { buildSigma, sharedVocab } from './sigma.ts';
import type { GlmdVocab } from './glmdVocab.ts';
import { bertTokenizer, SPECIALS } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER, type BertNormalizerOptions } from '../tokenizers/normalizer.ts';
import type { Encoding, Tokenizer } from '../tokenizers/tokenizer.ts';
import { createRng } from '../data/rng.ts';

const tokenizer = (entries: string[], normalizer: BertNormalizerOptions = DEFAULT_NORMALIZER) =>
  bertTokenizer(new WordPieceModel([...SPECIALS, ...entries]), normalizer);
/** An encoding as [token, start, end] rows. */
const table = (e: Encoding) => e.tokens.map((t, i) => [t, e.offsets[i][0], e.offsets[i][1]]);
const linksOf = (l: LinkLayout) => l.links.map((k) => [k.teacher, k.student, k.kind]);

function golden(teacher: Tokenizer, student: Tokenizer, text: string) {
  const t = teacher.encode(text), s = student.encode(text);
  return { t, s, layout: linkLayout(t, s) };
}

describe('golden tables: the link layout', () => {
  it('English: 1:1, n:1 (merged), 1:n (split)', () => {
    const { t, s, layout } = golden(tokenizer(['the', 'un', '##happy', 'cats', 'sat']), tokenizer(['the', 'unhappy', 'cat', '##s', 'sa', '##t']), 'the unhappy cats sat');
    expect(table(t)).toEqual([['[CLS]', 0, 0], ['the', 0, 3], ['un', 4, 6], ['##happy', 6, 11], ['cats', 12, 16], ['sat', 17, 20], ['[SEP]', 0, 0]]);
    expect(table(s)).toEqual([['[CLS]', 0, 0], ['the', 0, 3], ['unhappy', 4, 11], ['cat', 12, 15], ['##s', 15, 16], ['sa', 17, 19], ['##t', 19, 20], ['[SEP]', 0, 0]]);
    expect(linksOf(layout)).toEqual([[[1], [1], '1:1'], [[2, 3], [2], 'n:1'], [[4], [3, 4], '1:n'], [[5], [5, 6], '1:n']]);
    expect(layout.unlinked).toEqual({ teacher: [], student: [] });
    expect(Array.from(layout.teacherLink)).toEqual([-1, 0, 1, 1, 2, 3, -1]);
    expect(Array.from(layout.studentLink)).toEqual([-1, 0, 1, 2, 2, 3, 3, -1]);
  });

  it('many-to-many: «tokenizer» as tok|##eni|##zer vs to|##ken|##izer is one 3:3 component; «unbelievable» gives 1:1 + 2:2', () => {
    const { t, s, layout } = golden(
      tokenizer(['tok', '##eni', '##zer', 'un', '##believ', '##able']), tokenizer(['to', '##ken', '##izer', 'un', '##be', '##lievable']), 'tokenizer unbelievable',
    );
    expect(table(t)).toEqual([['[CLS]', 0, 0], ['tok', 0, 3], ['##eni', 3, 6], ['##zer', 6, 9], ['un', 10, 12], ['##believ', 12, 18], ['##able', 18, 22], ['[SEP]', 0, 0]]);
    expect(table(s)).toEqual([['[CLS]', 0, 0], ['to', 0, 2], ['##ken', 2, 5], ['##izer', 5, 9], ['un', 10, 12], ['##be', 12, 14], ['##lievable', 14, 22], ['[SEP]', 0, 0]]);
    expect(linksOf(layout)).toEqual([[[1, 2, 3], [1, 2, 3], 'n:m'], [[4], [4], '1:1'], [[5, 6], [5, 6], 'n:m']]);
  });

  it('Cyrillic with «й» and «ё» (cased on both sides: the letters survive, one UTF-16 unit each)', () => {
    const { t, s, layout } = golden(
      tokenizer(['Ёжик', 'при', '##шёл', 'домой', ',', 'йод', '!']), tokenizer(['Ё', '##жик', 'пришёл', 'до', '##мой', ',', 'й', '##од', '!']), 'Ёжик пришёл домой, йод!',
    );
    expect(table(t)).toEqual([['[CLS]', 0, 0], ['Ёжик', 0, 4], ['при', 5, 8], ['##шёл', 8, 11], ['домой', 12, 17], [',', 17, 18], ['йод', 19, 22], ['!', 22, 23], ['[SEP]', 0, 0]]);
    expect(table(s)).toEqual([
      ['[CLS]', 0, 0], ['Ё', 0, 1], ['##жик', 1, 4], ['пришёл', 5, 11], ['до', 12, 14], ['##мой', 14, 17], [',', 17, 18], ['й', 19, 20], ['##од', 20, 22], ['!', 22, 23], ['[SEP]', 0, 0],
    ]);
    expect(linksOf(layout)).toEqual([[[1], [1, 2], '1:n'], [[2, 3], [3], 'n:1'], [[4], [4, 5], '1:n'], [[5], [6], '1:1'], [[6], [7, 8], '1:n'], [[7], [9], '1:1']]);
  });

  it('CJK: a teacher that splits ideographs against a student that does not (n:1); an unknown ideograph makes the student\'s whole word [UNK]', () => {
    const teacher = tokenizer(['中', '文', '字', 'ok']);
    const student = tokenizer(['中文', '##字', 'ok'], { ...DEFAULT_NORMALIZER, handleChineseChars: false });
    const a = golden(teacher, student, '中文字 ok');
    expect(table(a.t)).toEqual([['[CLS]', 0, 0], ['中', 0, 1], ['文', 1, 2], ['字', 2, 3], ['ok', 4, 6], ['[SEP]', 0, 0]]);
    expect(table(a.s)).toEqual([['[CLS]', 0, 0], ['中文', 0, 2], ['##字', 2, 3], ['ok', 4, 6], ['[SEP]', 0, 0]]);
    expect(linksOf(a.layout)).toEqual([[[1, 2], [1], 'n:1'], [[3], [2], '1:1'], [[4], [3], '1:1']]);
    const b = golden(teacher, student, '中文字語');
    expect(table(b.t)).toEqual([['[CLS]', 0, 0], ['中', 0, 1], ['文', 1, 2], ['字', 2, 3], ['[UNK]', 3, 4], ['[SEP]', 0, 0]]);
    expect(table(b.s)).toEqual([['[CLS]', 0, 0], ['[UNK]', 0, 4], ['[SEP]', 0, 0]]);
    expect(linksOf(b.layout)).toEqual([[[1, 2, 3, 4], [1], 'n:1']]);
  });

  it('emoji: offsets are UTF-16 code units (😀 and 👍 are 2 wide, ❤️ is ❤ + U+FE0F); a variation selector and a surrogate pair merge as n:1', () => {
    const { t, s, layout } = golden(tokenizer(['I', '❤', '##\uFE0F', '😀', '##👍', '!']), tokenizer(['I', '❤\uFE0F', '😀👍', '!']), 'I ❤\uFE0F 😀👍!');
    expect(table(t)).toEqual([['[CLS]', 0, 0], ['I', 0, 1], ['❤', 2, 3], ['##\uFE0F', 3, 4], ['😀', 5, 7], ['##👍', 7, 9], ['!', 9, 10], ['[SEP]', 0, 0]]);
    expect(table(s)).toEqual([['[CLS]', 0, 0], ['I', 0, 1], ['❤\uFE0F', 2, 4], ['😀👍', 5, 9], ['!', 9, 10], ['[SEP]', 0, 0]]);
    expect('I ❤\uFE0F 😀👍!'.slice(5, 7)).toBe('😀');
    expect(linksOf(layout)).toEqual([[[1], [1], '1:1'], [[2, 3], [2], 'n:1'], [[4, 5], [3], 'n:1'], [[6], [4], '1:1']]);
  });

  it('characters neither vocabulary covers: [UNK] on both sides links 1:1 by span; one side\'s [UNK] against the other\'s pieces is 1:n', () => {
    const teacher = tokenizer(['ok', 'abc']), student = tokenizer(['ok', 'a', '##b', '##c']);
    const { t, s, layout } = golden(teacher, student, 'ok ∑∂ abc');
    expect(table(t)).toEqual([['[CLS]', 0, 0], ['ok', 0, 2], ['[UNK]', 3, 5], ['abc', 6, 9], ['[SEP]', 0, 0]]);
    expect(table(s)).toEqual([['[CLS]', 0, 0], ['ok', 0, 2], ['[UNK]', 3, 5], ['a', 6, 7], ['##b', 7, 8], ['##c', 8, 9], ['[SEP]', 0, 0]]);
    expect(linksOf(layout)).toEqual([[[1], [1], '1:1'], [[2], [2], '1:1'], [[3], [3, 4, 5], '1:n']]);
    const only = golden(teacher, tokenizer(['ok']), '∑∂ ∇');
    expect(table(only.t)).toEqual([['[CLS]', 0, 0], ['[UNK]', 0, 2], ['[UNK]', 3, 4], ['[SEP]', 0, 0]]);
    expect(table(only.s)).toEqual(table(only.t));
    expect(linksOf(only.layout)).toEqual([[[1], [1], '1:1'], [[2], [2], '1:1']]);
  });

  it('empty and blank text: an empty map, no error', () => {
    const teacher = tokenizer(['a']), student = tokenizer(['b']);
    for (const text of ['', '   ', '\n\t']) {
      const { t, layout } = golden(teacher, student, text);
      expect(table(t)).toEqual([['[CLS]', 0, 0], ['[SEP]', 0, 0]]);
      expect(layout.links).toEqual([]);
      expect(layout.unlinked).toEqual({ teacher: [], student: [] });
    }
    expect(linkLayout({ tokens: [], offsets: [] }, { tokens: [], offsets: [] }).links).toEqual([]);
  });

  it('a lower-casing, accent-stripping teacher against a cased student: tokens differ, the links join the same characters of the original', () => {
    const teacher = tokenizer(['елка', 'eco', '##le', 'a', 'b'], { ...DEFAULT_NORMALIZER, lowercase: true, stripAccents: null });
    const student = tokenizer(['Ёл', '##ка', 'ÉCOLE', 'a', 'b']);
    const text = 'Ёлка ÉCOLE';
    const { t, s, layout } = golden(teacher, student, text);
    expect(table(t)).toEqual([['[CLS]', 0, 0], ['елка', 0, 4], ['eco', 5, 8], ['##le', 8, 10], ['[SEP]', 0, 0]]);
    expect(table(s)).toEqual([['[CLS]', 0, 0], ['Ёл', 0, 2], ['##ка', 2, 4], ['ÉCOLE', 5, 10], ['[SEP]', 0, 0]]);
    expect(text.slice(0, 4)).toBe('Ёлка'); // the teacher's «елка» points at the original «Ёлка»
    expect(linksOf(layout)).toEqual([[[1], [1, 2], '1:n'], [[2, 3], [3], 'n:1']]);
    // A lone combining accent: the teacher's normaliser deletes it, the student keeps it as [UNK], which links to nothing.
    const lone = golden(teacher, student, 'a \u0301 b');
    expect(table(lone.t)).toEqual([['[CLS]', 0, 0], ['a', 0, 1], ['b', 4, 5], ['[SEP]', 0, 0]]);
    expect(table(lone.s)).toEqual([['[CLS]', 0, 0], ['a', 0, 1], ['[UNK]', 2, 3], ['b', 4, 5], ['[SEP]', 0, 0]]);
    expect(linksOf(lone.layout)).toEqual([[[1], [1], '1:1'], [[2], [3], '1:1']]);
    expect(lone.layout.unlinked).toEqual({ teacher: [], student: [2] });
    expect(Array.from(lone.layout.studentLink)).toEqual([-1, 0, -1, 1, -1]);
    const notes = tokenizerDifferences(teacher.parts, student.parts);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/teacher lower-cases, the student keeps case/);
    expect(notes[1]).toMatch(/teacher strips accents/);
    expect(tokenizerDifferences(student.parts, student.parts)).toEqual([]);
  });

  it('added tokens in the text ([MASK], not special in the mask) link like words; rows whose arrays disagree throw TextMapError', () => {
    const { layout } = golden(tokenizer(['a']), tokenizer(['a']), 'a [MASK] a');
    expect(linksOf(layout)).toEqual([[[1], [1], '1:1'], [[2], [2], '1:1'], [[3], [3], '1:1']]);
    expect(() => linkLayout({ tokens: ['a'], offsets: [] }, { tokens: [], offsets: [] })).toThrow(TextMapError);
    expect(() => linkLayout({ tokens: ['a'], offsets: [[0, 1]], specialTokensMask: [] }, { tokens: [], offsets: [] })).toThrow(/special-token flags/);
  });
});

describe('method lenses', () => {
  // Teacher ids: specials 0–4, Ёжик 5, при 6, ##шёл 7, домой 8, «,» 9, йод 10, «!» 11, [unused0] 12.
  // Student ids: specials 0–4, Ё 5, ##жик 6, пришёл 7, до 8, ##мой 9, «,» 10, й 11, ##од 12, «!» 13.
  const TV = [...SPECIALS, 'Ёжик', 'при', '##шёл', 'домой', ',', 'йод', '!', '[unused0]'];
  const SV = [...SPECIALS, 'Ё', '##жик', 'пришёл', 'до', '##мой', ',', 'й', '##од', '!'];
  const sigma = buildSigma(TV, SV);

  it('Reduce: σ(t_1) ‖ … ‖ σ(t_n) with its groups; при and ##шёл have no student split ([UNK]); an unmapped id is one [UNK]', () => {
    const r = reduceLens([2, 5, 6, 7, 8, 9, 10, 11, 3], sigma, 1);
    expect(r.t2s.map((u) => SV[u])).toEqual(['[CLS]', 'Ё', '##жик', '[UNK]', '[UNK]', 'до', '##мой', ',', 'й', '##од', '!', '[SEP]']);
    expect(r.groupStart).toEqual([0, 1, 3, 4, 5, 7, 8, 10, 11, 12]);
    expect(r.withUnk).toEqual([2, 3]);
    expect(r.unmapped).toEqual([]);
    const u = reduceLens([2, 12, 3], sigma, 1);
    expect(u).toEqual({ t2s: [2, 1, 3], groupStart: [0, 1, 2, 3], unmapped: [1], withUnk: [1] });
  });

  it('Match: the jump-ahead quirk — teacher «b» of «ball» pairs with the later word «b», passing over «ball»; the true «b» is lost', () => {
    const { t, s, layout } = golden(tokenizer(['b', '##all']), tokenizer(['ball', 'b']), 'ball b');
    expect(table(t)).toEqual([['[CLS]', 0, 0], ['b', 0, 1], ['##all', 1, 4], ['b', 5, 6], ['[SEP]', 0, 0]]);
    expect(table(s)).toEqual([['[CLS]', 0, 0], ['ball', 0, 4], ['b', 5, 6], ['[SEP]', 0, 0]]);
    const m = matchLens(t, s);
    expect(m).toEqual({ pairs: [[0, 0], [1, 2], [4, 3]], skippedTeacher: [2, 3], skippedStudent: [1], passedOver: [0, 1, 0], jumps: [1] });
    expect(linksOf(layout)).toEqual([[[1, 2], [1], 'n:1'], [[3], [2], '1:1']]); // the pair (1, 2) crosses links
    // The recipe's word-bounded variant (not the paper's) cannot jump: «b» of «ball» finds no «b» in the same word.
    expect(matchLens(t, s, { wordBounded: true })).toEqual({ pairs: [[0, 0], [3, 2], [4, 3]], skippedTeacher: [1, 2], skippedStudent: [1], passedOver: [0, 1, 0], jumps: [] });
    expect(() => matchLens({ tokens: ['a'], offsets: [[0, 1]] }, { tokens: ['a'], offsets: [[0, 1]] }, { wordBounded: true })).toThrow(/wordBounded matching needs/);
  });

  it('Match: passing over unmatched student tokens inside the same place is not a jump', () => {
    const { t, s } = golden(tokenizer(['un', '##happy', 'cats']), tokenizer(['unhappy', 'cats']), 'unhappy cats');
    const m = matchLens(t, s);
    expect(m.pairs).toEqual([[0, 0], [3, 2], [4, 3]]);
    expect(m.passedOver).toEqual([0, 1, 0]);
    expect(m.jumps).toEqual([]);
    expect(m.skippedTeacher).toEqual([1, 2]);
    expect(m.skippedStudent).toEqual([1]);
  });

  it('GLMD: removed teacher tokens, their replacements rep(v) and the student rows they read', () => {
    // V = 6, K = 4: rank order 0, 1, 3, 5; 2 → rep 3, 4 → rep 0.
    const glmd: GlmdVocab = { K: 4, rankToId: Int32Array.from([0, 1, 3, 5]), lookup: Int32Array.from([0, 1, 2, 2, 0, 3]), replacement: Int32Array.from([0, 1, 3, 3, 0, 5]) };
    expect(glmdLens([0, 2, 4, 5], glmd)).toEqual({ rows: [0, 2, 0, 3], replacement: [0, 3, 0, 5], removed: [1, 2] });
    expect(() => glmdLens([6], glmd)).toThrow(TextMapError);
  });
});

describe('counters', () => {
  it('English 1:1 / n:1 / 1:n: shares by kind, C, Match pair rate, no [UNK]', () => {
    const teacher = tokenizer(['the', 'un', '##happy', 'cats', 'sat']), student = tokenizer(['the', 'unhappy', 'cat', '##s', 'sa', '##t']);
    const ctx = alignmentContext(teacher.vocab, student.vocab);
    const a = alignText(ctx, teacher.encode('the unhappy cats sat'), student.encode('the unhappy cats sat'));
    expect(a.counters).toEqual({
      teacherTokens: 5, studentTokens: 6, links: 4,
      teacherByKind: { '1:1': 1, '1:n': 2, 'n:1': 2, 'n:m': 0, unlinked: 0 },
      teacherShare: { '1:1': 0.2, '1:n': 0.4, 'n:1': 0.4, 'n:m': 0, unlinked: 0 },
      studentUnlinked: 0, sharedVocabShare: 0.2, matchPairs: 1, matchPairRate: 0.2, matchJumps: 0, unkRate: { teacher: 0, student: 0 },
    });
    expect(a.match.pairs).toEqual([[0, 0], [1, 1], [6, 7]]); // [CLS] and [SEP] pair too, but are not counted
  });

  it('[UNK] rates, a jump counted, an unlinked student token, C share on Cyrillic', () => {
    const teacher = tokenizer(['ok', 'abc']), student = tokenizer(['ok', 'a', '##b', '##c']);
    const ctx = alignmentContext(teacher.vocab, student.vocab);
    const c = alignText(ctx, teacher.encode('ok ∑∂ abc'), student.encode('ok ∑∂ abc')).counters;
    expect(c.unkRate).toEqual({ teacher: 1 / 3, student: 1 / 5 });
    expect(c.matchPairs).toBe(2); // ok–ok and [UNK]–[UNK]
    expect(c.matchPairRate).toBeCloseTo(2 / 3, 12);
    expect(c.sharedVocabShare).toBeCloseTo(2 / 3, 12); // ok and [UNK] are in C, abc is not

    const bt = tokenizer(['b', '##all']), bs = tokenizer(['ball', 'b']);
    const jb = alignText(alignmentContext(bt.vocab, bs.vocab), bt.encode('ball b'), bs.encode('ball b')).counters;
    expect(jb).toMatchObject({ matchPairs: 1, matchJumps: 1, teacherByKind: { 'n:1': 2, '1:1': 1 } });
    expect(jb.matchPairRate).toBeCloseTo(1 / 3, 12);

    const lt = tokenizer(['a', 'b'], { ...DEFAULT_NORMALIZER, lowercase: true, stripAccents: null }), ls = tokenizer(['a', 'b']);
    const lone = alignText(alignmentContext(lt.vocab, ls.vocab), lt.encode('a \u0301 b'), ls.encode('a \u0301 b')).counters;
    expect(lone).toMatchObject({ teacherTokens: 2, studentTokens: 3, studentUnlinked: 1, unkRate: { teacher: 0, student: 1 / 3 } });

    const ct = tokenizer(['Ёжик', 'при', '##шёл', 'домой', ',', 'йод', '!']), cs = tokenizer(['Ё', '##жик', 'пришёл', 'до', '##мой', ',', 'й', '##од', '!']);
    const text = 'Ёжик пришёл домой, йод!';
    const cy = alignText(alignmentContext(ct.vocab, cs.vocab), ct.encode(text), cs.encode(text)).counters;
    expect(cy.sharedVocabShare).toBeCloseTo(2 / 7, 12); // «,» and «!»
    expect(cy.teacherByKind).toEqual({ '1:1': 2, '1:n': 3, 'n:1': 2, 'n:m': 0, unlinked: 0 });
  });

  it('empty text: every counter 0 (no NaN), Reduce and Match still cover [CLS] [SEP]', () => {
    const teacher = tokenizer(['a']), student = tokenizer(['b']);
    const a = alignText(alignmentContext(teacher.vocab, student.vocab), teacher.encode(''), student.encode(''));
    expect(a.counters).toEqual({
      teacherTokens: 0, studentTokens: 0, links: 0,
      teacherByKind: { '1:1': 0, '1:n': 0, 'n:1': 0, 'n:m': 0, unlinked: 0 }, teacherShare: { '1:1': 0, '1:n': 0, 'n:1': 0, 'n:m': 0, unlinked: 0 },
      studentUnlinked: 0, sharedVocabShare: 0, matchPairs: 0, matchPairRate: 0, matchJumps: 0, unkRate: { teacher: 0, student: 0 },
    });
    expect(a.reduce).toEqual({ t2s: [2, 3], groupStart: [0, 1, 2], unmapped: [], withUnk: [] });
    expect(a.match.pairs).toEqual([[0, 0], [1, 1]]);
  });

  it('alignCounters takes the unknown-token strings and the C mask as given', () => {
    const t = { ids: [7, 8], tokens: ['<unk>', 'x'], offsets: [[0, 1], [2, 3]] as [number, number][] };
    const s = { ids: [1], tokens: ['<unk>'], offsets: [[0, 3]] as [number, number][] };
    const layout = linkLayout(t, s);
    const c = alignCounters({ teacher: t, student: s, layout, match: matchLens(t, s), inShared: sharedMask({ teacherIds: Int32Array.from([8]), studentIds: Int32Array.from([1]) }, 9), unk: { teacher: '<unk>', student: '<unk>' } });
    expect(c).toMatchObject({ teacherByKind: { 'n:1': 2 }, sharedVocabShare: 0.5, unkRate: { teacher: 0.5, student: 1 }, matchPairs: 1, matchJumps: 0 });
  });
});

describe('the vocabulary map (issue 12 item 2)', () => {
  const TV = [...SPECIALS, 'Ёжик', 'при', '##шёл', 'домой', ',', 'йод', '!', '[unused0]'];
  const SV = [...SPECIALS, 'Ё', '##жик', 'пришёл', 'до', '##мой', ',', 'й', '##од', '!'];
  const sigma = buildSigma(TV, SV);
  const shared = sharedVocab(TV, SV);
  // [PAD] [UNK] [CLS] [SEP] [MASK] Ёжик при ##шёл домой , йод ! [unused0]
  const counts = [0, 3, 10, 10, 0, 5, 7, 7, 2, 20, 5, 4, 0];
  const map = vocabularyMap({ teacherVocab: TV, sigma, shared, studentUnkId: 1, counts });

  it('columns: split length (−1 unmapped), [UNK] in the split, the student id in C, counts', () => {
    expect(Array.from(map.splitLength)).toEqual([1, 1, 1, 1, 1, 2, 1, 1, 2, 1, 2, 1, -1]);
    expect(Array.from(map.splitHasUnk)).toEqual([0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(map.sharedStudentId)).toEqual([0, 1, 2, 3, 4, -1, -1, -1, -1, 10, -1, 13, -1]);
    expect(Array.from(map.special)).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(map.count!)).toEqual(counts);
    expect(map.glmdRow).toBeNull();
  });

  it('a row for display, with σ as strings', () => {
    expect(vocabularyRow(map, sigma, TV, SV, 5)).toEqual({ id: 5, token: 'Ёжик', pieces: ['Ё', '##жик'], splitLength: 2, splitHasUnk: false, inShared: false, count: 5, glmd: null });
    expect(vocabularyRow(map, sigma, TV, SV, 9)).toMatchObject({ token: ',', pieces: [','], inShared: true, count: 20 });
    expect(vocabularyRow(map, sigma, TV, SV, 12)).toMatchObject({ pieces: null, splitLength: -1 });
    expect(() => vocabularyRow(map, sigma, TV, SV, 13)).toThrow(TextMapError);
  });

  it('vocabulary loss: split or [UNK] entries by descending count, ties to the lower id, specials and unmapped left out', () => {
    expect(vocabularyLoss(map)).toEqual([
      { id: 6, count: 7, splitLength: 1, lost: true }, { id: 7, count: 7, splitLength: 1, lost: true },
      { id: 5, count: 5, splitLength: 2, lost: false }, { id: 10, count: 5, splitLength: 2, lost: false }, { id: 8, count: 2, splitLength: 2, lost: false },
    ]);
    expect(vocabularyLoss(map, { limit: 2 }).map((e) => e.id)).toEqual([6, 7]);
    expect(vocabularyLoss(map, { minCount: 6 }).map((e) => e.id)).toEqual([6, 7]);
    expect(() => vocabularyLoss(vocabularyMap({ teacherVocab: TV, sigma, shared, studentUnkId: 1 }))).toThrow(/needs corpus counts/);
  });

  it('σ split-length histogram: entries and their corpus occurrences', () => {
    expect(splitLengthHistogram(map)).toEqual({ entries: [0, 9, 3], occurrences: [0, 61, 12] });
    expect(splitLengthHistogram(vocabularyMap({ teacherVocab: TV, sigma, shared, studentUnkId: 1 })).occurrences).toBeNull();
  });

  it('GLMD columns: row, kept, replacement; sizes are checked', () => {
    const lookup = Int32Array.from({ length: 13 }, (_, v) => (v === 8 ? 5 : v > 8 ? v - 1 : v));
    const replacement = Int32Array.from({ length: 13 }, (_, v) => (v === 8 ? 5 : v));
    const glmd: GlmdVocab = { K: 12, rankToId: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12]), lookup, replacement };
    const g = vocabularyMap({ teacherVocab: TV, sigma, shared, studentUnkId: 1, counts, glmd });
    expect(Array.from(g.glmdKept!)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]);
    expect(vocabularyRow(g, sigma, TV, SV, 8).glmd).toEqual({ row: 5, kept: false, replacement: 5, replacementToken: 'Ёжик' });
    expect(vocabularyRow(g, sigma, TV, SV, 9).glmd).toEqual({ row: 8, kept: true, replacement: 9, replacementToken: ',' });
    expect(() => vocabularyMap({ teacherVocab: TV, sigma, shared, studentUnkId: 1, counts: [1, 2] })).toThrow(TextMapError);
  });
});

describe('corpus counts and contexts for the vocabulary map', () => {
  it('counts non-special positions per id; the first contexts per id as snippets, never splitting a surrogate pair', () => {
    const tok = tokenizer(['the', 'cat', 'sat', '😀', '.']);
    const texts = ['the cat sat.', 'the 😀 cat', 'cat'];
    const r = corpusTokenStats(texts, (t) => tok.encode(t), tok.vocabSize, { contextsPerToken: 2, width: 2 });
    const id = (t: string) => tok.tokenToId(t)!;
    expect(r.texts).toBe(3);
    expect(r.tokens).toBe(4 + 3 + 1);
    expect(r.counts[id('cat')]).toBe(3);
    expect(r.counts[id('the')]).toBe(2);
    expect(r.counts[id('[CLS]')]).toBe(0); // post-processor specials are not counted
    expect(r.contexts.get(id('cat'))).toEqual([
      { text: 0, snippet: 'e cat s', start: 2, end: 5 },
      { text: 1, snippet: '😀 cat', start: 3, end: 6 }, // 2 units back would land inside 😀: the whole pair is kept
    ]);
    expect(r.contexts.get(id('😀'))).toEqual([{ text: 1, snippet: 'e 😀 c', start: 2, end: 4 }]);
    expect(corpusTokenStats(texts, (t) => tok.encode(t), tok.vocabSize).contexts.size).toBe(0);
    expect(() => corpusTokenStats(['cat'], (t) => tok.encode(t), 3)).toThrow(TextMapError);
  });
});

/** Components by brute force: every teacher/student pair tested for overlap (O(n·m)), then a graph search. */
function bruteForce(t: TokenRow, s: TokenRow): { links: [number[], number[]][]; unlinked: { teacher: number[]; student: number[] } } {
  const ok = (r: TokenRow, i: number) => r.specialTokensMask?.[i] !== 1 && r.offsets[i][1] > r.offsets[i][0];
  const n = t.tokens.length, m = s.tokens.length;
  const adj: number[][] = Array.from({ length: n + m }, () => []);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    if (!ok(t, i) || !ok(s, j)) continue;
    if (t.offsets[i][0] < s.offsets[j][1] && s.offsets[j][0] < t.offsets[i][1]) { adj[i].push(n + j); adj[n + j].push(i); }
  }
  const seen = new Uint8Array(n + m);
  const links: [number[], number[]][] = [];
  const unlinked = { teacher: [] as number[], student: [] as number[] };
  for (let i = 0; i < n; i++) {
    if (seen[i] || t.specialTokensMask?.[i] === 1) continue;
    if (adj[i].length === 0) { unlinked.teacher.push(i); continue; }
    const stack = [i], comp: number[] = [];
    seen[i] = 1;
    while (stack.length) { const x = stack.pop()!; comp.push(x); for (const y of adj[x]) if (!seen[y]) { seen[y] = 1; stack.push(y); } }
    comp.sort((a, b) => a - b);
    links.push([comp.filter((x) => x < n), comp.filter((x) => x >= n).map((x) => x - n)]);
  }
  for (let j = 0; j < m; j++) if (s.specialTokensMask?.[j] !== 1 && adj[n + j].length === 0) unlinked.student.push(j);
  return { links, unlinked };
}

function randomRow(rng: ReturnType<typeof createRng>, textLen: number, opts: { overlapping: boolean; shuffled: boolean }): TokenRow {
  const offsets: [number, number][] = [];
  let p = 0;
  while (p < textLen) {
    const len = 1 + rng.int(5);
    if (rng.next() < 0.15) { p += len; continue; } // a gap (whitespace the tokenizer drops)
    const e = Math.min(textLen, p + len);
    offsets.push([p, e]);
    if (opts.overlapping && rng.next() < 0.1) offsets.push([p + rng.int(e - p), e]); // same-side overlap, maybe empty
    p = e;
  }
  if (opts.shuffled) for (let i = offsets.length - 1; i > 0; i--) { const k = rng.int(i + 1); [offsets[i], offsets[k]] = [offsets[k], offsets[i]]; }
  const mask = offsets.map(() => (rng.next() < 0.05 ? 1 : 0));
  return { tokens: offsets.map((o) => `t${o[0]}`), offsets, specialTokensMask: mask };
}

describe('the sweep equals the O(n·m) definition, and is fast', () => {
  it('random rows: sorted or shuffled offsets, same-side overlaps, empty spans, specials', () => {
    const rng = createRng(12);
    for (let trial = 0; trial < 300; trial++) {
      const len = 1 + rng.int(80);
      const opts = { overlapping: trial % 2 === 0, shuffled: trial % 3 === 0 };
      const t = randomRow(rng, len, opts), s = randomRow(rng, len, opts);
      const got = linkLayout(t, s), want = bruteForce(t, s);
      expect(got.links.map((l) => [l.teacher, l.student])).toEqual(want.links);
      expect(got.unlinked).toEqual(want.unlinked);
      for (const l of got.links) expect(l.kind).toBe(l.teacher.length === 1 ? (l.student.length === 1 ? '1:1' : '1:n') : l.student.length === 1 ? 'n:1' : 'n:m');
    }
  });

  it('10,000 tokens per side align in well under 50 ms', () => {
    const rng = createRng(5);
    const text = 40_000;
    const cut = (lens: () => number): TokenRow => {
      const offsets: [number, number][] = [];
      for (let p = 0; p < text; ) { const e = Math.min(text, p + lens()); offsets.push([p, e]); p = e; }
      return { tokens: offsets.map(() => 'x'), offsets };
    };
    const t = cut(() => 4), s = cut(() => 1 + rng.int(7));
    expect(t.tokens.length).toBe(10_000);
    expect(s.tokens.length).toBeGreaterThan(9_000);
    let best = Infinity;
    for (let k = 0; k < 5; k++) { const t0 = performance.now(); linkLayout(t, s); best = Math.min(best, performance.now() - t0); }
    expect(best).toBeLessThan(50);
  });
});
