/**
 * Writes the PyTorch bundle (bundle.ts's layout) of a recipe, a loaded teacher and a streamed corpus, for any host: the
 * CLI (`vocabkd export-run`: node:crypto, files in an atomic folder) and the page's worker ("Export for PyTorch":
 * crypto.subtle, files posted to the page, which zips them or writes them into a chosen folder) call this one function.
 * The host gives the bytes a place (`write`), a hash (`sha256`) and the corpus (`documents`, a fresh stream per pass).
 *
 * Memory is bounded by the vocabulary, one window of texts and one shard, never the corpus:
 * 1. the vocabulary side (`prepareDistillVocab`) reads the training texts as streams: the student tokenizer is trained
 *    from streamed word counts, GLMD's teacher token counts are summed as the texts go by; the results are those of the
 *    in-memory preparation of a run (the same counts, the same trainer), so a corpus that fits gives the same bundle;
 * 2. the data pass streams the corpus again in windows of `window` texts (a multiple of 20, so that the held-out rule
 *    index % 20 == 19 holds window by window), each turned into examples by `prepareDistillData` and written out as
 *    shards of `shardSize` sequences (the held-out ones, every 20th text, into their own shards);
 * 3. manifest.json last, with every file's size and sha256. Nothing in it depends on the time or the host.
 */
import type { MlmModel } from '../models/mlm.ts';
import { exportHfFolder } from '../models/hfFolder.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { isHeldOut } from '../data/heldout.ts';
import { RecipeError, requireStudentTokenizer } from './recipe.ts';
import { DistillStoppedError, initRunStudent, prepareDistillVocab, type DistillSetup, type DistillVocab } from './prepare.ts';
import { prepareDistillData, type DistillData, type DistillExample, type EvalSequence } from './batches.ts';
import {
  alignmentBin, BUNDLE_FORMAT, BUNDLE_VERSION, bundleRecipeProblems, encodeBin, heldoutArrays, shardArrays, type BundleCounts, type BundleManifest,
} from './bundle.ts';
import type { Recipe } from './types.ts';

/** Sequences per shard and texts per window unless the host says otherwise (`--shard-size`, `--window`). */
export const DEFAULT_SHARD_SIZE = 4096;
export const DEFAULT_WINDOW = 2000;

/** A stop asked for while the bundle was being written: nothing complete was written (the host discards the rest). */
export class BundleStoppedError extends Error {
  override name = 'BundleStoppedError';
}

export interface BundleHost {
  /** One file of the bundle, `name` relative to its root ('/'-separated); awaited, in order, manifest.json last; the bytes are not read after it. */
  write(name: string, bytes: Uint8Array): void | Promise<void>;
  /** sha256 of `bytes` as lowercase hex (node:crypto in the CLI, crypto.subtle in the page). */
  sha256(bytes: Uint8Array): Promise<string>;
  /** The corpus's validated documents (data/validate.ts), streamed; called once per pass (at most three passes). */
  documents(): AsyncIterable<string>;
  /** One line of progress text (the CLI prints it on stderr). */
  log?(line: string): void;
  /** Progress: the preparation's phases, then 'teacher', 'student', 'data' (texts so far, total 0: unknown), 'files'. */
  onPhase?(phase: string, done: number, total: number): void;
  /** Polled between texts and files: true → BundleStoppedError. */
  stopped?(): boolean;
}

export interface BundleInputs {
  recipe: Recipe;
  teacher: MlmModel;
  teacherTokenizer: Tokenizer;
  /** For a recipe whose studentTokenizer is 'tokenizers-tab' (the page's Tokenizers tab); else trained on the corpus. */
  studentTokenizer?: Tokenizer;
}

export interface BundleOptions {
  shardSize?: number;
  window?: number;
}

/**
 * The recipe checks of both hosts, before any work: a RecipeError naming `where` for what the trainer does not
 * implement (bundleRecipeProblems) or a student tokenizer that cannot be had (`hasTabTokenizer`: the page's tab).
 */
