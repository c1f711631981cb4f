/**
 * The page's run checkpoints (issue 14 item 2), between the training client and the store: every run's request (what
 * it started from) and its latest checkpoint bytes stay here — never in the store, whose records the history writes
 * often — and the checkpoint also goes to the history database (one per run, all or nothing: historyDb.ts). The
 * client's crash and device-loss events are passed on to `onInterrupted` listeners (app/resume.ts). No worker here.
 */
import type { BackendName } from '../backend/names.ts';
import type { ClientSink } from '../worker/trainerClient.ts';
import type { RunId, RunRequest } from '../worker/protocol.ts';

export interface KeptCheckpoint {
  step: number;
  /** The checkpoint bytes as the worker made them into a Blob (no main-thread copy to keep or store them). */
  data: Blob;
}

export type Interruption = { runId: RunId; why: 'crash'; message: string } | { runId: RunId; why: 'device'; lost: BackendName; next: BackendName | null };

const requests = new Map<RunId, RunRequest>();
const latest = new Map<RunId, KeptCheckpoint>();
const listeners = new Set<(i: Interruption) => void>();
const savers = new Set<(runId: RunId, c: KeptCheckpoint) => void>();

export const requestOf = (runId: RunId): RunRequest | undefined => requests.get(runId);
export const checkpointOf = (runId: RunId): KeptCheckpoint | undefined => latest.get(runId);

/** Called with every crash and device loss of a run. */
export function onInterrupted(listener: (i: Interruption) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called with every checkpoint that arrives (the history keeps it). */
export function onCheckpoint(saver: (runId: RunId, c: KeptCheckpoint) => void): () => void {
  savers.add(saver);
  return () => savers.delete(saver);
}

/** The sink the training client talks to: the store's, with the requests and checkpoints kept here. */
export function withCheckpoints(sink: ClientSink): ClientSink {
  return {
    ...sink,
    runCreated(runId, request) {
      requests.set(runId, request);
      sink.runCreated(runId, request);
    },
    runMessage(m) {
      if (m.type === 'run-checkpoint' && m.data) {
        const kept = { step: m.step, data: m.data };
        latest.set(m.runId, kept);
        savers.forEach((f) => f(m.runId, kept));
        const rest = { ...m };
        delete rest.data; // the bytes stay here, out of the store (and of the history's run records)
        return sink.runMessage(rest);
      }
      sink.runMessage(m);
    },
    workerCrashed(runId, message) {
      sink.workerCrashed(runId, message);
      if (runId) listeners.forEach((f) => f({ runId, why: 'crash', message }));
    },
    deviceLost(runId, lost, next) {
      sink.deviceLost(runId, lost, next);
      if (runId) listeners.forEach((f) => f({ runId, why: 'device', lost, next }));
    },
  };
}
