import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { initialRuns, runCreated, runMessage, type RunsState } from '../store/runs.ts';
import { DEFAULT_RUN } from '../train/runConfig.ts';
import type { RunMessage } from '../worker/protocol.ts';
import { defaultRunName, recordRuns, storageVerdict } from './history.ts';
import { deleteRun, getRun, listRuns, openHistory } from './historyDb.ts';
import { withQuotaExceeded } from './historyTesting.ts';

let n = 0;
function setUp(throttleMs = 40) {
  const store = createStore<RunsState>(() => initialRuns);
  const db = openHistory(`recorder-test-${++n}`);
  const hooks = { saved: vi.fn(), failed: vi.fn() };
  const recorder = recordRuns(store, db, hooks, { throttleMs, sessionId: 's1' });
  const start = (runId: string) => store.setState((s) => runCreated(s, runId, { kind: 'pretrain', config: { ...DEFAULT_RUN, steps: 3 }, corpus: { kind: 'url', url: 'x', name: 'x' } }));
  const send = (m: RunMessage) => store.setState((s) => runMessage(s, m));
  const point = (step: number) => ({ step, loss: 5 - step, lr: 1e-3, gradNorm: 1, msPerStep: 1, tokensPerSec: 1, elapsedMs: step });
  return { store, db, hooks, recorder, start, send, point };
}

describe('recording the session runs into the history', () => {
  it('writes a run when it starts, while it runs (throttled) and when it ends, whole', async () => {
    const { db, hooks, recorder, start, send, point } = setUp();
    start('run-1');
    await recorder.flush();
    const d = await db;
    expect(await getRun(d, 's1-run-1')).toMatchObject({ name: 'pretrain · micro · 3 steps · lr 0.002 · seed 1', kind: 'pretrain', record: { runId: 'run-1', state: 'starting' } });
    send({ type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'running' });
    for (let i = 1; i <= 3; i++) send({ type: 'run-points', runId: 'run-1', kind: 'pretrain', points: [point(i)] });
    const writesBefore = hooks.saved.mock.calls.length;
    await new Promise((r) => setTimeout(r, 120));
    await recorder.flush();
    expect(hooks.saved.mock.calls.length - writesBefore, 'four changes, one throttled write').toBe(1);
    expect(((await getRun(d, 's1-run-1'))!.record as RunsState['runs'][string]).points).toHaveLength(3);
    send({ type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'done' });
    await recorder.flush();
    expect(await getRun(d, 's1-run-1')).toMatchObject({ record: { state: 'done', points: [{ step: 1 }, { step: 2 }, { step: 3 }] } });
    expect(hooks.failed).not.toHaveBeenCalled();
    recorder.stop();
  });

  it('the end of a run is written at once, without waiting for the throttle', async () => {
    const { db, recorder, start, send } = setUp(60_000);
    start('run-1');
    send({ type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'running' });
    send({ type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'stopped' });
    await new Promise((r) => setTimeout(r, 50));
    expect((await getRun(await db, 's1-run-1'))?.record).toMatchObject({ state: 'stopped' });
    recorder.stop();
  });

  it('a run deleted from the history (another tab) is not written back', async () => {
    const { db, recorder, start, send } = setUp();
    start('run-1');
    start('run-2');
    await recorder.flush();
    await deleteRun(await db, 's1-run-1');
    send({ type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'done' });
    await recorder.flush();
    expect((await listRuns(await db)).map((e) => e.id)).toEqual(['s1-run-2']);
    recorder.stop();
  });

  it('a write refused for quota is reported by name, the saved record stays, and it is tried again', async () => {
    const { db, hooks, recorder, start, send } = setUp(60_000);
    start('run-1');
    await recorder.flush();
    await withQuotaExceeded('runs', async () => {
      send({ type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'done' });
      await recorder.flush();
    });
    expect(hooks.failed).toHaveBeenCalledTimes(1);
    expect(hooks.failed.mock.calls[0][0]).toMatchObject({ name: 'HistoryWriteError', quota: true, message: expect.stringContaining('QuotaExceededError') });
    expect((await getRun(await db, 's1-run-1'))?.record).toMatchObject({ state: 'starting' });
    await recorder.flush(); // the retry, with room again
    expect((await getRun(await db, 's1-run-1'))?.record).toMatchObject({ state: 'done' });
    expect(hooks.failed).toHaveBeenCalledTimes(1);
    // A first write refused: the entry is added by the retry.
    await withQuotaExceeded('runs', async () => {
      start('run-2');
      await recorder.flush();
    });
    expect(await getRun(await db, 's1-run-2')).toBeUndefined();
    await recorder.flush();
    expect(await getRun(await db, 's1-run-2')).toMatchObject({ name: expect.stringContaining('pretrain'), record: { runId: 'run-2' } });
    recorder.stop();
  });

  it('names runs by kind, method or preset and sizes; the quota verdict warns from 80 %', () => {
    const s = runCreated(initialRuns, 'run-9', { kind: 'distill', recipe: { method: 'match', steps: 10 } as never, corpus: { kind: 'url', url: 'x', name: 'x' } });
    expect(defaultRunName(s.runs!['run-9'])).toBe('distill · match · 2×128, vocab 4,000 · 10 steps · seed 42');
    expect(storageVerdict(50 * 2 ** 20, 100 * 2 ** 20)).toEqual({ text: '50 MB used of 100 MB (50.0 %)', near: false });
    expect(storageVerdict(85 * 2 ** 20, 100 * 2 ** 20).near).toBe(true);
  });
});
