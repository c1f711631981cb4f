/**
 * `vocabkd export-run --recipe R --teacher DIR [--corpus FILE] --out BUNDLE` (issue 18): a distillation as a folder the
 * PyTorch trainer (trainers/torch/) reads; the layout is src/distill/bundle.ts's, written by src/distill/bundleWriter.ts
 * (shared with the page's "Export for PyTorch"): this host gives it node:crypto's sha256, the corpus file streamed
 * (each pass reads it again: memory is bounded by the vocabulary, one window and one shard, never the corpus) and an
 * atomic folder (atomic.ts: a temporary sibling renamed into place, complete or absent).
 */
import { createHash } from 'node:crypto';
import { UsageError, intFlag, parseArgs } from './args.ts';
import { embeddedCorpusPath } from './assets.ts';
import { atomicFolderWriter } from './atomic.ts';
import { corpusReport, corpusStream, inputFolder, printCorpusNotes, readInputText } from './files.ts';
import { loadHfFolder } from './hfFolderFs.ts';
import { initNodeBackend } from '../backend/node.ts';
import { RecipeError, validateRecipe } from '../distill/recipe.ts';
import { checkBundleRecipe, DEFAULT_SHARD_SIZE, DEFAULT_WINDOW, writeBundle, type BundleHost } from '../distill/bundleWriter.ts';
import type { Recipe } from '../distill/types.ts';

export const EXPORT_RUN_HELP = `  vocabkd export-run --recipe recipe.json --teacher DIR --out BUNDLE [--corpus FILE] [--shard-size 4096]
                     [--window 2000] [--backend wasm|cpu] [--overwrite]
      Writes a distillation as a PyTorch bundle for trainers/torch/train.py (torchrun, DDP): the recipe, the teacher
      (HF folder), the initial student with its tokenizer (student-init/), σ / C or the GLMD kept set, the held-out
      split, and the corpus pre-tokenised into memory-mappable shards of --shard-size sequences, with manifest.json
      (counts, shapes, sha256 of every file). The corpus (default: the embedded Moby-Dick slice) is streamed in
      windows of --window texts (a multiple of 20). Train it with trainers/torch/train.py (README "Scaling up").
`;

function readBundleRecipe(path: string): Recipe {
  let json: unknown;
  try {
    json = JSON.parse(readInputText(path, '--recipe'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new RecipeError(`${path} is not valid JSON: ${e.message}`);
    throw e;
  }
  const recipe = validateRecipe(json);
  checkBundleRecipe(recipe, path);
  return recipe;
}

export async function exportRunCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ['recipe', 'out', 'teacher', 'corpus', 'backend', 'shard-size', 'window'], ['overwrite']);
  for (const f of ['recipe', 'out', 'teacher']) if (flags[f] === undefined) throw new UsageError(`export-run needs --${f}`);
  const log = (s: string) => process.stderr.write(s + '\n');
  const shardSize = intFlag(flags, 'shard-size', DEFAULT_SHARD_SIZE);
  const window = intFlag(flags, 'window', DEFAULT_WINDOW);
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
      const manifest = await writeBundle({ recipe, teacher: t.model, teacherTokenizer: t.tokenizer }, fileHost(corpus, out.write, log), { shardSize, window });
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

/** The CLI's side of bundleWriter.ts: node:crypto, the corpus file streamed once per pass (its notes printed once), `write`. */
export function fileHost(corpus: string, write: (name: string, bytes: Uint8Array) => void, log: (s: string) => void): BundleHost {
  let passes = 0;
  return {
    write,
    sha256: async (b) => createHash('sha256').update(b).digest('hex'),
    async *documents() {
      const report = corpusReport(corpus);
      yield* corpusStream(corpus, '--corpus', report);
      if (passes++ === 0) printCorpusNotes(report, (m) => process.stderr.write(m));
    },
    log,
  };
}
