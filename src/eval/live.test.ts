// Live benchmark scores (live.ts, issue 13 item 5): the teacher's reference equals the scorers called directly and is
// computed once per cache; a student point's scores equal the scorers' on that student (agreement against itself is
// 1); the share cap skips an intermediate point and never the last one; no tensor leaks; tasks load through the
// host's reader with paths relative to the task file.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../models/config.ts';
import { createMlm } from '../models/mlm.ts';
import { bertTokenizer } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import { createRng } from '../data/rng.ts';
import { defaultRecipe } from '../distill/recipe.ts';
import { createLiveBench, loadBenchTasks, taskKey, type BenchTask } from './live.ts';
import { planIntrinsic, scoreIntrinsic } from './intrinsic.ts';
import { prepareTask, scoreTask } from './probe.ts';
import type { TextExample } from './tasks.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'ran', 'ship', '##s', '.'];
const TOK = bertTokenizer(new WordPieceModel(VOCAB), DEFAULT_NORMALIZER);
const STUDENT_TOK = bertTokenizer(new WordPieceModel(VOCAB.slice(0, 14)), DEFAULT_NORMALIZER);
const cfg = (v: number) => makeConfig({ vocabSize: v, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 64, typeVocabSize: 2 });
const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'ran'];

function examples(n: number, seed: number): TextExample[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const w = Array.from({ length: 3 + rng.int(4) }, () => WORDS[rng.int(WORDS.length)]);
    if (i % 3 === 0) w[rng.int(w.length)] = 'ship';
    return { texts: [w.join(' ')], label: i % 3 === 0 ? 'yes' : 'no' };
  });
}

const TASK: BenchTask = {
  id: 'ships',
  data: {
    spec: { name: 'ships', kind: 'sequence', format: 'jsonl', train: 'train.jsonl', test: 'test.jsonl', text: 'text', label: 'label' },
    train: { kind: 'sequence', file: 'train.jsonl', examples: examples(30, 1) },
    test: { kind: 'sequence', file: 'test.jsonl', examples: examples(12, 2) },
  },
};
const HELDOUT = ['the cat sat on the mat .', 'a dog ran on the ship .', 'the ships ran .', 'a cat sat .'];
const SPEC = { ...defaultRecipe('reduce').benchmarks, tasks: ['ships'], maxShare: 0.5 };

describe('createLiveBench', () => {
  it('the reference is the teacher scored by the scorers themselves, with the majority class as the floor; kept in the cache', async () => {
    const teacher = { model: createMlm(cfg(VOCAB.length), 1), tokenizer: TOK };
    const cache = new Map<string, unknown>();
    const ref = await createLiveBench({ spec: SPEC, tasks: [TASK], heldout: HELDOUT, teacher, cache, cacheKey: 't1' }).reference();
    const direct = await scoreIntrinsic(teacher.model, TOK, planIntrinsic(HELDOUT, { seed: 1, maxTexts: SPEC.maxTexts }));
    const task = await scoreTask(teacher.model, prepareTask(TOK, teacher.model.config, TASK.data, { maxTrain: 300, maxTest: 150 }), { seed: 1 });
    const byKey = Object.fromEntries(ref.metrics.map((m) => [m.key, m]));
    expect(byKey['intrinsic.wordAcc'].teacher).toBe(direct.wordAcc);
    expect(byKey['intrinsic.pll'].teacher).toBe(direct.pll.meanLogProb);
    expect(byKey['intrinsic.agreement'].teacher).toBeNull();
    expect(byKey['task.ships.accuracy']).toMatchObject({ teacher: task.accuracy, floor: task.majorityAccuracy, chart: true, group: 'ships' });
    expect(byKey['task.ships.macroF1']).toMatchObject({ teacher: task.macroF1, floor: task.majorityMacroF1 });
    expect(task.majorityAccuracy).toBeCloseTo(8 / 12, 10); // "no" is the training majority: 8 of the 12 test examples
    expect(ref.teacherSeconds).toBeGreaterThan(0);
    expect(ref.tasks).toEqual([{ id: 'ships', name: 'ships', kind: 'sequence', train: 30, test: 12, labels: 2 }]);

    const again = await createLiveBench({ spec: SPEC, tasks: [TASK], heldout: HELDOUT, teacher, cache, cacheKey: 't1' }).reference();
    expect(again.teacherSeconds).toBe(0); // scored once: the second run reads the cache
    expect(again.metrics).toEqual(ref.metrics);
    const other = await createLiveBench({ spec: SPEC, tasks: [TASK], heldout: HELDOUT, teacher, cache, cacheKey: 't2' }).reference();
    expect(other.teacherSeconds).toBeGreaterThan(0); // another teacher or corpus is scored again
    teacher.model.dispose();
  });

  it('a point scores the student with its own tokenizer; the teacher as its own student agrees with itself', async () => {
    const teacher = { model: createMlm(cfg(VOCAB.length), 1), tokenizer: TOK };
    const student = createMlm(cfg(14), 2);
    const bench = createLiveBench({ spec: SPEC, tasks: [TASK], heldout: HELDOUT, teacher });
    const before = tf.memory().numTensors;
    const p = await bench.point(10, student, STUDENT_TOK, { runMs: 1e9, final: false });
    expect(tf.memory().numTensors).toBe(before);
    const direct = await scoreIntrinsic(student, STUDENT_TOK, planIntrinsic(HELDOUT, { seed: 1, maxTexts: SPEC.maxTexts }));
    expect(p.scores['intrinsic.wordAcc']).toBe(direct.wordAcc);
    expect(p.scores['intrinsic.unkRate']).toBe(direct.unkRate);
    expect(p.scores['intrinsic.unkRate']).toBeGreaterThan(0); // "ships": the student's 14 tokens have no ##s
    expect(p.scores['task.ships.accuracy']).toBeGreaterThanOrEqual(0);
    expect(p.skipped).toBeUndefined();
    expect(p.step).toBe(10);

    const self = await createLiveBench({ spec: SPEC, tasks: [], heldout: HELDOUT, teacher }).point(1, teacher.model, TOK, { runMs: 1e9, final: false });
    expect(self.scores['intrinsic.agreement']).toBe(1);
    teacher.model.dispose();
    student.dispose();
  });

  it('the share cap: an intermediate point that would pass it is skipped and says so; the last point is always scored', async () => {
    const teacher = { model: createMlm(cfg(VOCAB.length), 1), tokenizer: TOK };
    const bench = createLiveBench({ spec: { ...SPEC, tasks: [] }, tasks: [], heldout: HELDOUT, teacher });
    const first = await bench.point(5, teacher.model, TOK, { runMs: 1e9, final: false });
    expect(first.skipped).toBeUndefined();
    // A run that so far spent all its time scoring: the next intermediate point would pass the 50 % cap.
    const skipped = await bench.point(10, teacher.model, TOK, { runMs: 0, final: false });
    expect(skipped.scores).toEqual({});
    expect(skipped.skipped).toMatch(/above the cap of 50 %/);
    expect(skipped.maxShare).toBe(0.5);
    const last = await bench.point(15, teacher.model, TOK, { runMs: 0, final: true });
    expect(last.skipped).toBeUndefined();
    expect(last.scores['intrinsic.wordAcc']).toBe(first.scores['intrinsic.wordAcc']);
    expect(last.evalSeconds).toBeGreaterThan(first.evalSeconds);
    expect(last.share).toBeGreaterThan(0);
    teacher.model.dispose();
  });

  it('without held-out text there are no intrinsic scores, and the reference says why', async () => {
    const teacher = { model: createMlm(cfg(VOCAB.length), 1), tokenizer: TOK };
    const ref = await createLiveBench({ spec: SPEC, tasks: [], heldout: [], teacher }).reference();
    expect(ref.metrics).toEqual([]);
    expect(ref.warnings[0]).toMatch(/no held-out text/);
    teacher.model.dispose();
  });
});

