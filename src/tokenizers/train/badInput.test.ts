// Issue 3 "Bad input" for the trainers, one test per case: vocabulary size out of 500–60,000, below specials +
// alphabet (the error names the minimum), minimum frequency < 1, coverage outside (0, 1], empty corpus, a corpus of
// only whitespace/control characters, and invalid UTF-8 (replaced, counted; genuine U+FFFD not counted).
import { describe, expect, it } from 'vitest';
import { countWords } from './countWords.ts';
import { trainBpe, trainWordPiece } from './trainers.ts';
import { EmptyCorpusError, TrainerOptionError, VocabTooSmallError } from './errors.ts';
import { decodeUtf8Stream, type DecodeStats } from './utf8.ts';

const COUNTS = new Map([['hello', 3], ['world', 2]]);

describe('trainer options', () => {
  for (const vocabSize of [499, 60_001, 1000.5, Number.NaN]) {
    it(`vocabulary size ${vocabSize} → TrainerOptionError naming the range 500–60,000`, async () => {
      const p = trainWordPiece(COUNTS, { vocabSize });
      await expect(p).rejects.toBeInstanceOf(TrainerOptionError);
      await expect(trainBpe(COUNTS, { vocabSize })).rejects.toThrow(/from 500 to 60,000/);
    });
  }

  it('minimum frequency 0 or 1.5 → TrainerOptionError', async () => {
    await expect(trainWordPiece(COUNTS, { vocabSize: 500, minFrequency: 0 })).rejects.toThrow(/minimum frequency must be an integer ≥ 1, got 0/);
    await expect(trainBpe(COUNTS, { vocabSize: 500, minFrequency: 1.5 })).rejects.toBeInstanceOf(TrainerOptionError);
  });

  for (const characterCoverage of [0, -0.1, 1.01, Number.NaN]) {
    it(`character coverage ${characterCoverage} → TrainerOptionError naming (0, 1]`, async () => {
      await expect(trainWordPiece(COUNTS, { vocabSize: 500, characterCoverage })).rejects.toThrow(/coverage must be in \(0, 1\]/);
    });
  }

  it('a vocabulary below specials + alphabet → VocabTooSmallError naming this corpus\'s minimum', async () => {
    // 300 distinct characters: WordPiece needs 5 + 2 × 300 = 605 entries; BPE 5 + 300 + the 150 non-initial ones.
    const counts = new Map<string, number>();
    for (let i = 0; i < 150; i++) counts.set(String.fromCodePoint(0x400 + 2 * i, 0x400 + 2 * i + 1), 1);
    const err = await trainWordPiece(counts, { vocabSize: 600 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VocabTooSmallError);
    expect((err as VocabTooSmallError).minimum).toBe(605);
    expect((err as Error).message).toMatch(/below the minimum for this corpus, 605 \(5 special tokens \+ 2 × 300 alphabet characters/);
    const r = await trainWordPiece(counts, { vocabSize: 605, characterCoverage: 1 });
    expect(r.vocab.length).toBe(605);
    await expect(trainBpe(counts, { vocabSize: 500 })).resolves.toMatchObject({ baseSize: 455 });
    // A lower coverage shrinks the alphabet, and with it the minimum.
    await expect(trainWordPiece(counts, { vocabSize: 600, characterCoverage: 0.9 })).resolves.toMatchObject({ droppedChars: 30 });
  });
});

describe('corpus', () => {
  it('an empty corpus → EmptyCorpusError "empty"', async () => {
    expect(() => countWords([])).toThrow(EmptyCorpusError);
    expect(() => countWords(['', ''])).toThrow(/the corpus is empty/);
    await expect(trainWordPiece(new Map(), { vocabSize: 500 })).rejects.toBeInstanceOf(EmptyCorpusError);
  });

  it('only whitespace and control characters → EmptyCorpusError naming them', () => {
    expect(() => countWords([' \t\r\n\u00a0\u3000', '\u0000\u0001\u200b\u007f\ufffd'])).toThrow(/11 characters but no words: only whitespace or control characters/);
  });
});

describe('invalid UTF-8', () => {
  async function decode(parts: number[][]): Promise<{ text: string; stats: DecodeStats }> {
    const stats: DecodeStats = { bytes: 0, invalidReplacements: 0 };
    let text = '';
    for await (const s of decodeUtf8Stream(parts.map((p) => Uint8Array.from(p)), stats)) text += s;
    return { text, stats };
  }
  const enc = (s: string) => [...new TextEncoder().encode(s)];

  it('replaces each invalid sequence with U+FFFD and counts it; genuine U+FFFD in the input is not counted', async () => {
    // "ok" FF "ё" C3(truncated) "x" EF BF BD(genuine) 80(stray continuation)
    const bytes = [...enc('ok'), 0xff, ...enc('ё'), 0xc3, ...enc('x'), 0xef, 0xbf, 0xbd, 0x80];
    const { text, stats } = await decode([bytes]);
    expect(text).toBe('ok\ufffdё\ufffdx\ufffd\ufffd');
    expect(stats).toEqual({ bytes: bytes.length, invalidReplacements: 3 });
  });

  it('gives the same text and count when the bytes arrive one at a time (sequences split across chunks)', async () => {
    const bytes = [...enc('ёж'), 0xef, 0xbf, 0xbd, 0xe2, 0x82, ...enc('😀'), 0xf0, 0x9f];
    const whole = await decode([bytes]);
    const split = await decode(bytes.map((b) => [b]));
    expect(split.text).toBe(whole.text);
    expect(whole.stats.invalidReplacements).toBe(2); // E2 82 (truncated €) and F0 9F at the end
    expect(split.stats).toEqual(whole.stats);
  });

  it('valid UTF-8 reports 0 replacements', async () => {
    const { text, stats } = await decode([enc('Ёлка 中文 😀 \ufffd')]);
    expect(text).toBe('Ёлка 中文 😀 \ufffd');
    expect(stats.invalidReplacements).toBe(0);
  });
});
