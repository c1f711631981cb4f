// The embedded Russian prose (issue 15, item 2): listed by the registry every corpus picker reads, committed as
// src/data/embedded/ru-prose.txt.gz (a fresh clone needs nothing beside the repository), unpacked by
// prepare-assets.mjs to the file the page and the CLI read, real Russian («ё», «й» kept), and held out by the one rule.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_CORPORA, splitDocuments, tokenStreams } from './corpus.ts';
import { isHeldOut } from './heldout.ts';
import { MAX_DOC_CHARS } from './validate.ts';
// @ts-expect-error: plain .mjs build tool without type declarations
import { prepareAssets, OUT_RU_PROSE, RU_PROSE_GZ } from '../tools/prepare-assets.mjs';

const ROOT = new URL('../../', import.meta.url);
const gz = () => readFileSync(new URL('src/data/embedded/ru-prose.txt.gz', ROOT));
const text = () => gunzipSync(gz()).toString('utf8');

describe('the embedded Russian prose', () => {
  it('is in the registry of embedded corpora (every corpus picker lists it), beside Moby-Dick and the UDHR', () => {
    const ids = EMBEDDED_CORPORA.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['moby-dick', 'ru-prose', 'ru-udhr']));
    expect(new Set(ids).size).toBe(ids.length);
    const c = EMBEDDED_CORPORA.find((x) => x.id === 'ru-prose')!;
    expect(c).toMatchObject({ path: 'corpus/ru-prose.txt', language: 'ru' });
    expect(c.source).toMatch(/public domain/);
    for (const a of ['Chekhov', 'Pushkin', 'Gogol', 'Lermontov']) expect(c.title).toContain(a);
  });

  it('is committed compressed: at most 1 MB of gzip, at most 3 MB of UTF-8 text, one paragraph per line', () => {
    expect(gz().length).toBeLessThanOrEqual(1_000_000);
    const t = text();
    const raw = Buffer.byteLength(t, 'utf8');
    expect(raw).toBeGreaterThan(2_000_000);
    expect(raw).toBeLessThanOrEqual(3_000_000);
    expect(t.endsWith('\n')).toBe(true);
    const lines = t.slice(0, -1).split('\n');
    expect(splitDocuments(t)).toEqual(lines); // no blank, untrimmed or \r lines: line i is document i
    expect(lines.length).toBe(10_343);
    // no line is over the bound at which every reader cuts a line into several documents (so line i is document i everywhere)
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(MAX_DOC_CHARS);
  });

  it('is real Russian prose of the four authors, «ё» and «й» kept, no replacement characters', () => {
    const t = text();
    expect(t).not.toContain('\uFFFD');
    const cyr = (t.match(/[а-яё]/gi) ?? []).length;
    expect(cyr / t.replace(/\s/g, '').length).toBeGreaterThan(0.75);
    expect((t.match(/ё/g) ?? []).length).toBeGreaterThan(100);
    expect((t.match(/й/g) ?? []).length).toBeGreaterThan(10_000);
    const lines = splitDocuments(t);
    for (const heading of ['Антон Чехов', 'ШИНЕЛЬ', 'Капитанская дочка', 'Пиковая дама']) {
      expect(lines.some((l) => l.toLowerCase().includes(heading.toLowerCase())), heading).toBe(true);
    }
    expect(lines[0]).toBe('Антон Чехов');
    expect(lines[1]).toBe('АГАФЬЯ');
  });

  it('prepare-assets unpacks exactly the committed text to the file the page and the CLI read', () => {
    expect(RU_PROSE_GZ).toBe(new URL('src/data/embedded/ru-prose.txt.gz', ROOT).pathname);
    prepareAssets();
    expect(OUT_RU_PROSE).toBe(new URL('public/' + EMBEDDED_CORPORA.find((c) => c.id === 'ru-prose')!.path, ROOT).pathname);
    expect(existsSync(OUT_RU_PROSE)).toBe(true);
    expect(readFileSync(OUT_RU_PROSE, 'utf8')).toBe(text());
  });

  it('holds out every 20th line (index % 20 == 19): 517 lines (the Russian teacher held them out too: src/models/teacherRu.test.ts)', () => {
    const lines = splitDocuments(text());
    const held = lines.filter((_, i) => isHeldOut(i));
    expect(held.length).toBe(Math.floor(lines.length / 20));
    expect(held[0]).toBe(lines[19]);
    expect(held[1]).toBe(lines[39]);
    // tokenStreams (what every run uses) holds out exactly these lines, in order
    const index = new Map(lines.map((l, i) => [l, i]));
    const s = tokenStreams(lines, { encode: (d) => Int32Array.of(index.get(d)!) });
    expect(Array.from(s.validation).map((i) => lines[i])).toEqual(held);
  });
});
