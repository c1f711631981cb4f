/**
 * A run's live benchmark scores, for any host (the worker, the CLI): the recipe's tasks are read before the run trains
 * (through the host's `locate`, so a missing or bad task is a named TaskError then, not mid-run), the teacher is scored
 * once per teacher, corpus and task (the host keeps `cache` as long as the teacher model lives), the student at each
 * evaluation point under the recipe's share cap (live.ts). A failure while scoring a point is a warning and ends the
 * scoring, never the run; a stop ends it quietly.
 */
import type { MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import type { Recipe } from '../distill/types.ts';
import { splitHeldOut } from '../data/heldout.ts';
import { createLiveBench, loadBenchTasks, type BenchPoint, type BenchReference } from './live.ts';
import { EvalStoppedError } from './features.ts';

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

export type TaskLocator = (name: string) => { file: string; read: (path: string) => string | Promise<string> };

/** Null when the recipe asks for no score. */
export async function createRunBench(input: {
  recipe: Recipe; texts: string[]; teacher: { model: MlmModel; tokenizer: Tokenizer }; cache: Map<string, unknown>; corpusKey: string;
  locate: TaskLocator; control: { readonly stopped: boolean }; startedAt: number; hooks: RunBenchHooks;
}): Promise<RunBench | null> {
  const { recipe, teacher, control, hooks } = input;
  const spec = recipe.benchmarks;
  if (!spec.intrinsic && spec.tasks.length === 0) return null;
  const tasks = await loadBenchTasks(spec.tasks, input.locate);
  const bench = createLiveBench({
    spec, tasks, heldout: splitHeldOut(input.texts).heldout, teacher, cache: input.cache, cacheKey: input.corpusKey, shouldStop: () => control.stopped,
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
