// BPE and WordPiece trainers: hand-worked golden merges, the fast merge loop against the textbook reference on random
// corpora, the prefix property, checklist items 1–2 (methods.md C.1) on a vocabulary trained on Moby-Dick,
// determinism, coverage, progress and cancel.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countWords } from './countWords.ts';
import { trainBpe, trainWordPiece, SPECIAL_TOKENS, type TrainResult } from './trainers.ts';
import { referenceBpe } from './referenceBpe.ts';
import { TrainingCancelled } from './errors.ts';
import { WordPieceModel } from '../wordpiece.ts';
import { BpeModel } from '../bpe.ts';
import { normalize } from '../normalizer.ts';
import { preTokenize } from '../preTokenizer.ts';
import { createRng } from '../../data/rng.ts';
import { embeddedCorpusPath } from '../../cli/assets.ts';

const HUG = new Map([['hug', 10], ['pug', 5], ['pun', 12], ['bun', 4], ['hugs', 5]]);

describe('golden merges worked out by hand', () => {
  // Pairs at the start: (##u,##g)=20, (p,##u)=17, (##u,##n)=16, (h,##u)=15, (##g,##s)=5, (b,##u)=4. After ##ug:
  // (##u,##n)=16 wins; then (h,##ug)=15; then (p,##un)=12; then a tie at 5 between (hug,##s) and (p,##ug): "hug" < "p".
  const MERGES = [['##u', '##g'], ['##u', '##n'], ['h', '##ug'], ['p', '##un'], ['hug', '##s'], ['p', '##ug'], ['b', '##un']];

  it('WordPiece on the HF-course corpus: specials, alphabet bare then ##c, then merge results in order', async () => {
    const r = await trainWordPiece(HUG, { vocabSize: 500, minFrequency: 1 });
    expect(r.merges).toEqual(MERGES);
    expect(r.vocab).toEqual([
      ...SPECIAL_TOKENS, 'b', 'g', 'h', 'n', 'p', 's', 'u', '##b', '##g', '##h', '##n', '##p', '##s', '##u',
      '##ug', '##un', 'hug', 'pun', 'hugs', 'pug', 'bun',
    ]);
    expect(r.stoppedBy).toBe('no-pairs');
    expect(r.baseSize).toBe(19);
  });

  it('BPE keeps only the ##c forms that occur, and min frequency 5 stops before the count-4 merge', async () => {
    const r = await trainBpe(HUG, { vocabSize: 500, minFrequency: 5 });
    expect(r.merges).toEqual(MERGES.slice(0, 6));
    expect(r.vocab).toEqual([...SPECIAL_TOKENS, 'b', 'g', 'h', 'n', 'p', 's', 'u', '##g', '##n', '##s', '##u', '##ug', '##un', 'hug', 'pun', 'hugs', 'pug']);
    expect(r.stoppedBy).toBe('min-frequency');
    const bpe = new BpeModel(r.vocab, r.merges);
    expect(bpe.tokenizeWord('hugs').map((p) => p.token)).toEqual(['hugs']);
    expect(bpe.tokenizeWord('bugs').map((p) => p.token)).toEqual(['b', '##ug', '##s']);
  });

  it('"aaabdaaabac" (minbpe\'s example): ##a ##a ×3 first, then count-1 ties go to the smallest (left, right) strings', async () => {
    // a ##a ##a ##b ##d ##a ##a ##a ##b ##a ##c: (##a,##a) occurs 3× (overlapping) and merges left to right twice →
    // a ##aa ##b ##d ##aa ##a ##b ##a ##c; all pairs now count 1: smallest left "##a", smallest right "##b" → ##ab;
    // a ##aa ##b ##d ##aa ##ab ##a ##c → (##a,##c); then left "##aa" with right "##ab" < "##b" → ##aaab.
    const r = await trainBpe(new Map([['aaabdaaabac', 1]]), { vocabSize: 500, minFrequency: 1 });
    expect(r.merges.slice(0, 4)).toEqual([['##a', '##a'], ['##a', '##b'], ['##a', '##c'], ['##aa', '##ab']]);
    expect(new BpeModel(r.vocab, r.merges).tokenizeWord('aaabdaaabac').length).toBe(1);
  });
});

describe('fast merge loop = textbook reference', () => {
  function randomCorpus(seed: number): Map<string, number> {
    const rng = createRng(seed);
    const chars = ['a', 'a', 'a', 'b', 'b', 'c', 'd', 'ё', 'x', '😀'];
    const m = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      let w = '';
      const n = 1 + rng.int(8);
      for (let k = 0; k < n; k++) w += chars[rng.int(chars.length)];
      m.set(w, (m.get(w) ?? 0) + 1 + rng.int(20));
    }
    return m;
  }

  for (const [seed, coverage, minFrequency] of [[1, 1, 1], [2, 1, 2], [3, 0.9, 1], [4, 0.8, 3], [5, 1, 1]] as const) {
    it(`seed ${seed}, coverage ${coverage}, min frequency ${minFrequency}: same merges, alphabet and new tokens`, async () => {
      const counts = randomCorpus(seed);
      const ref = referenceBpe(counts, coverage, minFrequency, 1e9);
      const r = await trainBpe(counts, { vocabSize: 500, minFrequency, characterCoverage: coverage });
      expect(ref.merges.length).toBeGreaterThan(20);
      expect(r.alphabet).toEqual(ref.alphabet);
      expect(r.merges).toEqual(ref.merges);
      expect(r.vocab.slice(r.vocab.length - ref.newTokens.length)).toEqual(ref.newTokens);
    });
  }
});

