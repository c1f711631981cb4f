// The drawable map (mapView.ts; issue 12 items 1–2): columns in text order with specials and unlinked tokens, the
// drawing limit (whole columns, counters of the whole text), the lenses cut to the drawn prefix, the vocabulary views.
import { describe, expect, it } from 'vitest';
import { alignView, COLUMN_KINDS, corpusView, drawnColumns, glmdView, joinTokens, mapColumns, sliceColumns, splitTokens, vocabView, type MapColumns } from './mapView.ts';
import { alignmentContext, alignText, linkLayout } from './textMap.ts';
import { corpusTokenStats } from './vocabMap.ts';
import type { GlmdVocab } from './glmdVocab.ts';
import { bertTokenizer, SPECIALS } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';

const tokenizer = (entries: string[]) => bertTokenizer(new WordPieceModel([...SPECIALS, ...entries]), DEFAULT_NORMALIZER);
const teacher = tokenizer(['the', 'un', '##happy', 'cats', 'sat', 'ok']);
const student = tokenizer(['the', 'unhappy', 'cat', '##s', 'sa', '##t', 'ok']);

/** Columns as [teacher positions, student positions, kind]. */
const table = (c: MapColumns) => Array.from({ length: c.count }, (_, k) => [
  Array.from(c.teacherPos.subarray(c.teacherPtr[k], c.teacherPtr[k + 1])), Array.from(c.studentPos.subarray(c.studentPtr[k], c.studentPtr[k + 1])), COLUMN_KINDS[c.kind[k]],
]);

describe('mapColumns', () => {
  it('one column per link in text order, [CLS] over [CLS] first and [SEP] over [SEP] last', () => {
    const text = 'the unhappy cats sat';
    const t = teacher.encode(text), s = student.encode(text);
    const cols = mapColumns(t, s, linkLayout(t, s), text.length);
    expect(table(cols)).toEqual([
      [[0], [0], 'special'], [[1], [1], '1:1'], [[2, 3], [2], 'n:1'], [[4], [3, 4], '1:n'], [[5], [5, 6], '1:n'], [[6], [7], 'special'],
    ]);
    expect(Array.from(cols.start)).toEqual([0, 0, 4, 12, 17, text.length]);
    expect(Array.from(cols.end)).toEqual([0, 3, 11, 16, 20, text.length]);
  });

  it('unlinked tokens get a column with the other row empty; a [MASK] typed in the text links like a word; a special with a span sits at its span', () => {
    const text = 'ok [MASK] ok';
    const t = teacher.encode(text), s = student.encode(text);
    const cols = mapColumns(t, s, linkLayout(t, s), text.length);
    expect(table(cols)).toEqual([[[0], [0], 'special'], [[1], [1], '1:1'], [[2], [2], '1:1'], [[3], [3], '1:1'], [[4], [4], 'special']]);
    // Specials with a span (marked special by a row's mask) share a column when their spans are equal.
    const spT = { tokens: ['[CLS]', 'a', '<x>', '[SEP]'], offsets: [[0, 0], [0, 1], [2, 5], [0, 0]] as [number, number][], specialTokensMask: [1, 0, 1, 1] };
    const spS = { tokens: ['[CLS]', 'a', '<x>', '[SEP]'], offsets: [[0, 0], [0, 1], [2, 5], [0, 0]] as [number, number][], specialTokensMask: [1, 0, 1, 1] };
    expect(table(mapColumns(spT, spS, linkLayout(spT, spS), 5))).toEqual([[[0], [0], 'special'], [[1], [1], '1:1'], [[2], [2], 'special'], [[3], [3], 'special']]);
    // Tokens whose span overlaps nothing on the other row (rows built by hand).
    const rowT = { tokens: ['a', 'b'], offsets: [[0, 1], [2, 3]] as [number, number][] };
    const rowS = { tokens: ['a'], offsets: [[0, 1]] as [number, number][] };
    const c2 = mapColumns(rowT, rowS, linkLayout(rowT, rowS), 3);
    expect(table(c2)).toEqual([[[0], [0], '1:1'], [[1], [], 'teacher only']]);
    const c3 = mapColumns(rowS, rowT, linkLayout(rowS, rowT), 3);
    expect(table(c3)).toEqual([[[0], [0], '1:1'], [[], [1], 'student only']]);
  });

  it('an empty text has only the special columns', () => {
    const t = teacher.encode(''), s = student.encode('');
    expect(table(mapColumns(t, s, linkLayout(t, s), 0))).toEqual([[[0], [0], 'special'], [[1], [1], 'special']]);
  });
});

