// `vocabkd eval` end to end as a child process: a downstream task on the shipped teacher (one JSON object with the
// issue's fields), the [UNK] warning on a Russian task, intrinsic metrics with a teacher (a model agrees with
// itself), and the usage and task-file errors (exit 2, named).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorLines, vocabkd } from '../testing/cli.ts';

const TEACHER = 'public/models/teacher-en';

describe('vocabkd eval --task', () => {
  it('prints one JSON object with the scores, the majority baseline, labels and counts', async () => {
    const r = await vocabkd('eval', '--model', TEACHER, '--task', 'en-pos', '--max-train', '40', '--max-test', '20', '--seed', '2');
    expect(errorLines(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    for (const k of ['task', 'accuracy', 'macroF1', 'majorityAccuracy', 'labels', 'train', 'test', 'seconds', 'warnings', 'unseenTestLabels']) expect(o).toHaveProperty(k);
    expect(o.task).toBe('en-pos');
    expect(o.probe).toBe('linear');
    expect(o.seed).toBe(2);
    expect([o.trainSentences, o.testSentences]).toEqual([40, 20]);
    expect(o.train).toBeGreaterThan(400); // words
    expect(o.labels).toContain('NOUN');
    expect(o.accuracy).toBeGreaterThan(o.majorityAccuracy + 0.3);
  });

  it('warns when the tokenizer maps the task mostly to [UNK] (the English teacher on Russian pairs)', async () => {
    const r = await vocabkd('eval', '--model', TEACHER, '--task', 'src/testing/fixtures/ru/terra/task.json', '--max-train', '16', '--max-test', '8', '--steps', '10');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.kind).toBe('pair');
    expect([o.train, o.test]).toEqual([16, 8]);
    expect(o.unkRate).toBeGreaterThan(0.5);
    expect(o.warnings.join('\n')).toMatch(/mostly \[UNK\]/);
    expect(r.stderr).toMatch(/warning: mostly \[UNK\]/);
  });
});

describe('vocabkd eval --intrinsic', () => {
  it('scores the held-out lines; with --teacher the same model agrees with itself everywhere', async () => {
    const r = await vocabkd('eval', '--model', TEACHER, '--intrinsic', '--teacher', TEACHER, '--max-texts', '2', '--maskings', '2');
    expect(errorLines(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.lines).toBe('heldout');
    expect(o.texts).toBe(2);
    expect(o.maskedWords).toBeGreaterThan(0);
    expect(o.model.scoredWords).toBe(o.maskedWords);
    const all = await vocabkd('eval', '--model', TEACHER, '--intrinsic', '--max-len', '64', '--time-limit', '0.001');
    expect(JSON.parse(all.stdout).texts).toBe(26); // the embedded slice's held-out lines, no --max-texts
    expect(JSON.parse(all.stdout).model.complete).toBe(false);
    for (const k of ['wordAcc', 'pll', 'unkRate', 'fertility']) expect(o.model).toHaveProperty(k);
    expect(o.model.pll.pseudoPerplexity).toBeGreaterThan(1);
    expect(o.model).not.toHaveProperty('predictions');
    expect(o.agreement.agreement).toBe(1);
    expect(o.agreement.coverage).toBe(1);
    expect(o.teacher.wordAcc).toBe(o.model.wordAcc);
  });
});

describe('vocabkd eval errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vocabkd-eval-'));
  const task = (name: string, spec: object, files: Record<string, string>) => {
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(spec));
    return p;
  };

  it('usage errors exit 2 with a UsageError naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['eval', '--task', 'en-pos'], /eval needs --model DIR/],
      [['eval', '--model', TEACHER], /eval needs --task TASK\.json \(downstream\) or --intrinsic/],
      [['eval', '--model', TEACHER, '--task', 'en-pos', '--intrinsic'], /either --task or --intrinsic, not both/],
      [['eval', '--model', TEACHER, '--task', 'en-pos', '--probe', 'svm'], /--probe must be one of linear, finetune, got "svm"/],
      [['eval', '--model', TEACHER, '--task', 'nope.json'], /task file not found: nope\.json/],
      [['eval', '--model', 'no/such/dir', '--task', 'en-pos'], /model folder not found/],
      [['eval', '--model', TEACHER, '--intrinsic=yes'], /--intrinsic takes no value/],
      [['eval', '--model', TEACHER, '--intrinsic', '--corpus', 'missing.txt'], /corpus file not found: missing\.txt/],
    ];
    const results = await Promise.all(cases.map(([args]) => vocabkd(...args)));
    for (const [i, [args, re]] of cases.entries()) {
      const r = results[i];
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(errorLines(r.stderr)[0]).toMatch(/^error: UsageError: /);
      expect(errorLines(r.stderr)[0]).toMatch(re);
    }
  });

  it('a bad task file is a TaskError (exit 2): missing columns listed with those found, a malformed CoNLL-U line', async () => {
    const cols = task('cols.json', { name: 'c', kind: 'sequence', format: 'tsv', train: 'a.tsv', test: 'a.tsv', text: 'text', label: 'label' }, { 'a.tsv': 'sentence\tgold\nhi\tx\n' });
    const r = await vocabkd('eval', '--model', TEACHER, '--task', cols);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([`error: TaskError: task "c": ${join(dir, 'a.tsv')} has no columns "text", "label"; columns found: sentence, gold`]);
    const conllu = task('pos.json', { name: 'p', kind: 'token', format: 'conllu', train: 'bad.conllu', test: 'bad.conllu', label: 'upos' }, { 'bad.conllu': '1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n2\tthere\tthere\n' });
    const m = await vocabkd('eval', '--model', TEACHER, '--task', conllu);
    expect(m.code).toBe(2);
    expect(errorLines(m.stderr)[0]).toBe(`error: TaskError: task "p": ${join(dir, 'bad.conllu')}:2: malformed CoNLL-U line: expected 10 tab-separated columns, found 3`);
    const bad = task('bad.json', { name: 'b', kind: 'token', format: 'csv', train: 'x', test: 'y', label: 'upos' }, {});
    const b = await vocabkd('eval', '--model', TEACHER, '--task', bad);
    expect(b.code).toBe(2);
    expect(errorLines(b.stderr)[0]).toMatch(/TaskError: task "b": kind "token" needs format "conllu"/);
  });
});
