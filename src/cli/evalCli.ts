/**
 * `vocabkd eval`: downstream task scores (a probe on the model's features) or intrinsic metrics of a model folder,
 * printed as one JSON object (src/eval/ is the engine; this file only reads files and flags).
 * Usage errors (a missing or bad flag, a file that does not exist) exit with 2, as does a bad task file (TaskError).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, intFlag, numFlag, parseArgs } from './args.ts';
import { embeddedCorpusPath } from './assets.ts';
import { loadHfFolder } from './hfFolderFs.ts';
import { initNodeBackend } from '../backend/node.ts';
import { formatOf } from '../data/corpusFormats.ts';
import { corpusReport, corpusStream, printCorpusNotes } from './files.ts';
import { splitHeldOut } from '../data/heldout.ts';
import { loadTask, parseTaskFile } from '../eval/tasks.ts';
import { evaluateTask, type ProbeKind } from '../eval/probe.ts';
import { compareIntrinsic, planIntrinsic, scoreIntrinsic, type IntrinsicScores } from '../eval/intrinsic.ts';
// @ts-expect-error: plain .mjs build tool without type declarations
import { prepareTasks } from '../tools/prepare-assets.mjs';

export const EVAL_HELP = `  vocabkd eval --model DIR --task TASK.json|en-pos|en-spam [--probe linear|finetune] [--seed 1] [--steps 300]
               [--epochs 3] [--lr X] [--max-train N] [--max-test N] [--max-len 128] [--word-pooling mean|first]
               [--backend wasm|cpu]
      Scores the model folder on a downstream task (a task file, or an embedded task built at set-up in
      public/tasks/): a linear probe on frozen mean-pooled last hidden states (300 Adam steps, seeded), or with
      --probe finetune a few epochs training the encoder too. Prints one JSON object: task, accuracy, macroF1,
      majorityAccuracy (the training split's majority class on the test split), labels, train / test (classified
      units: words for token tasks, else examples), unseenTestLabels, unkRate, warnings, seconds.
  vocabkd eval --model DIR --intrinsic [--corpus FILE] [--teacher DIR] [--seed 1] [--maskings 1] [--max-texts N]
               [--all-lines] [--max-len 128] [--time-limit SECONDS] [--backend wasm|cpu]
      Intrinsic metrics on the corpus's held-out lines (every 20th; --all-lines: every line; default corpus: the
      embedded Moby-Dick slice; .txt/.jsonl/.csv/.conllu): whole-word masked accuracy over the same character spans
      for every model, PLL-word-l2r per word and pseudo-perplexity, [UNK] rate, fertility; with --teacher the
      teacher's too and the teacher–student top-1 agreement. One JSON object.
`;

const PROBES: readonly ProbeKind[] = ['linear', 'finetune'];
const EMBEDDED = ['en-pos', 'en-spam'];

/** A task argument: a path to a task file, or the name of an embedded task (built on demand). */
function taskPath(arg: string): string {
  if (existsSync(arg)) return resolve(arg);
  if (EMBEDDED.includes(arg)) return (prepareTasks() as Record<string, string>)[arg];
  throw new UsageError(`task file not found: ${arg} (or name an embedded task: ${EMBEDDED.join(', ')})`);
}

function positiveInt(flags: Record<string, string>, name: string): number | undefined {
  if (flags[name] === undefined) return undefined;
  const v = intFlag(flags, name, 0);
  if (v < 1) throw new UsageError(`--${name} must be ≥ 1, got ${v}`);
  return v;
}

/** The per-word arrays stay in the engine; the JSON gets the numbers. */
function summary(s: IntrinsicScores): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s };
  for (const k of ['correct', 'aligned', 'predictions', 'pllLogProb', 'pllPieces', 'pllChars']) delete out[k];
  return out;
}

