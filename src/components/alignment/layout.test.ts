// The alignment map's drawing helpers (layout.ts, vocabTable.ts): blocks for the virtualised list, gaps, the
// truncation notice, what the inspector says about a token, the vocabulary table's filter and sort.
import { describe, expect, it } from 'vitest';
import { alignView, vocabView } from '../../alignment/mapView.ts';
import { alignmentContext } from '../../alignment/textMap.ts';
import { bertTokenizer, SPECIALS } from '../../tokenizers/hfJson.ts';
import { WordPieceModel } from '../../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../../tokenizers/normalizer.ts';
import { columnWidth, describeToken, gapBefore, mapBlocks, truncationNotice } from './layout.ts';
import { vocabOrder } from './vocabTable.ts';

const tokenizer = (entries: string[]) => bertTokenizer(new WordPieceModel([...SPECIALS, ...entries]), DEFAULT_NORMALIZER);
const teacher = tokenizer(['the', 'un', '##happy', 'cats', 'sat']);
const student = tokenizer(['the', 'unhappy', 'cat', '##s', 'sa', '##t']);
const ctx = alignmentContext(teacher.vocab, student.vocab);
const view = (text: string, limit?: number) => alignView(ctx, text, teacher.encode(text), student.encode(text), { limit });

describe('blocks and gaps', () => {
  const text = 'the unhappy cats sat';
  const v = view(text);

  it('column widths are the wider row; blocks cover every column once, in order', () => {
    expect(columnWidth(v, 2)).toBe(Math.max('un'.length + '##happy'.length + 2, 'unhappy'.length + 1));
    expect(mapBlocks(v)).toEqual([0, v.columns.count]);
    const small = mapBlocks(v, 8);
    expect(small[0]).toBe(0);
    expect(small[small.length - 1]).toBe(v.columns.count);
    for (let b = 1; b < small.length; b++) expect(small[b]).toBeGreaterThan(small[b - 1]);
    expect(mapBlocks(v, 1000, 2)).toEqual([0, 2, 4, 6]);
    // A long text: 3,000 words in blocks of at most 48 columns.
    const long = view(Array.from({ length: 3000 }, () => 'the cats').join(' '));
    const blocks = mapBlocks(long);
    expect(blocks[blocks.length - 1]).toBe(long.columns.count);
    for (let b = 1; b < blocks.length; b++) expect(blocks[b] - blocks[b - 1]).toBeLessThanOrEqual(48);
  });

  it('the text between two columns, whitespace visible, long gaps shortened', () => {
    expect(gapBefore(v, 0)).toBe('');
    expect(gapBefore(v, 1)).toBe(''); // after [CLS]
    expect(gapBefore(v, 2)).toBe('·');
    const w = view('the\n\n\n\n\n\n\n\ncats');
    expect(gapBefore(w, 2)).toBe('↵↵↵↵↵↵…');
  });

  it('a whole map has no notice; a cut one names what is drawn and says the counters cover the whole text', () => {
    expect(truncationNotice(v)).toBeNull();
    const cut = view(text, 5);
    expect(truncationNotice(cut)).toBe('This text has 7 teacher and 8 student tokens (20 characters): the map draws the first 5 / 5 tokens (16 characters). It was aligned whole: the counters cover the whole text.');
  });
});

describe('the inspector', () => {
  const text = 'the unhappy cats sat';
  const v = view(text);
  it('id, offsets and the link of a token; σ under Reduce; the pair under Match', () => {
    expect(describeToken(v, 't', 4, 'links')).toEqual([
      `teacher token «cats» · id ${teacher.tokenToId('cats')} · characters 12–16 «cats»`,
      'link 1:n: 1:n (the student splits this teacher token) · teacher «cats» ↔ student «cat» «##s»',
    ]);
    expect(describeToken(v, 't', 4, 'reduce')[2]).toBe('σ = cat ##s (group G4, 2 pieces)');
    expect(describeToken(v, 's', 1, 'match')[2]).toBe('Match pair #1: teacher 1 ↔ student 1');
    expect(describeToken(v, 's', 3, 'match')[2]).toBe('Match: skipped (no pair)');
    expect(describeToken(v, 't', 0, 'links')[1]).toBe('a special token');
  });
});

describe('the vocabulary table order', () => {
  const vocab = vocabView(ctx);
  const tokens = [...teacher.vocab];
  const counts = Float64Array.from(tokens, (_, i) => (i === 7 ? 50 : i === 9 ? 50 : i)); // 'un' and 'cats' tie
  const q = (o: Partial<Parameters<typeof vocabOrder>[2]>) => Array.from(vocabOrder(vocab, tokens, { search: '', sort: 'id', filter: 'all', ...o }, counts, null));

  it('search by substring (any case) or #id; filters', () => {
    expect(q({})).toEqual(tokens.map((_, i) => i));
    expect(q({ search: 'AT' }).map((i) => tokens[i])).toEqual(['cats', 'sat']);
    expect(q({ search: '#6' })).toEqual([6]);
    expect(q({ filter: 'split' }).map((i) => tokens[i])).toEqual(['cats', 'sat']);
    expect(q({ filter: 'lost' }).map((i) => tokens[i])).toEqual(['[UNK]', 'un', '##happy']);
    expect(q({ filter: 'outside-C' }).map((i) => tokens[i])).toEqual(['un', '##happy', 'cats', 'sat']);
    expect(vocabOrder(vocab, tokens, { search: '', sort: 'id', filter: 'glmd-removed' }, counts, Uint8Array.from(tokens, (_, i) => (i === 8 ? 0 : 1)))).toEqual(Int32Array.from([8]));
  });

  it('sort by corpus count or split length: descending, ties by id', () => {
    expect(q({ sort: 'count' }).slice(0, 4)).toEqual([7, 9, 8, 6]);
    expect(q({ sort: 'split' }).slice(0, 2).map((i) => tokens[i])).toEqual(['cats', 'sat']);
    // 120,000 entries sort in well under a second (packed keys, numeric sort).
    const V = 120_000;
    const big = { ...vocab, size: V, splitLength: new Int32Array(V).fill(1), splitHasUnk: new Uint8Array(V), sharedStudentId: new Int32Array(V) };
    const bigCounts = Float64Array.from({ length: V }, (_, i) => (i * 7919) % 1000);
    const t0 = performance.now();
    const order = vocabOrder(big, Array.from({ length: V }, (_, i) => `t${i}`), { search: '', sort: 'count', filter: 'all' }, bigCounts, null);
    expect(performance.now() - t0).toBeLessThan(1000);
    for (let k = 1; k < V; k++) {
      const a = order[k - 1], b = order[k];
      expect(bigCounts[a] > bigCounts[b] || (bigCounts[a] === bigCounts[b] && a < b)).toBe(true);
    }
  });
});
