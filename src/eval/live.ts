/**
 * Benchmark scores during a run (issue 13 item 5), host-neutral: the worker and the CLI call it at a distillation's
 * evaluation points (`DistillHooks.onEvaluated`).
 *
 *   const bench = createLiveBench({ spec: recipe.benchmarks, tasks, heldout, teacher, cache, cacheKey });
 *   const ref = await bench.reference();                     // the teacher, once (kept in `cache` across runs)
 *   const point = await bench.point(step, student, studentTokenizer, { runMs, final });
 *
 * What is scored (every metric has a key, a label, the teacher's value and the majority-class floor where one exists):
 * - `intrinsic.*` on the first `maxTexts` held-out texts with one plan for every model (intrinsic.ts: whole-word
 *   masks chosen by character span): masked-word accuracy, teacher–student top-1 agreement, PLL-word-l2r per word
 *   (mean log-probability, nats); [UNK] rate and fertility for the results table.
 * - `task.<name>.accuracy` / `.macroF1` for every task (`taskKey`: the recipe's name, or a task file's own name): the recipe's probe (linear by default, seed 1) on the model's
 *   features, the first maxTrain / maxTest examples; the floor is the training split's majority class.
 * The time cap: the share of the run's wall time spent here (the teacher's one-time scoring included, in the run
 * that pays it) stays under `maxShare` — an intermediate point whose expected cost (the previous point's) would push the
 * share above it is skipped and says so; the last point (`final`) is always scored, so every run ends with scores.
 * A stop (`shouldStop`) ends scoring with EvalStoppedError. Every tensor op is in the scorers' tf.tidy.
 */
