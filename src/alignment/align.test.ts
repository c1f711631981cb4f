// t2s sequences and groups (item 3) on hand-built and random σ maps; Match pairs (item 11): the checklist example,
// the jump-ahead quirk, the word-bounded variant, and a brute-force search written here on random sequences.
import { describe, expect, it } from 'vitest';
import { AlignmentError, batchGroups, batchPairs, fitGroups, matchPairs, t2sSequence } from './align.ts';
import { buildSigma } from './sigma.ts';
import { createRng } from '../data/rng.ts';
import type { SigmaMap } from './types.ts';

function sigmaOf(pieces: (number[] | null)[]): SigmaMap {
  return { pieces: pieces.map((p) => (p ? Int32Array.from(p) : null)), unmapped: pieces.filter((p) => !p).length, withUnk: 0, maxPieces: 3 };
}

describe('item 3: t2s sequence and groups', () => {
  it('hand-checked: σ(привет) = (при, ##вет) gives a group of 2; an unmapped id gives one [UNK]', () => {
    const teacher = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'привет', 'мир', '[unused0]'];
    const student = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'при', '##вет', 'мир'];
    const sigma = buildSigma(teacher, student);
    const r = t2sSequence([2, 5, 6, 7, 3], sigma, 1);
    expect(r.ids.map((u) => student[u])).toEqual(['[CLS]', 'при', '##вет', 'мир', '[UNK]', '[SEP]']);
    expect(r.groupStart).toEqual([0, 1, 3, 4, 5, 6]);
  });

  it('random σ and sequences: groups contiguous, disjoint, ordered, covering exactly, |G_i| = |σ(t_i)|, contents = σ(t_i)', () => {
    const rng = createRng(3);
    const pieces = Array.from({ length: 50 }, (_, v) => (v % 11 === 7 ? null : Array.from({ length: 1 + rng.int(4) }, () => rng.int(30))));
    const sigma = sigmaOf(pieces);
    for (let trial = 0; trial < 100; trial++) {
      const t = Array.from({ length: rng.int(40) }, () => rng.int(50));
      const { ids, groupStart } = t2sSequence(t, sigma, 1);
      expect(groupStart.length).toBe(t.length + 1);
      expect(groupStart[0]).toBe(0);
      expect(groupStart[t.length]).toBe(ids.length);
      let total = 0;
      for (let i = 0; i < t.length; i++) {
        const expected = pieces[t[i]] ?? [1];
        expect(groupStart[i + 1] - groupStart[i]).toBe(expected.length); // > 0, so ordered and disjoint
        expect(ids.slice(groupStart[i], groupStart[i + 1])).toEqual(expected);
        total += expected.length;
      }
      expect(ids.length).toBe(total);
    }
  });

  it('an empty teacher sequence gives an empty t2s; an id outside σ throws AlignmentError', () => {
    const sigma = sigmaOf([[0], [1]]);
    expect(t2sSequence([], sigma, 1)).toEqual({ ids: [], groupStart: [0] });
    expect(() => t2sSequence([0, 2], sigma, 1)).toThrow(AlignmentError);
    expect(() => t2sSequence([0, 2], sigma, 1)).toThrow(/outside the σ map/);
  });
});

/** Straight from methods.md §A.5.4: scan the student from one past the previous match, first equal token wins. */
function bruteForce(t: string[], s: string[], tw?: (number | null)[], sw?: (number | null)[]): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  for (let i = 0; i < t.length; i++) {
    if (from >= s.length) break;
    for (let j = from; j < s.length; j++) {
      if (s[j] === t[i] && (!tw || tw[i] === sw![j])) { out.push([i, j]); from = j + 1; break; }
    }
  }
  return out;
}

const pairs = (m: { teacherPos: number[]; studentPos: number[] }) => m.teacherPos.map((t, k) => [t, m.studentPos[k]]);

