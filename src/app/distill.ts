/**
 * Distill tab requests of the page: estimate a recipe's cost (a 3-step probe in the worker) and export the latest
 * student as HF-folder downloads. Starting, pausing and stopping a distillation: app/runs.ts.
 */
import { trainerClient } from './client.ts';
import { downloadFiles } from './models.ts';
import { studentTokenizerJson } from './tokenizers.ts';
import { actions, useWorkbench } from '../store/index.ts';
import type { Recipe } from '../distill/types.ts';
import type { CorpusSource } from '../worker/protocol.ts';

const message = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;

/** Runs 3 steps of the recipe in the worker: ms/step, parameters and bytes of the student. */
export async function estimateCost(recipe: Recipe, corpus: CorpusSource): Promise<void> {
  actions.setProbe({ busy: true, result: useWorkbench.getState().probe.result });
  actions.setTabError('distill', null);
  try {
    const studentTokenizer = recipe.studentTokenizer === 'tokenizers-tab' ? studentTokenizerJson() : undefined;
    const r = await trainerClient.request({ type: 'distill-probe', recipe, corpus, studentTokenizerJson: studentTokenizer });
    if (r.type === 'distill-probe-result') {
      actions.setProbe({ busy: false, result: { recipeJson: JSON.stringify(recipe), steps: recipe.steps, msPerStep: r.msPerStep, params: r.params, bytes: r.bytes } });
      return;
    }
  } catch (e) {
    actions.setTabError('distill', message(e));
  }
  actions.setProbe({ busy: false, result: null });
}

/** The latest finished (or stopped) run's student as an HF folder: one download per file. */
export async function exportStudent(): Promise<string[]> {
  actions.setTabError('distill', null);
  try {
    const r = await trainerClient.request({ type: 'model-export', what: 'student' });
    return r.type === 'model-files' ? downloadFiles(r.files) : [];
  } catch (e) {
    actions.setTabError('distill', message(e));
    return [];
  }
}
