import { describe, expect, it } from 'vitest';
import { betterOf, formatValue, runFacts, runSeries, standings } from './metrics.ts';

const pt = (step: number, extra: Record<string, number>) => ({ step, loss: 9, lr: 1e-3, ...extra });
const distill = (method: string, acc: number, evalLoss: number, bench?: object) => ({
  kind: 'distill', state: 'done', outcome: 'done',
  recipe: { method, steps: 2, student: { numLayers: 2, hiddenSize: 128, vocabSize: 4000 } },
  info: { studentParams: 946208, studentVocab: 4000 },
  points: [pt(1, { mlm: 7, kl: 3 }), pt(2, { mlm: 6, kl: 2, evalWordAcc: acc, evalLoss })],
  bench,
});
const pretrain = { kind: 'pretrain', state: 'done', config: { preset: 'micro', steps: 2 }, info: { params: 1000, vocabSize: 500 }, points: [pt(1, { valLoss: 6.5, valAccuracy: 0.1 }), pt(2, {})] };

describe('history metrics', () => {
  it('reads the comparable series of both kinds: a pretraining loss is its MLM term', () => {
    expect(runSeries(pretrain).map((s) => [s.id, s.points.length])).toEqual([['heldout-loss', 1], ['heldout-token-acc', 1], ['mlm', 2]]);
    expect(runSeries(pretrain).find((s) => s.id === 'mlm')!.points).toEqual([{ step: 1, value: 9 }, { step: 2, value: 9 }]);
    expect(runSeries(distill('reduce', 0.2, 6.8)).map((s) => s.id)).toEqual(['heldout-word-acc', 'heldout-loss', 'mlm', 'kl']);
  });

  it('reads benchmark series generically, labelled by the reference', () => {
    const bench = { reference: { metrics: [{ key: 'task.en-pos.accuracy', label: 'accuracy', group: 'en-pos' }] }, points: [{ step: 2, scores: { 'task.en-pos.accuracy': 0.86, 'intrinsic.unkRate': 0.01 } }, { step: 3, scores: {} }] };
    const s = runSeries(distill('reduce', 0.2, 6.8, bench)).filter((x) => x.id.startsWith('bench:'));
    expect(s).toEqual([
      { id: 'bench:task.en-pos.accuracy', label: 'benchmark en-pos: accuracy', better: 'higher', points: [{ step: 2, value: 0.86 }] },
      { id: 'bench:intrinsic.unkRate', label: 'benchmark intrinsic.unkRate', better: 'lower', points: [{ step: 2, value: 0.01 }] },
    ]);
  });

  it('ranks the runs per quantity (higher accuracy, lower loss wins), only where two or more have it', () => {
    const st = standings([distill('reduce', 0.196, 6.8), distill('match', 0.192, 7.2), pretrain]);
    const acc = st.find((s) => s.id === 'heldout-word-acc')!;
    expect(acc.ranking).toEqual([{ index: 0, value: 0.196 }, { index: 1, value: 0.192 }]);
    expect(st.find((s) => s.id === 'heldout-loss')!.ranking.map((r) => r.index), 'pretrain 6.5 < reduce 6.8 < match 7.2').toEqual([2, 0, 1]);
    expect(st.some((s) => s.id === 'heldout-token-acc')).toBe(false);
    expect(betterOf('intrinsic.pllWord')).toBe('higher');
    expect(betterOf('intrinsic.fertility')).toBe('lower');
  });

  it('formats shares in % and states the facts of old and new records alike', () => {
    expect(formatValue('heldout-word-acc', 0.1963)).toBe('19.6 %');
    expect(formatValue('heldout-loss', 6.8)).toBe('6.800');
    expect(formatValue('mlm', null)).toBe('–');
    expect(runFacts(distill('match', 0.2, 7))).toEqual({ method: 'match', sizes: '2×128, vocab 4,000, 946,208 params', steps: '2 / 2', state: 'done' });
    expect(runFacts(pretrain)).toEqual({ method: 'MLM pretraining', sizes: 'micro, vocab 500, 1,000 params', steps: '2 / 2', state: 'done' });
    expect(runFacts({})).toMatchObject({ method: 'invalid recipe', steps: '0 / –' });
  });
});
