/**
 * Distill tab state: distillation runs keyed by runId (recipe, status, phase, info, points, outcome, summary), which
 * runs the charts overlay, the cost estimate and the tab's request errors. Finished runs keep their points for the
 * whole session (the overlay compares them). Plain state changes: worker events arrive through `distillSink`
 * (wired into storeSink), requests go through app/distill.ts.
 */
import { create } from 'zustand';
import type { DistillPoint } from '../distill/types.ts';
import { effectiveRecipe, validateRecipe, type EffectiveRecipe } from '../distill/recipe.ts';
import type { DistillInfo, DistillSummary } from '../distill/run.ts';
import type { DistillOutcome, RunId, RunState } from '../worker/protocol.ts';
import type { ClientSink } from '../worker/trainerClient.ts';

export interface DistillRunRecord {
  runId: RunId;
  /**
   * The validated recipe as the run uses it (`effectiveRecipe`: fields its method ignores are absent and listed in
   * `ignored`; the reasons name the real student vocabulary once `info` came); null when the one given does not
   * validate (the worker then answers with its RecipeError).
   */
  recipe: EffectiveRecipe | null;
  state: RunState;
  message: string | null;
  phase: { phase: string; done: number; total: number } | null;
  info: DistillInfo | null;
  points: DistillPoint[];
  warnings: string[];
  checkpointStep: number | null;
  outcome: DistillOutcome | null;
  summary: DistillSummary | null;
  /** A named engine error (`RecipeError: …`, `TeacherMissingError: …`). */
  error: string | null;
}

export interface CostEstimate {
  /** The recipe JSON the probe ran (the panel marks the estimate stale when the form differs). */
  recipeJson: string;
  steps: number;
  msPerStep: number;
  params: number;
  bytes: number;
}

export interface DistillLabState {
  runs: Record<RunId, DistillRunRecord>;
  runOrder: RunId[];
  activeRunId: RunId | null;
  /** Runs drawn on the charts (checkboxes of the run list); a new run is shown. */
  shown: Record<RunId, boolean>;
  probe: { busy: boolean; result: CostEstimate | null };
  /** Request errors (estimate, export, a refused start). */
  error: string | null;
}

export const initialDistillLab: DistillLabState = { runs: {}, runOrder: [], activeRunId: null, shown: {}, probe: { busy: false, result: null }, error: null };

export const useDistillLab = create<DistillLabState>()(() => initialDistillLab);

const set = useDistillLab.setState;
const get = useDistillLab.getState;

const patchRun = (runId: RunId, patch: (r: DistillRunRecord) => Partial<DistillRunRecord>) => {
  const r = get().runs[runId];
  if (r) set({ runs: { ...get().runs, [runId]: { ...r, ...patch(r) } } });
};

const finish = (runId: RunId) => {
  if (get().activeRunId === runId) set({ activeRunId: null });
};

export const distillActions = {
  setError: (error: string | null) => set({ error }),
  setProbe: (probe: DistillLabState['probe']) => set({ probe }),
  toggleShown: (runId: RunId) => set({ shown: { ...get().shown, [runId]: !get().shown[runId] } }),
  /** A crashed worker ends the active run with its message. */
  crashed(runId: RunId | null, message: string) {
    if (!runId || !get().runs[runId]) return;
    patchRun(runId, () => ({ state: 'error', message, error: `the training worker crashed: ${message}` }));
    finish(runId);
  },
};

const effectiveOrNull = (recipe: unknown, info?: DistillInfo): EffectiveRecipe | null => {
  try {
    return effectiveRecipe(validateRecipe(recipe), info);
  } catch {
    return null;
  }
};

/** The store's side of the client for distillation runs. */
export const distillSink: Pick<ClientSink, 'distillCreated' | 'distillMessage'> = {
  distillCreated: (runId, recipe) =>
    set({
      runs: {
        ...get().runs,
        [runId]: { runId, recipe: effectiveOrNull(recipe), state: 'starting', message: null, phase: null, info: null, points: [], warnings: [], checkpointStep: null, outcome: null, summary: null, error: null },
      },
      runOrder: [...get().runOrder, runId],
      activeRunId: runId,
      shown: { ...get().shown, [runId]: true },
      error: null,
    }),
  distillMessage: (m) => {
    switch (m.type) {
      case 'distill-info': return patchRun(m.runId, (r) => ({ info: m.info, recipe: r.recipe && effectiveOrNull(r.recipe, m.info) }));
      case 'distill-phase': return patchRun(m.runId, () => ({ phase: { phase: m.phase, done: m.done, total: m.total } }));
      case 'distill-metrics': return patchRun(m.runId, (r) => ({ points: r.points.concat(m.points) }));
      case 'distill-warning': return patchRun(m.runId, (r) => ({ warnings: [...r.warnings, m.message] }));
      case 'distill-done': return patchRun(m.runId, () => ({ outcome: m.outcome, summary: m.summary }));
      case 'checkpoint': return patchRun(m.runId, () => ({ checkpointStep: m.step }));
      case 'error': return patchRun(m.runId, () => ({ error: `${m.code}: ${m.message}` }));
      case 'status':
        patchRun(m.runId, () => ({ state: m.state, message: m.message ?? null }));
        if (['done', 'stopped', 'error'].includes(m.state)) finish(m.runId);
        return;
      case 'rejected':
        patchRun(m.runId, () => ({ state: 'error', message: `rejected: ${m.reason}`, error: `rejected: ${m.reason}` }));
        return finish(m.runId);
    }
  },
};

/** The held-out whole-word masked accuracy of a run: the final evaluation once done, else its latest evaluated point. */
export function heldOutWordAcc(r: DistillRunRecord): number | null {
  if (r.summary?.finalEval) return r.summary.finalEval.wordAcc;
  for (let i = r.points.length - 1; i >= 0; i--) if (r.points[i].evalWordAcc !== undefined) return r.points[i].evalWordAcc!;
  return null;
}
