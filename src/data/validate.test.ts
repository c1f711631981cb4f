// The corpus validation layer (issue 17 §2, §4): binary sniffing, bounded lines (a long line cut at whitespace near the
// bound, streamed across chunks), invalid UTF-8 counted, CSV / TSV columns reported, bad JSONL lines counted and refused.
import { describe, expect, it } from 'vitest';
import { BinaryCorpusError, boundedLines, corpusDocuments, corpusNotes, cutText, newReport, sniffBinary } from './validate.ts';
import { CorpusFormatError, type CorpusFormat } from './corpusFormats.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const enc = (s: string) => new TextEncoder().encode(s);
const read = async (chunks: (string | Uint8Array)[], format: CorpusFormat, max?: number) => {
  const report = newReport('c.' + format, format);
  const docs = await collect(corpusDocuments(chunks.map((c) => (typeof c === 'string' ? enc(c) : c)), format, report, { maxDocChars: max }));
  return { docs, report };
};

describe('corpus validation', () => {
  it('cutText cuts at whitespace near the bound, never longer than it, losing no word', () => {
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
    const pieces = cutText(words.join(' '), 100);
    expect(pieces.every((p) => p.length <= 100 && p.length > 80)).toBe(true);
    expect(pieces.join(' ').split(' ')).toEqual(words);
    expect(cutText('x'.repeat(250), 100).map((p) => p.length)).toEqual([100, 100, 50]); // no whitespace: hard cuts
  });

  it('boundedLines cuts a line that spans chunks without holding it whole, and counts it once', async () => {
    const report = newReport('c.txt', 'txt');
    const long = 'ab '.repeat(1000); // 3000 chars over 30 chunks
    const chunks = ['first\n', ...Array.from({ length: 30 }, (_, i) => long.slice(i * 100, (i + 1) * 100)), '\nlast'];
    const out = await collect(boundedLines(chunks, 250, report));
    expect(out[0]).toBe('first');
    expect(out.at(-1)).toBe('last');
    expect(out.slice(1, -1).every((p) => p.length <= 250)).toBe(true);
    expect(out.slice(1, -1).join(' ').split(/\s+/).filter(Boolean)).toHaveLength(1000);
    expect(report.lines).toBe(3);
    expect(report.cutLines).toBe(1);
    expect(report.cutPieces).toBe(out.length - 3);
  });

  it('binary files are refused by signature or a NUL byte; text passes', () => {
    expect(() => sniffBinary(new Uint8Array([0x1f, 0x8b, 8, 0]), 'x.gz')).toThrow(/x\.gz is a gzip file, not text: .*decompress/);
    expect(() => sniffBinary(enc('%PDF-1.4\n'), 'a.pdf')).toThrow(BinaryCorpusError);
    expect(() => sniffBinary(enc('abc\u0000def'), 'n.txt')).toThrow(/a NUL byte at offset 3/);
    expect(() => sniffBinary(enc('Привет, мир\n'), 'ok.txt')).not.toThrow();
  });

  it('invalid UTF-8 is counted and said; long lines are said', async () => {
    const { docs, report } = await read([new Uint8Array([0x61, 0xff, 0x62, 0x0a]), 'word '.repeat(50) + '\n'], 'txt', 100);
    expect(docs[0]).toBe('a\ufffdb');
    expect(report.invalidUtf8).toBe(1);
    expect(report.cutLines).toBe(1);
    expect(corpusNotes(report, 100)).toEqual([
      'c.txt: 1 invalid UTF-8 sequences replaced by U+FFFD',
      expect.stringMatching(/^c\.txt: 1 line longer than 100 characters cut into 3 documents/),
    ]);
  });

  it('CSV / TSV: the columns found are reported; without a "text" column the choice is said', async () => {
    const tsv = await read(['id\ttext\n1\tone two\n'], 'tsv');
    expect(tsv.docs).toEqual(['one two']);
    expect(tsv.report).toMatchObject({ columns: ['id', 'text'], textColumn: 'text', notes: [] });
    const csv = await read(['first,second\nx,y\n'], 'csv');
    expect(csv.docs).toEqual(['first', 'x']);
    expect(csv.report.notes).toEqual(['c.csv: no "text" column (columns found: "first", "second"); read the first column, its first row as text']);
  });

  it('JSONL: every bad line is counted, and the file refused naming the first', async () => {
    await expect(read(['{"text":"ok"}\nnot json\n{"n":1}\n{"text":"fine"}\n'], 'jsonl')).rejects.toThrow(/c\.jsonl: 2 of 4 lines are not JSON objects with a string field \(first: line 2 is not valid JSON/);
    await expect(read(['{"text":"ok"}\n{oops\n'], 'jsonl')).rejects.toThrow(CorpusFormatError);
    expect((await read(['{"text":"a\\nb"}\n'], 'jsonl')).docs).toEqual(['a b']);
  });

  it('a structured record longer than the record bound is refused, naming the line', async () => {
    const report = newReport('big.jsonl', 'jsonl');
    const docs = corpusDocuments([enc('{"text":"ok"}\n'), enc('{"text":"' + 'x'.repeat(5000))], 'jsonl', report, { maxRecordChars: 1000 });
    await expect(collect(docs)).rejects.toThrow(/big\.jsonl: line 2 is longer than 1,000 characters/);
  });
});

describe('boundedLines keeps every line', () => {
  it('empty and blank lines are yielded as they are (a record each for encode / align)', async () => {
    const report = newReport('e.txt', 'txt');
    expect(await collect(boundedLines(['a\n\n  \r\nb\n'], 100, report))).toEqual(['a', '', '  ', 'b']);
    expect(report.lines).toBe(4);
  });
});

describe('pre-reform letters and mixed scripts (issue 15): counted, kept, not crashed on', () => {
  // Hand-counted: ѣ ×3 (бѣдный, лѣсъ, Ѣ is a capital: counted apart), і ×2 (Россіи, міръ), ѳ ×1, ѵ ×1;
  // mixed words: «cказала» (Latin c), «Jа» (Latin J); «Москва» and «Moscow» are one script each.
  const text = 'Въ Россіи бѣдный лѣсъ и міръ. Ѣда! Ѳеодоръ и мѵро.\nJа cказала: Москва, Moscow.\n';
  it('counts each letter and each mixed word by hand, and says so in the notes', async () => {
    const { docs, report } = await read([text.slice(0, 17), text.slice(17)], 'txt');
    expect(docs.join('\n') + '\n').toBe(text); // kept: nothing changed
    expect(report.letters.preReform).toEqual({ 'і': 2, 'ѣ': 2, 'Ѣ': 1, 'Ѳ': 1, 'ѵ': 1 });
    expect(report.letters.mixedWords).toBe(2);
    expect(report.letters.mixedExamples).toEqual(['Jа', 'cказала']);
    const notes = corpusNotes(report);
    expect(notes).toContain('c.txt: 7 pre-reform letters (і 2, ѣ 2, Ѣ 1, Ѳ 1, ѵ 1), kept as they are (і is also Ukrainian and Belarusian)');
    expect(notes).toContain('c.txt: 2 words mix Latin and Cyrillic letters («Jа», «cказала»), kept as they are');
  });
  it('says nothing of modern Russian or English text; combining accents stay inside their word', async () => {
    const { report } = await read(['Мы́ шли в лес. We went home.\n'], 'txt');
    expect(report.letters).toEqual({ preReform: {}, mixedWords: 0, mixedExamples: [] });
    expect(corpusNotes(report)).toEqual([]);
    const one = await read(['Пpивет!\n'], 'txt'); // a Latin p
    expect(corpusNotes(one.report)).toEqual(['c.txt: 1 word mixes Latin and Cyrillic letters («Пpивет»), kept as they are']);
  });
  it('a tokenizer trained on such text keeps ѣ and і as their own symbols (no [UNK], no folding)', async () => {
    const { trainTokenizer } = await import('../tokenizers/trainTokenizer.ts');
    const { DEFAULT_TOKENIZER_TRAIN } = await import('../tokenizers/trainTokenizer.ts');
    const { docs } = await read([text.repeat(3)], 'txt');
    const { tokenizer } = await trainTokenizer(docs, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 500, minFrequency: 1 });
    const pieces = tokenizer.encode('бѣдный міръ').tokens;
    expect(pieces).not.toContain('[UNK]');
    expect(pieces.join('')).toContain('ѣ');
    expect(pieces.join('')).toContain('і');
  });
});
