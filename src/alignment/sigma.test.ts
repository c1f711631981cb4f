// σ map and shared vocabulary C: hand-checked splits on a small Russian vocabulary (methods.md's own example, `##`
// entries, [UNK] cases, unused entries, surrogate pairs), the item-2 property and greedy longest-match on the shipped
// English teacher vocabulary against a 2,000-entry student trained by our trainer on Moby-Dick, item 1 on that student,
// C contents and order, named errors.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSigma, checkStudentSpecials, sharedVocab, sigmaTokens, StudentVocabError } from './sigma.ts';
import { countWords } from '../tokenizers/train/countWords.ts';
import { trainWordPiece, type TrainResult } from '../tokenizers/train/trainers.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { embeddedCorpusPath, PROJECT_ROOT } from '../cli/assets.ts';
import type { SigmaMap } from './types.ts';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const STUDENT = [...SPECIALS, 'при', '##вет', 'мир', '##ы', '##о', 'a', '##b', '##😀', '##\uD83D', 'unused'];
const TEACHER = [
  '[CLS]', '[PAD]', '[SEP]', '[UNK]', '[MASK]', // specials in another order: mapped by string
  '[unused0]', '[unused17]', '<S>', '<T>', '</S>', // 5–9 unmapped
  'привет', '##вет', '##ы', '##ж', '##вето', 'миры', 'мирq', 'qмир', // 10–17
  'a😀b', 'a😀', '##😀', 'unused', 'мир', '##жы', // 18–23
];

describe('checkStudentSpecials', () => {
  it('returns the ids of the five specials by string', () => {
    expect(checkStudentSpecials(['x', '[MASK]', '[SEP]', '[CLS]', '[UNK]', '[PAD]'])).toEqual({ pad: 5, unk: 4, cls: 3, sep: 2, mask: 1 });
  });

  it('throws StudentVocabError naming every missing special and only those', () => {
    const bad = () => checkStudentSpecials(['[PAD]', '[UNK]', '[SEP]', 'a']);
    expect(bad).toThrow(StudentVocabError);
    expect(bad).toThrow(/\[CLS\] \[MASK\]/);
    expect(bad).not.toThrow(/\[PAD\]|\[UNK\]|\[SEP\]/);
    expect(() => buildSigma(TEACHER, ['a', '##b'])).toThrow(StudentVocabError);
  });
});