export function checkBundleRecipe(recipe: Recipe, where: string, hasTabTokenizer = false): void {
  requireStudentTokenizer(recipe, hasTabTokenizer);
  const problems = bundleRecipeProblems(recipe);
  if (problems.length) throw new RecipeError(`${where}: ${problems.join('; ')}`);
}

export function checkBundleOptions(o: BundleOptions): Required<BundleOptions> {
  const shardSize = o.shardSize ?? DEFAULT_SHARD_SIZE;
  const window = o.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new RangeError(`the shard size must be an integer ≥ 1, got ${shardSize}`);
  if (!Number.isInteger(window) || window < 20 || window % 20 !== 0) throw new RangeError(`the window must be a positive multiple of 20 (the held-out rule: every 20th text), got ${window}`);
  return { shardSize, window };
}

const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Accumulates the data of the corpus windows into shards of `size` sequences (training and held-out apart) and the
 * manifest's counts: what it holds is at most a shard of each kind, whatever the corpus.
 */
function shardSink(put: (name: string, bytes: Uint8Array) => Promise<void>, recipe: Recipe, size: number) {
  const pending: DistillExample[] = [];
  const heldout: EvalSequence[] = [];
  const shards: BundleManifest['shards'] = [];
  const heldoutShards: BundleManifest['heldoutShards'] = [];
  let counts: Float64Array | null = null;
  let first: DistillData | null = null;
  const maxLen = { teacher: 0, student: 0, t2s: 0 };
  const stats: Record<string, number> = {};
  const flush = async (all: boolean) => {
    while (pending.length >= size || (all && pending.length > 0)) {
      const part = pending.splice(0, size);
      const file = `shards/train-${String(shards.length).padStart(5, '0')}.bin`;
      await put(file, encodeBin(shardArrays(part, recipe.method), { sequences: part.length, method: recipe.method }));
      shards.push({ file, sequences: part.length });
    }
    while (heldout.length >= size || (all && heldout.length > 0)) {
      const part = heldout.splice(0, size);
      const file = `shards/heldout-${String(heldoutShards.length).padStart(5, '0')}.bin`;
      await put(file, encodeBin(heldoutArrays(part), { sequences: part.length }));
      heldoutShards.push({ file, sequences: part.length });
    }
  };
  return {
    async add(d: DistillData) {
      first ??= d;
      pending.push(...d.train);
      heldout.push(...d.heldout);
      counts = counts ?? new Float64Array(d.counts.length);
      for (let i = 0; i < counts.length; i++) counts[i] += d.counts[i];
      for (const k of ['teacher', 'student', 't2s'] as const) maxLen[k] = Math.max(maxLen[k], d.maxLen[k]);
      for (const [k, v] of Object.entries(d.stats)) stats[k] = (stats[k] ?? 0) + v;
      await flush(false);
    },
    async finish() {
      await flush(true);
      return { shards, heldoutShards, counts, first: first as DistillData | null, maxLen, stats: { ...stats, shards: shards.length } as BundleCounts };
    },
  };
}

