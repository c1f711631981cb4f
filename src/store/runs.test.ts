// The runs store (src/store/runs.ts through the one store's actions, src/store/index.ts): runs of both kinds keyed by
// runId with a `kind`, one patchRun, one message handler; refusals and crashes; the distillation records keep the
// effective recipe (issue 19: a glmd / kd-full record never carries the student.vocabSize the method ignores; the
// reason names the real size once the run's info arrives).
import { beforeEach, describe, expect, it } from 'vitest';
import { actions, useWorkbench } from './index.ts';
import { heldOutWordAcc, initialRuns, latestRun, liveRun, patchRun, runMessage, runsOfKind, type DistillRun, type PretrainRun } from './runs.ts';
import type { DistillInfo, DistillSummary } from '../distill/run.ts';
import { defaultRecipe } from '../distill/recipe.ts';
import type { Method, Recipe } from '../distill/types.ts';
import { DEFAULT_RUN } from '../train/runConfig.ts';
import type { RunInfo } from '../train/mlmRun.ts';
import type { CorpusSource, RunMessage } from '../worker/protocol.ts';

const corpus: CorpusSource = { kind: 'url', url: 'corpus.txt', name: 'test corpus' };
const asked = (method: Method): Recipe => ({ ...defaultRecipe(method), student: { ...defaultRecipe(method).student, vocabSize: 4000 } });
const distillCreated = (runId: string, recipe: Recipe) => actions.runCreated(runId, { kind: 'distill', recipe, corpus });
const state = () => useWorkbench.getState();
const point = (step: number, extra: Record<string, number> = {}) => ({ step, loss: 5 - step / 10, lr: 1e-3, gradNorm: 1, msPerStep: 10, tokensPerSec: 100, elapsedMs: step * 10, ...extra });

beforeEach(() => actions.reset());

