// The run file (runFile.ts): a round trip keeps every file byte for byte; a truncated file, a foreign file, another
// version, a flipped byte and trailing bytes are each a RunFileError naming what is wrong.
import { describe, expect, it } from 'vitest';
import { isRunFile, packRunFile, RunFileError, unpackRunFile } from './runFile.ts';

const enc = new TextEncoder();
const files = () => new Map<string, Uint8Array>([
  ['run.json', enc.encode('{"kind":"distill"}')],
  ['checkpoint.ckpt', Uint8Array.from({ length: 1000 }, (_, i) => i % 251)],
  ['student/config.json', enc.encode('{}')],
]);
const head = { kind: 'distill' as const, name: 'reduce · 2×128', source: { corpus: { embedded: 'moby-dick' }, teacher: { shipped: 'teacher-en' } } };

describe('run files', () => {
  it('round trip: the manifest and every file', () => {
    const bytes = packRunFile(head, files());
    expect(isRunFile(bytes)).toBe(true);
    const r = unpackRunFile(bytes);
    expect(r.manifest).toMatchObject({ format: 'vocabkd-run', version: 1, ...head });
    expect([...r.files.keys()]).toEqual(['run.json', 'checkpoint.ckpt', 'student/config.json']);
    for (const [k, v] of files()) expect(Array.from(r.files.get(k)!)).toEqual(Array.from(v));
  });

  it('every damage is named', () => {
    const good = packRunFile(head, files());
    const bad = (b: Uint8Array) => () => unpackRunFile(b);
    expect(bad(good.subarray(0, good.length - 10))).toThrow(/truncated: checkpoint\.ckpt needs 1000 bytes|truncated: student\/config\.json/);
    expect(bad(good.subarray(0, 20))).toThrow(/truncated: its manifest needs/);
    expect(bad(enc.encode('PK\u0003\u0004 a zip'))).toThrow('not a vocabkd run file');
    const flipped = good.slice();
    flipped[flipped.length - 500] ^= 1;
    expect(bad(flipped)).toThrow('checkpoint.ckpt does not match its checksum');
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expect(bad(longer)).toThrow('3 bytes after its last file');
    const text = new TextDecoder().decode(good).replace('"version":1', '"version":7');
    expect(bad(enc.encode(text))).toThrow('run file version 7 is not supported');
    expect(bad(flipped)).toThrow(RunFileError);
    expect(() => packRunFile(head, new Map())).toThrow('needs run.json');
  });
});
