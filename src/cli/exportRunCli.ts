/**
 * `vocabkd export-run --recipe R --teacher DIR [--corpus FILE] --out BUNDLE` (issue 18): a distillation as a folder the
 * PyTorch trainer (trainers/torch/) reads; the layout is src/distill/bundle.ts's.
 *
 * 1. The vocabulary side exactly as a run prepares it (`prepareDistillVocab`: the student tokenizer trained on the
 *    training texts, σ, C, the GLMD kept set) and the run's initial student (`initRunStudent`), from the corpus read
 *    once (the tokenizer trainer holds the texts).
 * 2. The corpus is read again, streamed, in windows of `--window` texts (a multiple of 20, so the held-out rule
 *    index % 20 == 19 holds), each turned into examples by `prepareDistillData` and written out as shards of
 *    `--shard-size` sequences; only one window and one shard are in memory.
 * 3. manifest.json last, with every file's size and sha256.
 * The bundle is written into a temporary sibling and renamed into place (atomic.ts): complete or absent.
 */
import { createHash } from 'node:crypto';
import { UsageError, intFlag, parseArgs } from './args.ts';
import { embeddedCorpusPath } from './assets.ts';
import { atomicFolderWriter } from './atomic.ts';
import { corpusReport, corpusStream, inputFolder, readCorpus, readInputText } from './files.ts';
import { loadHfFolder } from './hfFolderFs.ts';
import { initNodeBackend } from '../backend/node.ts';
import { exportHfFolder } from '../models/hfFolder.ts';
import type { MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { RecipeError, requireStudentTokenizer, validateRecipe } from '../distill/recipe.ts';
import { initRunStudent, prepareDistillVocab, type DistillVocab } from '../distill/run.ts';
import { prepareDistillData, type DistillData, type DistillExample, type EvalSequence } from '../distill/batches.ts';
import {
  alignmentBin, BUNDLE_FORMAT, BUNDLE_VERSION, bundleRecipeProblems, encodeBin, heldoutArrays, shardArrays, type BundleCounts, type BundleManifest,
} from '../distill/bundle.ts';
import type { Recipe } from '../distill/types.ts';

export const EXPORT_RUN_HELP = `  vocabkd export-run --recipe recipe.json --teacher DIR --out BUNDLE [--corpus FILE] [--shard-size 4096]
                     [--window 2000] [--backend wasm|cpu] [--overwrite]
      Writes a distillation as a PyTorch bundle for trainers/torch/train.py (torchrun, DDP): the recipe, the teacher
      (HF folder), the initial student with its tokenizer (student-init/), σ / C or the GLMD kept set, the held-out
      split, and the corpus pre-tokenised into memory-mappable shards of --shard-size sequences, with manifest.json
      (counts, shapes, sha256 of every file). The corpus (default: the embedded Moby-Dick slice) is streamed in
      windows of --window texts (a multiple of 20). Train it with trainers/torch/train.py (README "Scaling up").
`;

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function readBundleRecipe(path: string): Recipe {
  let json: unknown;
  try {
    json = JSON.parse(readInputText(path, '--recipe'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new RecipeError(`${path} is not valid JSON: ${e.message}`);
    throw e;
  }
  const recipe = validateRecipe(json);
  requireStudentTokenizer(recipe, false);
  const problems = bundleRecipeProblems(recipe);
  if (problems.length) throw new RecipeError(`${path}: ${problems.join('; ')}`);
  return recipe;
}

/** Accumulates the data of the corpus windows into shards of `size` sequences and the manifest's counts. */
function shardSink(write: (name: string, bytes: Uint8Array) => void, recipe: Recipe, size: number) {
  const pending: DistillExample[] = [];
  const heldout: EvalSequence[] = [];
  const shards: BundleManifest['shards'] = [];
  let counts: Float64Array | null = null;
  let first: DistillData | null = null;
  const maxLen = { teacher: 0, student: 0, t2s: 0 };
  const stats: Record<string, number> = {};
  const flush = (all: boolean) => {
    while (pending.length >= size || (all && pending.length > 0)) {
      const part = pending.splice(0, size);
      const file = `shards/train-${String(shards.length).padStart(5, '0')}.bin`;
      write(file, encodeBin(shardArrays(part, recipe.method), { sequences: part.length, method: recipe.method }));
      shards.push({ file, sequences: part.length });
    }
  };
  return {
    add(d: DistillData) {
      first ??= d;
      pending.push(...d.train);
      heldout.push(...d.heldout);
      counts = counts ?? new Float64Array(d.counts.length);
      for (let i = 0; i < counts.length; i++) counts[i] += d.counts[i];
      for (const k of ['teacher', 'student', 't2s'] as const) maxLen[k] = Math.max(maxLen[k], d.maxLen[k]);
      for (const [k, v] of Object.entries(d.stats)) stats[k] = (stats[k] ?? 0) + v;
      flush(false);
    },
    finish() {
      flush(true);
      return { shards, heldout, counts, first: first as DistillData | null, maxLen, stats: { ...stats, shards: shards.length } as BundleCounts };
    },
  };
}

interface Inputs { recipe: Recipe; teacher: MlmModel; teacherTokenizer: Tokenizer; corpus: string }

/** Streams the corpus in windows through prepareDistillData into `sink`. */
async function writeShards(x: Inputs, vocab: DistillVocab, sink: ReturnType<typeof shardSink>, window: number, log: (s: string) => void) {
  const report = corpusReport(x.corpus);
  let texts: string[] = [];
  let done = 0;
  const flush = () => {
    sink.add(prepareDistillData({
      texts, teacherTokenizer: x.teacherTokenizer, studentTokenizer: vocab.dataTokenizer, recipe: x.recipe, sigma: vocab.sigma ?? undefined,
      glmd: vocab.glmd ?? undefined, studentMaxPositions: vocab.config.maxPositions, allowEmpty: true,
    }));
    done += texts.length;
    log(`data: ${done} texts`);
    texts = [];
  };
  for await (const doc of corpusStream(x.corpus, '--corpus', report)) {
    texts.push(doc);
    if (texts.length === window) flush();
  }
  if (texts.length) flush();
}

export async function exportRunCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ['recipe', 'out', 'teacher', 'corpus', 'backend', 'shard-size', 'window'], ['overwrite']);
  for (const f of ['recipe', 'out', 'teacher']) if (flags[f] === undefined) throw new UsageError(`export-run needs --${f}`);
  const log = (s: string) => process.stderr.write(s + '\n');
  const shardSize = intFlag(flags, 'shard-size', 4096);
  const window = intFlag(flags, 'window', 2000);
  if (shardSize < 1) throw new UsageError(`--shard-size must be ≥ 1, got ${shardSize}`);
  if (window < 20 || window % 20 !== 0) throw new UsageError(`--window must be a positive multiple of 20 (the held-out rule: every 20th text), got ${window}`);
  const recipe = readBundleRecipe(flags.recipe);
  const teacherDir = inputFolder(flags.teacher, '--teacher');
  const corpus = flags.corpus ?? embeddedCorpusPath();
  const out = atomicFolderWriter(flags.out, { overwrite: flags.overwrite === 'true' });
  try {
    await initNodeBackend(flags.backend ?? 'wasm');
    const t = await loadHfFolder(teacherDir);
    try {
      const manifest = await writeBundle({ recipe, teacher: t.model, teacherTokenizer: t.tokenizer, corpus }, out.write, { shardSize, window, log });
      out.commit();
      process.stdout.write(JSON.stringify({ event: 'exported', out: flags.out, method: manifest.method, sequences: manifest.counts.sequences, shards: manifest.shards.length, heldout: manifest.counts.heldoutSequences }) + '\n');
    } finally {
      t.model.dispose();
    }
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Everything of the bundle through `write(name, bytes)`; manifest.json last. Returns the manifest. */
async function writeBundle(x: Inputs, write: (name: string, bytes: Uint8Array | string) => void, o: { shardSize: number; window: number; log: (s: string) => void }): Promise<BundleManifest> {
  const files: BundleManifest['files'] = {};
  const put = (name: string, bytes: Uint8Array | string) => {
    write(name, bytes);
    files[name] = { bytes: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length, sha256: sha256(bytes) };
  };
  const recipeJson = JSON.stringify(x.recipe, null, 2) + '\n';
  put('recipe.json', recipeJson);
  for (const f of (await exportHfFolder(x.teacher, x.teacherTokenizer)).files) put(`teacher/${f.name}`, f.bytes);
  const { docs } = await readCorpus(x.corpus, '--corpus', (m) => process.stderr.write(m));
  const setup = { teacher: x.teacher, teacherTokenizer: x.teacherTokenizer, texts: docs };
  const said = new Set<string>();
  const vocab = await prepareDistillVocab(setup, x.recipe, { onPhase: (p, d, t) => { if (d >= t && !said.has(p)) { said.add(p); o.log(`${p} done`); } } });
  const student = await initRunStudent(setup, x.recipe, vocab);
  try {
    for (const f of (await exportHfFolder(student, vocab.studentTokenizer, { metadata: { method: x.recipe.method, step: '0' } })).files) put(`student-init/${f.name}`, f.bytes);
  } finally {
    student.dispose();
  }
  docs.length = 0; // the data pass streams the corpus again
  const sink = shardSink(put, x.recipe, o.shardSize);
  await writeShards(x, vocab, sink, o.window, o.log);
  const r = sink.finish();
  if (!r.first || r.stats.sequences === 0) throw new RecipeError(`no training sequence left from ${r.stats.texts ?? 0} texts (every 20th is held out; long or mostly-[UNK] ones are dropped): give more text`);
  put('alignment.bin', alignmentBin(x.recipe.method, vocab, r.first.shared));
  put('mlm-counts.bin', encodeBin({ counts: r.counts! }));
  put('heldout.bin', encodeBin(heldoutArrays(r.heldout), { sequences: r.heldout.length }));
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT, version: BUNDLE_VERSION, method: x.recipe.method, recipeSha256: sha256(recipeJson), studentVocabSize: r.first.studentVocabSize,
    studentSpecials: r.first.studentSpecials, teacherSpecials: r.first.teacherSpecials, firstRandom: r.first.firstRandom, maxLen: r.maxLen, counts: r.stats,
    shards: r.shards, files, notes: ['student-init/ is the engine\'s initial student (recipe.student.init), the trainer starts from it'],
  };
  write('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
