/**
 * `vocabkd distill --recipe recipe.json --out DIR [--teacher DIR] [--corpus FILE] [--backend wasm|cpu]` and
 * `vocabkd bench distill --method reduce|match|glmd [--steps N]`: the engine's distillation run in Node.
 * distill writes DIR/metrics.jsonl (one JSON object per logged point, appended as the run goes), DIR/student/ (HF
 * folder) and DIR/summary.json (recipe, info, final evaluation, outcome, counts, wall time); progress goes to stderr,
 * the final summary line to stdout. Ctrl-C stops the run cleanly and the files are still written (a stop during
 * preparation leaves no student: only metrics.jsonl, empty, and the stdout line). A bad recipe is a
 * RecipeError (exit code 2). --out must be empty or absent (--overwrite replaces it whole, before the run starts);
 * student/ and summary.json are written atomically (atomic.ts), summary.json last. A diverged run writes no student/
 * (the last good weights go to last-good-student/), says "diverged" in summary.json and exits 1 (DivergedError).
 * Checkpoints (checkpointFs.ts): DIR/checkpoints/step-N.ckpt every --checkpoint-every steps (default: the recipe's
 * checkpointEvery) and at the end, the last two kept; `--resume DIR|FILE` continues the run from the newest readable
 * one (recipe, teacher and corpus as recorded, unless given again: they must agree), metrics.jsonl cut back to it.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, intFlag, parseArgs, threadsFlag } from './args.ts';
import { embeddedCorpusPath, PROJECT_ROOT } from './assets.ts';
import { loadHfFolder, writeHfFolderFiles } from './hfFolderFs.ts';
import { atomicWriteFile, freshRunFolder } from './atomic.ts';
import { checkpointSaver, openResume, restoreMetrics } from './checkpointFs.ts';
import { inputFolder, readCorpus, readInputText } from './files.ts';
import { studentVocabWarning } from './inputChecks.ts';
import { initNodeBackend, nodeBackendInfo } from '../backend/node.ts';
import { exportHfFolder } from '../models/hfFolder.ts';
import { RecipeError, recipeWarnings, requireStudentTokenizer, validateRecipe } from '../distill/recipe.ts';
import { cliRunBench } from './benchCli.ts';
import { DistillStoppedError, runDistill, type DistillCheckpoint } from '../distill/run.ts';
import { benchDistill, BENCH_METHODS, type BenchMethod } from '../bench/distillBench.ts';
import { createRunControl } from '../train/mlmRun.ts';
import type { DistillPoint } from '../distill/types.ts';

export const DISTILL_HELP = `  vocabkd distill --recipe recipe.json --out DIR [--teacher DIR] [--corpus FILE] [--backend wasm|cpu] [--overwrite]
                  [--checkpoint-every N]
  vocabkd distill --resume DIR|DIR/checkpoints/step-N.ckpt [--out DIR] [--backend wasm|cpu]
      Distils the teacher (default: the shipped public/models/teacher-en) into the recipe's student on the corpus
      (default: the embedded Moby-Dick slice, one text per line; .txt/.jsonl/.csv/.tsv/.conllu); writes
      DIR/metrics.jsonl, DIR/student/ (HF folder) and DIR/summary.json; progress on stderr; Ctrl-C stops and still
      writes the files. DIR must be empty or absent (--overwrite replaces it whole). A diverged run exits 1 and writes
      no student/. Recipes: src/distill/recipes/. Checkpoints: DIR/checkpoints/step-N.ckpt every N steps (default:
      the recipe's checkpointEvery; 0 = only at the end), the last two kept; --resume continues a killed or stopped
      run from its newest readable checkpoint with the recorded recipe, teacher and corpus (the same losses as an
      uninterrupted run; metrics.jsonl is cut back to the checkpoint's step).
  vocabkd bench distill --method reduce|match|glmd [--steps 5] [--backend wasm|cpu] [--threads N] [--teacher DIR] [--corpus FILE]
      Times distillation steps split into teacher forward, alignment (batch building + gather/reduce ops) and student
      forward+backward; prints JSON with threads, tokens/s, alignmentShare, the top kernels and peak memory.
`;

export const SHIPPED_TEACHER = join(PROJECT_ROOT, 'public', 'models', 'teacher-en');

function readRecipe(path: string, log: (s: string) => void) {
  const text = readInputText(path, '--recipe');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RecipeError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const recipe = validateRecipe(json);
  requireStudentTokenizer(recipe, false); // the CLI has no Tokenizers tab: its students train their own WordPiece
  for (const w of recipeWarnings(recipe)) log(`warning: ${w}`);
  return recipe;
}

const fmt = (x: number | undefined, d = 4) => (x === undefined ? '' : x.toFixed(d));

export async function distillCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ['recipe', 'out', 'teacher', 'corpus', 'backend', 'resume', 'checkpoint-every'], ['overwrite']);
  const log = (s: string) => process.stderr.write(s + '\n');
  const resumed = flags.resume !== undefined ? openResume(flags.resume, flags.out, 'distill', log) : null;
  for (const f of resumed ? [] : ['recipe', 'out']) if (flags[f] === undefined) throw new UsageError(`distill needs --${f}`);
  const base = flags.recipe !== undefined || !resumed ? readRecipe(flags.recipe, log) : validateRecipe((resumed.checkpoint as DistillCheckpoint).recipe.recipe);
  const recipe = { ...base, checkpointEvery: intFlag(flags, 'checkpoint-every', base.checkpointEvery) };
  const teacherDir = inputFolder(flags.teacher ?? resumed?.host.teacher ?? SHIPPED_TEACHER, '--teacher');
  const corpus = flags.corpus ?? resumed?.host.corpus ?? embeddedCorpusPath();
  const { docs } = await readCorpus(corpus, '--corpus', (m) => process.stderr.write(m));
  const out = resumed?.out ?? flags.out;
  if (resumed) restoreMetrics(join(out, 'metrics.jsonl'), resumed.checkpoint.points);
  else freshRunFolder(out, flags.overwrite === 'true');
  const backend = await initNodeBackend(flags.backend ?? 'wasm');
  const t = await loadHfFolder(teacherDir);
  for (const w of t.warnings) log(`warning: teacher: ${w}`);
  const metricsPath = join(out, 'metrics.jsonl');
  if (!resumed) writeFileSync(metricsPath, '');
  const control = createRunControl();
  const { bench, record: benchRecord } = await cliRunBench({ recipe, recipePath: flags.recipe, teacher: { model: t.model, tokenizer: t.tokenizer }, texts: docs, corpusKey: corpus, control, log });
  const onSigint = () => { log('stopping (Ctrl-C) …'); control.stop(); };
  process.once('SIGINT', onSigint);
  const t0 = performance.now();
  const started = new Set<string>();
  const finished = new Set<string>();
  try {
    const result = await runDistill({ teacher: t.model, teacherTokenizer: t.tokenizer, texts: docs }, recipe, control, {
      onPhase: (phase, done, total) => {
        if (done < total && !started.has(phase)) log(`${phase} …`);
        if (done >= total && !finished.has(phase)) log(`${phase} done (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        (done < total ? started : finished).add(phase);
      },
      onInfo: (i) => {
        log(`${i.method}: teacher ${i.teacherParams.toLocaleString('en')} → student ${i.studentParams.toLocaleString('en')} parameters, student vocab ${i.studentVocab}, ${i.trainSequences} train / ${i.heldoutSequences} held-out sequences`);
        studentVocabWarning(recipe, i.studentVocab, log);
      },
      onPoint: (p: DistillPoint) => {
        appendFileSync(metricsPath, JSON.stringify(p) + '\n');
        const ev = p.evalWordAcc !== undefined ? ` wordAcc ${fmt(p.evalWordAcc)}` : '';
        const parts = (['kl', 'mlm', 'mse'] as const).filter((k) => p[k] !== undefined).map((k) => ` ${k} ${fmt(p[k])}`).join('');
        log(`step ${p.step}/${recipe.steps} loss ${fmt(p.loss)}${parts} lr ${p.lr.toExponential(2)} ${Math.round(p.tokensPerSec)} tok/s${ev}`);
      },
      onCheckpoint: (_step, capture) => checkpointSaver(out, { teacher: resolve(teacherDir), corpus: resolve(corpus) }, log)(capture),
      onWarning: (m) => log(`warning: ${m}`),
      onPrepared: (p) => bench?.prepared(p.studentTokenizer),
      onEvaluated: (step, student) => bench?.evaluated(step, student),
    }, { resumeFrom: resumed?.checkpoint as DistillCheckpoint | undefined });
    try {
      const diverged = result.outcome === 'diverged';
      const dir = join(out, diverged ? 'last-good-student' : 'student');
      const { files, notes } = await exportHfFolder(result.student, result.studentTokenizer, { metadata: { method: recipe.method, step: String(result.summary.steps), outcome: result.outcome } });
      if (!diverged || result.summary.steps > 0) await writeHfFolderFiles(dir, files, { overwrite: !!resumed });
      const summary = { ...result.summary, ...(bench ? { bench: benchRecord } : {}), backend, teacher: teacherDir, corpus, exportNotes: notes, wallSeconds: (performance.now() - t0) / 1000 };
      atomicWriteFile(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
      process.stdout.write(JSON.stringify({ event: result.outcome, out, steps: result.summary.steps, finalEval: result.summary.finalEval, seconds: summary.wallSeconds }) + '\n');
      if (diverged) throw new DivergedError(`the loss or gradient norm was not finite at step ${result.summary.divergedAt}: no student/ written (summary.json says "diverged"${result.summary.steps > 0 ? `; the weights of step ${result.summary.steps} are in ${dir}` : ''}); lower the learning rate or check the teacher`);
    } finally {
      result.student.dispose();
    }
  } catch (e) {
    if (!(e instanceof DistillStoppedError)) throw e;
    log(e.message); // Ctrl-C during preparation: no student to write
    process.stdout.write(JSON.stringify({ event: 'stopped', out, steps: 0, finalEval: null, seconds: (performance.now() - t0) / 1000 }) + '\n');
  } finally {
    process.removeListener('SIGINT', onSigint);
    t.model.dispose();
  }
}

/** A distillation whose loss or gradient norm became non-finite (exit code 1: a runtime failure). */
export class DivergedError extends Error {
  override name = 'DivergedError';
}

export async function benchDistillCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ['method', 'steps', 'backend', 'teacher', 'corpus', 'threads']);
  const method = (flags.method ?? 'reduce') as BenchMethod;
  if (!BENCH_METHODS.includes(method)) throw new UsageError(`--method must be one of ${BENCH_METHODS.join(', ')}, got "${method}"`);
  const steps = intFlag(flags, 'steps', 5);
  if (steps < 1) throw new UsageError(`--steps must be ≥ 1, got ${steps}`);
  const backend = await initNodeBackend(flags.backend ?? 'wasm', { threads: threadsFlag(flags) });
  const t = await loadHfFolder(flags.teacher ?? SHIPPED_TEACHER);
  try {
    const { docs: texts } = await readCorpus(flags.corpus ?? embeddedCorpusPath(), '--corpus', (m) => process.stderr.write(m));
    const result = await benchDistill({ teacher: t.model, teacherTokenizer: t.tokenizer, texts }, method, { steps });
    const info = nodeBackendInfo()!;
    process.stdout.write(JSON.stringify({ bench: 'distill', backend, threads: info.threads, runtime: info.description, ...result, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }, null, 2) + '\n');
  } finally {
    t.model.dispose();
  }
}