describe('loadBenchTasks', () => {
  it('reads each task file and its splits through the host, paths relative to the task file', async () => {
    const files: Record<string, string> = {
      '/tasks/t/task.json': JSON.stringify({ name: 'tiny', kind: 'sequence', format: 'jsonl', train: 'a.jsonl', test: 'b.jsonl', text: 'text', label: 'y' }),
      '/tasks/t/a.jsonl': '{"text": "the cat", "y": "A"}\n{"text": "a dog", "y": "B"}\n',
      '/tasks/t/b.jsonl': '{"text": "the dog", "y": "B"}\n',
    };
    const read = (p: string) => {
      if (!(p in files)) throw new Error(`no file ${p}`);
      return files[p];
    };
    const [t] = await loadBenchTasks(['tiny'], () => ({ file: '/tasks/t/task.json', read }));
    expect(t.id).toBe('tiny');
    expect(t.data.train.kind === 'sequence' && t.data.train.examples.map((e) => e.label)).toEqual(['A', 'B']);
    await expect(loadBenchTasks(['x'], () => ({ file: '/tasks/t/missing.json', read }))).rejects.toThrow('no file /tasks/t/missing.json');
  });
});

describe('warnings beside the scores', () => {
  it("a task the student's tokenizer mostly maps to [UNK], and heavy imbalance, are reported once", async () => {
    const teacher = { model: createMlm(cfg(VOCAB.length), 1), tokenizer: TOK };
    const ships = (n: number): TextExample[] => Array.from({ length: n }, (_, i) => ({ texts: ['ships ships ships'], label: i < n - 1 ? 'yes' : 'no' }));
    const task: BenchTask = { id: 'unk', data: { ...TASK.data, train: { kind: 'sequence', file: 'a', examples: ships(20) }, test: { kind: 'sequence', file: 'b', examples: ships(5) } } };
    const bench = createLiveBench({ spec: { ...SPEC, intrinsic: false, tasks: ['unk'] }, tasks: [task], heldout: HELDOUT, teacher });
    const ref = await bench.reference();
    expect(ref.warnings.join('\n')).toMatch(/unk \(teacher\): .*majority/i);
    const p1 = await bench.point(1, createMlm(cfg(14), 2), STUDENT_TOK, { runMs: 1e9, final: false });
    expect(p1.warnings!.join('\n')).toMatch(/unk \(student\): .*\[UNK\]/);
    const p2 = await bench.point(2, createMlm(cfg(14), 2), STUDENT_TOK, { runMs: 1e9, final: false });
    expect(p2.warnings).toBeUndefined(); // said once
    teacher.model.dispose();
  });
});

describe('taskKey', () => {
  it("an embedded or page task keeps its id; a task-file path (CLI) is named by the file's own name", () => {
    expect(taskKey(TASK)).toBe('ships');
    expect(taskKey({ ...TASK, id: '/tmp/x/ud-gsd-upos.json' })).toBe('ships');
    expect(taskKey({ ...TASK, id: 'tasks\\mine.json' })).toBe('ships');
    expect(taskKey({ ...TASK, id: 'en-pos' })).toBe('en-pos');
  });
});