import type { MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import type { BenchmarkSpec } from '../distill/types.ts';
import { compareIntrinsic, planIntrinsic, scoreIntrinsic, type IntrinsicPlan, type IntrinsicScores } from './intrinsic.ts';
import { prepareTask, scoreTask, type PreparedTask, type TaskResult } from './probe.ts';
import { loadTask, parseTaskFile, type TaskData } from './tasks.ts';

export interface BenchTask {
  /** The name the recipe lists (an embedded task's id, a file name, a path). */
  id: string;
  data: TaskData;
}

/** A task's name in metric keys and labels: its id, or for a task-file path (CLI) the task file's own `name`. */
export const taskKey = (t: BenchTask): string => (/[\\/]|\.json$/i.test(t.id) ? t.data.spec.name : t.id);

export interface BenchMetric {
  key: string;
  label: string;
  /** 'held-out words' or the task's name: what the chart's card is about. */
  group: string;
  /** Plotted against the step (the rest are for the results table). */
  chart: boolean;
  teacher: number | null;
  /** The majority class of the task's training split, scored on its test split. */
  floor: number | null;
}

export interface BenchReference {
  metrics: BenchMetric[];
  /** Seconds this run spent scoring the teacher (0 when its scores were kept from an earlier run). */
  teacherSeconds: number;
  tasks: { id: string; name: string; kind: string; train: number; test: number; labels: number }[];
  warnings: string[];
}

export interface BenchPoint {
  step: number;
  /** metric key → value; empty when skipped. */
  scores: Record<string, number>;
  /** Seconds this point took, the run's seconds spent scoring so far, and the run's wall seconds so far. */
  seconds: number;
  evalSeconds: number;
  runSeconds: number;
  /** evalSeconds / runSeconds, and the recipe's cap. */
  share: number;
  maxShare: number;
  skipped?: string;
  /** The student's task warnings (imbalance, unseen test labels, mostly-[UNK] text), each the first time it occurs. */
  warnings?: string[];
}

export interface LiveBenchInput {
  spec: BenchmarkSpec;
  tasks: BenchTask[];
  /** The corpus's held-out texts (every 20th). */
  heldout: string[];
  teacher: { model: MlmModel; tokenizer: Tokenizer };
  /** Kept by the host for as long as the teacher is loaded: the teacher is scored once per corpus and task. */
  cache?: Map<string, unknown>;
  /** Names the teacher and the corpus in the cache (the host's choice, e.g. the teacher's load id and the corpus URL). */
  cacheKey?: string;
  shouldStop?: () => boolean;
  now?: () => number;
}

export interface LiveBench {
  reference(): Promise<BenchReference>;
  point(step: number, student: MlmModel, tokenizer: Tokenizer, at: { runMs: number; final: boolean }): Promise<BenchPoint>;
}

const SEED = 1;
const WORDS = 'held-out words';

/** Reads the recipe's tasks through the host: `locate(name)` gives the task file's path or URL and a reader. */
export async function loadBenchTasks(names: readonly string[], locate: (name: string) => { file: string; read: (path: string) => string | Promise<string> }): Promise<BenchTask[]> {
  const out: BenchTask[] = [];
  for (const id of names) {
    const { file, read } = locate(id);
    const spec = parseTaskFile(await read(file), file);
    out.push({ id, data: await loadTask(spec, file, read) });
  }
  return out;
}

function intrinsicMetrics(t: IntrinsicScores | null): BenchMetric[] {
  const m = (key: string, label: string, chart: boolean, teacher: number | null): BenchMetric => ({ key: `intrinsic.${key}`, label, group: WORDS, chart, teacher, floor: null });
  return [
    m('wordAcc', 'masked-word accuracy (whole words, held-out)', true, t?.wordAcc ?? null),
    m('agreement', 'teacher–student top-1 agreement (masked words)', true, null),
    m('pll', 'PLL per word (mean log-probability, nats; higher is better)', true, t?.pll.meanLogProb ?? null),
    m('unkRate', '[UNK] rate (share of tokens)', false, t?.unkRate ?? null),
    m('fertility', 'fertility (tokens per word)', false, t?.fertility ?? null),
  ];
}

function taskMetrics(id: string, t: TaskResult): BenchMetric[] {
  return [
    { key: `task.${id}.accuracy`, label: `${id}: accuracy`, group: id, chart: true, teacher: t.accuracy, floor: t.majorityAccuracy },
    { key: `task.${id}.macroF1`, label: `${id}: macro-F1`, group: id, chart: true, teacher: t.macroF1, floor: t.majorityMacroF1 },
  ];
}

export function createLiveBench(input: LiveBenchInput): LiveBench {
  const { spec, tasks, teacher } = input;
  const now = input.now ?? (() => performance.now());
  const cache = input.cache ?? new Map<string, unknown>();
  const base = `${input.cacheKey ?? ''}|${spec.probe}|${spec.maxTrain}|${spec.maxTest}|${spec.maxTexts}`;
  const plan: IntrinsicPlan | null = spec.intrinsic && input.heldout.length ? planIntrinsic(input.heldout, { seed: SEED, maxTexts: spec.maxTexts }) : null;
  const caps = { maxTrain: spec.maxTrain, maxTest: spec.maxTest };
  const probe = { probe: spec.probe, seed: SEED, shouldStop: input.shouldStop };
  const prepared = new Map<string, PreparedTask>(); // the student's encodings: one student tokenizer per run
  let evalMs = 0;
  let lastPointMs = 0;
  let ref: { reference: BenchReference; intrinsic: IntrinsicScores | null } | null = null;

  async function cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (cache.has(`${base}|${key}`)) return cache.get(`${base}|${key}`) as T;
    const v = await compute();
    cache.set(`${base}|${key}`, v);
    return v;
  }

  async function scoreTeacher(): Promise<NonNullable<typeof ref>> {
    const t0 = now();
    let computed = false;
    const once = <T>(key: string, f: () => Promise<T>) => cached(key, () => { computed = true; return f(); });
    const intrinsic = plan ? await once('intrinsic', () => scoreIntrinsic(teacher.model, teacher.tokenizer, plan, { shouldStop: input.shouldStop })) : null;
    const metrics = plan ? intrinsicMetrics(intrinsic) : [];
    const infos: BenchReference['tasks'] = [];
    const warnings: string[] = [];
    for (const t of tasks) {
      const r = await once(`task:${t.id}`, () => scoreTask(teacher.model, prepareTask(teacher.tokenizer, teacher.model.config, t.data, caps), probe));
      metrics.push(...taskMetrics(taskKey(t), r));
      infos.push({ id: t.id, name: t.data.spec.name, kind: t.data.spec.kind, train: r.train, test: r.test, labels: r.labels.length });
      warnings.push(...r.warnings.map((w) => `${taskKey(t)} (teacher): ${w}`));
    }
    if (spec.intrinsic && !plan) warnings.push('the corpus has no held-out text (every 20th text is held out): no intrinsic scores');
    const teacherSeconds = computed ? (now() - t0) / 1000 : 0;
    return { reference: { metrics, teacherSeconds, tasks: infos, warnings }, intrinsic };
  }

  const warned = new Set<string>();
  async function scoreStudent(student: MlmModel, tokenizer: Tokenizer): Promise<{ scores: Record<string, number>; warnings: string[] }> {
    const scores: Record<string, number> = {};
    const warnings: string[] = [];
    if (plan) {
      const s = await scoreIntrinsic(student, tokenizer, plan, { shouldStop: input.shouldStop });
      Object.assign(scores, { 'intrinsic.wordAcc': s.wordAcc, 'intrinsic.pll': s.pll.meanLogProb, 'intrinsic.unkRate': s.unkRate, 'intrinsic.fertility': s.fertility });
      if (ref?.intrinsic) scores['intrinsic.agreement'] = compareIntrinsic(ref.intrinsic, s).agreement;
    }
    for (const t of tasks) {
      if (!prepared.has(t.id)) prepared.set(t.id, prepareTask(tokenizer, student.config, t.data, caps));
      const r = await scoreTask(student, prepared.get(t.id)!, probe);
      const key = taskKey(t);
      Object.assign(scores, { [`task.${key}.accuracy`]: r.accuracy, [`task.${key}.macroF1`]: r.macroF1 });
      for (const w of r.warnings.map((x) => `${key} (student): ${x}`)) {
        if (warned.has(w)) continue;
        warned.add(w);
        warnings.push(w);
      }
    }
    return { scores, warnings };
  }

  return {
    async reference() {
      if (!ref) {
        const t0 = now();
        ref = await scoreTeacher();
        evalMs += now() - t0;
      }
      return ref.reference;
    },
    async point(step, student, tokenizer, at) {
      await this.reference();
      const t0 = now();
      const runMs = Math.max(at.runMs, evalMs);
      const over = evalMs + lastPointMs > spec.maxShare * (runMs + lastPointMs);
      const out = (scores: Record<string, number>, ms: number, skipped?: string, warnings: string[] = []): BenchPoint => ({
        step, scores, seconds: ms / 1000, evalSeconds: evalMs / 1000, runSeconds: (runMs + ms) / 1000,
        share: evalMs / Math.max(1, runMs + ms), maxShare: spec.maxShare, ...(skipped ? { skipped } : {}), ...(warnings.length ? { warnings } : {}),
      });
      if (!at.final && over) {
        return out({}, 0, `skipped: scoring it would take the evaluation share above the cap of ${Math.round(spec.maxShare * 100)} % (${Math.round((100 * evalMs) / runMs)} % so far)`);
      }
      const { scores, warnings } = await scoreStudent(student, tokenizer);
      lastPointMs = now() - t0;
      evalMs += lastPointMs;
      return out(scores, lastPointMs, undefined, warnings);
    },
  };
}
