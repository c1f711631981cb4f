// `vocabkd align` (issue 12 item 6). The acceptance test: on 100 sentences of the embedded English corpus, with the
// shipped teacher's tokenizer (its model folder) and a 2,000-entry student WordPiece trained here, the CLI's `reduce`
// and `match` equal the t2s groups and Match pairs that the distillation engine itself stores for the same texts
// (distill/batches.ts prepareDistillData, methods reduce and match), field by field, and its teacher / student rows
// equal `vocabkd tokenizer encode`. Then: exactly the fields, one record per input line (empty lines give an
// empty map), streaming (a record leaves before the input ends), every tokenizer form (tokenizer.json, vocab.txt,
// model folder with do_lower_case), and named errors with their exit codes through the real entry.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignCommand, type AlignIo } from './alignCli.ts';
import { tokenizerCommand } from './tokenizerCli.ts';
import { UsageError } from './args.ts';
import { embeddedCorpusPath, PROJECT_ROOT } from './assets.ts';
import { errorLines, vocabkd } from '../testing/cli.ts';
import { fromTokenizerJson, toTokenizerJson, TokenizerFormatError } from '../tokenizers/hfJson.ts';
import { DEFAULT_TOKENIZER_TRAIN, trainTokenizer } from '../tokenizers/trainTokenizer.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { buildSigma, StudentVocabError } from '../alignment/index.ts';
import { defaultRecipe } from '../distill/recipe.ts';
import { prepareDistillData } from '../distill/batches.ts';
import { isHeldOut } from '../data/heldout.ts';

const dir = mkdtempSync(join(tmpdir(), 'vocabkd-align-'));
const TEACHER_DIR = join(PROJECT_ROOT, 'public/models/teacher-en');
const TEACHER_JSON = join(TEACHER_DIR, 'tokenizer.json');
const studentPath = join(dir, 'student.json');
const inputPath = join(dir, 'sentences.txt');
const FIELDS = ['teacher', 'student', 'links', 'reduce', 'match', 'counters'];

interface AlignRecord {
  teacher: { ids: number[]; tokens: string[]; offsets: [number, number][] };
  student: { ids: number[]; tokens: string[]; offsets: [number, number][] };
  links: { teacher: number[]; student: number[]; kind: string }[];
  reduce: { t2s: number[]; groupStart: number[] };
  match: [number, number][];
  counters: Record<string, unknown>;
}

async function run(...argv: string[]): Promise<{ records: AlignRecord[]; err: string }> {
  let out = '', err = '';
  const io: AlignIo = { out: (s) => { out += s; }, err: (s) => { err += s; } };
  await alignCommand(argv, io);
  return { records: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AlignRecord), err };
}

let teacher: Tokenizer;
let student: Tokenizer;
let sentences: string[];

beforeAll(async () => {
  const corpusLines = readFileSync(embeddedCorpusPath(), 'utf8').split('\n').filter((l) => l.trim());
  student = (await trainTokenizer(corpusLines, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 2000 })).tokenizer;
  writeFileSync(studentPath, toTokenizerJson(student));
  teacher = fromTokenizerJson(readFileSync(TEACHER_JSON, 'utf8'));
  // 100 sentences that fit a 128-token sequence on both sides (so the engine neither chunks nor cuts them).
  sentences = corpusLines.flatMap((l) => l.split(/(?<=[.!?])\s+/)).filter((s) => s.length > 20)
    .filter((s) => teacher.encode(s).ids.length <= 120 && student.encode(s).ids.length <= 120).slice(0, 100);
  writeFileSync(inputPath, sentences.join('\n') + '\n');
}, 60_000);

