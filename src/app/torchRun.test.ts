// A PyTorch trainer's run as a history record (torchRun.ts): the points of its metrics.jsonl in order, the method from
// the bundle's recipe.json, the processes and device from summary.json; bad files are named with the line.
import { describe, expect, it } from 'vitest';
import { defaultRecipe } from '../distill/recipe.ts';
import { torchRunRecord, TorchRunError } from './torchRun.ts';

const line = (step: number, loss: number) => JSON.stringify({ step, loss, lr: 1e-3, gradNorm: 1, msPerStep: 900, tokensPerSec: 1000, elapsedMs: step * 900, kl: loss / 2, mlm: loss / 4 });
const metrics = { name: 'run/metrics.jsonl', text: [line(10, 8), line(20, 7.5), ''].join('\n') };

describe('torchRunRecord', () => {
  it('points, recipe and summary become a finished distillation record the history and the comparison read', () => {
    const r = torchRunRecord([metrics, { name: 'summary.json', text: '{"world": 2, "device": "cpu"}' }, { name: 'recipe.json', text: JSON.stringify(defaultRecipe('match')) }]);
    expect(r).toMatchObject({ kind: 'distill', state: 'done', outcome: 'done', message: 'PyTorch trainer (2 process(es), cpu)' });
    expect(r.points.map((p) => [p.step, p.loss, p.kl])).toEqual([[10, 8, 4], [20, 7.5, 3.75]]);
    expect(r.recipe?.method).toBe('match');
    expect(torchRunRecord([metrics]).recipe).toBeNull();
  });

  it('a missing metrics file, a bad line, a point without a loss and a bad recipe are named', () => {
    expect(() => torchRunRecord([{ name: 'summary.json', text: '{}' }])).toThrow("give the run's metrics.jsonl (files given: summary.json)");
    expect(() => torchRunRecord([{ name: 'metrics.jsonl', text: `${line(1, 2)}\n{oops` }])).toThrow('metrics.jsonl:2: not a JSON line');
    expect(() => torchRunRecord([{ name: 'metrics.jsonl', text: '{"step": 1}' }])).toThrow('metrics.jsonl:1: a metrics line needs a numeric step and loss');
    expect(() => torchRunRecord([{ name: 'metrics.jsonl', text: '\n' }])).toThrow(TorchRunError);
    expect(() => torchRunRecord([metrics, { name: 'recipe.json', text: '{"method": "nope"}' }])).toThrow(/^recipe\.json: method must be one of/);
  });
});
