// The results table and the report (report.ts, issue 13 item 7), on run records built through the store's own reducers
// (runCreated, runMessage): the teacher's row is its reference, a student's row is its last scored point (a point the
// time cap skipped is passed over), the baseline is the latest ended MLM-only run of the same shape, compression is
// teacher / student parameters, and the CSV joins the benchmark scores to the logged steps.
import { describe, expect, it } from 'vitest';
import { defaultRecipe } from '../distill/recipe.ts';
import type { Method } from '../distill/types.ts';
import type { DistillInfo } from '../distill/run.ts';
import type { BenchPoint, BenchReference } from '../eval/live.ts';
import { initialRuns, runCreated, runMessage, type DistillRun, type RunsState } from '../store/runs.ts';
import { baselineOf, lastScored, metricsCsv, metricsJson, resultsTable } from './report.ts';

const REF: BenchReference = {
  metrics: [
    { key: 'intrinsic.wordAcc', label: 'masked-word accuracy', group: 'held-out words', chart: true, teacher: 0.4, floor: null },
    { key: 'task.en-pos.accuracy', label: 'en-pos: accuracy', group: 'en-pos', chart: true, teacher: 0.86, floor: 0.24 },
  ],
  teacherSeconds: 12, tasks: [], warnings: [],
};
const point = (step: number, acc: number, skipped = false): BenchPoint => ({
  step, scores: skipped ? {} : { 'intrinsic.wordAcc': acc, 'task.en-pos.accuracy': acc + 0.3 }, seconds: 1, evalSeconds: step / 10, runSeconds: step, share: 0.1, maxShare: 0.25,
  ...(skipped ? { skipped: 'skipped: cap' } : {}),
});
const info = (studentParams: number): DistillInfo => ({ teacherParams: 3_600_000, studentParams } as DistillInfo);

function session(runs: { id: string; method: Method; hidden?: number; points: BenchPoint[]; params: number; done?: boolean }[]): { state: RunsState; list: DistillRun[] } {
  let s: RunsState = initialRuns;
  const apply = (p: Partial<RunsState>) => { s = { ...s, ...p }; };
  for (const r of runs) {
    const recipe = { ...defaultRecipe(r.method), student: { ...defaultRecipe(r.method).student, hiddenSize: r.hidden ?? 128 } };
    apply(runCreated(s, r.id, { kind: 'distill', recipe, corpus: { kind: 'url', url: 'x', name: 'x' } }));
    apply(runMessage(s, { type: 'run-info', runId: r.id, kind: 'distill', info: { ...info(r.params), studentVocab: 4000 } as DistillInfo }));
    apply(runMessage(s, { type: 'run-bench-reference', runId: r.id, kind: 'distill', reference: REF }));
    for (const p of r.points) apply(runMessage(s, { type: 'run-bench', runId: r.id, kind: 'distill', point: p }));
    apply(runMessage(s, { type: 'run-points', runId: r.id, kind: 'distill', points: [{ step: 5, loss: 8, lr: 1e-4, gradNorm: 1, msPerStep: 10, tokensPerSec: 100, elapsedMs: 50, kl: 3 }, { step: 10, loss: 7, lr: 1e-4, gradNorm: 1, msPerStep: 10, tokensPerSec: 100, elapsedMs: 100, evalWordAcc: 0.2 }] as never }));
    if (r.done !== false) apply(runMessage(s, { type: 'run-done', runId: r.id, kind: 'distill', outcome: 'done', summary: null as never }));
  }
  return { state: s, list: s.runOrder.map((id) => s.runs[id] as DistillRun) };
}

describe('the store keeps a run\'s benchmark reference and points', () => {
  it('run-bench-reference once, run-bench appended in order', () => {
    const { list } = session([{ id: 'run-1', method: 'reduce', params: 900_000, points: [point(5, 0.1), point(10, 0.2)] }]);
    expect(list[0].bench.reference).toEqual(REF);
    expect(list[0].bench.points.map((p) => p.step)).toEqual([5, 10]);
  });
});

describe('resultsTable', () => {
  it('teacher / student / baseline rows with parameters, compression and the last scored point', () => {
    const { list } = session([
      { id: 'run-1', method: 'mlm-only', params: 900_000, points: [point(5, 0.05), point(10, 0.08)] },
      { id: 'run-2', method: 'reduce', params: 900_000, points: [point(5, 0.1), point(8, 0, true), point(10, 0.15)] },
    ]);
    const t = resultsTable(list[1], list);
    expect(t.rows.map((r) => r.who)).toEqual(['teacher', 'student', 'baseline']);
    expect(t.rows[0]).toMatchObject({ params: 3_600_000, compression: 1, scores: { 'intrinsic.wordAcc': 0.4, 'task.en-pos.accuracy': 0.86 } });
    expect(t.rows[1]).toMatchObject({ runId: 'run-2', params: 900_000, compression: 4, step: 10, heldOutWordAcc: 0.2, scores: { 'intrinsic.wordAcc': 0.15 } });
    expect(t.rows[1].scores['task.en-pos.accuracy']).toBeCloseTo(0.45, 12);
    expect(t.rows[2]).toMatchObject({ runId: 'run-1', method: 'mlm-only', step: 10, scores: { 'intrinsic.wordAcc': 0.08 } });
  });

  it('a skipped last point falls back to the last scored one; no baseline of another shape, none for a baseline itself', () => {
    const { list } = session([
      { id: 'run-1', method: 'mlm-only', hidden: 64, params: 500_000, points: [point(10, 0.05)] },
      { id: 'run-2', method: 'match', params: 900_000, points: [point(5, 0.1), point(10, 0, true)] },
    ]);
    expect(lastScored(list[1])!.step).toBe(5);
    expect(baselineOf(list[1], list)).toBeNull(); // run-1's student is 2 × 64, run-2's 2 × 128
    expect(baselineOf(list[0], list)).toBeNull();
    expect(resultsTable(list[1], list).rows.map((r) => r.who)).toEqual(['teacher', 'student']);
  });

  it('a baseline still running is not set beside the student', () => {
    const { list } = session([
      { id: 'run-1', method: 'reduce', params: 900_000, points: [point(10, 0.1)] },
      { id: 'run-2', method: 'mlm-only', params: 900_000, points: [point(5, 0.05)], done: false },
    ]);
    expect(baselineOf(list[0], list)).toBeNull();
  });
});

describe('the report', () => {
  it('metrics CSV: one row per step, training fields then benchmark scores at their steps', () => {
    const { list } = session([{ id: 'run-1', method: 'reduce', params: 900_000, points: [point(10, 0.1)] }]);
    const [header, row5, row10, ...rest] = metricsCsv(list[0]).trim().split('\n');
    expect(header).toBe('step,loss,lr,gradNorm,msPerStep,tokensPerSec,elapsedMs,kl,evalWordAcc,intrinsic.wordAcc,task.en-pos.accuracy');
    expect(row5).toBe('5,8,0.0001,1,10,100,50,3,,,');
    expect(row10).toBe('10,7,0.0001,1,10,100,100,,0.2,0.1,0.4');
    expect(rest).toEqual([]);
  });

  it('metrics JSON carries the recipe, the points, the benchmark series and the results table', () => {
    const { list } = session([{ id: 'run-1', method: 'reduce', params: 900_000, points: [point(10, 0.1)] }]);
    const j = JSON.parse(metricsJson(list[0], list));
    expect(j.recipe.method).toBe('reduce');
    expect(j.bench.points).toHaveLength(1);
    expect(j.results.rows.map((r: { who: string }) => r.who)).toEqual(['teacher', 'student']);
  });
});
