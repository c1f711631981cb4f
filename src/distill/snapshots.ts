/**
 * Snapshots of a distillation's student (issue 12 item 3, "where the student disagrees"): at each evaluation point of
 * a run the host keeps a copy of the student's weights on the device, so that the disagreement heatmap and the aligned
 * fill-mask probe (disagreement.ts) can look at the student as it was at that step, during the run and after it.
 *
 * Bounded: at most `limit` evaluation snapshots (SNAPSHOT_LIMIT = 8 by default; a new one drops the oldest) plus the
 * final one (the run's returned student: the last step, the step a stop left, or a diverged run's restored
 * checkpoint). A final step that is already an evaluation snapshot (a finished run evaluates its last step) is that
 * snapshot, moved to the final slot, so it is never copied twice. Memory: one snapshot is the student's float32
 * weights, 4 bytes × its parameter count (`bytesEach`), so at most (limit + 1) × bytesEach on the device; e.g. the
 * default 2 × 128 student with a 4,000-token vocabulary (and the shipped teacher's 128 positions) has 946,208
 * parameters: 3.6 MiB a snapshot, 32.5 MiB for 9.
 *
 * A snapshot is an MlmModel whose parameters are non-trainable variables holding clones of the student's tensors
 * (the clone shares the buffer until the optimizer assigns the live weight a new one, as the loop's NaN-guard copy
 * does), so every forward of models/mlm.ts runs on it unchanged. `dispose` frees every copy (tested: the tensor
 * count returns to where it was).
 */
import * as tf from '@tensorflow/tfjs';
import { countParams, type MlmModel } from '../models/mlm.ts';

/** A snapshot that is not (or no longer) kept, or that cannot be compared any more. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

/** Evaluation snapshots kept per run (plus the final one). */
export const SNAPSHOT_LIMIT = 8;

/** What the host reports of a run's snapshots (plain data: it crosses postMessage). */
export interface SnapshotList {
  /** Steps of the kept snapshots, ascending (the final one included). */
  steps: number[];
  /** Step of the final snapshot (the run's returned student), once the run has ended; else null. */
  finalStep: number | null;
  /** At most this many evaluation snapshots are kept (the oldest dropped), plus the final one. */
  limit: number;
  /** Bytes of one snapshot on the device (float32 weights: 4 × the student's parameters). */
  bytesEach: number;
}

export interface SnapshotStore {
  readonly limit: number;
  /** Copies `student`'s weights as the snapshot of the evaluation at `step` (past `limit`, the oldest one goes). */
  take(step: number, student: MlmModel): void;
  /** The final snapshot: `student` as the run returns it, at `step` (an evaluation snapshot of that step is reused). */
  takeFinal(step: number, student: MlmModel): void;
  /** The snapshot of `step`, or null when it is not (or no longer) kept. */
  get(step: number): MlmModel | null;
  list(): SnapshotList;
  /** Frees every snapshot; the store is empty afterwards. */
  dispose(): void;
}

/** A device copy of a model's weights as a model of its own (non-trainable variables). */
export function copyModel(model: MlmModel): MlmModel {
  const params = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, tf.tidy(() => tf.variable(tf.clone(v), false))]));
  const variables = Object.keys(model.params).map((k) => params[k]);
  return { config: model.config, params, variables, dispose: () => variables.forEach((v) => v.dispose()) };
}

export function createSnapshotStore(limit = SNAPSHOT_LIMIT): SnapshotStore {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the snapshot limit must be a positive integer, got ${limit}`);
  let evals: { step: number; model: MlmModel }[] = [];
  let final: { step: number; model: MlmModel } | null = null;
  let bytesEach = 0;
  const note = (m: MlmModel) => { bytesEach = 4 * countParams(m.config); };
  return {
    limit,
    take(step, student) {
      note(student);
      const same = evals.findIndex((s) => s.step === step);
      if (same >= 0) { evals[same].model.dispose(); evals.splice(same, 1); }
      evals.push({ step, model: copyModel(student) });
      evals.sort((a, b) => a.step - b.step);
      while (evals.length > limit) evals.shift()!.model.dispose();
    },
    takeFinal(step, student) {
      note(student);
      final?.model.dispose();
      const same = evals.findIndex((s) => s.step === step);
      if (same >= 0) final = evals.splice(same, 1)[0];
      else final = { step, model: copyModel(student) };
    },
    get(step) {
      if (final?.step === step) return final.model;
      return evals.find((s) => s.step === step)?.model ?? null;
    },
    list() {
      const steps = [...evals.map((s) => s.step), ...(final ? [final.step] : [])].sort((a, b) => a - b);
      return { steps, finalStep: final?.step ?? null, limit, bytesEach };
    },
    dispose() {
      for (const s of evals) s.model.dispose();
      final?.model.dispose();
      evals = [];
      final = null;
    },
  };
}
