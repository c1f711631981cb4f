/**
 * Runs of both kinds from the page: start (the Train tab's MLM run, the Distill tab's distillation), pause, resume,
 * stop. One client call starts either kind; a refused start (a run is active) is told to its tab by the store with the
 * active run named. The Tokenizers tab's student goes with a run that asks for it. Recipes and run configs are
 * validated by the forms and again in the worker.
 */
import { taskSources } from './tasks.ts';
import { trainerClient } from './client.ts';
import { studentTokenizerJson } from './tokenizers.ts';
import { actions } from '../store/index.ts';
import type { MlmRunConfig } from '../train/runConfig.ts';
import type { Recipe } from '../distill/types.ts';
import type { CorpusSource, RunId } from '../worker/protocol.ts';

/** An MLM run; with `tabTokenizer` its vocabulary is the Tokenizers tab's student, else the run trains a WordPiece. */
export async function startPretrain(config: MlmRunConfig, corpus: CorpusSource, tabTokenizer: boolean): Promise<RunId | null> {
  const tokenizerJson = tabTokenizer ? studentTokenizerJson() : undefined;
  if (tabTokenizer && !tokenizerJson) {
    actions.runRefused('pretrain', 'the Tokenizers tab has no vocabulary: train or import one there first');
    return null;
  }
  return trainerClient.start({ kind: 'pretrain', config, corpus, tokenizerJson });
}

/** A distillation with the teacher loaded in the worker (and the tab's student when the recipe names it). */
export function startDistill(recipe: Recipe, corpus: CorpusSource): Promise<RunId | null> {
  actions.setTabError('distill', null);
  const studentTokenizer = recipe.studentTokenizer === 'tokenizers-tab' ? studentTokenizerJson() : undefined;
  let tasks;
  try {
    tasks = taskSources(recipe.benchmarks.tasks);
  } catch (e) {
    actions.setTabError('distill', `${(e as Error).name}: ${(e as Error).message}`);
    return Promise.resolve(null);
  }
  return trainerClient.start({ kind: 'distill', recipe, corpus, studentTokenizerJson: studentTokenizer, tasks });
}

export const pauseRun = () => trainerClient.pause();
export const resumeRun = () => trainerClient.resume();
export const stopRun = () => trainerClient.stop();
