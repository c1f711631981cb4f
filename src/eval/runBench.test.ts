// A run's live benchmark scores (runBench.ts) with the worker's task locator (worker/bench.ts): tasks are read before
// the run (a task the page did not give is a named TaskError), the reference goes out once before the first point, a stop is quiet, a
// scoring failure is one warning and ends the scoring (never the run), and nothing is scored without a benchmark.
// (The share cap and the always-scored last point: src/eval/live.test.ts.)
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../models/config.ts';
import { createMlm } from '../models/mlm.ts';
import { bertTokenizer } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import { createRunControl } from '../train/loop.ts';
import { defaultRecipe } from '../distill/recipe.ts';
import type { BenchPoint, BenchReference } from '../eval/live.ts';
import { createRunBench } from './runBench.ts';
import { taskLocator, teacherCache } from '../worker/bench.ts';
import type { TaskSource } from '../worker/protocol.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'ran', '.'];
const TOK = bertTokenizer(new WordPieceModel(VOCAB), DEFAULT_NORMALIZER);
const model = () => createMlm(makeConfig({ vocabSize: VOCAB.length, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 64 }), 1);
const TEXTS = Array.from({ length: 40 }, (_, i) => (i % 2 ? 'the cat sat on the mat .' : 'a dog ran on a mat .'));
const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
const SOURCE: TaskSource = {
  id: 'mine', kind: 'files', file: 'task.json',
  files: {
    'task.json': JSON.stringify({ name: 'mine', kind: 'sequence', format: 'csv', train: 'tr.csv', test: 'te.csv', text: 'text', label: 'y' }),
    'tr.csv': 'text,y\n' + rows(12, (i) => (i % 2 ? 'the cat sat,c' : 'a dog ran,d')),
    'te.csv': 'text,y\n' + rows(4, (i) => (i % 2 ? 'the cat,c' : 'a dog,d')),
  },
};

function setup(tasks: string[], sources: TaskSource[] = [SOURCE], steps = 10) {
  const teacher = { model: model(), tokenizer: TOK };
  const control = createRunControl();
  const out = { refs: [] as BenchReference[], points: [] as BenchPoint[], warnings: [] as string[] };
  const recipe = { ...defaultRecipe('reduce'), steps, benchmarks: { ...defaultRecipe('reduce').benchmarks, tasks, maxShare: 0.9 } };
  const make = () => createRunBench({
    recipe, texts: TEXTS, teacher, cache: teacherCache(teacher.model), corpusKey: 'c', locate: taskLocator(sources), control, startedAt: performance.now() - 1e9,
    hooks: { reference: (r) => out.refs.push(r), point: (p) => out.points.push(p), warning: (w) => out.warnings.push(w) },
  });
  return { teacher, control, out, make };
}

describe('createRunBench', () => {
  it('a task the page did not give is a named TaskError before the run trains', async () => {
    await expect(setup(['en-nope']).make()).rejects.toThrow(/TaskError|benchmarks.tasks: "en-nope" is neither an embedded task nor a task file given to the page/);
  });

  it('no intrinsic and no task: nothing to score', async () => {
    const s = setup([]);
    const r = await createRunBench({ recipe: { ...defaultRecipe('reduce'), benchmarks: { ...defaultRecipe('reduce').benchmarks, intrinsic: false } }, texts: TEXTS, teacher: s.teacher, cache: new Map(), corpusKey: 'c', locate: taskLocator([]), control: s.control, startedAt: 0, hooks: { reference() {}, point() {}, warning() {} } });
    expect(r).toBeNull();
  });

  it('the reference once, then a point per evaluation with the intrinsic and task scores', async () => {
    const s = setup(['mine']);
    const bench = (await s.make())!;
    const student = model();
    await bench.evaluated(5, student); // before the tokenizer is known: nothing
    expect(s.out.points).toEqual([]);
    bench.prepared(TOK);
    await bench.evaluated(5, student);
    await bench.evaluated(10, student);
    expect(s.out.refs).toHaveLength(1);
    expect(s.out.refs[0].metrics.map((m) => m.key)).toContain('task.mine.accuracy');
    expect(s.out.points.map((p) => p.step)).toEqual([5, 10]);
    expect(Object.keys(s.out.points[1].scores)).toEqual(expect.arrayContaining(['intrinsic.wordAcc', 'intrinsic.agreement', 'task.mine.accuracy', 'task.mine.macroF1']));
    expect(s.out.warnings).toEqual([]);
    expect(teacherCache(s.teacher.model).size).toBe(2); // the teacher's intrinsic and task scores, kept for the next run
    expect(teacherCache(model())).not.toBe(teacherCache(s.teacher.model));
  });

  it('a stop is quiet; a failure is one warning and ends the scoring', async () => {
    const s = setup(['mine']);
    const bench = (await s.make())!;
    bench.prepared(TOK);
    const broken = { ...model(), config: { ...model().config, hiddenSize: 999 } }; // features of the wrong width
    await bench.evaluated(5, broken as never);
    expect(s.out.warnings).toHaveLength(1);
    expect(s.out.warnings[0]).toMatch(/^benchmark scores stopped at step 5: /);
    await bench.evaluated(10, model());
    expect(s.out.points).toEqual([]); // ended
    const q = setup(['mine']);
    const b2 = (await q.make())!;
    b2.prepared(TOK);
    q.control.stop();
    await b2.evaluated(5, model());
    expect(q.out.warnings).toEqual([]);
    expect(q.out.points).toEqual([]);
  });
});
