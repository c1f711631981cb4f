/**
 * The workbench store (zustand): backend status and runs keyed by runId. Actions are synchronous state changes; the
 * worker I/O lives in src/worker/trainerClient.ts and reaches the store through `storeSink`.
 */
import { create } from 'zustand';
import type { BackendName } from '../backend/names.ts';
import type { ParityVerdict } from '../backend/parity.ts';
import type { MetricPoint, RunInfo } from '../train/mlmRun.ts';
import type { MlmRunConfig } from '../train/runConfig.ts';
import type { RunId, RunState } from '../worker/protocol.ts';
import type { ClientSink } from '../worker/trainerClient.ts';
import { distillActions, distillSink } from './distillSlice.ts';

export interface BackendStatus {
  phase: 'probing' | 'ready' | 'failed';
  trying: BackendName | null;
  name: BackendName | null;
  adapter: string;
  parity: ParityVerdict | null;
  initMs: number;
  /** Why this backend runs (forced, first in order, or measured against a software adapter). */
  reason: string;
  notices: string[];
  error: string | null;
}

export interface RunRecord {
  runId: RunId;
  config: MlmRunConfig;
  state: RunState;
  info: RunInfo | null;
  points: MetricPoint[];
  message: string | null;
  /** Step of the latest weight snapshot (exportable), if any. */
  checkpointStep: number | null;
}

export interface WorkbenchState {
  backend: BackendStatus;
  runs: Record<RunId, RunRecord>;
  runOrder: RunId[];
  activeRunId: RunId | null;
  /** Errors that are not tied to a field: a crashed worker, a bad ?backend=. */
  errors: string[];
}

export const initialState: WorkbenchState = {
  backend: { phase: 'probing', trying: null, name: null, adapter: '', parity: null, initMs: 0, reason: '', notices: [], error: null },
  runs: {},
  runOrder: [],
  activeRunId: null,
  errors: [],
};

export const useWorkbench = create<WorkbenchState>()(() => initialState);

const set = useWorkbench.setState;
const get = useWorkbench.getState;

const patchRun = (runId: RunId, patch: (r: RunRecord) => Partial<RunRecord>) => {
  const r = get().runs[runId];
  if (r) set({ runs: { ...get().runs, [runId]: { ...r, ...patch(r) } } });
};

export const actions = {
  reset: () => set(initialState, true),
  addError: (e: string) => set({ errors: [...get().errors, e] }),
  dismissErrors: () => set({ errors: [] }),
};

/** The store's side of the client: every worker event becomes one `set` (distillation runs: distillSlice.ts). */
export const storeSink: ClientSink = {
  ...distillSink,
  backendTrying: (b) => set({ backend: { ...get().backend, phase: 'probing', trying: b } }),
  backendReady: (b, adapter, parity, initMs, reason) =>
    set({ backend: { ...get().backend, phase: 'ready', trying: null, name: b, adapter, parity, initMs, reason } }),
  backendNotice: (text) => set({ backend: { ...get().backend, notices: [...get().backend.notices, text] } }),
  backendFailed: (reason) => set({ backend: { ...get().backend, phase: 'failed', trying: null, error: reason } }),
  runCreated: (runId, config) =>
    set({
      runs: { ...get().runs, [runId]: { runId, config, state: 'starting', info: null, points: [], message: null, checkpointStep: null } },
      runOrder: [...get().runOrder, runId],
      activeRunId: runId,
    }),
  runMessage: (m) => {
    switch (m.type) {
      case 'info': return patchRun(m.runId, () => ({ info: m.info }));
      case 'metrics': return patchRun(m.runId, (r) => ({ points: r.points.concat(m.points) }));
      case 'checkpoint': return patchRun(m.runId, () => ({ checkpointStep: m.step }));
      case 'status':
        patchRun(m.runId, () => ({ state: m.state, message: m.message ?? null }));
        if (['done', 'stopped', 'error'].includes(m.state) && get().activeRunId === m.runId) set({ activeRunId: null });
        return;
      case 'rejected':
        patchRun(m.runId, () => ({ state: 'error', message: `rejected: ${m.reason}` }));
        if (get().activeRunId === m.runId) set({ activeRunId: null });
        return;
      case 'error': return actions.addError(`${m.code}: ${m.message}`);
    }
  },
  workerCrashed: (runId, message) => {
    if (runId) patchRun(runId, () => ({ state: 'error', message }));
    distillActions.crashed(runId, message);
    set({ activeRunId: null });
    actions.addError(`The training worker crashed: ${message}. Press Start to begin a new run.`);
  },
};