export async function evalCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(
    argv,
    ['model', 'task', 'probe', 'seed', 'steps', 'epochs', 'lr', 'max-train', 'max-test', 'max-len', 'word-pooling', 'backend', 'corpus', 'teacher', 'maskings', 'max-texts', 'time-limit'],
    ['intrinsic', 'all-lines'],
  );
  if (flags.model === undefined) throw new UsageError('eval needs --model DIR');
  if (!existsSync(flags.model)) throw new UsageError(`model folder not found: ${flags.model}`);
  const intrinsic = flags.intrinsic === 'true';
  if (intrinsic && flags.task !== undefined) throw new UsageError('give either --task or --intrinsic, not both');
  if (!intrinsic && flags.task === undefined) throw new UsageError('eval needs --task TASK.json (downstream) or --intrinsic (intrinsic metrics)');
  const seed = intFlag(flags, 'seed', 1);
  const maxLen = positiveInt(flags, 'max-len');
  if (intrinsic) return intrinsicCommand(flags, seed, maxLen);
  const probe = (flags.probe ?? 'linear') as ProbeKind;
  if (!PROBES.includes(probe)) throw new UsageError(`--probe must be one of ${PROBES.join(', ')}, got "${flags.probe}"`);
  const wordPooling = (flags['word-pooling'] ?? 'mean') as 'mean' | 'first';
  if (wordPooling !== 'mean' && wordPooling !== 'first') throw new UsageError(`--word-pooling must be mean or first, got "${flags['word-pooling']}"`);
  const path = taskPath(flags.task);
  const spec = parseTaskFile(readFileSync(path, 'utf8'), path);
  const data = await loadTask(spec, path, (p) => readFileSync(p, 'utf8'));
  const lr = flags.lr === undefined ? undefined : numFlag(flags, 'lr', 0);
  if (lr !== undefined && !(lr > 0)) throw new UsageError(`--lr must be > 0, got ${lr}`);
  const backend = await initNodeBackend(flags.backend ?? 'wasm');
  const t0 = performance.now();
  const m = await loadHfFolder(flags.model);
  for (const w of m.warnings) process.stderr.write(`warning: model: ${w}\n`);
  const r = await evaluateTask(m.model, m.tokenizer, data, {
    probe, seed, lr, wordPooling, maxLen,
    steps: positiveInt(flags, 'steps'), epochs: positiveInt(flags, 'epochs'),
    maxTrain: positiveInt(flags, 'max-train'), maxTest: positiveInt(flags, 'max-test'),
  });
  m.model.dispose();
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(JSON.stringify({ ...r, model: flags.model, taskFile: path, backend, seconds: (performance.now() - t0) / 1000 }, null, 2) + '\n');
}

async function intrinsicCommand(flags: Record<string, string>, seed: number, maxLen: number | undefined): Promise<void> {
  const corpus = flags.corpus ?? embeddedCorpusPath();
  if (!existsSync(corpus)) throw new UsageError(`corpus file not found: ${corpus}`);
  if (flags.teacher !== undefined && !existsSync(flags.teacher)) throw new UsageError(`teacher folder not found: ${flags.teacher}`);
  let format;
  try {
    format = formatOf(corpus);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const report = corpusReport(corpus, format);
  const docs: string[] = [];
  for await (const d of corpusStream(corpus, '--corpus', report)) docs.push(d);
  printCorpusNotes(report, (m) => process.stderr.write(m));
  const all = flags['all-lines'] === 'true';
  const texts = all ? docs : splitHeldOut(docs).heldout;
  if (!texts.length) throw new UsageError(`${corpus} has no ${all ? '' : 'held-out '}texts (${docs.length} documents${all ? '' : '; every 20th is held out: add text or pass --all-lines'})`);
  const maskings = positiveInt(flags, 'maskings') ?? 1;
  const timeLimit = flags['time-limit'] === undefined ? undefined : numFlag(flags, 'time-limit', 0);
  if (timeLimit !== undefined && !(timeLimit > 0)) throw new UsageError(`--time-limit must be > 0 seconds, got ${timeLimit}`);
  const backend = await initNodeBackend(flags.backend ?? 'wasm');
  const t0 = performance.now();
  const plan = planIntrinsic(texts, { seed, maskings, maxTexts: positiveInt(flags, 'max-texts') });
  const opts = { maxLen, timeLimitMs: timeLimit === undefined ? undefined : timeLimit * 1000 };
  const m = await loadHfFolder(flags.model);
  const model = await scoreIntrinsic(m.model, m.tokenizer, plan, opts);
  m.model.dispose();
  const out: Record<string, unknown> = {
    corpus, lines: all ? 'all' : 'heldout', texts: Math.min(texts.length, plan.options.maxTexts), segments: plan.segments.length, words: plan.totalWords,
    maskedWords: plan.masked.length, seed, maskings, backend, model: { dir: flags.model, ...summary(model) },
  };
  if (flags.teacher !== undefined) {
    const t = await loadHfFolder(flags.teacher);
    const teacher = await scoreIntrinsic(t.model, t.tokenizer, plan, opts);
    t.model.dispose();
    out.teacher = { dir: flags.teacher, ...summary(teacher) };
    const c = compareIntrinsic(teacher, model);
    out.agreement = { words: c.words, coverage: c.coverage, agree: c.agree, agreement: c.agreement, bothCorrect: c.bothCorrect, pll: { words: c.pll.words, teacher: c.pll.a, model: c.pll.b } };
  }
  out.seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}
