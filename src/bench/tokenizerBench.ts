/**
 * `vocabkd bench tokenizer` (issue 3 §8): trains our WordPiece vocabulary (default 30,000) on Russian prose (--input;
 * by default the offline builds' full corpus when it sits beside the project, else the embedded slice) and, in the same
 * run, the `tokenizers` npm package's Rust WordPieceTrainer on the same text (written once to a temp file, one document per line; both read it from disk).
 * Reports both times, our phase breakdown, the ratio ours / Rust (target ≤ 1.5) and how many tokens the vocabularies share.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countFile } from '../tokenizers/train/countFile.ts';
import { trainWordPiece } from '../tokenizers/train/trainers.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import { embeddedRussianProsePath } from '../cli/assets.ts';

export class BenchInputError extends Error {
  override name = 'BenchInputError';
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The full Russian prose corpus of the offline builds, when a checkout has it beside the project (9.65 MB). */
export const OFFLINE_BENCH_INPUT = join(PROJECT_ROOT, '..', 'shared', 'data', 'ru', 'ruslit-prose.jsonl');

/** Without --input: the offline corpus where it exists, else the embedded Russian prose slice (any fresh clone). */
export function defaultBenchInput(): string {
  return existsSync(OFFLINE_BENCH_INPUT) ? OFFLINE_BENCH_INPUT : embeddedRussianProsePath();
}
const RUST_SCRIPT = fileURLToPath(new URL('./rustWordPieceTrain.mjs', import.meta.url));
const MIN_FREQUENCY = 2;
const COVERAGE = 1; // the Rust trainer keeps every character (limit_alphabet: None)

/** Documents of a .jsonl file (every `text` field) or of a text file (one per line). */
export function loadDocuments(path: string): string[] {
  if (!existsSync(path)) {
    throw new BenchInputError(`input not found: ${path}; pass --input FILE (UTF-8 text, one document per line, or .jsonl with "text" fields)`);
  }
  const raw = readFileSync(path, 'utf8');
  if (!path.endsWith('.jsonl')) return raw.split('\n').filter((l) => l.trim());
  const docs: string[] = [];
  raw.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let obj: unknown;
    try { obj = JSON.parse(line); } catch { throw new BenchInputError(`${path}:${i + 1}: not valid JSON`); }
    const text = (obj as { text?: unknown }).text;
    if (typeof text === 'string') docs.push(text);
  });
  if (!docs.length) throw new BenchInputError(`${path}: no "text" fields`);
  return docs;
}

function runRust(file: string, out: string): { ms: number; vocabSize: number } {
  const r = spawnSync(process.execPath, [RUST_SCRIPT, file, out], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    const missing = /ERR_MODULE_NOT_FOUND|Cannot find (package|module) 'tokenizers'/.test(r.stderr);
    throw new BenchInputError(missing ? 'the `tokenizers` npm package (a devDependency) is not installed: run npm install' : `Rust trainer failed: ${r.stderr.trim().split('\n').pop()}`);
  }
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last);
}

export async function benchTokenizer(o: { input?: string; vocabSize: number; repeat: number }) {
  const input = o.input ?? defaultBenchInput();
  const docs = loadDocuments(input);
  const dir = mkdtempSync(join(tmpdir(), 'vocabkd-bench-'));
  try {
    const corpus = join(dir, 'corpus.txt');
    writeFileSync(corpus, docs.map((d) => d.replace(/[\r\n]+/g, ' ')).join('\n') + '\n');
    const rustJson = join(dir, 'rust-tokenizer.json');
    const ours: { ms: number; phases: Record<string, number>; vocab: string[]; words: number; distinct: number }[] = [];
    const rust: { ms: number; vocabSize: number }[] = [];
    for (let r = 0; r < o.repeat; r++) {
      const t0 = performance.now();
      const { counts, counter, countMs } = await countFile(corpus, DEFAULT_NORMALIZER, (m) => process.stderr.write(m));
      const res = await trainWordPiece(counts, { vocabSize: o.vocabSize, minFrequency: MIN_FREQUENCY, characterCoverage: COVERAGE });
      const ms = performance.now() - t0;
      const t = res.timings;
      ours.push({
        ms, vocab: res.vocab, words: counter.words, distinct: counts.size,
        phases: { readAndCount: countMs, alphabet: t.alphabetMs, pairCounting: t.pairsMs, merging: t.mergeMs, conversion: t.convertMs },
      });
      rust.push(runRust(corpus, rustJson));
    }
    const best = <T extends { ms: number }>(xs: T[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const [a, b] = [best(ours), best(rust)];
    const rustVocab = Object.keys((JSON.parse(readFileSync(rustJson, 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab);
    const ourSet = new Set(a.vocab);
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
      bench: 'tokenizer',
      input, documents: docs.length, bytes: Buffer.byteLength(readFileSync(corpus)), repeat: o.repeat,
      ours: {
        ms: round(a.ms), vocabSize: a.vocab.length, minFrequency: MIN_FREQUENCY, characterCoverage: COVERAGE,
        words: a.words, distinctWords: a.distinct,
        phasesMs: Object.fromEntries(Object.entries(a.phases).map(([k, v]) => [k, round(v)])),
        allMs: ours.map((x) => round(x.ms)),
      },
      rust: { ms: round(b.ms), vocabSize: b.vocabSize, trainer: 'tokenizers (npm, Rust) WordPieceTrainer defaults', allMs: rust.map((x) => round(x.ms)) },
      /** Best of `repeat` runs each; the first (cold, JIT-warming) run's ratio is reported too. */
      ratio: Math.round((a.ms / b.ms) * 1000) / 1000,
      ratioFirstRun: Math.round((ours[0].ms / rust[0].ms) * 1000) / 1000,
      target: 1.5,
      sharedTokens: rustVocab.filter((t) => ourSet.has(t)).length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