describe('trained on Moby-Dick (chapters 1–30)', () => {
  let counts: Map<string, number>;
  let wp: TrainResult;
  beforeAll(async () => {
    counts = countWords(readFileSync(embeddedCorpusPath(), 'utf8').split('\n'));
    wp = await trainWordPiece(counts, { vocabSize: 2000, minFrequency: 2 });
  });

  it('has 2000 entries, no duplicates, [PAD]=0 … [MASK]=4, and every alphabet character bare and as ##c', () => {
    expect(wp.vocab.length).toBe(2000);
    expect(new Set(wp.vocab).size).toBe(2000);
    expect(wp.vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    const set = new Set(wp.vocab);
    for (const c of wp.alphabet) { expect(set.has(c)).toBe(true); expect(set.has('##' + c)).toBe(true); }
    expect(wp.baseSize).toBe(5 + 2 * wp.alphabet.length);
  });

  it('prefix property: the 800-token vocabulary is the first 800 entries of the 2000-token one', async () => {
    const small = await trainWordPiece(counts, { vocabSize: 800, minFrequency: 2 });
    expect(small.vocab).toEqual(wp.vocab.slice(0, 800));
    expect(small.merges).toEqual(wp.merges.slice(0, small.merges.length));
  });

  it('checklist item 1: strings of alphabet characters never yield [UNK] (at full size and at a prefix), except words over the length limit', () => {
    const rng = createRng(7);
    for (const size of [wp.baseSize, 1000, 2000]) {
      const model = new WordPieceModel(wp.vocab.slice(0, size));
      for (let n = 0; n < 300; n++) {
        let s = '';
        const len = 1 + rng.int(40);
        for (let k = 0; k < len; k++) s += rng.int(6) === 0 ? ' ' : wp.alphabet[rng.int(wp.alphabet.length)];
        for (const w of preTokenize(normalize(s))) expect(model.tokenizeWord(w.word).map((p) => p.token)).not.toContain('[UNK]');
      }
      const long = 'e'.repeat(101);
      expect(model.tokenizeWord(long).map((p) => p.token)).toEqual(['[UNK]']);
      expect(model.tokenizeWord(long.slice(1)).map((p) => p.token)).not.toContain('[UNK]');
    }
  });

  it('checklist item 2: for every corpus word, the pieces without ## join back to the word (σ-map property)', () => {
    const model = new WordPieceModel(wp.vocab);
    let multi = 0, unk = 0;
    for (const w of counts.keys()) {
      const pieces = model.tokenizeWord(w).map((p) => p.token);
      if (pieces.includes('[UNK]')) { unk++; continue; } // a character outside the 0.9999 coverage
      expect(pieces.map((p, i) => (i > 0 ? p.replace(/^##/, '') : p)).join('')).toBe(w);
      expect(pieces.slice(1).every((p) => p.startsWith('##'))).toBe(true);
      if (pieces.length > 1) multi++;
    }
    expect(multi).toBeGreaterThan(100);
    expect(unk).toBeLessThan(counts.size / 100);
  });

  it('is deterministic: the same vocabulary from counts in reversed insertion order', async () => {
    const reversed = new Map([...counts].reverse());
    const again = await trainWordPiece(reversed, { vocabSize: 2000, minFrequency: 2 });
    expect(again.vocab).toEqual(wp.vocab);
    expect(again.merges).toEqual(wp.merges);
  });

  it('BPE vocabulary works with BpeModel: corpus words tokenize without [UNK] and join back', async () => {
    const r = await trainBpe(counts, { vocabSize: 1500, minFrequency: 2, characterCoverage: 1 });
    expect(r.vocab.length).toBe(1500);
    const bpe = new BpeModel(r.vocab, r.merges);
    for (const w of [...counts.keys()].slice(0, 3000)) {
      const pieces = bpe.tokenizeWord(w).map((p) => p.token);
      expect(pieces).not.toContain('[UNK]');
      expect(pieces.map((p, i) => (i > 0 ? p.slice(2) : p)).join('')).toBe(w);
    }
  });

  it('character coverage 0.99 drops rare characters: they are in no vocabulary entry and tokenize as [UNK]', async () => {
    const r = await trainWordPiece(counts, { vocabSize: 1000, characterCoverage: 0.99 });
    const all = new Set([...counts.keys()].flatMap((w) => [...w]));
    expect(r.droppedChars).toBeGreaterThan(0);
    expect(r.alphabet.length).toBeLessThan(wp.alphabet.length);
    const dropped = [...all].filter((c) => !r.alphabet.includes(c));
    expect(dropped.length).toBe(r.droppedChars);
    for (const t of r.vocab.slice(5)) for (const c of dropped) expect(t.includes(c)).toBe(false);
    expect(new WordPieceModel(r.vocab).tokenizeWord(`a${dropped[0]}b`).map((p) => p.token)).toEqual(['[UNK]']);
  });

  it('reports progress per phase and cancels with TrainingCancelled from an AbortSignal', async () => {
    const phases: string[] = [];
    const seen: number[] = [];
    await trainWordPiece(counts, { vocabSize: 2000, progressIntervalMs: 0, onProgress: (p) => { phases.push(p.phase); seen.push(p.vocab); } });
    expect(phases[0]).toBe('alphabet');
    expect(phases.at(-1)).toBe('done');
    expect(phases.filter((p) => p === 'merge').length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(2000);
    const ac = new AbortController();
    await expect(trainWordPiece(counts, {
      vocabSize: 2000, progressIntervalMs: 0, signal: ac.signal, onProgress: (p) => { if (p.phase === 'merge') ac.abort(); },
    })).rejects.toBeInstanceOf(TrainingCancelled);
    await expect(trainBpe(counts, { vocabSize: 2000, signal: AbortSignal.abort() })).rejects.toThrow(/cancelled/);
  });
});
