// The worker's disagreement requests (requests.ts) on CPU in Node, through handleRequest with a real worker state: a
// kept snapshot answers disagreement-result / aligned-fill-mask-result (plain numbers and strings only); a missing
// snapshot, another run's, or a replaced teacher is a named SnapshotError; only these two request types go to a
// running distillation's step lane.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../models/config.ts';
import { createMlm, type MlmModel } from '../models/mlm.ts';
import { bertTokenizer, SPECIALS } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import { alignedContext } from '../distill/disagreement.ts';
import { createSnapshotStore } from '../distill/snapshots.ts';
import { handleRequest, runsBetweenSteps } from './requests.ts';
import { createWorkerState, type WorkerState } from './workerState.ts';
import type { WorkerReply, WorkerRequest } from './protocol.ts';

const tok = (entries: string[]) => bertTokenizer(new WordPieceModel([...SPECIALS, ...entries]), DEFAULT_NORMALIZER);
const tt = tok(['the', 'white', 'whale', 'swims', '.']);
const st = tok(['the', 'wh', '##ite', '##ale', 'sw', '##ims', '.']);
const TEXT = 'the white whale swims.';
let teacher: MlmModel;
let student: MlmModel;
let state: WorkerState;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const cfg = (V: number) => makeConfig({ vocabSize: V, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 16 });
  teacher = createMlm(cfg(tt.vocabSize), 1);
  student = createMlm(cfg(st.vocabSize), 2);
  state = createWorkerState();
  state.teacher = { config: teacher.config, model: teacher, tokenizer: tt, warnings: [], name: 'tiny' };
});
afterAll(() => { state.snapshots?.store.dispose(); teacher.dispose(); student.dispose(); });

async function ask(msg: WorkerRequest): Promise<WorkerReply> {
  const replies: WorkerReply[] = [];
  await handleRequest(state, msg, (m) => replies.push(m));
  expect(replies).toHaveLength(1);
  return replies[0];
}
const heat = (runId: string, step: number): WorkerRequest => ({ type: 'disagreement', requestId: 'r1', runId, step, text: TEXT });

describe('disagreement requests in the worker', () => {
  it('no snapshots yet: a SnapshotError that says when they are taken', async () => {
    expect(await ask(heat('run-1', 5))).toMatchObject({ type: 'request-error', requestId: 'r1', code: 'SnapshotError', message: expect.stringContaining('evaluation points') });
  });

  it('a kept snapshot answers both requests; other steps, other runs and a replaced teacher are named', async () => {
    const store = createSnapshotStore(2);
    store.take(5, student);
    const context = alignedContext({ studentTokenizer: st, sigma: null, glmd: null, data: {} }, teacher, tt, { method: 'reduce', reduceGroup: 'sum', reduceMapScore: 'logsumexp', matchWordBounded: false });
    state.snapshots = { runId: 'run-1', store, context };
    const before = tf.memory().numTensors;

    const r = await ask(heat('run-1', 5));
    expect(r.type).toBe('disagreement-result');
    if (r.type !== 'disagreement-result') return;
    expect(r).toMatchObject({ runId: 'run-1', step: 5, text: TEXT });
    expect(r.result.tokens.map((t) => t.token)).toEqual(tt.encode(TEXT).tokens);
    expect(r.result.tokens.every((t) => typeof t.kl === 'number' && Number.isFinite(t.kl))).toBe(true);
    expect(() => structuredClone(r)).not.toThrow(); // plain data: it crosses postMessage

    const p = await ask({ type: 'aligned-fill-mask', requestId: 'r2', runId: 'run-1', step: 5, text: TEXT, start: 4, end: 9, top: 3 });
    expect(p.type).toBe('aligned-fill-mask-result');
    if (p.type === 'aligned-fill-mask-result') {
      expect(p.result.teacher.masked.map((m) => m.token)).toEqual(['white']);
      expect(p.result.student.masked.map((m) => m.token)).toEqual(['wh', '##ite']);
      expect(p.result.student.candidates).toHaveLength(3);
    }
    expect(tf.memory().numTensors).toBe(before);

    expect(await ask(heat('run-1', 6))).toMatchObject({ code: 'SnapshotError', message: expect.stringContaining('kept: 5') });
    expect(await ask(heat('run-0', 5))).toMatchObject({ code: 'SnapshotError', message: expect.stringContaining('latest distillation only (run-1)') });
    const other = createMlm(teacher.config, 9);
    state.teacher = { ...state.teacher!, model: other };
    expect(await ask(heat('run-1', 5))).toMatchObject({ code: 'SnapshotError', message: expect.stringContaining('teacher was replaced') });
    state.teacher = { ...state.teacher!, model: teacher };
    other.dispose();
    expect(await ask({ type: 'aligned-fill-mask', requestId: 'r3', runId: 'run-1', step: 5, text: TEXT, start: 5, end: 6, top: 0 })).toMatchObject({ type: 'request-error', code: 'DisagreementError' });
  });

  it('only the snapshot requests run at a distillation’s step boundaries', () => {
    expect(runsBetweenSteps('disagreement')).toBe(true);
    expect(runsBetweenSteps('aligned-fill-mask')).toBe(true);
    for (const t of ['model-load', 'fill-mask', 'model-export', 'distill-probe', 'teacher-embeddings'] as const) expect(runsBetweenSteps(t)).toBe(false);
  });
});
