/**
 * A distillation's live benchmark scores in the worker (issue 13 item 5): the recipe's tasks are read before the run
 * trains (a missing or bad task is a named TaskError then, not mid-run), the teacher is scored once per loaded teacher,
 * corpus and task (the cache lives as long as the teacher model), the student at each evaluation point under the
 * recipe's share cap (src/eval/live.ts). Scores go out as run-bench-reference / run-bench. A failure while scoring a
 * point is a warning and ends the scoring, never the run; a stop ends it quietly.
 */
import type { MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import type { Recipe } from '../distill/types.ts';
import { splitHeldOut } from '../data/heldout.ts';
import { createLiveBench, loadBenchTasks, type BenchPoint, type BenchReference } from '../eval/live.ts';
import { EvalStoppedError } from '../eval/features.ts';
import { TaskError } from '../eval/tasks.ts';
import type { RunControl } from '../train/loop.ts';
import type { TaskSource } from './protocol.ts';

/** One cache of teacher scores per loaded teacher model: a new teacher starts empty. */
const teacherCaches = new WeakMap<MlmModel, Map<string, unknown>>();

export interface RunBenchHooks {
  reference(r: BenchReference): void;
  point(p: BenchPoint): void;
  warning(message: string): void;
}

export interface RunBench {
  /** The student's tokenizer, once the run is prepared. */
  prepared(tokenizer: Tokenizer): void;
  /** Scores the student at an evaluation point (awaited by the loop). */
  evaluated(step: number, student: MlmModel): Promise<void>;
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}

/** Where the worker reads a recipe's task: the page resolved every name to a URL or to the files it was given. */
function locator(sources: readonly TaskSource[]) {
  return (id: string) => {
    const s = sources.find((x) => x.id === id);
    if (!s) throw new TaskError(`benchmarks.tasks: "${id}" is neither an embedded task nor a task file given to the page`);
    if (s.kind === 'url') return { file: s.file, read: (path: string) => fetchText(path) };
    return {
      file: s.file,
      read: (path: string) => {
        if (!(path in s.files)) throw new Error(`the task's files do not include ${path} (given: ${Object.keys(s.files).join(', ')})`);
        return s.files[path];
      },
    };
  };
}

/** Null when the recipe asks for no score. */
export async function createRunBench(input: {
  recipe: Recipe; texts: string[]; teacher: { model: MlmModel; tokenizer: Tokenizer; name: string }; corpusKey: string;
  sources: readonly TaskSource[]; control: RunControl; startedAt: number; hooks: RunBenchHooks;
}): Promise<RunBench | null> {
  const { recipe, teacher, control, hooks } = input;
  const spec = recipe.benchmarks;
  if (!spec.intrinsic && spec.tasks.length === 0) return null;
  const tasks = await loadBenchTasks(spec.tasks, locator(input.sources));
  let cache = teacherCaches.get(teacher.model);
  if (!cache) teacherCaches.set(teacher.model, (cache = new Map()));
  const bench = createLiveBench({
    spec, tasks, heldout: splitHeldOut(input.texts).heldout, teacher, cache, cacheKey: input.corpusKey, shouldStop: () => control.stopped,
  });
  let tokenizer: Tokenizer | null = null;
  let referenceSent = false;
  let failed = false;
  return {
    prepared: (t) => { tokenizer = t; },
    async evaluated(step, student) {
      if (failed || !tokenizer || control.stopped) return;
      try {
        if (!referenceSent) {
          hooks.reference(await bench.reference());
          referenceSent = true;
        }
        hooks.point(await bench.point(step, student, tokenizer, { runMs: performance.now() - input.startedAt, final: step >= recipe.steps }));
      } catch (e) {
        if (e instanceof EvalStoppedError) return;
        failed = true;
        hooks.warning(`benchmark scores stopped at step ${step}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    },
  };
}
