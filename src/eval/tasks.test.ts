// Task files (tasks.ts): the one validator and its named errors, the four split formats and their bad-input errors
// (missing columns listed with the columns found, malformed CoNLL-U lines with file and line, empty splits), the
// committed Russian fixtures and the embedded English tasks built at set-up; metrics.ts by hand.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_TASKS, loadTask, parseTaskFile, parseTaskSplit, resolveTaskPath, splitLabels, splitUnits, taskColumns, taskFormatOf, TaskError, validateTask, type TaskSpec } from './tasks.ts';
import { classificationScores, majorityBaseline } from './metrics.ts';
// @ts-expect-error: plain .mjs build tool without type declarations
import { brownToUniversal, prepareTasks } from '../tools/prepare-assets.mjs';

const fixture = (p: string) => fileURLToPath(new URL(`../testing/fixtures/ru/${p}`, import.meta.url));
const readTask = async (taskFile: string) => loadTask(parseTaskFile(readFileSync(taskFile, 'utf8'), taskFile), taskFile, (p) => readFileSync(p, 'utf8'));

const SEQ: TaskSpec = { name: 's', kind: 'sequence', format: 'jsonl', train: 'train.jsonl', test: 'test.jsonl', text: 'text', label: 'label' };
const PAIR: TaskSpec = { name: 'p', kind: 'pair', format: 'csv', train: 'a.csv', test: 'b.csv', text: ['premise', 'hypothesis'], label: 'label' };
const TOKEN: TaskSpec = { name: 't', kind: 'token', format: 'conllu', train: 'train.conllu', test: 'test.conllu', label: 'upos' };

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TaskError);
    return (e as Error).message;
  }
  throw new Error('expected a TaskError');
};

describe('validateTask', () => {
  it('accepts the three kinds as the issue writes them', () => {
    expect(validateTask(SEQ)).toEqual(SEQ);
    expect(validateTask(PAIR)).toEqual(PAIR);
    expect(validateTask(TOKEN)).toEqual(TOKEN);
  });

  it('names the bad field', () => {
    expect(err(() => validateTask([]))).toMatch(/one JSON object/);
    expect(err(() => validateTask({ ...SEQ, lable: 'x' }))).toMatch(/unknown field "lable"/);
    expect(err(() => validateTask({ ...SEQ, name: '' }))).toMatch(/"name"/);
    expect(err(() => validateTask({ ...SEQ, kind: 'ner' }))).toMatch(/"kind" must be one of token, sequence, pair; got "ner"/);
    expect(err(() => validateTask({ ...SEQ, format: 'xml' }))).toMatch(/"format" must be one of conllu, csv, tsv, jsonl/);
    expect(err(() => validateTask({ ...SEQ, train: '' }))).toMatch(/"train" must be a path/);
    expect(err(() => validateTask({ ...SEQ, label: 3 }))).toMatch(/"label" must name the label column/);
    expect(err(() => validateTask({ ...SEQ, text: ['a', 'b'] }))).toMatch(/kind "sequence" needs "text": one column name/);
    expect(err(() => validateTask({ ...PAIR, text: 'premise' }))).toMatch(/kind "pair" needs "text": \[COLUMN, COLUMN\]/);
    expect(err(() => validateTask({ ...PAIR, text: ['x', 'x'] }))).toMatch(/must differ/);
    expect(err(() => validateTask({ ...SEQ, label: 'text' }))).toMatch(/"label" \("text"\) is also a text column/);
    expect(err(() => validateTask({ ...TOKEN, format: 'csv' }))).toMatch(/kind "token" needs format "conllu"/);
    expect(err(() => validateTask({ ...SEQ, format: 'conllu' }))).toMatch(/format "conllu" is for kind "token"/);
    expect(err(() => validateTask({ ...TOKEN, text: 'form' }))).toMatch(/"text" is omitted for CoNLL-U/);
    expect(err(() => validateTask({ ...TOKEN, label: 'form' }))).toMatch(/a CoNLL-U column other than id and form/);
    expect(err(() => parseTaskFile('{"name": '))).toMatch(/not valid JSON/);
  });

  it('resolves split paths against the task file', () => {
    expect(resolveTaskPath('data/pos/task.json', 'train.conllu')).toBe('data/pos/train.conllu');
    expect(resolveTaskPath('C:\\x\\task.json', 'a.csv')).toBe('C:\\x\\a.csv');
    expect(resolveTaskPath('task.json', 'sub/a.csv')).toBe('sub/a.csv');
    expect(resolveTaskPath('/tasks/en-pos/task.json', '../common/train.conllu')).toBe('/tasks/en-pos/../common/train.conllu');
    expect(resolveTaskPath('a/task.json', '/abs/train.csv')).toBe('/abs/train.csv');
    expect(resolveTaskPath('https://h/tasks/t.json', 'x.tsv')).toBe('https://h/tasks/x.tsv');
  });
});

