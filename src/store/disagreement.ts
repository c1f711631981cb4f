/**
 * The disagreement slice, pure (issue 12 item 3, the Distill tab's "Where the student disagrees"): the student
 * snapshots the worker keeps (the latest distillation's, from run-snapshots), the text and the chosen step, the
 * heatmap and the aligned fill-mask probe with their request keys (a reply to an older request is dropped), and the
 * shading scale (the largest KL shown for the current text, so that scrubbing between steps compares like with like).
 * Reducers return the slice's next fields; app/disagreement.ts sends the requests.
 */
import type { AlignedFillMaskResult, DisagreementResult } from '../distill/disagreement.ts';
import type { SnapshotList } from '../distill/snapshots.ts';
import type { RunId } from '../worker/protocol.ts';

/** A reply as the panel shows it: which run, step and text it belongs to. */
export interface Shown<R> {
  runId: RunId;
  step: number;
  text: string;
  result: R;
}

interface RequestState<R> {
  busy: boolean;
  /** The key of the latest request: only its reply is kept. */
  key: string | null;
  shown: Shown<R> | null;
  error: string | null;
}

export interface DisagreementState {
  /** The snapshots the worker keeps (one run's), and a held-out text of that run's corpus. */
  snapshots: { runId: RunId; list: SnapshotList; sample: string } | null;
  /** The text box; null: the run's held-out sample. */
  text: string | null;
  /** The chosen snapshot; null: the latest kept one (it follows a running distillation). */
  step: number | null;
  heat: RequestState<DisagreementResult>;
  probe: RequestState<AlignedFillMaskResult> & { span: [number, number] | null };
  /** The shading scale: the largest KL shown so far for `text` (any step). */
  scale: { text: string; max: number } | null;
}

const idle = { busy: false, key: null, shown: null, error: null };
export const initialDisagreement: DisagreementState = { snapshots: null, text: null, step: null, heat: idle, probe: { ...idle, span: null }, scale: null };

/** The text the panel compares on: the box's, else the run's held-out sample. */
export const disagreementText = (d: DisagreementState): string => d.text ?? d.snapshots?.sample ?? '';

/** The step the panel compares at: the chosen one while it is kept, else the latest kept snapshot (null: none yet). */
export function disagreementStep(d: DisagreementState): number | null {
  const steps = d.snapshots?.list.steps ?? [];
  if (d.step !== null && steps.includes(d.step)) return d.step;
  return steps.length ? steps[steps.length - 1] : null;
}

const maxKl = (r: DisagreementResult) => r.tokens.reduce((m, t) => (t.kl !== null && !t.special && t.kl > m ? t.kl : m), 0);

export const disagreementReducers = {
  /** run-snapshots: another run's replace the kept ones (the worker freed them), and what was shown of them goes. */
  snapshots(d: DisagreementState, runId: RunId, list: SnapshotList, sample: string): Partial<DisagreementState> {
    if (d.snapshots?.runId === runId) return { snapshots: { runId, list, sample } };
    return { ...initialDisagreement, text: d.text, snapshots: { runId, list, sample } };
  },
  setText: (text: string): Partial<DisagreementState> => ({ text }),
  setStep: (step: number | null): Partial<DisagreementState> => ({ step }),
  heatStarted: (d: DisagreementState, key: string): Partial<DisagreementState> => ({ heat: { ...d.heat, busy: true, key, error: null } }),
  heatDone(d: DisagreementState, key: string, shown: Shown<DisagreementResult>): Partial<DisagreementState> {
    if (d.heat.key !== key) return {};
    const prev = d.scale?.text === shown.text ? d.scale.max : 0;
    return { heat: { busy: false, key, shown, error: null }, scale: { text: shown.text, max: Math.max(prev, maxKl(shown.result)) } };
  },
  heatFailed: (d: DisagreementState, key: string, error: string): Partial<DisagreementState> => (d.heat.key === key ? { heat: { ...d.heat, busy: false, error } } : {}),
  probeStarted: (d: DisagreementState, key: string, span: [number, number]): Partial<DisagreementState> => ({ probe: { ...d.probe, busy: true, key, span, error: null } }),
  probeDone: (d: DisagreementState, key: string, shown: Shown<AlignedFillMaskResult>): Partial<DisagreementState> =>
    (d.probe.key === key ? { probe: { ...d.probe, busy: false, shown, error: null } } : {}),
  probeFailed: (d: DisagreementState, key: string, error: string): Partial<DisagreementState> => (d.probe.key === key ? { probe: { ...d.probe, busy: false, error } } : {}),
  /** The worker crashed: its snapshots are gone. */
  crashed: (d: DisagreementState): Partial<DisagreementState> => ({ ...initialDisagreement, text: d.text }),
};
