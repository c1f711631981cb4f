// Issue 19: every exported folder names its own special tokens. A tiny teacher whose vocabulary puts the specials in
// the middle ([UNK] 3, [CLS] 5, [PAD] 7, [SEP] 9, [MASK] 12) and is large enough for GLMD to compress it; a student of
// every method (1 step), the teacher itself (the Models tab's export) and a pretraining checkpoint (the Train tab /
// `vocabkd pretrain`) are exported and written to disk, and each folder is read back with a checker written here (not
// the exporter's own): pad_token_id and every special id in config.json / special_tokens_map.json /
// tokenizer_config.json / tokenizer.json name [PAD], [UNK], [CLS], [SEP], [MASK] in its vocab.txt AND in its
// tokenizer.json. GLMD's rank order puts [CLS] and [SEP] first, so its [PAD] is not id 0 (the bug: pad_token_id 0 named
// [CLS]); kd-full keeps the teacher's id 7. A model whose padTokenId names another token is refused with
// SpecialTokenMismatchError and nothing is written. The recorded recipe of glmd / kd-full does not report
// student.vocabSize as used.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../models/config.ts';
import { createMlm, type MlmModel } from '../models/mlm.ts';
import { exportHfFolder, modelFromWeights } from '../models/hfFolder.ts';
import { SpecialTokenMismatchError } from '../models/hfSpecials.ts';
import { createRng } from '../data/rng.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import { bertTokenizer, SPECIALS } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { createRunControl, runMlm, type Checkpoint } from '../train/mlmRun.ts';
import { validateRunConfig } from '../train/runConfig.ts';
import { loadHfFolder, writeHfFolderFiles } from '../cli/hfFolderFs.ts';
import { defaultRecipe, validateRecipe } from './recipe.ts';
import { runDistill, type DistillSummary } from './run.ts';
import { METHODS, type Method, type Recipe } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'vkd-specials-'));
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'du', 'ga', 'pe'];
const TWO = SYLLABLES.flatMap((a) => SYLLABLES.map((b) => a + b));
const WORDS = TWO.concat(SYLLABLES.slice(0, 2).flatMap((a) => TWO.map((b) => a + b))); // 144 + 288 words
const rng = createRng(19);
// Word i is drawn with weight ~ 1/(i+1) over a shuffled order, so frequency order is not the vocabulary's order.
const order = [...WORDS];
for (let i = order.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [order[i], order[j]] = [order[j], order[i]];
}
const draw = () => order[Math.min(order.length - 1, Math.floor(order.length ** rng.next()) - 1)];
const TEXTS = Array.from({ length: 160 }, () => Array.from({ length: 5 + rng.int(15) }, draw).join(' '));
/** Where the teacher's vocabulary puts the specials (none at 0). */
const PLACES: Record<string, number> = { '[UNK]': 3, '[CLS]': 5, '[PAD]': 7, '[SEP]': 9, '[MASK]': 12 };