describe('split formats and bad input', () => {
  const CONLLU = [
    '# sent_id = 1',
    '# text = Мы пошли.',
    '1-2\tПошли\t_\t_\t_\t_\t_\t_\t_\t_',
    '1\tМы\tмы\tPRON\tPRP\t_\t2\tnsubj\t_\t_',
    '2\tпошли\tпойти\tVERB\tVBC\t_\t0\troot\t_\tSpaceAfter=No',
    '2.1\tх\t_\tX\t_\t_\t_\t_\t_\t_',
    '3\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_',
    '',
    '1\tДа\tда\tPART\tUH\t_\t0\troot\t_\t_',
    '',
  ].join('\n');

  it('CoNLL-U: words from FORM, labels from the named column; comments, ranges and empty nodes skipped', () => {
    const s = parseTaskSplit(TOKEN, 'train', CONLLU, 'x.conllu');
    expect(s.kind).toBe('token');
    if (s.kind !== 'token') return;
    expect(s.sentences).toEqual([{ words: ['Мы', 'пошли', '.'], labels: ['PRON', 'VERB', 'PUNCT'] }, { words: ['Да'], labels: ['PART'] }]);
    const dep = parseTaskSplit({ ...TOKEN, label: 'deprel' }, 'train', CONLLU, 'x.conllu');
    expect(splitLabels(dep)).toEqual(['nsubj', 'root', 'punct', 'root']);
    expect(splitUnits(dep)).toBe(4);
  });

  it('CoNLL-U: a malformed line names the file and line', () => {
    const bad = CONLLU.replace('3\t.\t.\tPUNCT', '3 .\t.\tPUNCT');
    expect(err(() => parseTaskSplit(TOKEN, 'train', bad, 'data/train.conllu'))).toMatch(/data\/train\.conllu:7: malformed CoNLL-U line: expected 10 tab-separated columns, found 9/);
    expect(err(() => parseTaskSplit(TOKEN, 'train', CONLLU.replace('1\tДа', 'x\tДа'), 'a.conllu'))).toMatch(/a\.conllu:9: malformed CoNLL-U line: ID "x"/);
    expect(err(() => parseTaskSplit({ ...TOKEN, label: 'deps' }, 'train', CONLLU, 'a.conllu'))).toMatch(/the deps column is empty/);
  });

  it('an empty split is an error naming the split and its file', () => {
    expect(err(() => parseTaskSplit(TOKEN, 'test', '# only a comment\n\n', 'test.conllu'))).toMatch(/the test split \(test\.conllu\) has no examples/);
    expect(err(() => parseTaskSplit(SEQ, 'train', '\n\n', 'train.jsonl'))).toMatch(/the train split \(train\.jsonl\) has no examples/);
    expect(err(() => parseTaskSplit(PAIR, 'train', 'premise,hypothesis,label\n', 'a.csv'))).toMatch(/the train split \(a\.csv\) has no examples/);
  });

  it('CSV and TSV: header row, quoted commas; a missing column is named with the columns found', () => {
    const csv = 'id,premise,hypothesis,label\n1,"Yes, he came.",He came.,entailment\n2,No,"Maybe, ""yes""",not_entailment\n';
    const s = parseTaskSplit(PAIR, 'train', csv, 'a.csv');
    expect(s.kind === 'pair' && s.examples).toEqual([
      { texts: ['Yes, he came.', 'He came.'], label: 'entailment' },
      { texts: ['No', 'Maybe, "yes"'], label: 'not_entailment' },
    ]);
    const tsv = parseTaskSplit({ ...SEQ, format: 'tsv' }, 'train', 'text\tlabel\nhello, world\tpos\n', 'a.tsv');
    expect(tsv.kind === 'sequence' && tsv.examples).toEqual([{ texts: ['hello, world'], label: 'pos' }]);
    expect(err(() => parseTaskSplit(PAIR, 'train', 'sentence1,sentence2,label\na,b,c\n', 'dev.csv'))).toBe(
      'task "p": dev.csv has no columns "premise", "hypothesis"; columns found: sentence1, sentence2, label',
    );
    expect(err(() => parseTaskSplit(PAIR, 'train', 'premise,hypothesis,label\na,b\n', 'dev.csv'))).toMatch(/dev\.csv:2: 2 fields/);
  });

  it('JSONL: labels may be numbers or booleans; missing columns, bad JSON and non-string text are named', () => {
    const s = parseTaskSplit(SEQ, 'train', '{"text":"a","label":1}\n\n{"text":"b","label":true}\n', 'x.jsonl');
    expect(splitLabels(s)).toEqual(['1', 'true']);
    expect(err(() => parseTaskSplit(SEQ, 'train', '{"sentence":"a","label":1}\n', 'x.jsonl'))).toBe('task "s": x.jsonl has no column "text"; columns found: sentence, label');
    expect(err(() => parseTaskSplit(SEQ, 'train', '{"text":"a","label":1}\n{"text":"b"}\n', 'x.jsonl'))).toMatch(/x\.jsonl:2: no "label" in this record; fields found: text/);
    expect(err(() => parseTaskSplit(SEQ, 'train', '{"text":"a","label":1}\n{oops\n', 'x.jsonl'))).toMatch(/x\.jsonl:2: not valid JSON/);
    expect(err(() => parseTaskSplit(SEQ, 'train', '{"text":5,"label":1}\n', 'x.jsonl'))).toMatch(/x\.jsonl:1: "text" must be a string, got number/);
    expect(err(() => parseTaskSplit(SEQ, 'train', '{"text":"a","label":null}\n', 'x.jsonl'))).toMatch(/must be a string, number or boolean, got null/);
  });

  it('loadTask resolves the splits against the task file and names an unreadable one', async () => {
    const files: Record<string, string> = { 'd/train.jsonl': '{"text":"a","label":"x"}\n', 'd/test.jsonl': '{"text":"b","label":"y"}\n' };
    const data = await loadTask(SEQ, 'd/task.json', (p) => files[p] ?? Promise.reject(new Error('ENOENT')));
    expect(splitLabels(data.test)).toEqual(['y']);
    await expect(loadTask({ ...SEQ, test: 'nope.jsonl' }, 'd/task.json', (p) => files[p] ?? Promise.reject(new Error('ENOENT')))).rejects.toThrow(/cannot read the test split d\/nope\.jsonl: ENOENT/);
  });
});

