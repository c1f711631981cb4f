/**
 * The runs slice, pure: every run of the session keyed by runId, with a `kind` discriminant ('pretrain' |
 * 'distill'), in start order; the active run; which runs the charts draw; each tab's refusal / request error. The
 * reducers return the slice's next fields (store/index.ts applies them); `patchRun` is the one way a record changes.
 * Finished runs keep their points for the whole session (the Distill tab overlays them).
 */
import type { MlmRunConfig } from '../train/runConfig.ts';
import { effectiveRecipe, validateRecipe, type EffectiveRecipe } from '../distill/recipe.ts';
import type { DistillInfo } from '../distill/run.ts';
import type { BenchPoint, BenchReference } from '../eval/live.ts';
import { isFinished, type RunId, type RunKind, type RunKinds, type RunMessage, type RunOutcome, type RunRequest, type RunState } from '../worker/protocol.ts';

interface RunBase<K extends RunKind> {
  runId: RunId;
  kind: K;
  state: RunState;
  /** The latest status message (why it stopped, the error). */
  message: string | null;
  info: RunKinds[K]['info'] | null;
  /** The loop's TrainPoints with the kind's extra fields, in step order. */
  points: RunKinds[K]['point'][];
  /** Preparation progress (tokenizer, σ, C, data, student …). */
  phase: { phase: string; done: number; total: number } | null;
  warnings: string[];
  /** Step of the latest weight snapshot, if any. */
  checkpointStep: number | null;
  outcome: RunOutcome | null;
  summary: RunKinds[K]['summary'] | null;
  /** A named engine error (`RecipeError: …`, `TeacherMissingError: …`, `DataError: …`) or the refusal. */
  error: string | null;
  /** A run resumed from a checkpoint: its step (the points before it came with the checkpoint). */
  resumedFrom?: number;
}

export interface PretrainRun extends RunBase<'pretrain'> {
  config: MlmRunConfig;
  /** Where its vocabulary comes from: the Tokenizers tab's student, or a WordPiece the run trains on its corpus. */
  tokenizer: 'tokenizers-tab' | 'train';
}

export interface DistillRun extends RunBase<'distill'> {
  /**
   * The validated recipe as the run uses it (`effectiveRecipe`: fields its method ignores are absent and listed in
   * `ignored`; the reasons name the real student vocabulary once `info` came); null when the one given does not
   * validate (the worker then answers with its RecipeError).
   */
  recipe: EffectiveRecipe | null;
  /** Benchmark scores (issue 13 item 5): the teacher's reference once, then the student's points in step order. */
  bench: { reference: BenchReference | null; points: BenchPoint[] };
}

export type RunRecord = PretrainRun | DistillRun;

export interface RunsState {
  runs: Record<RunId, RunRecord>;
  runOrder: RunId[];
  activeRunId: RunId | null;
  /** Runs the Distill tab's charts draw (its run list's checkboxes); a new run is shown. */
  shown: Record<RunId, boolean>;
  /** Per tab (run kind): a refused start naming the active run, or a request error (estimate, export). */
  tabErrors: Record<RunKind, string | null>;
}

export const initialRuns: RunsState = { runs: {}, runOrder: [], activeRunId: null, shown: {}, tabErrors: { pretrain: null, distill: null } };

/** The one way a run record changes: a patch computed from the record (a runId not in the session is ignored). */
export function patchRun(s: RunsState, runId: RunId, patch: (r: RunRecord) => Partial<RunRecord>): Partial<RunsState> {
  const r = s.runs[runId];
  return r ? { runs: { ...s.runs, [runId]: { ...r, ...patch(r) } as RunRecord } } : {};
}

const effectiveOrNull = (recipe: unknown, info?: DistillInfo): EffectiveRecipe | null => {
  try {
    return effectiveRecipe(validateRecipe(recipe), info);
  } catch {
    return null;
  }
};

export function runCreated(s: RunsState, runId: RunId, request: RunRequest): Partial<RunsState> {
  const base = { runId, state: 'starting' as const, message: null, info: null, points: [], phase: null, warnings: [], checkpointStep: null, outcome: null, summary: null, error: null };
  const record: RunRecord = request.kind === 'pretrain'
    ? { ...base, kind: 'pretrain', config: request.config, tokenizer: request.tokenizerJson ? 'tokenizers-tab' : 'train' }
    : { ...base, kind: 'distill', recipe: effectiveOrNull(request.recipe), bench: { reference: null, points: [] } };
  return {
    runs: { ...s.runs, [runId]: record },
    runOrder: [...s.runOrder, runId],
    activeRunId: runId,
    shown: { ...s.shown, [runId]: true },
    tabErrors: { ...s.tabErrors, [request.kind]: null },
  };
}

/** Ends the run's turn as the active run. */
const finish = (s: RunsState, runId: RunId): Partial<RunsState> => (s.activeRunId === runId ? { activeRunId: null } : {});