describe('acceptance: vocabkd align agrees with the distillation engine on a real corpus', () => {
  let records: AlignRecord[];
  let stderr: string;
  beforeAll(async () => {
    const r = await vocabkd('align', '--teacher-tokenizer', TEACHER_DIR, '--student-tokenizer', studentPath, '--input', inputPath);
    expect(r.code).toBe(0);
    records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as AlignRecord);
    stderr = r.stderr;
  }, 60_000);

  it('one record per line, exactly the issue\'s fields', () => {
    expect(sentences).toHaveLength(100);
    expect(records).toHaveLength(100);
    for (const rec of records) expect(Object.keys(rec)).toEqual(FIELDS);
    expect(stderr).toMatch(/aligned 100 texts in \d+ ms/);
  });

  it('reduce = the t2s sequence and group starts prepareDistillData stores (method reduce), text by text', () => {
    const sigma = buildSigma(teacher.vocab, student.vocab);
    const data = prepareDistillData({ texts: sentences, teacherTokenizer: teacher, studentTokenizer: student, recipe: { ...defaultRecipe('reduce'), seqLen: 128 }, sigma, studentMaxPositions: 512 });
    expect(data.stats).toMatchObject({ droppedLong: 0, droppedUnk: 0, cut: 0, t2sTruncated: 0, heldoutTexts: 5 });
    const trained = records.filter((_, i) => !isHeldOut(i));
    expect(data.train).toHaveLength(trained.length);
    let split = 0;
    data.train.forEach((ex, k) => {
      const rec = trained[k];
      expect(rec.teacher.ids).toEqual(Array.from(ex.teacher!));
      expect(rec.student.ids).toEqual(Array.from(ex.student));
      expect(rec.reduce.t2s).toEqual(Array.from(ex.t2s!.ids));
      expect(rec.reduce.groupStart).toEqual(Array.from(ex.t2s!.groupStart));
      for (let i = 0; i + 1 < rec.reduce.groupStart.length; i++) if (rec.reduce.groupStart[i + 1] - rec.reduce.groupStart[i] > 1) split++;
    });
    expect(split).toBeGreaterThan(50); // not a vacuous comparison: many teacher tokens are split by σ
  });

  it('match = the pairs prepareDistillData stores (method match), text by text', () => {
    const data = prepareDistillData({ texts: sentences, teacherTokenizer: teacher, studentTokenizer: student, recipe: { ...defaultRecipe('match'), seqLen: 128 }, studentMaxPositions: 512 });
    const trained = records.filter((_, i) => !isHeldOut(i));
    expect(data.train).toHaveLength(trained.length);
    let pairs = 0, passedOver = 0;
    data.train.forEach((ex, k) => {
      const rec = trained[k];
      expect(rec.match).toEqual(Array.from(ex.match!.teacherPos, (i, n) => [i, ex.match!.studentPos[n]]));
      pairs += rec.match.length;
      rec.match.forEach(([, j], n) => { if (n > 0 && j > rec.match[n - 1][1] + 1) passedOver++; });
    });
    expect(pairs).toBeGreaterThan(500);
    expect(passedOver).toBeGreaterThan(10); // the search does skip student tokens
  });

  it('teacher and student rows are what `vocabkd tokenizer encode` prints; links of kinds 1:1, 1:n and n:m', async () => {
    for (const [side, path] of [['teacher', TEACHER_JSON], ['student', studentPath]] as const) {
      let out = '';
      await tokenizerCommand(['encode', '--tokenizer', path, '--input', inputPath], { out: (s) => { out += s; }, err: () => {} });
      const encoded = out.trim().split('\n').map((l) => JSON.parse(l));
      expect(records.map((r) => r[side])).toEqual(encoded);
    }
    const kinds = new Set(records.flatMap((r) => r.links.map((l) => l.kind)));
    for (const k of ['1:1', '1:n', 'n:m']) expect(kinds).toContain(k); // a 2,000-entry student rarely merges teacher tokens (n:1)
    for (const rec of records) {
      const c = rec.counters as { teacherTokens: number; teacherByKind: Record<string, number> };
      expect(Object.values(c.teacherByKind).reduce((a, b) => a + b, 0)).toBe(c.teacherTokens);
      expect(c.teacherTokens).toBe(rec.teacher.ids.length - 2);
    }
  });
});

describe('vocabkd align: texts, tokenizer forms, streaming', () => {
  it('--text: one record; an empty text is an empty map, not an error; an input\'s empty lines give empty maps', async () => {
    const one = await run('--teacher-tokenizer', TEACHER_JSON, '--student-tokenizer', studentPath, '--text', 'Call me Ishmael.');
    expect(one.records).toHaveLength(1);
    expect(one.records[0].teacher.tokens).toEqual(['[CLS]', 'Call', 'me', 'Ishmael', '.', '[SEP]']);
    const empty = await run('--teacher-tokenizer', TEACHER_JSON, '--student-tokenizer', studentPath, '--text', '');
    expect(empty.records[0]).toMatchObject({ links: [], reduce: { t2s: [2, 3], groupStart: [0, 1, 2] }, match: [[0, 0], [1, 1]], counters: { teacherTokens: 0, matchPairRate: 0 } });
    const p = join(dir, 'gaps.txt');
    writeFileSync(p, 'a whale\n\nthe sea\n');
    const gaps = await run('--teacher-tokenizer', TEACHER_JSON, '--student-tokenizer', studentPath, '--input', p);
    expect(gaps.records.map((r) => r.links.length)).toEqual([2, 0, 2]);
  });

  it('tokenizer.json, vocab.txt and the model folder give the same map; a vocab.txt folder follows do_lower_case (noted on stderr)', async () => {
    const text = 'The Whale, said Ahab — «Ёж» 😀.';
    const forms = [TEACHER_JSON, join(TEACHER_DIR, 'vocab.txt'), TEACHER_DIR];
    const results = await Promise.all(forms.map((f) => run('--teacher-tokenizer', f, '--student-tokenizer', studentPath, '--text', text)));
    for (const r of results.slice(1)) expect(r.records).toEqual(results[0].records);
    const lowerDir = join(dir, 'lower');
    mkdirSync(lowerDir);
    writeFileSync(join(lowerDir, 'vocab.txt'), readFileSync(join(TEACHER_DIR, 'vocab.txt')));
    writeFileSync(join(lowerDir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true }));
    const lower = await run('--teacher-tokenizer', lowerDir, '--student-tokenizer', studentPath, '--text', text);
    expect(lower.records[0].teacher.tokens[1]).toBe('the');
    expect(lower.records[0].teacher.offsets[1]).toEqual([0, 3]);
    expect(lower.err).toMatch(/note: the teacher lower-cases, the student keeps case/);
  });

  it('streams: the first record is written before the input has ended (a FIFO fed one line at a time)', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = createWriteStream(fifo);
    let out = '';
    let firstSeen!: () => void;
    const first = new Promise<void>((r) => { firstSeen = r; });
    const io: AlignIo = { out: (s) => { out += s; firstSeen(); }, err: () => {} };
    const done = alignCommand(['--teacher-tokenizer', TEACHER_JSON, '--student-tokenizer', studentPath, '--input', fifo], io);
    writer.write('Call me Ishmael.\n');
    const timeout = new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000));
    expect(await Promise.race([first.then(() => 'first'), timeout])).toBe('first');
    expect(out.trim().split('\n')).toHaveLength(1);
    writer.end('The sea.\n');
    await done;
    expect(out.trim().split('\n')).toHaveLength(2);
  }, 30_000);
});