describe('committed Russian fixtures and embedded English tasks', () => {
  it('UD-GSD UPOS: 300 training and 150 test sentences of the 17 UPOS tags', async () => {
    const d = await readTask(fixture('ud-gsd/task.json'));
    expect(d.train.kind === 'token' && d.train.sentences.length).toBe(300);
    expect(d.test.kind === 'token' && d.test.sentences.length).toBe(150);
    const tags = new Set(splitLabels(d.train));
    expect([...tags].every((t) => ['ADJ', 'ADP', 'ADV', 'AUX', 'CCONJ', 'DET', 'INTJ', 'NOUN', 'NUM', 'PART', 'PRON', 'PROPN', 'PUNCT', 'SCONJ', 'SYM', 'VERB', 'X'].includes(t))).toBe(true);
    expect(tags.size).toBeGreaterThanOrEqual(15);
  });

  it('TERRa: 400 training and 150 validation pairs, two labels', async () => {
    const d = await readTask(fixture('terra/task.json'));
    expect(splitUnits(d.train)).toBe(400);
    expect(splitUnits(d.test)).toBe(150);
    expect(new Set(splitLabels(d.train))).toEqual(new Set(['entailment', 'not_entailment']));
  });

  it('en-pos (Brown, universal tags) and en-spam (balanced ham / spam) are built at set-up', async () => {
    const tasks = prepareTasks() as Record<string, string>;
    for (const t of EMBEDDED_TASKS) expect(tasks[t.id].replaceAll('\\', '/').endsWith(`public/${t.path}`)).toBe(true); // the page's list = the built files
    const pos = await readTask(tasks['en-pos']);
    expect(pos.spec).toEqual({ name: 'en-pos', kind: 'token', format: 'conllu', train: 'train.conllu', test: 'test.conllu', label: 'upos' });
    expect(pos.train.kind === 'token' && pos.train.sentences.length).toBe(600);
    expect(pos.test.kind === 'token' && pos.test.sentences.length).toBe(250);
    const universal = ['NOUN', 'VERB', 'ADJ', 'ADV', 'PRON', 'DET', 'ADP', 'NUM', 'CONJ', 'PRT', '.', 'X'];
    expect(new Set(splitLabels(pos.train))).toEqual(new Set(universal));
    const spam = await readTask(tasks['en-spam']);
    expect(spam.spec.kind).toBe('sequence');
    const count = (l: string[], x: string) => l.filter((y) => y === x).length;
    expect([count(splitLabels(spam.train), 'ham'), count(splitLabels(spam.train), 'spam')]).toEqual([200, 200]);
    expect([count(splitLabels(spam.test), 'ham'), count(splitLabels(spam.test), 'spam')]).toEqual([100, 100]);
    const texts = spam.train.kind === 'sequence' ? spam.train.examples.map((e) => e.texts[0]) : [];
    expect(texts.some((t) => /^(Received|Return-Path|Message-ID):/m.test(t))).toBe(false); // headers stripped
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThanOrEqual(600);
  });

  it('maps Brown tags to the universal tag set', () => {
    const cases: [string, string][] = [
      ['nn', 'NOUN'], ['np$', 'NOUN'], ['nns-tl', 'NOUN'], ['vbd', 'VERB'], ['bez*', 'VERB'], ['md', 'VERB'], ['at', 'DET'],
      ['pp$', 'PRON'], ['ppss+md', 'PRON'], ['in', 'ADP'], ['cs', 'ADP'], ['cc', 'CONJ'], ['cd', 'NUM'], ['od', 'ADJ'],
      ['jjt', 'ADJ'], ['*', 'ADV'], ['ql', 'ADV'], ['to', 'PRT'], ['rp', 'PRT'], ['.', '.'], ["''", '.'], ['--', '.'],
      ['fw-nn', 'X'], ['uh', 'X'], ['nil', 'X'], ['.-hl', '.'], ['wdt+bez', 'DET'],
    ];
    for (const [brown, u] of cases) expect([brown, brownToUniversal(brown)]).toEqual([brown, u]);
  });
});