describe('the drawing limit', () => {
  const text = 'the unhappy cats sat';
  const t = teacher.encode(text), s = student.encode(text);
  const cols = mapColumns(t, s, linkLayout(t, s), text.length);

  it('whole columns, never more than the limit on either row, at least one column', () => {
    expect(drawnColumns(cols, 100)).toBe(cols.count);
    // Student tokens per column: 1, 1, 1, 2, 2, 1 → cumulative 1, 2, 3, 5, 7, 8.
    expect(drawnColumns(cols, 5)).toBe(4);
    expect(drawnColumns(cols, 4)).toBe(3);
    expect(drawnColumns(cols, 1)).toBe(1);
    expect(() => drawnColumns(cols, 0)).toThrow(RangeError);
    const cut = sliceColumns(cols, 3);
    expect(table(cut)).toEqual(table(cols).slice(0, 3));
  });

  it('alignView: a cut map keeps the whole text\'s counters, draws a prefix of each row and of the text', () => {
    const ctx = alignmentContext(teacher.vocab, student.vocab);
    const whole = alignView(ctx, text, t, s);
    expect(whole.truncated).toBeNull();
    expect(whole.text).toBe(text);
    expect(whole.teacher.tokens).toEqual(t.tokens);
    const cut = alignView(ctx, text, t, s, { limit: 5 });
    expect(cut.truncated).toEqual({ teacher: 5, student: 5, chars: 16 });
    expect(cut.text).toBe('the unhappy cats');
    expect(cut.teacher.tokens).toEqual(t.tokens.slice(0, 5));
    expect(cut.teacher.total).toBe(t.tokens.length);
    expect(cut.counters).toEqual(alignText(ctx, t, s).counters);
    expect(cut.columns.count).toBe(4);
    // Reduce cut at the drawn teacher positions: groupStart has 5 + 1 entries, t2s up to the fifth group.
    expect(Array.from(cut.reduce.groupStart)).toEqual(Array.from(whole.reduce.groupStart.slice(0, 6)));
    expect(cut.reduce.t2s.length).toBe(whole.reduce.groupStart[5]);
    expect(cut.reduce.total).toBe(whole.reduce.t2s.length);
  });

  it('alignView: links, Match pairs per position, σ groups as strings', () => {
    const ctx = alignmentContext(teacher.vocab, student.vocab);
    const v = alignView(ctx, text, t, s);
    expect(Array.from(v.teacher.link)).toEqual([-1, 0, 1, 1, 2, 3, -1]);
    expect(Array.from(v.linkKind)).toEqual([0, 2, 1, 1]);
    // Match pairs [CLS]–[CLS], the–the, [SEP]–[SEP]; the rest is skipped.
    expect(Array.from(v.match.pairs)).toEqual([0, 0, 1, 1, 6, 7]);
    expect(Array.from(v.teacher.pair)).toEqual([0, 1, -1, -1, -1, -1, 2]);
    expect(Array.from(v.student.pair)).toEqual([0, 1, -1, -1, -1, -1, -1, 2]);
    expect(Array.from(v.teacher.offsets.slice(2, 6))).toEqual([0, 3, 4, 6]);
    const g = (i: number) => v.reduce.t2sTokens.slice(v.reduce.groupStart[i], v.reduce.groupStart[i + 1]);
    expect(g(1)).toEqual(['the']);
    expect(g(4)).toEqual(['cat', '##s']);
    expect(g(5)).toEqual(['sa', '##t']);
    // The student cannot spell «un» or «##happy» alone: [UNK], flagged.
    expect(g(2)).toEqual(['[UNK]']);
    expect(v.reduce.flags[2] & 2).toBe(2);
    expect(v.reduce.flags[1]).toBe(0);
    expect(v.glmd).toBeNull();
  });

  it('alignView with a GLMD vocabulary: the removed teacher tokens and their replacements', () => {
    const ctx = alignmentContext(teacher.vocab, student.vocab);
    const V = teacher.vocabSize;
    const replacement = Int32Array.from({ length: V }, (_, i) => i);
    const cats = teacher.tokenToId('cats')!, sat = teacher.tokenToId('sat')!;
    replacement[cats] = sat;
    const glmd: GlmdVocab = { K: V - 1, rankToId: new Int32Array(V - 1), lookup: Int32Array.from({ length: V }, (_, i) => i), replacement };
    const v = alignView(ctx, text, t, s, { glmd });
    expect(v.glmd!.removed).toBe(1);
    expect(v.glmd!.replacementTokens).toEqual(['', '', '', '', 'sat', '', '']);
    expect(v.glmd!.replacement[4]).toBe(sat);
  });
});

