// `vocabkd export-run` on a corpus larger than memory (issue 18 item 1, "Streaming"): the CLI runs in a child process
// whose V8 heap is capped at HEAP_MB; the corpus file is larger than that cap (reading it whole fails under the same cap:
// the control), and the export still completes. Its counts are checked against an independent figure: the corpus is
// K copies of a block of 2,000 texts (a multiple of 20, so the held-out rule cuts every copy alike, and every word and
// letter pair of the block occurs ≥ 2 times, so the student WordPiece trained on K copies is the block's), hence every
// count of the big bundle is K times the block's bundle's, and the shards hold every sequence once.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cliInProcess.ts';
import { ROOT } from '../testing/cli.ts';
import { createRng } from '../data/rng.ts';
import { makeConfig } from '../models/config.ts';
import { createMlm } from '../models/mlm.ts';
import { exportHfFolder } from '../models/hfFolder.ts';
import { trainTokenizer, DEFAULT_TOKENIZER_TRAIN } from '../tokenizers/trainTokenizer.ts';
import { writeHfFolderFiles } from './hfFolderFs.ts';
import { decodeBin, type BundleManifest } from '../distill/bundle.ts';
import * as tf from '@tensorflow/tfjs';

/** The child's V8 old-space cap (MiB): TF.js and the CLI take ≈ 51 MiB of it before any text is read. */
const HEAP_MB = 96;
const BLOCK_TEXTS = 2000;

const dir = mkdtempSync(join(tmpdir(), 'vkd-export-stream-'));
const recipe = join(dir, 'recipe.json');
const block = join(dir, 'block.txt');
const big = join(dir, 'big.txt');
let copies = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const rng = createRng(7);
  const words = 'the white whale swims and ship sails to sea captain hunts harpooner strange voyage of a in his was with for that it but on all at by from this so were be had'.split(' ');
  const lines = Array.from({ length: BLOCK_TEXTS }, () => Array.from({ length: 8 + rng.int(13) }, () => words[rng.int(words.length)]).join(' '));
  const text = lines.join('\n') + '\n';
  writeFileSync(block, text);
  copies = Math.ceil(((HEAP_MB + 8) * 2 ** 20) / Buffer.byteLength(text));
  const fd = openSync(big, 'w');
  const bytes = Buffer.from(text);
  for (let i = 0; i < copies; i++) writeSync(fd, bytes);
  closeSync(fd);
  const tok = (await trainTokenizer(lines, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 600, minFrequency: 1 })).tokenizer;
  const model = createMlm(makeConfig({ vocabSize: tok.vocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 32 }), 1);
  await writeHfFolderFiles(join(dir, 'teacher'), (await exportHfFolder(model, tok)).files);
  model.dispose();
  writeFileSync(recipe, JSON.stringify({
    method: 'mlm-only', steps: 10, batchSize: 4, seqLen: 24, seed: 5, student: { vocabSize: 500, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16, init: 'scratch' },
  }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true })); // > 200 MiB of corpus and bundle

const manifest = (b: string) => JSON.parse(readFileSync(join(b, 'manifest.json'), 'utf8')) as BundleManifest;
const capped = (args: string[]) => spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });

describe(`export-run with the heap capped at ${HEAP_MB} MiB`, () => {
  it('the control: reading the whole corpus into memory fails under the cap', () => {
    expect(statSync(big).size).toBeGreaterThan(HEAP_MB * 2 ** 20);
    const read = `import { readCorpus } from './src/cli/files.ts'; const { docs } = await readCorpus(${JSON.stringify(big)}, 'corpus', () => {}); console.log(docs.length);`;
    const r = capped(['--import', 'tsx', '--input-type=module', '-e', read]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/heap out of memory/);
  });

  it('exports a corpus larger than the cap: every count K times the one-block bundle\'s, every sequence in a shard', async () => {
    const small = join(dir, 'bundle-block');
    const s = await runCli(['export-run', '--recipe', recipe, '--teacher', join(dir, 'teacher'), '--corpus', block, '--out', small, '--backend', 'cpu', '--window', '400', '--shard-size', '2048']);
    expect(s.code, s.stderr).toBe(0);
    const out = join(dir, 'bundle-big');
    const t0 = performance.now();
    const r = capped(['src/cli/bin.mjs', 'export-run', '--recipe', recipe, '--teacher', join(dir, 'teacher'), '--corpus', big, '--out', out, '--backend', 'cpu', '--window', '400', '--shard-size', '2048']);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    console.log(`export-run of ${(statSync(big).size / 2 ** 20).toFixed(0)} MiB (${copies} copies of the block) under a ${HEAP_MB} MiB heap: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const [one, all] = [manifest(small), manifest(out)];
    expect(all.counts.texts).toBe(copies * BLOCK_TEXTS);
    for (const k of ['texts', 'heldoutTexts', 'chunks', 'sequences', 'heldoutSequences', 'droppedLong', 'droppedUnk'] as const) expect([k, all.counts[k]]).toEqual([k, copies * one.counts[k]]);
    expect(all.maxLen).toEqual(one.maxLen);
    expect(all.shards.reduce((a, x) => a + x.sequences, 0)).toBe(all.counts.sequences);
    expect(all.heldoutShards.reduce((a, x) => a + x.sequences, 0)).toBe(all.counts.heldoutSequences);
    // the same student tokenizer (the streamed word counts are K times the block's) and K times its token counts
    expect(all.files['student-init/tokenizer.json'].sha256).toBe(one.files['student-init/tokenizer.json'].sha256);
    const counts = (b: string) => decodeBin(new Uint8Array(readFileSync(join(b, 'mlm-counts.bin')))).arrays.counts;
    expect(Array.from(counts(out))).toEqual(Array.from(counts(small), (c) => c * copies));
  }, 900_000);
});
