/**
 * `vocabkd bench matmul` (the step's products here and in PyTorch, matmulBench.ts) and
 * `vocabkd distill`'s benchmark scores (issue 13 item 5, the same recipe field as the page's): recipe.benchmarks.tasks
 * names embedded tasks (en-pos, en-spam, built on demand like `vocabkd eval`'s) or task files, relative to the recipe
 * file's folder. Each scored point is a line on stderr; the teacher's reference and every point go to summary.json's
 * `bench`. The engine does the scoring (src/eval/runBench.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import type { Recipe } from '../distill/types.ts';
import { createRunBench, type RunBench, type TaskLocator } from '../eval/runBench.ts';
import type { BenchPoint, BenchReference } from '../eval/live.ts';
import { EMBEDDED_TASKS, TaskError } from '../eval/tasks.ts';
import { UsageError, intFlag, parseArgs, threadsFlag } from './args.ts';
import { initNodeBackend, nodeBackendInfo } from '../backend/node.ts';
import { benchMatmuls, stepShapes } from '../bench/matmulBench.ts';
import { torchMatmulBench, torchThreadCounts } from '../bench/torchBench.ts';
import type { BenchConfigName } from '../bench/trainBench.ts';
// @ts-expect-error: plain .mjs build tool without type declarations
import { prepareTasks } from '../tools/prepare-assets.mjs';

/** Embedded names → their task files (built at first use); anything else is a path relative to `base`. */
export function cliTaskLocator(base: string): TaskLocator {
  return (name) => {
    const embedded = EMBEDDED_TASKS.some((t) => t.id === name);
    const file = embedded ? (prepareTasks() as Record<string, string>)[name] : resolve(base, name);
    if (!existsSync(file)) throw new TaskError(`benchmarks.tasks: "${name}" is neither an embedded task (${EMBEDDED_TASKS.map((t) => t.id).join(', ')}) nor a task file (looked for ${file})`);
    return { file, read: (p: string) => readFileSync(p, 'utf8') };
  };
}

const pct = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);

/** The run's bench with its record for summary.json; null bench when the recipe asks for no score. */
export async function cliRunBench(input: {
  recipe: Recipe; recipePath: string | undefined; teacher: { model: MlmModel; tokenizer: Tokenizer }; texts: string[]; corpusKey: string;
  control: { readonly stopped: boolean }; log: (s: string) => void;
}): Promise<{ bench: RunBench | null; record: { reference: BenchReference | null; points: BenchPoint[] } }> {
  const record: { reference: BenchReference | null; points: BenchPoint[] } = { reference: null, points: [] };
  const { log } = input;
  const bench = await createRunBench({
    recipe: input.recipe, texts: input.texts, teacher: input.teacher, cache: new Map(), corpusKey: input.corpusKey,
    locate: cliTaskLocator(input.recipePath ? dirname(resolve(input.recipePath)) : process.cwd()), control: input.control, startedAt: performance.now(),
    hooks: {
      reference: (r) => {
        record.reference = r;
        log(`benchmarks: teacher scored in ${r.teacherSeconds.toFixed(1)} s: ${r.metrics.filter((m) => m.chart && m.teacher !== null).map((m) => `${m.key} ${m.teacher!.toFixed(4)}`).join(', ')}`);
        for (const w of r.warnings) log(`warning: benchmarks: ${w}`);
      },
      point: (p) => {
        record.points.push(p);
        const shown = Object.entries(p.scores).filter(([k]) => !/unkRate|fertility|pll/.test(k)).map(([k, v]) => `${k} ${pct(v)}`).join(', ');
        log(`benchmarks at step ${p.step}: ${p.skipped ?? shown} (scoring ${(p.share * 100).toFixed(0)} % of the run's time, cap ${Math.round(p.maxShare * 100)} %)`);
      },
      warning: (m) => log(`warning: ${m}`),
    },
  });
  return { bench, record };
}

/**
 * `vocabkd bench matmul`: one JSON report, a row per product with our GFLOP/s, PyTorch's at each thread count and
 * `ratio` = ours / the faster PyTorch (with --torch).
 */
export async function benchMatmulCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ['backend', 'config', 'reps', 'threads', 'torch-threads'], ['torch']);
  const config = (flags.config ?? 'tiny') as BenchConfigName;
  if (config !== 'tiny' && config !== 'medium') throw new UsageError(`--config must be tiny or medium, got "${config}"`);
  const reps = intFlag(flags, 'reps', 20);
  if (reps < 1) throw new UsageError(`--reps must be ≥ 1, got ${reps}`);
  const torchThreads = flags['torch-threads'] === undefined ? undefined : intFlag(flags, 'torch-threads', 1);
  if (torchThreads !== undefined && torchThreads < 1) throw new UsageError(`--torch-threads must be ≥ 1, got ${torchThreads}`);
  const backend = await initNodeBackend(flags.backend ?? 'wasm', { threads: threadsFlag(flags) });
  const info = nodeBackendInfo()!;
  const shapes = stepShapes(config);
  const ours = await benchMatmuls(shapes, reps);
  const torch = flags.torch === 'true' ? torchThreadCounts(torchThreads ?? info.threads).map((t) => torchMatmulBench(shapes, t, reps)) : [];
  const products = ours.map((r, i) => {
    const theirs = torch.map((t) => ({ threads: t.threads, medianMs: t.results[i].medianMs, bestMs: t.results[i].bestMs, gflops: t.results[i].gflops, medianGflops: t.results[i].medianGflops }));
    const best = theirs.length ? Math.max(...theirs.map((t) => t.gflops)) : null;
    return { ...r, torch: theirs.length ? theirs : undefined, ratio: best ? Math.round((r.gflops / best) * 100) / 100 : undefined };
  });
  const flops = (rs: { batch: number; m: number; k: number; n: number }[]) => rs.reduce((s, r) => s + 2 * r.batch * r.m * r.k * r.n, 0);
  const ms = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const total = {
    gflops: Math.round(flops(ours) / (ms(ours.map((r) => r.bestMs)) * 1e6) * 10) / 10,
    torch: torch.map((t) => ({ threads: t.threads, gflops: Math.round(flops(ours) / (ms(t.results.map((r) => r.bestMs)) * 1e6) * 10) / 10 })),
  };
  process.stdout.write(JSON.stringify({
    bench: 'matmul', backend, threads: info.threads, runtime: info.description, config, reps, torch: torch[0]?.torch,
    note: 'gflops at the best repetition (the ceiling; medianGflops at the median); ratio = our gflops / the faster PyTorch run\'s; total = all products once, summed FLOPs / summed best times',
    products, total,
  }, null, 2) + '\n');
}