let teacherTok: Tokenizer;
let teacher: MlmModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Every character (alone and as ##x) and every word, in alphabetical order; the specials at PLACES.
  const chars = [...new Set(WORDS.join(''))].sort();
  const rest = [...chars, ...chars.map((c) => `##${c}`), ...[...WORDS].sort()];
  const vocab: string[] = [];
  for (let id = 0, n = rest.length + SPECIALS.length; id < n; id++) vocab.push(Object.keys(PLACES).find((s) => PLACES[s] === id) ?? rest.shift()!);
  teacherTok = bertTokenizer(new WordPieceModel(vocab), DEFAULT_NORMALIZER);
  teacher = createMlm(makeConfig({ vocabSize: vocab.length, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 32, padTokenId: PLACES['[PAD]'] }), 3);
});
afterAll(() => {
  teacher.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const FIELDS: Record<string, string> = { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' };

/**
 * Reads an exported folder from disk and checks, independently of the exporter, that every special id and name in
 * its files is the right token in vocab.txt and in tokenizer.json; returns the special ids and vocab.txt's lines.
 */
function checkFolder(folder: string): { ids: Record<string, number>; vocabTxt: string[]; config: Record<string, unknown> } {
  const read = (n: string) => readFileSync(join(folder, n), 'utf8');
  const vocabTxt = read('vocab.txt').split('\n');
  expect(vocabTxt.pop()).toBe('');
  const tj = JSON.parse(read('tokenizer.json'));
  const tjVocab = tj.model.vocab as Record<string, number>;
  const tjAt = new Map(Object.entries(tjVocab).map(([t, i]) => [i, t]));
  expect(tjAt.size).toBe(vocabTxt.length);
  const added = tj.added_tokens as { id: number; content: string; special: boolean }[];
  const config = JSON.parse(read('config.json'));
  const stm = JSON.parse(read('special_tokens_map.json'));
  const tc = JSON.parse(read('tokenizer_config.json'));

  // The names: both files name the five BERT specials.
  expect(stm).toEqual(FIELDS);
  for (const [field, token] of Object.entries(FIELDS)) expect(tc[field], `tokenizer_config.json ${field}`).toBe(token);
  // Each special's id is the same in vocab.txt, tokenizer.json's model vocabulary and its added tokens.
  const ids: Record<string, number> = {};
  for (const token of Object.values(FIELDS)) {
    const id = vocabTxt.indexOf(token);
    expect(id, `${token} in vocab.txt`).toBeGreaterThanOrEqual(0);
    expect(tjVocab[token], `${token} in tokenizer.json`).toBe(id);
    expect(added.filter((a) => a.content === token).map((a) => a.id), `${token} in tokenizer.json added_tokens`).toEqual([id]);
    ids[token] = id;
  }
  // The ids the files state: config.json *_token_id, tokenizer_config.json added_tokens_decoder, the post-processor.
  const stated: [string, number, string][] = [];
  for (const [key, id] of Object.entries(config)) {
    const m = /^(\w+_token)_id$/.exec(key);
    if (m) stated.push([`config.json ${key}`, id as number, FIELDS[m[1]]]);
  }
  expect(stated.map(([w]) => w)).toContain('config.json pad_token_id');
  for (const [id, a] of Object.entries(tc.added_tokens_decoder as Record<string, { content: string }>)) stated.push([`added_tokens_decoder ${id}`, Number(id), a.content]);
  expect(Object.keys(tc.added_tokens_decoder).length).toBe(added.length);
  stated.push(['post_processor.cls', tj.post_processor.cls[1], tj.post_processor.cls[0]], ['post_processor.sep', tj.post_processor.sep[1], tj.post_processor.sep[0]]);
  expect([tj.post_processor.cls[0], tj.post_processor.sep[0]]).toEqual(['[CLS]', '[SEP]']);
  for (const [where, id, token] of stated) {
    expect(token, where).toMatch(/^\[(PAD|UNK|CLS|SEP|MASK)\]$/);
    expect(vocabTxt[id], `${where} ${id} in vocab.txt`).toBe(token);
    expect(tjAt.get(id), `${where} ${id} in tokenizer.json`).toBe(token);
  }
  expect(config.pad_token_id).toBe(ids['[PAD]']);
  return { ids, vocabTxt, config };
}

/** Writes the export to disk, checks it, and loads it back through the importer (no pad warning, same id). */
async function exportAndCheck(name: string, model: MlmModel, tok: Tokenizer) {
  const folder = join(dir, name);
  await writeHfFolderFiles(folder, (await exportHfFolder(model, tok)).files);
  const checked = checkFolder(folder);
  const back = await loadHfFolder(folder);
  try {
    expect(back.warnings.filter((w) => /pad_token_id/.test(w))).toEqual([]);
    expect(back.config.padTokenId).toBe(checked.ids['[PAD]']);
  } finally {
    back.model.dispose();
  }
  return checked;
}

const tiny = (method: Method): Recipe => validateRecipe({
  method, steps: 1, batchSize: 4, seqLen: 24, logEvery: 1, evalEvery: 0, evalMaskings: 1, checkpointEvery: 0,
  student: { vocabSize: 500, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 },
});

describe('exported folders name their own special tokens', () => {
  it('the teacher (the Models tab export) keeps its [PAD] at 7', async () => {
    expect(teacherTok.vocabSize).toBeGreaterThan(400); // so that GLMD's K = 256 (r = 0.5) compresses it
    const { ids } = await exportAndCheck('teacher', teacher, teacherTok);
    expect(ids).toEqual(PLACES);
  });

  const summaries = new Map<Method, DistillSummary>();
  for (const method of METHODS) {
    it(`a ${method} student`, async () => {
      const r = await runDistill({ teacher, teacherTokenizer: teacherTok, texts: TEXTS }, tiny(method), createRunControl(), { onPoint: () => {} });
      try {
        expect(r.summary.steps).toBe(1);
        summaries.set(method, r.summary);
        const { ids, vocabTxt, config } = await exportAndCheck(`student-${method}`, r.student, r.studentTokenizer);
        expect(config.vocab_size).toBe(r.summary.info.studentVocab);
        if (method === 'glmd') {
          expect(r.summary.info.studentVocab).toBeLessThan(teacherTok.vocabSize); // compressed: the rank order is in effect
          expect(vocabTxt.slice(0, 2).sort()).toEqual(['[CLS]', '[SEP]']); // the most frequent protected tokens first
          expect(ids['[PAD]']).not.toBe(0);
        } else if (method === 'kd-full') {
          expect(ids).toEqual(PLACES); // the teacher's vocabulary
        } else {
          expect(ids).toEqual({ '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4 }); // a new student vocabulary
        }
      } finally {
        r.student.dispose();
      }
    });
  }

  it('the recorded recipe of glmd and kd-full does not report student.vocabSize as used; the others keep it', () => {
    expect([...summaries.keys()].sort()).toEqual([...METHODS].sort());
    for (const [method, s] of summaries) {
      if (method === 'glmd' || method === 'kd-full') {
        expect('vocabSize' in s.recipe.student, method).toBe(false);
        expect(s.recipe.ignored['student.vocabSize'], method).toContain(s.info.studentVocab.toLocaleString('en'));
        expect(JSON.stringify(s.recipe)).not.toContain('"vocabSize":500');
      } else {
        expect(s.recipe.student.vocabSize, method).toBe(500);
        expect(s.recipe.ignored['student.vocabSize'], method).toBeUndefined();
      }
    }
  });

  it('a pretraining checkpoint (Train tab / vocabkd pretrain) takes [PAD] from its tokenizer, whatever the shape said', async () => {
    let cp: Checkpoint | null = null;
    await runMlm(TEXTS.join('\n'), validateRunConfig({ steps: 1, evalEvery: 0, checkpointEvery: 0, init: 'plain' }), createRunControl(), { onPoint: () => {}, onCheckpoint: (c) => (cp = c) }, {
      tokenizer: teacherTok, model: makeConfig({ vocabSize: teacherTok.vocabSize, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 32 }), seqLen: 16, batchSize: 2,
    });
    const c = cp as Checkpoint | null;
    expect(c?.config.padTokenId).toBe(PLACES['[PAD]']);
    const model = modelFromWeights(c!.config, new Map(Object.entries(c!.weights).map(([k, w]) => [k, w.data])));
    try {
      expect((await exportAndCheck('pretrained', model, teacherTok)).ids).toEqual(PLACES);
    } finally {
      model.dispose();
    }
  });

  it('a model whose padTokenId names another token is refused (SpecialTokenMismatchError) and nothing is written', async () => {
    const wrong = createMlm(makeConfig({ vocabSize: teacherTok.vocabSize, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 32, padTokenId: 0 }), 4);
    const folder = join(dir, 'refused');
    try {
      const attempt = exportHfFolder(wrong, teacherTok).then((e) => writeHfFolderFiles(folder, e.files));
      await expect(attempt).rejects.toThrow(SpecialTokenMismatchError);
      await expect(exportHfFolder(wrong, teacherTok)).rejects.toThrow(/padTokenId 0 is "[^"]+" in its vocabulary, whose \[PAD\] is id 7/);
      expect(existsSync(folder)).toBe(false);
    } finally {
      wrong.dispose();
    }
  });

  it('written files whose ids were changed after the export are refused before anything is written', async () => {
    const { files } = await exportHfFolder(teacher, teacherTok);
    const edit = (name: string, f: (j: Record<string, unknown>) => void) => files.map((x) => {
      if (x.name !== name) return x;
      const j = JSON.parse(new TextDecoder().decode(x.bytes));
      f(j);
      return { name, bytes: new TextEncoder().encode(JSON.stringify(j)) };
    });
    const cases: [string, typeof files][] = [
      ['config.json pad_token_id 0', edit('config.json', (j) => { j.pad_token_id = 0; })],
      ['pad_token "[CLS]"', edit('special_tokens_map.json', (j) => { j.pad_token = '[CLS]'; })],
      ['added_tokens_decoder moved', edit('tokenizer_config.json', (j) => { (j.added_tokens_decoder as Record<string, unknown>)['6'] = { content: '[PAD]' }; })],
      ['vocab.txt swapped', files.map((x) => (x.name === 'vocab.txt' ? { name: x.name, bytes: new TextEncoder().encode(teacherTok.vocab.map((t) => (t === '[PAD]' ? '[SEP]' : t === '[SEP]' ? '[PAD]' : t)).join('\n') + '\n') } : x))],
    ];
    for (const [what, bad] of cases) {
      const folder = join(dir, `tampered-${what.replace(/\W+/g, '-')}`);
      await expect(writeHfFolderFiles(folder, bad), what).rejects.toThrow(SpecialTokenMismatchError);
      expect(existsSync(folder), what).toBe(false);
    }
    expect(existsSync(join(dir, 'untouched'))).toBe(false);
    await writeHfFolderFiles(join(dir, 'untouched'), files); // the export itself is accepted
    expect(existsSync(join(dir, 'untouched', 'config.json'))).toBe(true);
  });

  it('the recorded effective recipe validates back to a run of the same recipe', () => {
    for (const [method, s] of summaries) {
      const back = validateRecipe(s.recipe);
      const d = defaultRecipe(method);
      const ran = tiny(method);
      for (const path of Object.keys(s.recipe.ignored)) {
        if (path === 'student.vocabSize') ran.student.vocabSize = d.student.vocabSize;
        else (ran as unknown as Record<string, unknown>)[path] = (d as unknown as Record<string, unknown>)[path];
      }
      expect(back, method).toEqual(ran);
    }
  });
});
