// Special tokens of HF folders (issue 19): the folder checker against each kind of disagreement it must catch, the
// exporter with a vocabulary whose specials are not first or that has no [PAD], the importer's correction of a
// config.json pad_token_id that names another token, and the shipped teacher's tokenizer files (written by
// tools/teacher/hf_files.py) against the exporter's.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportHfFolder, parseHfFolder, type HfFile } from './hfFolder.ts';
import { checkFolderSpecials, SpecialTokenMismatchError, tokenizerFilesJson } from './hfSpecials.ts';
import { createMlm } from './mlm.ts';
import { makeConfig } from './config.ts';
import { bertTokenizer, fromTokenizerJson } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';

const ROOT = new URL('../../', import.meta.url);
const enc = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o, null, 2) + '\n');
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** [PAD] at 4, [CLS] at 3: a vocabulary whose specials are not its first ids. */
const VOCAB = ['a', 'b', '[UNK]', '[CLS]', '[PAD]', '[SEP]', '[MASK]', 'c', '##a', '##b'];
const TOK = bertTokenizer(new WordPieceModel(VOCAB), DEFAULT_NORMALIZER);

const model = (tok: Tokenizer, padTokenId: number) =>
  createMlm(makeConfig({ vocabSize: tok.vocabSize, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 8, maxPositions: 8, padTokenId }), 1);

let files: HfFile[];
beforeAll(async () => {
  await tf.setBackend('cpu');
  const m = model(TOK, 4);
  files = (await exportHfFolder(m, TOK)).files;
  m.dispose();
});

const json = (fs: HfFile[], name: string) => JSON.parse(dec(fs.find((f) => f.name === name)!.bytes));
const edit = (name: string, f: (j: Record<string, unknown>) => void): HfFile[] =>
  files.map((x) => {
    if (x.name !== name) return x;
    const j = JSON.parse(dec(x.bytes));
    f(j);
    return { name, bytes: enc(j) };
  });

describe('checkFolderSpecials', () => {
  it('accepts the export of a vocabulary whose specials are not first; its files state those ids', () => {
    expect(() => checkFolderSpecials(files)).not.toThrow();
    expect(json(files, 'config.json').pad_token_id).toBe(4);
    const tc = json(files, 'tokenizer_config.json');
    expect(Object.fromEntries(Object.entries(tc.added_tokens_decoder as Record<string, { content: string }>).map(([id, a]) => [a.content, Number(id)])))
      .toEqual({ '[UNK]': 2, '[CLS]': 3, '[PAD]': 4, '[SEP]': 5, '[MASK]': 6 });
    expect(json(files, 'tokenizer.json').post_processor).toMatchObject({ cls: ['[CLS]', 3], sep: ['[SEP]', 5] });
  });

  const cases: [string, () => HfFile[], RegExp][] = [
    ['config.json pad_token_id names [CLS]', () => edit('config.json', (j) => { j.pad_token_id = 3; }), /config\.json pad_token_id 3 is "\[CLS\]" in vocab\.txt, not "\[PAD\]" \("\[PAD\]" is id 4\)/],
    ['config.json pad_token_id null although [PAD] exists', () => edit('config.json', (j) => { j.pad_token_id = null; }), /config\.json pad_token_id is null but vocab\.txt and tokenizer\.json have "\[PAD\]" at 4/],
    ['config.json cls_token_id wrong', () => edit('config.json', (j) => { j.cls_token_id = 0; }), /config\.json cls_token_id 0 is "a"/],
    ['special_tokens_map.json names another pad', () => edit('special_tokens_map.json', (j) => { j.pad_token = '[SEP]'; }), /tokenizer_config\.json pad_token is "\[PAD\]" but special_tokens_map\.json says "\[SEP\]"/],
    ['a special that is not in the vocabulary', () => edit('special_tokens_map.json', (j) => { j.bos_token = '<s>'; j.mask_token = '<mask>'; }), /mask_token "<mask>" is not in vocab\.txt/],
    ['added_tokens_decoder at a wrong id', () => edit('tokenizer_config.json', (j) => { (j.added_tokens_decoder as Record<string, unknown>)['0'] = { content: '[PAD]' }; }), /added_tokens_decoder\[0\] 0 is "a" in vocab\.txt, not "\[PAD\]"/],
    ['tokenizer.json post-processor [CLS] id wrong', () => edit('tokenizer.json', (j) => { (j.post_processor as Record<string, unknown>).cls = ['[CLS]', 4]; }), /post_processor\.cls 4 is "\[PAD\]" in vocab\.txt, not "\[CLS\]"/],
    ['tokenizer.json added token at another id than its model vocabulary', () => edit('tokenizer.json', (j) => { (j.added_tokens as { id: number; content: string }[])[0].id = 7; }), /added token "\[PAD\]" has id 7, where its model vocabulary has "c"/],
    ['vocab.txt in another order than tokenizer.json', () => files.map((x) => (x.name === 'vocab.txt' ? { name: x.name, bytes: enc(['[PAD]', ...VOCAB.filter((t) => t !== '[PAD]')].join('\n') + '\n') } : x)), /pad_token "\[PAD\]" has different ids: 0 in vocab\.txt, 4 in tokenizer\.json/],
  ];
  for (const [what, bad, message] of cases) {
    it(`refuses: ${what}`, () => {
      expect(() => checkFolderSpecials(bad())).toThrow(SpecialTokenMismatchError);
      expect(() => checkFolderSpecials(bad())).toThrow(message);
    });
  }

  it('an id with no special named for it (bos_token_id) is not compared; files that are absent are skipped', () => {
    expect(() => checkFolderSpecials(edit('config.json', (j) => { j.bos_token_id = 0; }))).not.toThrow();
    expect(() => checkFolderSpecials(files.filter((f) => f.name === 'config.json' || f.name === 'vocab.txt'))).not.toThrow();
    expect(() => checkFolderSpecials([])).not.toThrow();
  });
});

