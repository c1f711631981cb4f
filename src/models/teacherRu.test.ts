// The shipped Russian teacher (issue 15, item 1; public/models/teacher-ru, README model card): a plain HF
// BertForMaskedLM folder within the 25 MB budget, a cased vocabulary of our own trainer that keeps «ё» and «й», the
// embedded Russian prose's held-out lines held out of its training, and it loads in Node and answers fill-mask as the
// trainer (PyTorch) answered on the same F16 weights.
import * as tf from '@tensorflow/tfjs';
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHfFolder } from '../cli/hfFolderFs.ts';
import { fillMask } from './fillMask.ts';
import { checkFolderSpecials, tokenizerFilesJson } from './hfSpecials.ts';
import { fromTokenizerJson } from '../tokenizers/hfJson.ts';
import { splitDocuments } from '../data/corpus.ts';
import { isHeldOut } from '../data/heldout.ts';

const ROOT = new URL('../../', import.meta.url);
const DIR = new URL('public/models/teacher-ru/', ROOT);
const read = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o, null, 2) + '\n');
const info = () => JSON.parse(dec(read('training.json')));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the shipped Russian teacher (public/models/teacher-ru)', () => {
  it('is a BertForMaskedLM of teacher-en\'s shape with a 24,000-entry vocabulary, F16, within 25 MB', () => {
    const cfg = JSON.parse(dec(read('config.json')));
    expect(cfg).toMatchObject({ architectures: ['BertForMaskedLM'], model_type: 'bert', hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 1024, max_position_embeddings: 128, vocab_size: 24_000, torch_dtype: 'float16' });
    const vocab = dec(read('vocab.txt')).split('\n').filter((l) => l.length > 0);
    expect(vocab.length).toBe(cfg.vocab_size);
    const st = read('model.safetensors');
    expect(st.length).toBeLessThanOrEqual(25_000_000);
    const headerLen = Number(new DataView(st.buffer, st.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(dec(st.subarray(8, 8 + headerLen))) as Record<string, { dtype: string; shape: number[] }>;
    const tensors = Object.entries(header).filter(([k]) => k !== '__metadata__');
    expect(tensors.every(([, t]) => t.dtype === 'F16')).toBe(true);
    expect(header['bert.embeddings.word_embeddings.weight'].shape).toEqual([24_000, 256]);
    const params = tensors.reduce((s, [, t]) => s + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(params).toBe(info().parameters);
    let total = 0;
    for (const n of ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'training.json']) total += statSync(new URL(n, DIR)).size;
    expect(total).toBeLessThanOrEqual(25_000_000);
  });

  it('has a cased tokenizer of our trainer that keeps «ё» and «й»; its tokenizer files are the exporter\'s', () => {
    const tj = JSON.parse(dec(read('tokenizer.json')));
    expect(tj.normalizer).toMatchObject({ lowercase: false, strip_accents: false });
    const vocab = dec(read('vocab.txt')).split('\n');
    expect(vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    for (const t of ['ё', 'й', 'всё', 'Всё']) expect(vocab, t).toContain(t);
    expect(vocab.filter((t) => t.includes('й')).length).toBeGreaterThan(1000);
    const tok = fromTokenizerJson(dec(read('tokenizer.json')));
    expect(tok.encode('Всё ещё идёт', { addSpecialTokens: false }).tokens.join(' ')).toMatch(/ё/);
    const names = ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'];
    expect(() => checkFolderSpecials(names.map((name) => ({ name, bytes: read(name) })))).not.toThrow();
    const cfg = JSON.parse(dec(read('config.json')));
    const { tokenizerConfig, specialTokensMap } = tokenizerFilesJson(tok, cfg.max_position_embeddings);
    expect(dec(read('tokenizer_config.json'))).toBe(dec(enc(tokenizerConfig)));
    expect(dec(read('special_tokens_map.json'))).toBe(dec(enc(specialTokensMap)));
  });

  it('held out every held-out line of the embedded Russian prose (the Distill tab\'s held-out texts)', () => {
    const t = info();
    expect(t.language).toBe('ru');
    expect(t.data.heldout_rule).toContain('src/data/embedded/ru-prose.txt.gz');
    const lines = splitDocuments(gunzipSync(readFileSync(new URL('src/data/embedded/ru-prose.txt.gz', ROOT))).toString('utf8'));
    expect(t.data.heldout_embedded_lines).toBe(new Set(lines.filter((_, i) => isHeldOut(i))).size);
    expect(t.data.heldout_paragraphs).toBeGreaterThan(t.data.paragraphs / 20);
    expect(t.tokenizer).toMatchObject({ trainer: 'vocabkd tokenizer train (our own)', vocab_size: 24_000, cased: true, trained_on: 'training paragraphs only' });
    expect(t.results.heldout_masked_token_accuracy).toBeGreaterThan(0.1);
  });

  it('loads in Node and fills masks as the trainer did on the same F16 weights (top-1 token, probability ±0.005)', async () => {
    const m = await loadHfFolder(new URL('.', DIR).pathname);
    try {
      expect(m.warnings).toEqual([]);
      for (const ex of info().fill_mask as { text: string; tokens: string[]; top5: { token: string; probability: number }[] }[]) {
        expect(m.tokenizer.encode(ex.text).tokens).toEqual(ex.tokens);
        const [r] = await fillMask(m.model, m.tokenizer, ex.text, 5);
        expect(r.candidates[0].token, ex.text).toBe(ex.top5[0].token);
        expect(Math.abs(r.candidates[0].probability - ex.top5[0].probability), ex.text).toBeLessThan(0.005);
      }
    } finally {
      m.model.dispose();
    }
  });
});
