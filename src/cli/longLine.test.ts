// The memory bound of corpus reading (issue 17 §2, README "Reliability"): a corpus of one very long line is cut into
// documents of at most MAX_DOC_CHARS as it streams in, so reading it (a) fits a V8 heap far smaller than the line when
// nothing is kept and (b) costs the same peak memory as the same text in short lines when everything is kept.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../testing/cli.ts';
import { MAX_DOC_CHARS } from '../data/validate.ts';

const dir = mkdtempSync(join(tmpdir(), 'vkd-long-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 2 ** 20;
const WORDS = 'call me ishmael some years ago never mind how long precisely having little or no money in my purse ';
/** `mb` MB of words: one line, or a line break every ~8,000 characters. */
function corpus(name: string, mb: number, oneLine: boolean): string {
  const block = WORDS.repeat(Math.ceil(8000 / WORDS.length));
  const text = (block + (oneLine ? ' ' : '\n')).repeat(Math.ceil((mb * MB) / (block.length + 1)));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function probe(file: string, mode: 'keep' | 'stream', heapMB: number) {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMB}`, '--import', 'tsx', 'src/testing/corpusMemory.ts', file, mode], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  return JSON.parse(r.stdout) as { documents: number; kept: number; longest: number; cutLines: number; heapUsedMB: number; peakRssMB: number };
}

describe('long-line corpora are read in bounded memory', () => {
  it('a 48 MB single line streams through a 32 MB V8 heap, cut into documents of at most MAX_DOC_CHARS', () => {
    const r = probe(corpus('one-line.txt', 48, true), 'stream', 32);
    expect(r.cutLines).toBe(1);
    expect(r.longest).toBeLessThanOrEqual(MAX_DOC_CHARS);
    expect(r.documents).toBeGreaterThan((48 * MB) / MAX_DOC_CHARS);
  }, 120_000);

  it('keeping every document: peak memory of one 24 MB line is within 1.25x of the same text in short lines', () => {
    const one = probe(corpus('keep-one.txt', 24, true), 'keep', 256);
    const many = probe(corpus('keep-many.txt', 24, false), 'keep', 256);
    expect(one.longest).toBeLessThanOrEqual(MAX_DOC_CHARS);
    expect(many.cutLines).toBe(0);
    expect(one.peakRssMB / many.peakRssMB).toBeLessThan(1.25);
    expect(one.heapUsedMB).toBeLessThan(3 * 24); // the text kept (one byte a character) plus the documents' headers
  }, 120_000);
});
