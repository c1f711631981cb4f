// `vocabkd distill` end to end on a tiny teacher written here: metrics.jsonl, the student HF folder (re-imported),
// summary.json; Ctrl-C stops cleanly and still writes the files; a bad recipe is a RecipeError with exit code 2; a
// seqLen beyond the teacher's positions is a named error.
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorLines, ROOT, vocabkd } from '../testing/cli.ts';
import { makeConfig } from '../models/config.ts';
import { createMlm } from '../models/mlm.ts';
import { exportHfFolder } from '../models/hfFolder.ts';
import { createRng } from '../data/rng.ts';
import { trainTokenizer, DEFAULT_TOKENIZER_TRAIN } from '../tokenizers/trainTokenizer.ts';
import { loadHfFolder, writeHfFolderFiles } from './hfFolderFs.ts';
import { validateRecipe } from '../distill/recipe.ts';

const dir = mkdtempSync(join(tmpdir(), 'vkd-distill-'));
const teacherDir = join(dir, 'teacher');
const corpus = join(dir, 'corpus.txt');
const WORDS = 'the white whale swims and ship sails to sea captain Ahab hunts harpooner Queequeg Ishmael strange voyage , .'.split(' ');

const recipe = (over: object) => {
  const path = join(dir, `recipe-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({
    method: 'reduce', steps: 6, batchSize: 4, seqLen: 24, logEvery: 1, evalEvery: 3, checkpointEvery: 0,
    student: { vocabSize: 500, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 }, ...over,
  }));
  return path;
};
const jsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

beforeAll(async () => {
  await tf.setBackend('cpu');
  const rng = createRng(3);
  const texts = Array.from({ length: 80 }, () => Array.from({ length: 4 + rng.int(20) }, () => WORDS[rng.int(WORDS.length)]).join(' '));
  writeFileSync(corpus, texts.join('\n') + '\n');
  const tok = (await trainTokenizer(texts, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 500, minFrequency: 1 })).tokenizer;
  const teacher = createMlm(makeConfig({ vocabSize: tok.vocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 32 }), 1);
  await writeHfFolderFiles(teacherDir, (await exportHfFolder(teacher, tok)).files);
  teacher.dispose();
});

describe('vocabkd distill', () => {
  it('writes metrics.jsonl, the student HF folder and summary.json for a tiny Reduce run', async () => {
    const out = join(dir, 'run');
    const r = await vocabkd('distill', '--recipe', recipe({}), '--out', out, '--teacher', teacherDir, '--corpus', corpus, '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    const points = jsonl(join(out, 'metrics.jsonl'));
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const p of points) for (const k of ['loss', 'kl', 'mlm', 'lr', 'gradNorm', 'tokensPerSec']) expect(Number.isFinite(p[k]), k).toBe(true);
    expect(points.filter((p) => p.evalWordAcc !== undefined).map((p) => p.step)).toEqual([3, 6]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ outcome: 'done', steps: 6, recipe: { method: 'reduce', steps: 6 }, info: { method: 'reduce' } });
    expect(summary.finalEval.wordAcc).toBe(points[5].evalWordAcc);
    expect(summary.finalEval.words).toBeGreaterThan(0);
    expect(summary.wallSeconds).toBeGreaterThan(0);
    expect(summary.counts.microBatches).toBe(6);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt']) expect(existsSync(join(out, 'student', f)), f).toBe(true);
    const student = await loadHfFolder(join(out, 'student'));
    expect(student.config.vocabSize).toBe(summary.info.studentVocab);
    expect(student.config.hiddenSize).toBe(8);
    student.model.dispose();
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ event: 'done', steps: 6 });
    expect(r.stderr).toMatch(/step 6\/6 loss/);
  });

  it('issue 19: a glmd / kd-full summary.json records the effective recipe (student.vocabSize ignored, not used); the student folder names its own [PAD]', async () => {
    for (const method of ['glmd', 'kd-full']) {
      const out = join(dir, `effective-${method}`);
      const r = await vocabkd('distill', '--recipe', recipe({ method, steps: 2, evalEvery: 0 }), '--out', out, '--teacher', teacherDir, '--corpus', corpus, '--backend', 'cpu');
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(summary.recipe.method).toBe(method);
      expect(summary.recipe.student).not.toHaveProperty('vocabSize');
      expect(summary.recipe.ignored['student.vocabSize']).toContain(summary.info.studentVocab.toLocaleString('en'));
      expect(summary.info.studentVocab).not.toBe(500);
      const config = JSON.parse(readFileSync(join(out, 'student', 'config.json'), 'utf8'));
      const vocab = readFileSync(join(out, 'student', 'vocab.txt'), 'utf8').split('\n');
      expect(vocab[config.pad_token_id]).toBe('[PAD]');
      expect(JSON.parse(readFileSync(join(out, 'student', 'special_tokens_map.json'), 'utf8')).pad_token).toBe('[PAD]');
      expect(validateRecipe(summary.recipe).method).toBe(method); // the recorded recipe validates back
    }
  });

  it('Ctrl-C stops the run cleanly and still writes the files', async () => {
    const out = join(dir, 'stopped');
    const child = spawn(process.execPath, ['src/cli/bin.mjs', 'distill', '--recipe', recipe({ steps: 100000, evalEvery: 0 }), '--out', out, '--teacher', teacherDir, '--corpus', corpus, '--backend', 'cpu'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/step 3\//.test(stderr) && child.exitCode === null && !child.killed) child.kill('SIGINT');
      });
      child.on('close', resolve);
    });
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.outcome).toBe('stopped');
    expect(summary.steps).toBeGreaterThanOrEqual(3);
    expect(summary.steps).toBeLessThan(100000);
    expect(summary.finalEval.words).toBeGreaterThan(0);
    expect(jsonl(join(out, 'metrics.jsonl')).length).toBe(summary.steps);
    expect(existsSync(join(out, 'student', 'model.safetensors'))).toBe(true);
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ event: 'stopped' });
  });

  it('a bad recipe is a RecipeError with exit code 2; missing flags are usage errors; too long a seqLen names the limit', async () => {
    const bad = await vocabkd('distill', '--recipe', recipe({ temperature: -1 }), '--out', join(dir, 'bad'), '--teacher', teacherDir, '--corpus', corpus);
    expect(bad.code).toBe(2);
    expect(errorLines(bad.stderr)).toEqual(['error: RecipeError: temperature must be a number in (0, 100]; got -1']);
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{ "method": ');
    const broken = await vocabkd('distill', '--recipe', notJson, '--out', join(dir, 'bad'));
    expect(broken.code).toBe(2);
    expect(errorLines(broken.stderr)[0]).toMatch(/^error: RecipeError: .*broken\.json is not valid JSON/);
    const missing = await vocabkd('distill', '--recipe', notJson);
    expect(missing.code).toBe(2);
    expect(errorLines(missing.stderr)).toEqual(['error: UsageError: distill needs --out']);
    const long = await vocabkd('distill', '--recipe', recipe({ seqLen: 64 }), '--out', join(dir, 'long'), '--teacher', teacherDir, '--corpus', corpus, '--backend', 'cpu');
    expect(long.code).toBe(2); // a recipe that does not fit the teacher: an input error
    expect(errorLines(long.stderr)[0]).toMatch(/^error: DistillSetupError: recipe.seqLen 64 exceeds the teacher's 32 positions/);
  });

  it('the acceptance recipes (src/distill/recipes) validate and differ only in the method and its loss weights', () => {
    const load = (m: string) => validateRecipe(JSON.parse(readFileSync(join(ROOT, 'src/distill/recipes', `acceptance-${m}.json`), 'utf8')));
    const [reduce, match, mlm] = ['reduce', 'match', 'mlm-only'].map(load);
    const rest = ({ method: _m, weights: _w, ...r }: ReturnType<typeof load>) => r;
    expect(rest(match)).toEqual(rest(reduce));
    expect(rest(mlm)).toEqual(rest(reduce));
    expect([reduce.weights, match.weights, mlm.weights]).toEqual([{ kl: 2, mlm: 0.5, mse: 0 }, { kl: 2, mlm: 0.5, mse: 0 }, { kl: 0, mlm: 1, mse: 0 }]);
    expect(reduce.student.vocabSize).toBe(4000);
    expect(reduce.student.init).toBe('teacher'); // methods.md §A.3 item 6, as Paper A's students
  });
});
