/**
 * The Distill tab's "where the student disagrees" requests (issue 12 item 3): the heatmap of a text and the aligned
 * fill-mask probe of a span, on a kept student snapshot of a distillation (during a run they run at its next step
 * boundary). Each request gets a fresh key; the store keeps only the latest key's reply.
 */
import { trainerClient } from './client.ts';
import { actions } from '../store/index.ts';
import type { RunId } from '../worker/protocol.ts';

const message = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;
let counter = 0;

/** Top-k of each side of the probe. */
export const PROBE_TOP = 5;

export async function showDisagreement(runId: RunId, step: number, text: string): Promise<void> {
  const key = `disagreement-${++counter}`;
  actions.disagreementStarted(key);
  try {
    const r = await trainerClient.request({ type: 'disagreement', runId, step, text });
    if (r.type === 'disagreement-result') actions.disagreementDone(key, { runId, step, text, result: r.result });
  } catch (e) {
    actions.disagreementFailed(key, message(e));
  }
}

export async function probeSpan(runId: RunId, step: number, text: string, start: number, end: number): Promise<void> {
  const key = `probe-${++counter}`;
  actions.alignedProbeStarted(key, [start, end]);
  try {
    const r = await trainerClient.request({ type: 'aligned-fill-mask', runId, step, text, start, end, top: PROBE_TOP });
    if (r.type === 'aligned-fill-mask-result') actions.alignedProbeDone(key, { runId, step, text, result: r.result });
  } catch (e) {
    actions.alignedProbeFailed(key, message(e));
  }
}
