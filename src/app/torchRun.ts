/**
 * A run of the PyTorch trainer (trainers/torch/, issue 18 item 3) as a history record, so that a scaled-up run sits in
 * the History tab beside the in-page runs and compares with them: its `metrics.jsonl` (the workbench's TrainPoint
 * lines), and when given its `summary.json` and the bundle's `recipe.json`. Pure: texts in, a record out; a bad file
 * is a TorchRunError naming the file and line.
 */
import { validateRecipe, effectiveRecipe } from '../distill/recipe.ts';
import type { DistillPoint } from '../distill/types.ts';
import type { DistillRun } from '../store/runs.ts';

export class TorchRunError extends Error {
  override name = 'TorchRunError';
}

export interface NamedText {
  name: string;
  text: string;
}

function points(f: NamedText): DistillPoint[] {
  const out: DistillPoint[] = [];
  f.text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let p: unknown;
    try {
      p = JSON.parse(line);
    } catch {
      throw new TorchRunError(`${f.name}:${i + 1}: not a JSON line`);
    }
    const step = (p as { step?: unknown })?.step;
    const loss = (p as { loss?: unknown })?.loss;
    if (typeof step !== 'number' || typeof loss !== 'number') throw new TorchRunError(`${f.name}:${i + 1}: a metrics line needs a numeric step and loss`);
    out.push(p as DistillPoint);
  });
  if (!out.length) throw new TorchRunError(`${f.name} has no metric points`);
  return out;
}

function json(f: NamedText | undefined): Record<string, unknown> | null {
  if (!f) return null;
  try {
    return JSON.parse(f.text);
  } catch (e) {
    throw new TorchRunError(`${f.name} is not valid JSON: ${(e as Error).message}`);
  }
}

function recipeOf(raw: Record<string, unknown> | null) {
  if (!raw) return null;
  try {
    return effectiveRecipe(validateRecipe(raw));
  } catch (e) {
    throw new TorchRunError(`recipe.json: ${(e as Error).message}`);
  }
}

/** The history record of a PyTorch run; `runId` names it in the record (the history gives the entry its own id). */
export function torchRunRecord(files: NamedText[], runId = 'torch'): DistillRun {
  const find = (name: string) => files.find((f) => f.name === name || f.name.endsWith(`/${name}`));
  const metrics = find('metrics.jsonl');
  if (!metrics) throw new TorchRunError(`give the run's metrics.jsonl (files given: ${files.map((f) => f.name).join(', ') || 'none'})`);
  const pts = points(metrics);
  const recipe = recipeOf(json(find('recipe.json')));
  const summary = json(find('summary.json'));
  const message = `PyTorch trainer${summary ? ` (${String(summary.world ?? '?')} process(es), ${String(summary.device ?? '?')})` : ''}`;
  return {
    runId, kind: 'distill', state: 'done', message, info: null, points: pts, phase: null, warnings: [], checkpointStep: null,
    outcome: 'done', summary: null, error: null, recipe, bench: { reference: null, points: [] },
  };
}