describe('vocabkd align: errors', () => {
  const base = ['--teacher-tokenizer', TEACHER_JSON, '--student-tokenizer', studentPath];

  it('usage errors (in process): missing flags, both or neither of --text / --input, missing files', async () => {
    await expect(run('--student-tokenizer', studentPath, '--text', 'x')).rejects.toThrow(/align needs --teacher-tokenizer/);
    await expect(run(...base)).rejects.toThrow(/exactly one of --text and --input/);
    await expect(run(...base, '--text', 'x', '--input', inputPath)).rejects.toThrow(UsageError);
    await expect(run(...base, '--input', join(dir, 'nope.txt'))).rejects.toThrow(/--input: not found/);
    await expect(run('--teacher-tokenizer', join(dir, 'nope.json'), '--student-tokenizer', studentPath, '--text', 'x')).rejects.toThrow(/--teacher-tokenizer: not found/);
    await expect(run(...base, '--text', 'x', '--bogus', '1')).rejects.toThrow(/unknown option --bogus/);
  });

  it('a file that is not a tokenizer, a folder without one, a student without the specials: named errors naming the flag', async () => {
    const notJson = join(dir, 'model.safetensors');
    writeFileSync(notJson, Buffer.from([0x80, 0x00, 0xff, 0x12]));
    await expect(run('--teacher-tokenizer', TEACHER_JSON, '--student-tokenizer', notJson, '--text', 'x')).rejects.toThrow(TokenizerFormatError);
    await expect(run('--teacher-tokenizer', TEACHER_JSON, '--student-tokenizer', notJson, '--text', 'x')).rejects.toThrow(/--student-tokenizer .*model\.safetensors: tokenizer\.json is not valid JSON/);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ hidden_size: 8 }));
    await expect(run('--teacher-tokenizer', config, '--student-tokenizer', studentPath, '--text', 'x')).rejects.toThrow(/--teacher-tokenizer .*config\.json: tokenizer\.json has no "model" object/);
    const empty = join(dir, 'empty-folder');
    mkdirSync(empty);
    await expect(run('--teacher-tokenizer', empty, '--student-tokenizer', studentPath, '--text', 'x')).rejects.toThrow(/needs tokenizer\.json or vocab\.txt/);
    const noMask = join(dir, 'no-mask.txt');
    writeFileSync(noMask, ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', '##b'].join('\n') + '\n');
    await expect(run('--teacher-tokenizer', TEACHER_JSON, '--student-tokenizer', noMask, '--text', 'ab')).rejects.toThrow(StudentVocabError);
  });

  it('the real entry: usage → exit 2, a non-tokenizer → exit 2 (input errors), each with one `error: Name: message` line; --help lists align', async () => {
    const usage = await vocabkd('align', '--teacher-tokenizer', TEACHER_JSON);
    expect(usage.code).toBe(2);
    expect(errorLines(usage.stderr)[0]).toMatch(/^error: UsageError: align needs --student-tokenizer/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"model": {"type": "Unigram", "vocab": {}}}');
    const r = await vocabkd('align', '--teacher-tokenizer', TEACHER_JSON, '--student-tokenizer', bad, '--text', 'x');
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(errorLines(r.stderr)[0]).toMatch(/^error: TokenizerFormatError: --student-tokenizer .*bad\.json: /);
    expect(r.stdout).toBe('');
    const help = await vocabkd('--help');
    expect(help.stdout).toMatch(/vocabkd align --teacher-tokenizer A --student-tokenizer B/);
  }, 60_000);
});
