// Word counting: the fast table-driven counter must give exactly the words of preTokenize(normalize(text)) on hard
// strings and random text under every option set; streams split anywhere (mid-word, mid-surrogate pair) count the
// same; a 200 MB generated stream is consumed lazily (never more than two chunks ahead) into bounded counts.
import { describe, expect, it } from 'vitest';
import { WordCounter, countWords, countWordsStream } from './countWords.ts';
import { normalize, type BertNormalizerOptions } from '../normalizer.ts';
import { preTokenize } from '../preTokenizer.ts';
import { createRng } from '../../data/rng.ts';

const HARD = [
  'Hello, world! It\'s 3.14…', 'Ёлка и йод: «ёж» — ЁЖ.', '中文字符和English混合', 'emoji 😀👍🏽 and 👨‍👩‍👧 family',
  'e\u0301 combining, A\u030A, ñ', 'tabs\tand\nnewlines\r\n  ', '\u00a0nbsp\u2003em\u3000ideographic',
  'zero\u200bwidth\u200dj', 'ctrl\u0000\u0001\u007fchars', 'rep\ufffdlacement', 'lone \ud800 high, \udc00 low', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math',
  '...!!!???---', 'İstanbul ΣΊΣΥΦΟΣ straße', 'x'.repeat(150), '', '   ', 'a\u0000b', '٣٤٥ عربى', 'ﬁ ligature ＦＵＬＬ',
];

const OPTION_SETS: Partial<BertNormalizerOptions>[] = [
  {}, { lowercase: true }, { lowercase: true, stripAccents: true }, { stripAccents: true }, { lowercase: true, stripAccents: null },
  { cleanText: false }, { handleChineseChars: false },
];

function slowCounts(texts: string[], o: Partial<BertNormalizerOptions>): Map<string, number> {
  const full = { cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: false, ...o };
  const m = new Map<string, number>();
  for (const t of texts) for (const w of preTokenize(normalize(t, full))) m.set(w.word, (m.get(w.word) ?? 0) + 1);
  return m;
}

function randomTexts(seed: number, n: number): string[] {
  const pool = [...'abcXYZёЁйЙ中文😀👍 \t\n.,!—«»\u0301\u200b\u0000\u00a0\ufffd\ud800İß'];
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: rng.int(30) }, () => pool[rng.int(pool.length)]).join(''));
}

const sorted = (m: Map<string, number>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

describe('countWords = preTokenize(normalize(text)) word counts', () => {
  for (const o of OPTION_SETS) {
    it(`hard strings and random text, options ${JSON.stringify(o)}`, () => {
      const texts = [...HARD, ...randomTexts(11, 400)];
      expect(sorted(countWords(texts, o))).toEqual(sorted(slowCounts(texts, o)));
    });
  }

  it('counts a hand-checked line: punctuation words, removed controls join, CJK split, ё kept by default', () => {
    const m = countWords(['Ёж, ёж! a\u0000b 中文 ёж']);
    expect(Object.fromEntries(m)).toEqual({ 'Ёж': 1, ',': 1, 'ёж': 2, '!': 1, ab: 1, '中': 1, '文': 1 });
    expect(Object.fromEntries(countWords(['Ёж ёж'], { lowercase: true }))).toEqual({ 'ёж': 2 });
    expect(Object.fromEntries(countWords(['Ёж ёж'], { lowercase: true, stripAccents: true }))).toEqual({ 'еж': 2 });
  });

  it('reports progress with the totals', () => {
    const seen: number[] = [];
    countWords(['a b c', 'd'], {}, (p) => seen.push(p.words, p.distinct, p.texts, p.chars));
    expect(seen.slice(-4)).toEqual([4, 4, 2, 6]);
  });
});

describe('countWordsStream', () => {
  it('chunks cut anywhere (mid-word, between surrogate halves) give the same counts as whole texts', async () => {
    const texts = [...HARD, ...randomTexts(12, 200)];
    const whole = texts.join('\n');
    for (const step of [1, 3, 7, 64]) {
      const chunks: string[] = [];
      for (let i = 0; i < whole.length; i += step) chunks.push(whole.slice(i, i + step));
      const { counts } = await countWordsStream(chunks);
      expect(sorted(counts)).toEqual(sorted(countWords(texts)));
    }
  });

  it('a 200 MB generated stream is consumed lazily and only the counts are kept', async () => {
    // Mostly blanks keep the test fast; the point is the stream's shape, not its vocabulary.
    const line = `Ishmael ${' '.repeat(300)} precisely, ${' '.repeat(300)} ёлка\n`;
    const chunk = line.repeat(Math.ceil((1 << 20) / line.length)) + 'Ishm'; // each chunk ends mid-word
    const counter = new WordCounter();
    let yielded = 0, maxLead = 0;
    async function* source() {
      while (yielded < 200e6) {
        // How far the producer is ahead of what the counter has consumed.
        maxLead = Math.max(maxLead, yielded - counter.chars);
        yield chunk;
        yielded += chunk.length;
      }
    }
    const { counts } = await countWordsStream(source(), counter);
    const n = Math.ceil(200e6 / chunk.length);
    expect(counter.chars).toBe(n * chunk.length);
    expect(counts.size).toBe(6); // 3 words + "," + the glued "Ishm" + first word + the last "Ishm"
    expect(counts.get('IshmIshmael')).toBe(n - 1);
    expect(counts.get('Ishm')).toBe(1);
    expect(counts.get('ёлка')).toBe(n * Math.ceil((1 << 20) / line.length));
    expect(maxLead).toBeLessThanOrEqual(2 * chunk.length);
  });

  it('a chunk tail without any whitespace is carried, then counted once past the pending limit', async () => {
    const { counts } = await countWordsStream(['abc', 'def', ' gh']);
    expect(Object.fromEntries(counts)).toEqual({ abcdef: 1, gh: 1 });
  });
});