describe('the vocabulary views', () => {
  const ctx = alignmentContext(teacher.vocab, student.vocab);

  it('vocabView: σ as CSR arrays, C, the histogram; tokens joined by NUL and split back', () => {
    const v = vocabView(ctx);
    expect(v.size).toBe(teacher.vocabSize);
    expect(splitTokens(v.teacherTokens)).toEqual(teacher.vocab);
    expect(splitTokens(v.studentTokens)).toEqual(student.vocab);
    expect(splitTokens(joinTokens([]))).toEqual([]);
    const cats = teacher.tokenToId('cats')!;
    expect(Array.from(v.sigmaIds.subarray(v.sigmaPtr[cats], v.sigmaPtr[cats + 1]))).toEqual([student.tokenToId('cat'), student.tokenToId('##s')]);
    expect(v.splitLength[cats]).toBe(2);
    expect(v.sharedStudentId[teacher.tokenToId('the')!]).toBe(student.tokenToId('the'));
    expect(v.shared).toBe(7); // the five specials, «the», «ok»
    expect(v.histogram.entries[2]).toBe(2); // cats, sat
  });

  it('corpusView: counts, the loss ranking with contexts, occurrences in the histogram', () => {
    const texts = ['the cats sat', 'cats sat ok', 'cats'];
    const stats = corpusTokenStats(texts, (x) => teacher.encode(x), teacher.vocabSize, { contextsPerToken: 3 });
    const c = corpusView(ctx, 'toy', stats);
    expect(c.tokens).toBe(7);
    expect(c.loss.map((e) => [teacher.vocab[e.id], e.count, e.contexts.length])).toEqual([['cats', 3, 3], ['sat', 2, 2]]);
    expect(c.loss[0].contexts[0]).toEqual({ text: 0, snippet: 'the cats sat', start: 4, end: 8 });
    expect(c.histogram.occurrences![2]).toBe(5);
  });

  it('glmdView: kept flags from the replacement map', () => {
    const V = 4;
    const g = glmdView({ K: 2, rankToId: Int32Array.from([0, 2]), lookup: Int32Array.from([0, 1, 1, 0]), replacement: Int32Array.from([0, 2, 2, 0]) }, 0.5);
    expect(Array.from(g.kept)).toEqual([1, 0, 1, 0]);
    expect(g.K).toBe(2);
    expect(g.row.length).toBe(V);
  });
});