describe('metrics', () => {
  it('accuracy, macro-F1 over gold ∪ predicted labels, and the training majority', () => {
    const gold = ['a', 'a', 'a', 'b', 'c'];
    const pred = ['a', 'a', 'b', 'b', 'a'];
    const s = classificationScores(gold, pred);
    expect(s.accuracy).toBeCloseTo(3 / 5, 12);
    // a: P 2/3 R 2/3 F1 2/3; b: P 1/2 R 1 F1 2/3; c: 0 → (2/3 + 2/3 + 0) / 3
    expect(s.macroF1).toBeCloseTo(4 / 9, 12);
    expect(s.perLabel.map((l) => l.support)).toEqual([3, 1, 1]);
    const m = majorityBaseline(['b', 'b', 'a'], gold);
    expect(m.label).toBe('b');
    expect(m.trainShare).toBeCloseTo(2 / 3, 12);
    expect(m.accuracy).toBeCloseTo(1 / 5, 12);
  });
});

describe('taskColumns / taskFormatOf (the page\'s task form)', () => {
  it('lists a CSV / TSV header, the first JSONL record\'s fields, CoNLL-U\'s ten columns', () => {
    expect(taskColumns('csv', '\n"text, quoted",label\n"a, b",x\n')).toEqual(['text, quoted', 'label']);
    expect(taskColumns('tsv', 'premise\thypothesis\tlabel\r\np\th\tentailment\n')).toEqual(['premise', 'hypothesis', 'label']);
    expect(taskColumns('jsonl', '{"sentence": "a", "y": 1}\n{"other": 2}\n')).toEqual(['sentence', 'y']);
    expect(taskColumns('conllu', '')).toEqual(['id', 'form', 'lemma', 'upos', 'xpos', 'feats', 'head', 'deprel', 'deps', 'misc']);
    expect(taskColumns('csv', '\n\n')).toEqual([]);
  });

  it('a first JSONL line that is not an object is named', () => {
    expect(() => taskColumns('jsonl', '[1, 2]\n', 'train.jsonl')).toThrow('train.jsonl: the first line is not a JSON object');
    expect(() => taskColumns('jsonl', '{oops\n', 'train.jsonl')).toThrow(TaskError);
  });

  it('the format follows the extension, case-insensitively; anything else is null', () => {
    expect(taskFormatOf('Train.CSV')).toBe('csv');
    expect(taskFormatOf('ud/ru_gsd-ud-train.conllu')).toBe('conllu');
    expect(taskFormatOf('data.txt')).toBeNull();
    expect(taskFormatOf('noext')).toBeNull();
  });
});