describe('distill run records', () => {
  it('hold the effective recipe: glmd without student.vocabSize, the reason updated by run-info; reduce keeps it', () => {
    distillCreated('g1', asked('glmd'));
    const created = (state().runs.g1 as DistillRun).recipe!;
    expect(created.method).toBe('glmd');
    expect(created.student).not.toHaveProperty('vocabSize');
    expect(created.ignored['student.vocabSize']).toMatch(/^glmd uses the teacher's most frequent K tokens/);
    actions.runMessage({ type: 'run-info', runId: 'g1', kind: 'distill', info: { method: 'glmd', studentVocab: 8064 } as DistillInfo });
    const run = state().runs.g1 as DistillRun;
    expect(run.info?.studentVocab).toBe(8064);
    expect(run.recipe!.student).not.toHaveProperty('vocabSize');
    expect(run.recipe!.ignored['student.vocabSize']).toContain('8,064');
    expect(JSON.stringify(run.recipe)).not.toMatch(/"vocabSize":4000/);

    distillCreated('r1', asked('reduce'));
    expect((state().runs.r1 as DistillRun).recipe!.student.vocabSize).toBe(4000);
    distillCreated('bad', { ...asked('reduce'), temperature: -1 });
    expect((state().runs.bad as DistillRun).recipe).toBeNull();
  });

  it('a recipe with the Tokenizers tab\'s student records student.vocabSize as ignored, naming the real size once known', () => {
    distillCreated('t1', { ...asked('match'), studentTokenizer: 'tokenizers-tab' });
    actions.runMessage({ type: 'run-info', runId: 't1', kind: 'distill', info: { method: 'match', studentVocab: 600 } as DistillInfo });
    const r = (state().runs.t1 as DistillRun).recipe!;
    expect(r.student.vocabSize).toBeUndefined();
    expect(r.ignored['student.vocabSize']).toContain('Tokenizers tab');
    expect(r.ignored['student.vocabSize']).toContain('600 tokens');
  });
});

describe('one runs store for both kinds', () => {
  it('keys runs of both kinds by runId in start order, with a kind; one message path fills either', () => {
    actions.runCreated('run-1', { kind: 'pretrain', config: DEFAULT_RUN, corpus });
    expect(state().activeRunId).toBe('run-1');
    const msgs: RunMessage[] = [
      { type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'running' },
      { type: 'run-info', runId: 'run-1', kind: 'pretrain', info: { params: 10, vocabSize: 600, trainTokens: 1, validationTokens: 1, batchSize: 2, seqLen: 8 } as RunInfo },
      { type: 'run-points', runId: 'run-1', kind: 'pretrain', points: [point(1), point(2)] },
      { type: 'run-points', runId: 'run-1', kind: 'pretrain', points: [point(3, { valLoss: 4 })] },
      { type: 'run-checkpoint', runId: 'run-1', kind: 'pretrain', step: 3 },
      { type: 'run-done', runId: 'run-1', kind: 'pretrain', outcome: 'done', summary: null },
      { type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'done' },
    ];
    msgs.forEach(actions.runMessage);
    const p = state().runs['run-1'] as PretrainRun;
    expect(p).toMatchObject({ kind: 'pretrain', state: 'done', outcome: 'done', checkpointStep: 3, tokenizer: 'train', error: null });
    expect(p.info?.vocabSize).toBe(600);
    expect(p.points.map((x) => x.step)).toEqual([1, 2, 3]);
    expect(p.points[2].valLoss).toBe(4);
    expect(state().activeRunId).toBeNull();

    distillCreated('run-2', asked('reduce'));
    const summary = { finalEval: { wordAcc: 0.25 } } as DistillSummary;
    ([
      { type: 'run-phase', runId: 'run-2', kind: 'distill', phase: 'σ', done: 1, total: 2 },
      { type: 'run-warning', runId: 'run-2', kind: 'distill', message: 'short corpus' },
      { type: 'run-points', runId: 'run-2', kind: 'distill', points: [point(1, { kl: 2, evalWordAcc: 0.1 })] },
      { type: 'run-done', runId: 'run-2', kind: 'distill', outcome: 'stopped', summary },
      { type: 'run-status', runId: 'run-2', kind: 'distill', state: 'stopped' },
    ] satisfies RunMessage[]).forEach(actions.runMessage);
    const d = state().runs['run-2'] as DistillRun;
    expect(d).toMatchObject({ kind: 'distill', state: 'stopped', outcome: 'stopped', phase: { phase: 'σ', done: 1, total: 2 }, warnings: ['short corpus'] });
    expect(d.points[0].kl).toBe(2);
    expect(heldOutWordAcc(d)).toBe(0.25);
    expect(state().runOrder).toEqual(['run-1', 'run-2']);
    expect(runsOfKind(state(), 'pretrain').map((r) => r.runId)).toEqual(['run-1']);
    expect(latestRun(state(), 'distill')?.runId).toBe('run-2');
    expect(latestRun(state(), 'pretrain')?.runId).toBe('run-1');
    expect(state().shown).toEqual({ 'run-1': true, 'run-2': true });
    actions.toggleShown('run-2');
    expect(state().shown['run-2']).toBe(false);
  });

  it('patchRun changes one record and nothing else; an unknown runId changes nothing', () => {
    let s = { ...initialRuns, ...runMessage(initialRuns, { type: 'run-status', runId: 'nope', kind: 'pretrain', state: 'done' }) };
    expect(s.runs).toEqual({});
    actions.runCreated('a', { kind: 'pretrain', config: DEFAULT_RUN, corpus, tokenizerJson: '{}' });
    distillCreated('b', asked('match'));
    s = state();
    const next = { ...s, ...patchRun(s, 'a', (r) => ({ message: `patched ${r.kind}` })) };
    expect(next.runs.a.message).toBe('patched pretrain');
    expect(next.runs.b).toBe(s.runs.b);
    expect((next.runs.a as PretrainRun).tokenizer).toBe('tokenizers-tab');
    expect(patchRun(s, 'zzz', () => ({ message: 'x' }))).toEqual({});
  });

  it('an error is recorded on its run (named); a worker rejection ends it naming the reason; a crash ends the active run', () => {
    actions.runCreated('run-1', { kind: 'pretrain', config: DEFAULT_RUN, corpus });
    actions.runMessage({ type: 'run-error', runId: 'run-1', kind: 'pretrain', code: 'RunConfigError', message: 'steps must be ≥ 1' });
    actions.runMessage({ type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'error', message: 'RunConfigError: steps must be ≥ 1' });
    expect(state().runs['run-1']).toMatchObject({ state: 'error', error: 'RunConfigError: steps must be ≥ 1' });
    expect(state().activeRunId).toBeNull();

    distillCreated('run-2', asked('reduce'));
    expect(liveRun(state())?.runId).toBe('run-2');
    actions.runMessage({ type: 'run-rejected', runId: 'run-2', kind: 'distill', reason: 'the pretrain run run-9 is active' });
    expect(state().runs['run-2']).toMatchObject({ state: 'error', error: 'rejected: the pretrain run run-9 is active' });
    expect(liveRun(state())).toBeNull();

    distillCreated('run-3', asked('reduce'));
    actions.workerCrashed('run-3', 'boom');
    expect(state().runs['run-3']).toMatchObject({ state: 'error', message: 'boom', error: 'the training worker crashed: boom' });
    expect(state().activeRunId).toBeNull();
    expect(state().errors).toEqual(['The training worker crashed: boom. The run can continue from its last checkpoint (Resume), or press Start to begin a new run.']);
  });

  it('a refused start creates no record and tells its tab (the reason names the active run); the next start of that kind clears it', () => {
    actions.runCreated('run-1', { kind: 'pretrain', config: DEFAULT_RUN, corpus });
    actions.runRefused('distill', 'the pretrain run run-1 is active: stop it or let it finish first (one run at a time)');
    expect(state().runOrder).toEqual(['run-1']);
    expect(state().tabErrors).toEqual({ pretrain: null, distill: 'refused: the pretrain run run-1 is active: stop it or let it finish first (one run at a time)' });
    actions.runMessage({ type: 'run-status', runId: 'run-1', kind: 'pretrain', state: 'stopped' });
    distillCreated('run-2', asked('reduce'));
    expect(state().tabErrors.distill).toBeNull();
  });
});