describe('export and import', () => {
  it('a vocabulary without [PAD] exports pad_token_id null (noted) and names no pad_token', async () => {
    const tok = bertTokenizer(new WordPieceModel(['[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b']), DEFAULT_NORMALIZER);
    const m = model(tok, 0);
    try {
      const out = await exportHfFolder(m, tok);
      expect(out.notes).toContain('pad_token_id null: the vocabulary has no [PAD]');
      expect(json(out.files, 'config.json').pad_token_id).toBeNull();
      expect(json(out.files, 'special_tokens_map.json')).toEqual({ unk_token: '[UNK]', sep_token: '[SEP]', cls_token: '[CLS]', mask_token: '[MASK]' });
    } finally {
      m.dispose();
    }
  });

  it('the importer takes [PAD] from the vocabulary when config.json names another token or omits it (warning)', () => {
    const stated = parseHfFolder(edit('config.json', (j) => { j.pad_token_id = 3; }));
    expect(stated.config.padTokenId).toBe(4);
    expect(stated.warnings).toEqual(['config.json pad_token_id 3 names "[CLS]", but the vocabulary\'s [PAD] is id 4: using 4']);
    const absent = parseHfFolder(edit('config.json', (j) => { delete j.pad_token_id; }));
    expect(absent.config.padTokenId).toBe(4);
    expect(absent.warnings).toEqual(['config.json pad_token_id is absent (BertConfig\'s default 0) names "a", but the vocabulary\'s [PAD] is id 4: using 4']);
    const right = parseHfFolder(files);
    expect(right.config.padTokenId).toBe(4);
    expect(right.warnings).toEqual([]);
  });
});

describe('the shipped teacher (public/models/teacher-en)', () => {
  const read = (name: string) => new Uint8Array(readFileSync(new URL(`public/models/teacher-en/${name}`, ROOT)));
  it('names its own special tokens, and its tokenizer files are the exporter\'s', () => {
    const names = ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'];
    const shipped = names.map((name) => ({ name, bytes: read(name) }));
    expect(() => checkFolderSpecials(shipped)).not.toThrow();
    const cfg = JSON.parse(dec(read('config.json')));
    const { tokenizerConfig, specialTokensMap } = tokenizerFilesJson(fromTokenizerJson(dec(read('tokenizer.json'))), cfg.max_position_embeddings);
    expect(dec(read('tokenizer_config.json'))).toBe(dec(enc(tokenizerConfig)));
    expect(dec(read('special_tokens_map.json'))).toBe(dec(enc(specialTokensMap)));
    expect(cfg.pad_token_id).toBe(dec(read('vocab.txt')).split('\n').indexOf('[PAD]'));
  });
});