describe('item 2: σ on a hand-built vocabulary', () => {
  const sigma = buildSigma(TEACHER, STUDENT);
  const tok = (v: string) => sigmaTokens(sigma, STUDENT, TEACHER.indexOf(v));

  it('σ("привет") = (при, ##вет) (methods.md §A.3 item 3)', () => {
    expect(tok('привет')).toEqual(['при', '##вет']);
  });

  it('specials map to the student entry of the same string, whatever their ids', () => {
    for (const s of SPECIALS) expect(Array.from(sigma.pieces[TEACHER.indexOf(s)]!)).toEqual([STUDENT.indexOf(s)]);
  });

  it('[unusedN], <S>, <T>, </S> stay unmapped; the English word "unused" is mapped (only the [unusedN] form is skipped)', () => {
    for (let v = 5; v <= 9; v++) expect(sigma.pieces[v]).toBeNull();
    expect(sigma.unmapped).toBe(5);
    expect(tok('unused')).toEqual(['unused']);
  });

  it('## entries: kept whole when the student has them, ## stays on the first piece, a short ##x the student lacks → [UNK]', () => {
    expect(tok('##вет')).toEqual(['##вет']);
    expect(tok('##ы')).toEqual(['##ы']);
    expect(tok('##ж')).toEqual(['[UNK]']);
    expect(tok('##вето')).toEqual(['##вет', '##о']);
    expect(tok('миры')).toEqual(['мир', '##ы']);
    expect(tok('мир')).toEqual(['мир']);
  });

  it('unmatchable pieces: the split stops at an [UNK] and partial splits survive (the original quirk)', () => {
    expect(tok('мирq')).toEqual(['мир', '[UNK]']);
    expect(tok('qмир')).toEqual(['[UNK]']);
    expect(tok('##жы')).toEqual(['[UNK]']); // 4 code points: segmented, and ##ж has no match
  });

  it('works in code points: a surrogate pair is never split, ##😀 counts as 3 characters', () => {
    expect(tok('a😀b')).toEqual(['a', '##😀', '##b']);
    expect(tok('##😀')).toEqual(['##😀']);
    const noEmoji = STUDENT.filter((t) => t !== '##😀');
    const s2 = buildSigma(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a😀', '##😀'], noEmoji);
    expect(sigmaTokens(s2, noEmoji, 5)).toEqual(['a', '[UNK]']); // '##\uD83D' is in the vocabulary but may not be used
    expect(sigmaTokens(s2, noEmoji, 6)).toEqual(['[UNK]']); // the ≤ 3-character ##x rule, counted in code points
  });

  it('counters: unmapped, withUnk (the teacher [UNK] itself included), maxPieces', () => {
    // [UNK], ##ж, мирq, qмир, ##жы contain [UNK].
    expect(sigma.withUnk).toBe(5);
    expect(sigma.maxPieces).toBe(3);
    expect(sigma.pieces.length).toBe(TEACHER.length);
  });

  it('progress every 2,000 entries and once at the end', () => {
    const calls: [number, number][] = [];
    const big = [...SPECIALS, ...Array.from({ length: 4995 }, (_, i) => `w${i}`)];
    buildSigma(big, STUDENT, (d, t) => calls.push([d, t]));
    expect(calls).toEqual([[2000, 5000], [4000, 5000], [5000, 5000]]);
  });

  it('sigmaTokens rejects an id outside the map', () => {
    expect(() => sigmaTokens(sigma, STUDENT, TEACHER.length)).toThrow(RangeError);
  });
});

describe('item 4: shared vocabulary C', () => {
  it('every string in both vocabularies (specials and ## pieces included), ordered by teacher id, with both ids', () => {
    const c = sharedVocab(TEACHER, STUDENT);
    const pairs = Array.from(c.teacherIds, (t, k) => [TEACHER[t], STUDENT[c.studentIds[k]]]);
    expect(pairs.map((p) => p[0])).toEqual(['[CLS]', '[PAD]', '[SEP]', '[UNK]', '[MASK]', '##вет', '##ы', '##😀', 'unused', 'мир']);
    for (const [t, s] of pairs) expect(t).toBe(s);
    expect(Array.from(c.teacherIds)).toEqual([0, 1, 2, 3, 4, 11, 12, 20, 21, 22]);
  });

  it('a duplicated teacher string appears once, with its first id', () => {
    const c = sharedVocab(['[PAD]', 'мир', 'x', 'мир'], STUDENT);
    expect(Array.from(c.teacherIds)).toEqual([0, 1]);
    expect(Array.from(c.studentIds)).toEqual([0, 7]);
  });
});

describe('on real vocabularies: the shipped teacher vs a 2,000-entry student trained on Moby-Dick', () => {
  let teacher: string[];
  let wp: TrainResult;
  let sigma: SigmaMap;
  beforeAll(async () => {
    teacher = readFileSync(`${PROJECT_ROOT}public/models/teacher-en/vocab.txt`, 'utf8').split('\n').filter((l) => l.length > 0);
    const counts = countWords(readFileSync(embeddedCorpusPath(), 'utf8').split('\n'));
    wp = await trainWordPiece(counts, { vocabSize: 2000, minFrequency: 2 });
    sigma = buildSigma(teacher, wp.vocab);
  });

  it('item 1: specials first ([PAD] = 0), every alphabet character bare and as ##c, no [UNK] for known characters', () => {
    expect(wp.vocab.slice(0, 5)).toEqual(SPECIALS);
    expect(checkStudentSpecials(wp.vocab)).toEqual({ pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });
    const set = new Set(wp.vocab);
    for (const c of wp.alphabet) { expect(set.has(c)).toBe(true); expect(set.has('##' + c)).toBe(true); }
    const model = new WordPieceModel(wp.vocab);
    for (const w of ['whale', 'Ishmael', 'harpooneer', wp.alphabet.join('')]) expect(model.tokenizeWord(w).map((p) => p.token)).not.toContain('[UNK]');
  });

  it('item 2: without ## the pieces join back to the entry (unless [UNK]); ## exactly on the non-initial pieces (and on the first iff the entry has it)', () => {
    const unk = 1;
    let checked = 0, multi = 0;
    teacher.forEach((v, id) => {
      const p = sigma.pieces[id];
      expect(p).not.toBeNull(); // this teacher has no [unusedN] / <S> entries
      if (SPECIALS.includes(v) || p!.includes(unk)) return;
      const toks = Array.from(p!, (u) => wp.vocab[u]);
      expect(toks.map((t) => t.replace(/^##/, '')).join('')).toBe(v.replace(/^##/, ''));
      expect(toks[0].startsWith('##')).toBe(v.startsWith('##'));
      expect(toks.slice(1).every((t) => t.startsWith('##'))).toBe(true);
      checked++;
      if (toks.length > 1) multi++;
    });
    expect(checked).toBeGreaterThan(teacher.length * 0.9);
    expect(multi).toBeGreaterThan(1000);
    expect(sigma.unmapped).toBe(0);
  });

  it('item 2: each piece is the longest student entry at its place (greedy longest-match-first), checked independently', () => {
    const set = new Set(wp.vocab);
    teacher.forEach((v, id) => {
      const p = sigma.pieces[id]!;
      if (SPECIALS.includes(v) || p.includes(1)) return;
      const chars = Array.from(v.replace(/^##/, ''));
      let at = 0;
      for (let k = 0; k < p.length; k++) {
        const len = Array.from(wp.vocab[p[k]].replace(/^##/, '')).length;
        const head = k > 0 || v.startsWith('##') ? '##' : '';
        for (let longer = at + len + 1; longer <= chars.length; longer++) expect(set.has(head + chars.slice(at, longer).join(''))).toBe(false);
        at += len;
      }
    });
  });

  it('item 1 ⇒ item 2: a teacher entry made only of student-alphabet characters never maps to [UNK]', () => {
    const alpha = new Set(wp.alphabet);
    let n = 0;
    teacher.forEach((v, id) => {
      if (SPECIALS.includes(v)) return;
      const chars = Array.from(v.replace(/^##/, ''));
      if (chars.length === 0 || !chars.every((c) => alpha.has(c))) return;
      expect(Array.from(sigma.pieces[id]!)).not.toContain(1);
      n++;
    });
    expect(n).toBeGreaterThan(teacher.length * 0.9);
    expect(sigma.withUnk).toBe(1 + teacher.length - 5 - n); // the teacher [UNK] plus the entries with foreign characters
  });

  it('C: every shared string once, both ids name the same string, ascending teacher ids, specials included', () => {
    const c = sharedVocab(teacher, wp.vocab);
    const studentSet = new Set(wp.vocab);
    const expected = [...new Set(teacher.filter((t) => studentSet.has(t)))];
    expect(Array.from(c.teacherIds, (t) => teacher[t])).toEqual(expected);
    for (let k = 0; k < c.teacherIds.length; k++) expect(wp.vocab[c.studentIds[k]]).toBe(teacher[c.teacherIds[k]]);
    for (let k = 1; k < c.teacherIds.length; k++) expect(c.teacherIds[k]).toBeGreaterThan(c.teacherIds[k - 1]);
    expect(Array.from(c.studentIds.slice(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(c.teacherIds.length).toBeGreaterThan(1000);
  });
});
