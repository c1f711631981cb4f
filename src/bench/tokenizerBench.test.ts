// `vocabkd bench tokenizer` plumbing (no timing assertions): input loading (.jsonl text fields, plain lines, the
// missing-file error that tells the user to pass --input) and one small end-to-end run against the Rust trainer.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchInputError, benchTokenizer, defaultBenchInput, loadDocuments, OFFLINE_BENCH_INPUT } from './tokenizerBench.ts';
import { embeddedCorpusPath, embeddedRussianProsePath } from '../cli/assets.ts';

const dir = mkdtempSync(join(tmpdir(), 'vocabkd-bench-test-'));

describe('bench tokenizer input', () => {
  it('reads every "text" field of a .jsonl file and the non-blank lines of a text file', () => {
    const jl = join(dir, 'a.jsonl');
    writeFileSync(jl, '{"text": "Ёлка\\nи ёж", "author": "x"}\n\n{"title": "no text"}\n{"text": "два"}\n');
    expect(loadDocuments(jl)).toEqual(['Ёлка\nи ёж', 'два']);
    const txt = join(dir, 'a.txt');
    writeFileSync(txt, 'one\n\n  \ntwo\n');
    expect(loadDocuments(txt)).toEqual(['one', 'two']);
  });

  it('without --input a fresh clone reads the embedded Russian prose (the offline corpus only where it exists)', () => {
    const input = defaultBenchInput();
    expect(input).toBe(existsSync(OFFLINE_BENCH_INPUT) ? OFFLINE_BENCH_INPUT : embeddedRussianProsePath());
    expect(loadDocuments(input).length).toBeGreaterThan(100); // 106 works offline; 10,343 paragraphs embedded
  });

  it('a missing input → BenchInputError telling the user to pass --input; broken JSON names the line', () => {
    expect(() => loadDocuments(join(dir, 'missing.jsonl'))).toThrow(BenchInputError);
    expect(() => loadDocuments(join(dir, 'missing.jsonl'))).toThrow(/pass --input FILE/);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": "ok"}\n{oops\n');
    expect(() => loadDocuments(bad)).toThrow(/bad.jsonl:2: not valid JSON/);
  });

  it('a small run reports both trainers, our phases and the ratio', async () => {
    const r = await benchTokenizer({ input: embeddedCorpusPath(), vocabSize: 1000, repeat: 1 });
    expect(r.ours.vocabSize).toBe(1000);
    expect(r.rust.vocabSize).toBeGreaterThan(1000); // the Rust trainer's default size is 30,000 (capped by the corpus)
    expect(Object.keys(r.ours.phasesMs)).toEqual(['readAndCount', 'alphabet', 'pairCounting', 'merging', 'conversion']);
    expect(r.ratio).toBeCloseTo(r.ours.ms / r.rust.ms, 2);
    expect(r.sharedTokens).toBeGreaterThan(500);
  });
});
