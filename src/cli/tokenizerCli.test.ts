// `vocabkd tokenizer train|stats`: in-process runs on temp files (Moby-Dick slice, invalid UTF-8, empty), the written
// tokenizer.json loaded back by our importer and by the Rust `tokenizers` package (same ids), usage errors, and the
// real CLI entry's exit codes and `error: Name: message` lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenizerCommand, type Io } from './tokenizerCli.ts';
import { embeddedCorpusPath } from './assets.ts';
import { fromTokenizerJson } from '../tokenizers/hfJson.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vocabkd-tok-'));
const moby = embeddedCorpusPath();

async function run(...argv: string[]): Promise<{ out: string; err: string }> {
  let out = '', err = '';
  const io: Io = { out: (s) => (out += s), err: (s) => (err += s) };
  await tokenizerCommand(argv, io);
  return { out, err };
}

describe('vocabkd tokenizer train', () => {
  const wpPath = join(dir, 'wp.json');
  let summary: Record<string, unknown>;
  beforeAll(async () => {
    summary = JSON.parse((await run('train', '--algo', 'wordpiece', '--vocab-size', '1000', '--input', moby, '--out', wpPath, '--coverage', '1')).out);
  });

  it('writes a 1000-token WordPiece tokenizer.json that our importer loads: specials first, no [UNK] on the corpus', () => {
    expect(summary).toMatchObject({ algo: 'wordpiece', vocabSize: 1000, stoppedBy: 'vocab-size', input: { invalidUtf8Replaced: 0 } });
    const tok = fromTokenizerJson(readFileSync(wpPath, 'utf8'));
    expect(tok.vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    const line = readFileSync(moby, 'utf8').split('\n')[3];
    const enc = tok.encode(line);
    expect(enc.tokens[0]).toBe('[CLS]');
    expect(enc.tokens).not.toContain('[UNK]');
  });

  it('the Rust tokenizers package loads the same file and gives the same ids', async () => {
    const { Tokenizer } = createRequire(import.meta.url)('tokenizers') as typeof import('tokenizers');
    const rust = Tokenizer.fromFile(wpPath);
    const tok = fromTokenizerJson(readFileSync(wpPath, 'utf8'));
    for (const line of readFileSync(moby, 'utf8').split('\n').slice(0, 20)) {
      expect((await rust.encode(line)).getIds()).toEqual(tok.encode(line).ids);
    }
  });

  it('--algo bpe --lowercase: a BPE model with merges and a lowercasing normalizer', async () => {
    const p = join(dir, 'bpe.json');
    await run('train', '--algo', 'bpe', '--vocab-size', '800', '--input', moby, '--out', p, '--lowercase');
    const json = JSON.parse(readFileSync(p, 'utf8'));
    expect(json.model.type).toBe('BPE');
    expect(json.model.merges.length).toBeGreaterThan(400);
    expect(json.normalizer).toMatchObject({ type: 'BertNormalizer', lowercase: true, strip_accents: false });
    expect(Object.keys(json.model.vocab).filter((t) => t !== t.toLowerCase() && !t.startsWith('['))).toEqual([]);
  });

  it('reports invalid UTF-8 replacements in the summary and on stderr', async () => {
    const p = join(dir, 'bad.txt');
    const good = readFileSync(moby);
    writeFileSync(p, Buffer.concat([good, Buffer.from([0xff, 0x20, 0xc3, 0x0a])]));
    const r = await run('train', '--vocab-size', '600', '--input', p, '--out', join(dir, 'bad.json'));
    expect(JSON.parse(r.out).input.invalidUtf8Replaced).toBe(2);
    expect(r.err).toMatch(/2 invalid UTF-8 sequences replaced/);
  });

  it('usage errors: unknown --algo, missing --out, a missing input file; a bad vocabulary size names the range', async () => {
    await expect(run('train', '--vocab-size', '100', '--input', moby, '--out', 'x')).rejects.toThrow(/from 500 to 60,000, got 100/);
    await expect(run('train', '--algo', 'unigram', '--vocab-size', '600', '--input', moby, '--out', 'x')).rejects.toThrow(/--algo must be wordpiece or bpe/);
    await expect(run('train', '--vocab-size', '600', '--input', moby)).rejects.toThrow(/needs --out/);
    await expect(run('train', '--vocab-size', '600', '--input', join(dir, 'nope.txt'), '--out', 'x')).rejects.toThrow(/input file not found/);
  });
});

describe('vocabkd tokenizer stats', () => {
  it('what-if metrics at the requested sizes of a trained tokenizer.json', async () => {
    const p = join(dir, 'wp2.json');
    await run('train', '--vocab-size', '1500', '--input', moby, '--out', p);
    const r = JSON.parse((await run('stats', '--tokenizer', p, '--input', moby, '--sizes', '600,1000,1500', '--hidden', '100', '--body-params', '1000000')).out);
    expect(r).toMatchObject({ model: 'WordPiece', vocabSize: 1500, hiddenSize: 100, bodyParams: 1_000_000 });
    expect(r.points.map((x: { size: number }) => x.size)).toEqual([600, 1000, 1500]);
    expect(r.points[2]).toMatchObject({ embeddingParams: 150_000, embeddingShare: 150_000 / 1_150_000 });
    expect(r.points[2].fertility).toBeLessThan(r.points[0].fertility);
    await expect(run('stats', '--tokenizer', p, '--input', moby, '--sizes', '600,x')).rejects.toThrow(/--sizes must be comma-separated integers/);
    await expect(run('stats', '--tokenizer', p, '--input', moby, '--sizes', '2000')).rejects.toThrow(/WhatIfError|to the vocabulary's 1500/);
  });
});

describe('the real vocabkd entry', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['src/cli/bin.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });

  it('an empty corpus (blank lines only) and one of control characters exit 2 with "error: EmptyCorpusError: …"', () => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '\n \n');
    const r = cli('tokenizer', 'train', '--vocab-size', '600', '--input', empty, '--out', join(dir, 'e.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: EmptyCorpusError: the corpus is empty/m);
    const controls = join(dir, 'controls.txt');
    writeFileSync(controls, '\u0001\u200b\n\u0007\n'); // no NUL: a NUL byte makes it binary (BinaryCorpusError, src/cli/badInput.table.ts)
    const c = cli('tokenizer', 'train', '--vocab-size', '600', '--input', controls, '--out', join(dir, 'c.json'));
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/^error: EmptyCorpusError: the corpus has \d+ characters but no words/m);
  });
});

describe('vocabkd tokenizer encode', () => {
  it('prints one JSON line per input line whose ids, tokens and offsets equal the library encoding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkd-enc-'));
    const tokPath = join(dir, 'tok.json');
    await run('train', '--vocab-size', '600', '--input', embeddedCorpusPath(), '--out', tokPath);
    const input = join(dir, 'in.txt');
    const textLines = ['Call me Ishmael.', '', 'Ёлка 😀 whale!'];
    writeFileSync(input, textLines.join('\n') + '\n');
    const { out } = await run('encode', '--tokenizer', tokPath, '--input', input);
    const rows = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    const tok = fromTokenizerJson(readFileSync(tokPath, 'utf8'));
    rows.forEach((r, i) => {
      const e = tok.encode(textLines[i]);
      expect(r).toEqual({ ids: e.ids, tokens: e.tokens, offsets: e.offsets });
    });
    expect(rows[1].tokens).toEqual(['[CLS]', '[SEP]']);
    const bare = await run('encode', '--tokenizer', tokPath, '--input', input, '--no-special-tokens');
    expect(JSON.parse(bare.out.split('\n')[0]).tokens[0]).not.toBe('[CLS]');
  });

  it('--lowercase and --strip-accents are independent: only the latter turns «й» into «и»', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkd-acc-'));
    const input = join(dir, 'ru.txt');
    writeFileSync(input, Array.from({ length: 50 }, (_, i) => `Йод и йогурт ${i} Ёж`).join('\n'));
    const lower = join(dir, 'lower.json');
    const strip = join(dir, 'strip.json');
    await run('train', '--vocab-size', '500', '--input', input, '--out', lower, '--lowercase', '--min-frequency', '1');
    await run('train', '--vocab-size', '500', '--input', input, '--out', strip, '--lowercase', '--strip-accents', '--min-frequency', '1');
    expect(fromTokenizerJson(readFileSync(lower, 'utf8')).encode('Йод', { addSpecialTokens: false }).tokens.join('')).toBe('йод');
    expect(fromTokenizerJson(readFileSync(strip, 'utf8')).encode('Йод', { addSpecialTokens: false }).tokens.join('')).toBe('иод');
  });
});