/** A run-* message from the worker, the same for both kinds (only run-info also refreshes a distillation's recipe). */
export function runMessage(s: RunsState, m: RunMessage): Partial<RunsState> {
  switch (m.type) {
    case 'run-info':
      return patchRun(s, m.runId, (r) => (r.kind === 'distill' ? { info: m.info as DistillInfo, recipe: r.recipe && effectiveOrNull(r.recipe, m.info as DistillInfo) } : { info: m.info } as Partial<RunRecord>));
    case 'run-points': return patchRun(s, m.runId, (r) => ({ points: (r.points as object[]).concat(m.points) } as Partial<RunRecord>));
    case 'run-phase': return patchRun(s, m.runId, () => ({ phase: { phase: m.phase, done: m.done, total: m.total } }));
    case 'run-warning': return patchRun(s, m.runId, (r) => ({ warnings: [...r.warnings, m.message] }));
    case 'run-checkpoint': return patchRun(s, m.runId, () => ({ checkpointStep: m.step })); // its bytes: app/resume.ts
    case 'run-resumed': return patchRun(s, m.runId, () => ({ points: m.points, checkpointStep: m.step, resumedFrom: m.step } as Partial<RunRecord>));
    case 'run-snapshots': return {}; // the disagreement slice keeps them (store/disagreement.ts)
    case 'run-bench-reference': return patchRun(s, m.runId, (r) => (r.kind === 'distill' ? { bench: { ...r.bench, reference: m.reference } } : {}));
    case 'run-bench': return patchRun(s, m.runId, (r) => (r.kind === 'distill' ? { bench: { ...r.bench, points: [...r.bench.points, m.point] } } : {}));
    case 'run-done': return patchRun(s, m.runId, () => ({ outcome: m.outcome, summary: m.summary } as Partial<RunRecord>));
    case 'run-error': return patchRun(s, m.runId, () => ({ error: `${m.code}: ${m.message}` }));
    case 'run-status': {
      const patched = patchRun(s, m.runId, () => ({ state: m.state, message: m.message ?? null }));
      return isFinished(m.state) ? { ...patched, ...finish(s, m.runId) } : patched;
    }
    case 'run-rejected':
      return { ...patchRun(s, m.runId, () => ({ state: 'error', message: `rejected: ${m.reason}`, error: `rejected: ${m.reason}` })), ...finish(s, m.runId) };
  }
}

/** A start refused before it reached the worker: no record, the tab says why. */
export const runRefused = (s: RunsState, kind: RunKind, reason: string): Partial<RunsState> => ({ tabErrors: { ...s.tabErrors, [kind]: `refused: ${reason}` } });

export const setTabError = (s: RunsState, kind: RunKind, error: string | null): Partial<RunsState> => ({ tabErrors: { ...s.tabErrors, [kind]: error } });

export const toggleShown = (s: RunsState, runId: RunId): Partial<RunsState> => ({ shown: { ...s.shown, [runId]: !s.shown[runId] } });

/** A crashed worker ends the active run with its message. */
export function runCrashed(s: RunsState, runId: RunId | null, message: string): Partial<RunsState> {
  if (!runId) return { activeRunId: null };
  return { ...patchRun(s, runId, () => ({ state: 'error', message, error: `the training worker crashed: ${message}` })), activeRunId: null };
}

// ---- selectors ----------------------------------------------------------------------------------------------------

/** The runs of one kind, in start order. */
export function runsOfKind<K extends RunKind>(s: RunsState, kind: K): Extract<RunRecord, { kind: K }>[] {
  return s.runOrder.map((id) => s.runs[id]).filter((r): r is Extract<RunRecord, { kind: K }> => r.kind === kind);
}

/** The latest run of one kind, or null. */
export function latestRun<K extends RunKind>(s: RunsState, kind: K): Extract<RunRecord, { kind: K }> | null {
  for (let i = s.runOrder.length - 1; i >= 0; i--) {
    const r = s.runs[s.runOrder[i]];
    if (r.kind === kind) return r as Extract<RunRecord, { kind: K }>;
  }
  return null;
}

/** The active run while it is starting, running or paused (a run that ended is not active). */
export function liveRun(s: RunsState): RunRecord | null {
  const r = s.activeRunId ? s.runs[s.activeRunId] : null;
  return r && !isFinished(r.state) ? r : null;
}

/** The held-out whole-word masked accuracy of a distillation: the final evaluation once done, else its latest evaluated point. */
export function heldOutWordAcc(r: DistillRun): number | null {
  if (r.summary?.finalEval) return r.summary.finalEval.wordAcc;
  for (let i = r.points.length - 1; i >= 0; i--) if (r.points[i].evalWordAcc !== undefined) return r.points[i].evalWordAcc!;
  return null;
}
