/**
 * Distill tab actions of the page: start a run, estimate its cost (a 3-step probe in the worker), pause / resume /
 * stop, and export the latest student as HF-folder downloads. Recipes are validated here too (validateRecipe has no
 * tf), so a bad field is named before anything reaches the worker. Registers the distill store on window.__vocabkd.
 */
import { trainerClient } from './client.ts';
import { downloadFiles } from './models.ts';
import { distillActions, useDistillLab } from '../store/distillSlice.ts';
import type { Recipe } from '../distill/types.ts';
import type { CorpusSource, RunId } from '../worker/protocol.ts';

const message = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;

/** Starts a distillation run; null (with the reason shown) when another run holds the worker. */
export async function startDistill(recipe: Recipe, corpus?: CorpusSource): Promise<RunId | null> {
  distillActions.setError(null);
  const runId = await trainerClient.startDistill(recipe, corpus);
  if (!runId) distillActions.setError('another run is active (Train MLM or Distill): stop it first, or wait for the backend to be ready');
  return runId;
}

export const pauseDistill = () => trainerClient.pause();
export const resumeDistill = () => trainerClient.resume();
export const stopDistill = () => trainerClient.stop();

/** Runs 3 steps of the recipe in the worker: ms/step, parameters and bytes of the student. */
export async function estimateCost(recipe: Recipe, corpus: CorpusSource): Promise<void> {
  distillActions.setProbe({ busy: true, result: useDistillLab.getState().probe.result });
  distillActions.setError(null);
  try {
    const r = await trainerClient.request({ type: 'distill-probe', recipe, corpus });
    if (r.type === 'distill-probe-result') {
      distillActions.setProbe({ busy: false, result: { recipeJson: JSON.stringify(recipe), steps: recipe.steps, msPerStep: r.msPerStep, params: r.params, bytes: r.bytes } });
      return;
    }
  } catch (e) {
    distillActions.setError(message(e));
  }
  distillActions.setProbe({ busy: false, result: null });
}

/** The latest finished (or stopped) run's student as an HF folder: one download per file. */
export async function exportStudent(): Promise<string[]> {
  distillActions.setError(null);
  try {
    const r = await trainerClient.request({ type: 'distill-export' });
    if (r.type !== 'model-files') return [];
    return downloadFiles(r.files);
  } catch (e) {
    distillActions.setError(message(e));
    return [];
  }
}

// The end-to-end tests read distillation runs from the same handle as the rest of the page.
const handle = (globalThis as { __vocabkd?: Record<string, unknown> }).__vocabkd;
if (handle) handle.distillLab = useDistillLab;
