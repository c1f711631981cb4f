/**
 * The one start guard, shared by the training worker and its client: one active run at a time, of either kind. A
 * refused start (or request) gets a reason that names the active run. Pure: no tf, no worker globals.
 */
import type { RunId, RunKind, WorkerRequest } from './protocol.ts';

export interface RunRef {
  runId: RunId;
  kind: RunKind;
}

/** How messages name a run: "the distill run run-3". */
export const runName = (r: RunRef): string => `the ${r.kind} run ${r.runId}`;

export interface RunSlot<R extends RunRef> {
  readonly active: R | null;
  /** Takes the slot for `run`; returns why not (no backend yet, or the active run named), else null. */
  claim(run: R, backendReady: boolean): string | null;
  /** Frees the slot if `runId` holds it. */
  release(runId: RunId): void;
}

export function createRunSlot<R extends RunRef>(): RunSlot<R> {
  let active: R | null = null;
  return {
    get active() {
      return active;
    },
    claim(run, backendReady) {
      if (!backendReady) return 'the backend is not initialised yet';
      if (active) return `${runName(active)} is active: stop it or let it finish first (one run at a time)`;
      active = run;
      return null;
    },
    release(runId) {
      if (active?.runId === runId) active = null;
    },
  };
}

/** Requests the worker refuses while a run is active (named errors); everything else waits in the device queue. */
export function requestRefusal(active: RunRef | null, type: WorkerRequest['type']): { code: string; message: string } | null {
  if (!active) return null;
  if (type === 'model-load' && active.kind === 'distill') {
    return { code: 'TeacherBusyError', message: `${runName(active)} is using the teacher: stop it before loading another model` };
  }
  if (type === 'distill-probe') return { code: 'RunActiveError', message: `${runName(active)} is running: estimate the cost before starting, or stop the run` };
  if (type === 'export-bundle') return { code: 'RunActiveError', message: `${runName(active)} is running: export for PyTorch when it is over, or stop the run` };
  return null;
}
