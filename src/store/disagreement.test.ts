// The disagreement slice through the store's actions (store/disagreement.ts): run-snapshots keep one run's snapshots
// (another run's replace them and clear what was shown), the shown step follows the latest snapshot unless one is
// chosen and still kept, replies to older requests are dropped, the shading scale grows per text, a crash clears.
import { beforeEach, describe, expect, it } from 'vitest';
import { actions, useWorkbench } from './index.ts';
import { disagreementStep, disagreementText } from './disagreement.ts';
import type { DisagreementResult, DisagreementToken } from '../distill/disagreement.ts';
import type { RunMessage } from '../worker/protocol.ts';

const d = () => useWorkbench.getState().disagreement;
const list = (steps: number[], finalStep: number | null = null) => ({ steps, finalStep, limit: 8, bytesEach: 4000 });
const snapshots = (runId: string, steps: number[], finalStep: number | null = null): RunMessage =>
  ({ type: 'run-snapshots', runId, kind: 'distill', snapshots: list(steps, finalStep), sample: `sample of ${runId}` });
const token = (kl: number | null, special = false): DisagreementToken =>
  ({ token: 'x', offsets: [0, 1], special, wordId: 0, kl, teacherTop1: 'a', teacherP: 0.5, studentTop1: 'b', studentP: 0.4, agree: false });
const result = (kls: (number | null)[]): DisagreementResult => ({ method: 'reduce', columns: 'C', columnCount: 10, tokens: [token(9, true), ...kls.map((k) => token(k))], chunks: 1 });

beforeEach(() => actions.reset());

describe('disagreement slice', () => {
  it('snapshots of one run update; another run’s replace them and clear what was shown; the text box survives', () => {
    actions.runMessage(snapshots('run-1', [5, 10]));
    expect(d().snapshots).toMatchObject({ runId: 'run-1', list: { steps: [5, 10] }, sample: 'sample of run-1' });
    expect(disagreementText(d())).toBe('sample of run-1');
    expect(disagreementStep(d())).toBe(10); // follows the latest
    actions.runMessage(snapshots('run-1', [5, 10, 15]));
    expect(disagreementStep(d())).toBe(15);
    actions.setDisagreementStep(5);
    expect(disagreementStep(d())).toBe(5);
    actions.disagreementStarted('h1');
    actions.disagreementDone('h1', { runId: 'run-1', step: 5, text: 't', result: result([1]) });
    actions.setDisagreementText('my text');
    actions.runMessage(snapshots('run-2', []));
    expect(d()).toMatchObject({ snapshots: { runId: 'run-2' }, step: null, text: 'my text', heat: { shown: null }, scale: null });
    expect(disagreementStep(d())).toBeNull();
    expect(disagreementText(d())).toBe('my text');
  });

  it('a chosen step that is no longer kept falls back to the latest', () => {
    actions.runMessage(snapshots('run-1', [2, 4, 6]));
    actions.setDisagreementStep(2);
    actions.runMessage(snapshots('run-1', [4, 6, 8]));
    expect(disagreementStep(d())).toBe(8);
  });

  it('only the latest request’s reply is kept; errors likewise; the scale is the largest non-special KL per text', () => {
    actions.runMessage(snapshots('run-1', [5]));
    actions.disagreementStarted('h1');
    actions.disagreementStarted('h2');
    actions.disagreementDone('h1', { runId: 'run-1', step: 5, text: 't', result: result([7]) });
    expect(d().heat).toMatchObject({ busy: true, key: 'h2', shown: null });
    actions.disagreementDone('h2', { runId: 'run-1', step: 5, text: 't', result: result([0.5, null, 2]) });
    expect(d().heat).toMatchObject({ busy: false, shown: { step: 5 } });
    expect(d().scale).toEqual({ text: 't', max: 2 }); // the special token's 9 does not count
    actions.disagreementStarted('h3');
    actions.disagreementDone('h3', { runId: 'run-1', step: 5, text: 't', result: result([1]) });
    expect(d().scale).toEqual({ text: 't', max: 2 }); // grows only
    actions.disagreementStarted('h4');
    actions.disagreementDone('h4', { runId: 'run-1', step: 5, text: 'u', result: result([1]) });
    expect(d().scale).toEqual({ text: 'u', max: 1 }); // a new text starts again
    actions.disagreementStarted('h5');
    actions.disagreementFailed('h4', 'stale');
    expect(d().heat.error).toBeNull();
    actions.disagreementFailed('h5', 'SnapshotError: gone');
    expect(d().heat).toMatchObject({ busy: false, error: 'SnapshotError: gone' });

    actions.alignedProbeStarted('p1', [0, 3]);
    actions.alignedProbeStarted('p2', [4, 9]);
    const probe = { span: [4, 9] as [number, number], teacher: { masked: [], range: [4, 9] as [number, number], candidates: [] }, student: { masked: [], range: [4, 9] as [number, number], candidates: [] } };
    actions.alignedProbeDone('p1', { runId: 'run-1', step: 5, text: 'u', result: { ...probe, span: [0, 3] } });
    expect(d().probe).toMatchObject({ busy: true, span: [4, 9], shown: null });
    actions.alignedProbeDone('p2', { runId: 'run-1', step: 5, text: 'u', result: probe });
    expect(d().probe).toMatchObject({ busy: false, shown: { result: { span: [4, 9] } } });
  });

  it('a worker crash clears the snapshots (they were in the worker)', () => {
    actions.runMessage(snapshots('run-1', [5]));
    actions.setDisagreementText('kept');
    actions.workerCrashed('run-1', 'boom');
    expect(d()).toMatchObject({ snapshots: null, text: 'kept' });
  });
});
