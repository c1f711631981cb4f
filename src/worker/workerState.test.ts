// The worker's corpus reading (workerState.ts loadCorpus) goes through the one validation layer (data/validate.ts), as
// the CLI's does (issue 17 §4, §6): a binary file dropped as a corpus is refused in the worker with a message in the
// page's words (no command-line flag), invalid UTF-8 is counted, a long line is cut, a CSV without a text column is said.
import { describe, expect, it } from 'vitest';
import { BinaryCorpusError, MAX_DOC_CHARS } from '../data/validate.ts';
import { createWorkerState, loadCorpus } from './workerState.ts';

async function read(name: string, bytes: Uint8Array<ArrayBuffer> | string): Promise<{ text: string; notes: string[] }> {
  const notes: string[] = [];
  const text = await loadCorpus(createWorkerState(), { kind: 'file', file: new File([bytes], name) }, (n) => notes.push(n));
  return { text, notes };
}

describe('loadCorpus (a dropped file)', () => {
  it('a binary file is a BinaryCorpusError naming the file, in the page\'s words', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expect(read('photo.txt', png)).rejects.toThrow(BinaryCorpusError);
    const err = await read('data.txt', new Uint8Array([0x61, 0x62, 0, 0x63])).catch((e: Error) => e);
    expect(err).toBeInstanceOf(BinaryCorpusError);
    expect((err as Error).message).toBe('data.txt looks binary (a NUL byte at offset 2): give a UTF-8 text corpus');
    expect((err as Error).message).not.toMatch(/--[a-z]/);
  });

  it('invalid UTF-8 is replaced and said; a line longer than MAX_DOC_CHARS is cut into documents and said', async () => {
    const bad = await read('bad.txt', new Uint8Array([0x61, 0xff, 0x62, 0x0a, 0x63]));
    expect(bad.text).toBe('a\uFFFDb\nc');
    expect(bad.notes).toEqual(['bad.txt: 1 invalid UTF-8 sequences replaced by U+FFFD']);
    const long = await read('long.txt', `${'word '.repeat(5000)}\nshort line`);
    const docs = long.text.split('\n');
    expect(docs.length).toBe(4);
    expect(Math.max(...docs.map((d) => d.length))).toBeLessThanOrEqual(MAX_DOC_CHARS);
    expect(long.notes[0]).toMatch(/^long\.txt: 1 line longer than 10,000 characters cut into 3 documents/);
  });

  it('a CSV without a "text" column names the columns found and which one was read', async () => {
    const { text, notes } = await read('t.csv', 'id,body\n1,hello there\n2,good bye\n');
    expect(text.split('\n')).toEqual(['id', '1', '2']);
    expect(notes).toEqual(['t.csv: no "text" column (columns found: "id", "body"); read the first column, its first row as text']);
  });
});