describe('item 11: Match pairs', () => {
  it('[CLS] при ##вет мир [SEP] vs [CLS] привет мир [SEP] → ([CLS],[CLS]), (мир,мир), ([SEP],[SEP])', () => {
    const t = ['[CLS]', 'при', '##вет', 'мир', '[SEP]'];
    const s = ['[CLS]', 'привет', 'мир', '[SEP]'];
    const m = matchPairs(t, s);
    expect(pairs(m)).toEqual([[0, 0], [3, 2], [4, 3]]);
    expect(m.teacherPos.map((i) => t[i])).toEqual(['[CLS]', 'мир', '[SEP]']);
    expect(m.studentPos.map((j) => s[j])).toEqual(['[CLS]', 'мир', '[SEP]']);
  });

  it('exact strings: ## matters, case matters', () => {
    expect(pairs(matchPairs(['a', '##b', 'B'], ['##a', 'b', '##b', 'b']))).toEqual([[1, 2]]);
  });

  // Teacher "[CLS] a ##b c a [SEP]" (words 0, 0, 1, 2), student "[CLS] ab c a [SEP]" (words 0, 1, 2).
  const T = ['[CLS]', 'a', '##b', 'c', 'a', '[SEP]'];
  const S = ['[CLS]', 'ab', 'c', 'a', '[SEP]'];
  const TW = [null, 0, 0, 1, 2, null];
  const SW = [null, 0, 1, 2, null];

  it('the jump-ahead quirk: teacher "a" of word 0 matches the student "a" of word 2 and skips "c"', () => {
    expect(pairs(matchPairs(T, S))).toEqual([[0, 0], [1, 3], [5, 4]]);
  });

  it('our wordBounded variant: only same-word tokens match (null only with null), so c and the second a pair up', () => {
    expect(pairs(matchPairs(T, S, { wordBounded: true, teacherWordIds: TW, studentWordIds: SW }))).toEqual([[0, 0], [3, 2], [4, 3], [5, 4]]);
    // A special never matches a word token of the same string, nor the reverse.
    expect(pairs(matchPairs(['[SEP]', 'x'], ['[SEP]', 'x'], { wordBounded: true, teacherWordIds: [0, null], studentWordIds: [null, null] }))).toEqual([[1, 1]]);
  });

  it('stops once the student is exhausted; empty sides give no pairs', () => {
    expect(pairs(matchPairs(['a', 'b', 'a'], ['a']))).toEqual([[0, 0]]);
    expect(pairs(matchPairs([], ['a']))).toEqual([]);
    expect(pairs(matchPairs(['a'], []))).toEqual([]);
  });

  it('wordBounded without word ids (or with the wrong lengths) throws AlignmentError', () => {
    expect(() => matchPairs(T, S, { wordBounded: true })).toThrow(AlignmentError);
    expect(() => matchPairs(T, S, { wordBounded: true, teacherWordIds: TW, studentWordIds: SW.slice(1) })).toThrow(/studentWordIds/);
  });

  it('equals a brute-force search on 500 random pairs (both variants); counts equal, positions strictly increasing', () => {
    const rng = createRng(11);
    const alphabet = ['[CLS]', '[SEP]', 'a', '##a', 'b', '##b', 'c', 'ab', '##c'];
    const words = (n: number) => {
      let w = 0;
      return Array.from({ length: n }, (_, k) => (k === 0 || rng.int(10) === 0 ? null : (w += rng.int(2))));
    };
    for (let trial = 0; trial < 500; trial++) {
      const n = rng.int(30), m = rng.int(30);
      const t = Array.from({ length: n }, () => alphabet[rng.int(alphabet.length)]);
      const s = Array.from({ length: m }, () => alphabet[rng.int(alphabet.length)]);
      const plain = matchPairs(t, s);
      expect(pairs(plain)).toEqual(bruteForce(t, s));
      expect(plain.teacherPos.length).toBe(plain.studentPos.length);
      for (let k = 1; k < plain.teacherPos.length; k++) {
        expect(plain.teacherPos[k]).toBeGreaterThan(plain.teacherPos[k - 1]);
        expect(plain.studentPos[k]).toBeGreaterThan(plain.studentPos[k - 1]);
      }
      const tw = words(n), sw = words(m);
      expect(pairs(matchPairs(t, s, { wordBounded: true, teacherWordIds: tw, studentWordIds: sw }))).toEqual(bruteForce(t, s, tw, sw));
    }
  });
});

describe('whole-group truncation and batch layouts (items 3, 7, 11)', () => {
  const t2s = { ids: [2, 5, 6, 7, 8, 9, 3], groupStart: [0, 1, 3, 6, 7] }; // groups of 1, 2, 3, 1 pieces

  it('fitGroups keeps the whole groups that fit and says whether it cut', () => {
    expect(fitGroups(t2s, 7)).toEqual({ t2s, truncated: false });
    expect(fitGroups(t2s, 6)).toEqual({ t2s: { ids: [2, 5, 6, 7, 8, 9], groupStart: [0, 1, 3, 6] }, truncated: true });
    expect(fitGroups(t2s, 5)).toEqual({ t2s: { ids: [2, 5, 6], groupStart: [0, 1, 3] }, truncated: true }); // never half a group
    expect(fitGroups(t2s, 0)).toEqual({ t2s: { ids: [], groupStart: [0] }, truncated: true });
  });

  it('batchGroups: one row per teacher token at b·Tt + i, its pieces at b·Tr + j', () => {
    const r = batchGroups([[0, 1, 3], [0, 2]], 4, 5);
    expect(Array.from(r.rowTeacherPos)).toEqual([0, 1, 4]);
    expect(Array.from(r.groupStart)).toEqual([0, 1, 3, 5]);
    expect(Array.from(r.groupPos)).toEqual([0, 1, 2, 5, 6]);
  });

  it('batchPairs: the k-th pair of row b at (b·Tt + i, b·Ts + j)', () => {
    const r = batchPairs([{ teacherPos: [1, 2], studentPos: [1, 3] }, { teacherPos: [], studentPos: [] }, { teacherPos: [0], studentPos: [2] }], 4, 6);
    expect(Array.from(r.teacherPos)).toEqual([1, 2, 8]);
    expect(Array.from(r.studentPos)).toEqual([1, 3, 14]);
  });
});