/** Everything of the bundle through `host.write`; manifest.json last. Returns the manifest. */
export async function writeBundle(x: BundleInputs, host: BundleHost, opts: BundleOptions = {}): Promise<BundleManifest> {
  const o = checkBundleOptions(opts);
  checkBundleRecipe(x.recipe, 'recipe', x.studentTokenizer !== undefined);
  const log = host.log ?? (() => {});
  const phase = host.onPhase ?? (() => {});
  const stop = () => {
    if (host.stopped?.()) throw new BundleStoppedError('the export was stopped: nothing was kept');
  };
  const enc = new TextEncoder();
  const files: BundleManifest['files'] = {};
  const put = async (name: string, bytes: Uint8Array) => {
    stop();
    files[name] = { bytes: bytes.length, sha256: await host.sha256(bytes) };
    await host.write(name, bytes); // last: a host may transfer the bytes away
  };
  /** Every text of the corpus with its index (the held-out rule counts all of them), a stop checked between texts. */
  async function* indexed(): AsyncGenerator<[number, string]> {
    let i = 0;
    for await (const doc of host.documents()) {
      if ((i & 255) === 255) { stop(); await macrotask(); } // lets a host's stop message in
      yield [i++, doc];
    }
  }
  async function* trainTexts(): AsyncGenerator<string> {
    for await (const [i, doc] of indexed()) if (!isHeldOut(i)) yield doc;
  }

  const recipeJson = enc.encode(JSON.stringify(x.recipe, null, 2) + '\n');
  const recipeSha256 = await host.sha256(recipeJson);
  await put('recipe.json', recipeJson);
  const teacherFiles = (await exportHfFolder(x.teacher, x.teacherTokenizer)).files;
  for (const [i, f] of teacherFiles.entries()) { phase('teacher', i, teacherFiles.length); await put(`teacher/${f.name}`, f.bytes); }
  phase('teacher', 1, 1);
  const setup: DistillSetup = { teacher: x.teacher, teacherTokenizer: x.teacherTokenizer, texts: [], ...(x.studentTokenizer ? { studentTokenizer: x.studentTokenizer } : {}) };
  const said = new Set<string>();
  let vocab: DistillVocab;
  try {
    vocab = await prepareDistillVocab(setup, x.recipe, {
      onPhase: (p, d, t) => {
        phase(p, d, t);
        if (d >= t && !said.has(p)) { said.add(p); log(`${p} done`); }
      },
    }, { get stopped() { return host.stopped?.() ?? false; } }, trainTexts);
  } catch (e) {
    if (e instanceof DistillStoppedError) throw new BundleStoppedError('the export was stopped: nothing was kept');
    throw e;
  }
  stop();
  phase('student', 0, 1);
  const student = await initRunStudent(setup, x.recipe, vocab, (d, t) => phase('student', d, t));
  try {
    for (const f of (await exportHfFolder(student, vocab.studentTokenizer, { metadata: { method: x.recipe.method, step: '0' } })).files) await put(`student-init/${f.name}`, f.bytes);
  } finally {
    student.dispose();
  }
  phase('student', 1, 1);

  const sink = shardSink(put, x.recipe, o.shardSize);
  let texts: string[] = [];
  let done = 0;
  const window = async () => {
    await sink.add(prepareDistillData({
      texts, teacherTokenizer: x.teacherTokenizer, studentTokenizer: vocab.dataTokenizer, recipe: x.recipe, sigma: vocab.sigma ?? undefined,
      glmd: vocab.glmd ?? undefined, studentMaxPositions: vocab.config.maxPositions, allowEmpty: true,
    }));
    done += texts.length;
    phase('data', done, 0);
    log(`data: ${done} texts`);
    texts = [];
  };
  for await (const [, doc] of indexed()) {
    texts.push(doc);
    if (texts.length === o.window) await window();
  }
  if (texts.length) await window();
  const r = await sink.finish();
  if (!r.first || r.stats.sequences === 0) throw new RecipeError(`no training sequence left from ${r.stats.texts ?? 0} texts (every 20th is held out; long or mostly-[UNK] ones are dropped): give more text`);
  phase('files', 0, 1);
  await put('alignment.bin', alignmentBin(x.recipe.method, vocab, r.first.shared));
  await put('mlm-counts.bin', encodeBin({ counts: r.counts! }));
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT, version: BUNDLE_VERSION, method: x.recipe.method, recipeSha256, studentVocabSize: r.first.studentVocabSize,
    studentSpecials: r.first.studentSpecials, teacherSpecials: r.first.teacherSpecials, firstRandom: r.first.firstRandom, maxLen: r.maxLen, counts: r.stats,
    shards: r.shards, heldoutShards: r.heldoutShards, files, notes: ['student-init/ is the engine\'s initial student (recipe.student.init), the trainer starts from it'],
  };
  stop();
  await host.write('manifest.json', enc.encode(JSON.stringify(manifest, null, 2) + '\n'));
  phase('files', 1, 1);
  return manifest;
}
