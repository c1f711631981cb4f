// Issue 15 item 5: a real Russian BERT brought by the user. Synthetic random folders of exactly the real models' shapes
// are generated here in a temporary folder (src/testing/rubertFolders.ts; nothing committed):
// - rubert-base-cased-shaped (119,547 × 768 × 12 layers): priced from config.json + the safetensors header alone
//   (the body is a sparse hole, never read) and refused BEFORE loading with a named ModelTooLargeError stating what it
//   needs and the limit it hit, or accepted when the limits allow (loadPlan.ts);
// - rubert-tiny2-shaped (83,828 × 312 × 3 layers, 2,048 positions, F32): loads through the CLI's loader, answers
//   fill-mask and distils 3 steps into a student with a quarter of its vocabulary, in Node;
// - bad input: a vocab.txt in Windows-1251 (VocabEncodingError), a lower-casing teacher against a cased student (the
//   Alignment map's differences), Russian text with pre-reform letters (ѣ, і: kept by the student's WordPiece).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countParams } from './mlm.ts';
import { fromBertConfigJson } from './hfConfig.ts';
import { checkBlobsFit, checkLoadPlan, PAGE_IMPORT_LIMITS, planHfLoad, type HfFileRef } from './loadPlan.ts';
import { ModelTooLargeError } from './limits.ts';
import { VocabEncodingError } from './hfFolder.ts';
import { fillMask } from './fillMask.ts';
import { hfFolderRefs, loadHfFolder } from '../cli/hfFolderFs.ts';
import { RUBERT_BASE, RUBERT_TINY2, syntheticVocab, toCp1251, writeSparseBert, writeSyntheticBert } from '../testing/rubertFolders.ts';
import { prefixTokenizer } from '../tokenizers/prefix.ts';
import { trainTokenizer, DEFAULT_TOKENIZER_TRAIN } from '../tokenizers/trainTokenizer.ts';
import { fromVocabTxt } from '../tokenizers/hfJson.ts';
import { tokenizerDifferences } from '../alignment/index.ts';
import { runDistill } from '../distill/run.ts';
import { createRunControl } from '../train/mlmRun.ts';
import { tinyRecipe } from '../testing/distillFixture.ts';
import { createRng } from '../data/rng.ts';

const dir = mkdtempSync(join(tmpdir(), 'vkd-rubert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => { await tf.setBackend('cpu'); });

/** Refs that count the bytes read, to show a decision took the header only. */
function counting(refs: HfFileRef[]): { refs: HfFileRef[]; bytes: () => number } {
  let n = 0;
  return { refs: refs.map((r) => ({ ...r, read: async (s: number, e: number) => { const b = await r.read(s, e); n += b.length; return b; } })), bytes: () => n };
}

const MiB = 2 ** 20;

describe('a rubert-base-cased-shaped folder (119,547 × 768, 12 layers): decided from config.json and the header', () => {
  const base = join(dir, 'base');
  let file: { fileBytes: number; headerBytes: number };
  beforeAll(() => { file = writeSparseBert(base, RUBERT_BASE); });

  it('is priced without reading its weights: parameters, F32 bytes, file size, the import peak', async () => {
    const c = counting(await hfFolderRefs(base));
    const plan = await planHfLoad(c.refs);
    const config = fromBertConfigJson({ vocab_size: 119_547, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 512 });
    expect(plan.params).toBe(countParams(config));
    expect(plan.params).toBe(177_974_523); // BertModel's 177,853,440 (methods.md) − the 590,592 pooler + the MLM head's 592,128 + 119,547 bias
    expect(plan.weightBytes).toBe(plan.params * 4);
    expect(plan.fileBytes).toBe(file.fileBytes);
    expect(plan.largest).toEqual({ key: 'bert.embeddings.word_embeddings.weight', bytes: 119_547 * 768 * 4 });
    expect(plan.hostPeakBytes).toBe(plan.fileBytes + plan.weightBytes + plan.denseBytes);
    expect(c.bytes()).toBeLessThan(file.headerBytes + 2 * 8 + 5_000); // config.json + 8 bytes + the header, twice the 8
  });

  it('a WebGPU adapter with 128 MiB buffers refuses it by name: the word table needs 350.2 MiB', async () => {
    const plan = await planHfLoad(await hfFolderRefs(base));
    const call = () => checkLoadPlan(plan, { backend: 'webgpu', maxBufferBytes: 128 * MiB });
    expect(call).toThrow(ModelTooLargeError);
    expect(call).toThrow(/bert\.embeddings\.word_embeddings\.weight needs 350\.2 MiB in one buffer; this WebGPU adapter allows 128\.0 MiB/);
    expect(call).toThrow(/177,974,523 parameters, 678\.9 MiB as F32/);
  });

  it('a 1 GiB import budget refuses it before a weight is read, stating the memory it needs; 4 GiB on WASM accepts it', async () => {
    const c = counting(await hfFolderRefs(base));
    const plan = await planHfLoad(c.refs);
    const call = () => checkLoadPlan(plan, { backend: 'wasm', hostBytes: 1024 * MiB, host: 'VOCABKD_MAX_MEMORY_MB=1024' });
    expect(call).toThrow(ModelTooLargeError);
    expect(call).toThrow(/importing this model needs about 1,\d{3}\.\d MiB of memory .* VOCABKD_MAX_MEMORY_MB=1024 allows 1,024\.0 MiB/);
    expect(() => checkLoadPlan(plan, { backend: 'wasm', hostBytes: 4096 * MiB })).not.toThrow();
    // the CLI's loader refuses on the same figures before it reads the 679 MiB body (a hole here: reading it would take seconds)
    const t0 = performance.now();
    await expect(loadHfFolder(base, { backend: 'cpu', hostBytes: 1024 * MiB, host: 'VOCABKD_MAX_MEMORY_MB=1024' })).rejects.toThrow(ModelTooLargeError);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(c.bytes()).toBeLessThan(file.headerBytes + 5_000);
  });
});

describe('the page path: dropped files (File.slice) priced before they are read', () => {
  it('refuses the base-shaped drop on a 128 MiB WebGPU adapter, reading only config.json and the header', async () => {
    if (!existsSync(join(dir, 'base', 'config.json'))) writeSparseBert(join(dir, 'base'), RUBERT_BASE);
    const c = counting(await hfFolderRefs(join(dir, 'base')));
    const files = c.refs.map((r) => ({ name: `rubert-base-cased/${r.name}`, size: r.size, slice: (s: number, e: number) => ({ arrayBuffer: async () => (await r.read(s, e)).slice().buffer }) }));
    const err = await checkBlobsFit(files, { backend: 'webgpu', maxBufferBytes: 128 * MiB, ...PAGE_IMPORT_LIMITS }).then(() => null, (e: Error) => e);
    expect(err?.name).toBe('ModelTooLargeError');
    expect(err?.message).toMatch(/needs 350\.2 MiB in one buffer; this WebGPU adapter allows 128\.0 MiB/);
    expect(c.bytes()).toBeLessThan(200_000);
    // on WASM it fits the page's 2 GiB import budget: file 679 + F32 679 + dense kernels 324 MiB
    const plan = await checkBlobsFit(files, { backend: 'wasm', ...PAGE_IMPORT_LIMITS });
    expect(plan!.hostPeakBytes / MiB).toBeLessThan(2048);
    expect(await checkBlobsFit([{ name: 'notes.md', size: 3, slice: () => ({ arrayBuffer: async () => new ArrayBuffer(3) }) }], { backend: 'wasm' })).toBeNull();
  });
});

describe('a rubert-tiny2-shaped folder (83,828 × 312, 3 layers, 12 heads, FFN 600, 2,048 positions, F32)', () => {
  const tiny = join(dir, 'tiny2');
  let m: Awaited<ReturnType<typeof loadHfFolder>>;
  beforeAll(async () => {
    writeSyntheticBert(tiny, RUBERT_TINY2);
    m = await loadHfFolder(tiny);
  }, 120_000);
  afterAll(() => m?.model.dispose());

  it('loads through the CLI loader: the shape, the vocabulary, the dropped pre-training heads', () => {
    expect(m.config).toMatchObject({ vocabSize: 83_828, hiddenSize: 312, numLayers: 3, numHeads: 12, intermediateSize: 600, maxPositions: 2048 });
    expect(m.tokenizer.vocabSize).toBe(83_828);
    expect(m.plan.params).toBe(countParams(m.config));
    expect(m.warnings.join('\n')).toMatch(/dropped 4 tensors not used by a masked LM .*bert\.pooler\.dense\.weight/);
  });

  it('answers fill-mask', async () => {
    const [r] = await fillMask(m.model, m.tokenizer, 'он пошел [MASK] домой', 5);
    expect(r.candidates).toHaveLength(5);
    const p = r.candidates.map((c) => c.probability);
    expect(p.every((x, i) => x > 0 && (i === 0 || x <= p[i - 1]))).toBe(true);
  });

  it('distils 3 steps into a student with a quarter of its vocabulary (20,957 entries, Reduce), tensor count flat', async () => {
    const rng = createRng(3);
    const words = syntheticVocab(400).slice(200).filter((w) => !w.startsWith('##') && !w.startsWith('['));
    const texts = Array.from({ length: 40 }, () => Array.from({ length: 6 + rng.int(10) }, () => words[rng.int(words.length)]).join(' '));
    const student = prefixTokenizer(m.tokenizer, Math.floor(83_828 / 4));
    expect(student.vocabSize).toBe(20_957);
    const before = tf.memory().numTensors;
    const points: { step: number; kl?: number }[] = [];
    const recipe = tinyRecipe('reduce', { steps: 3, batchSize: 2, seqLen: 24, studentTokenizer: 'tokenizers-tab' });
    const r = await runDistill({ teacher: m.model, teacherTokenizer: m.tokenizer, texts, studentTokenizer: student }, { ...recipe, student: { ...recipe.student, vocabSize: 20_957 } },
      createRunControl(), { onPoint: (p) => points.push(p) });
    try {
      expect(r.outcome).toBe('done');
      expect(r.summary.steps).toBe(3);
      expect(r.summary.info.studentVocab).toBe(20_957);
      expect(r.summary.info.sharedVocab).toBe(20_957);
      expect(points.map((p) => p.step)).toEqual([1, 2, 3]);
      expect(points.every((p) => Number.isFinite(p.kl))).toBe(true);
    } finally {
      r.student.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});

describe('bad input for a Russian teacher', () => {
  it('a vocab.txt in Windows-1251 is a VocabEncodingError naming the byte, the line and the likely encoding', async () => {
    const bad = join(dir, 'cp1251');
    const vocab = syntheticVocab(600);
    writeSyntheticBert(bad, { ...RUBERT_TINY2, vocabSize: 600, maxPositions: 64, numLayers: 1 }, { vocab: toCp1251(vocab.join('\n') + '\n') });
    const err = await loadHfFolder(bad).then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(VocabEncodingError);
    expect(err!.name).toBe('VocabEncodingError');
    const line = vocab.findIndex((w) => [...w].some((ch) => ch.charCodeAt(0) > 0x7f)) + 1;
    expect(err!.message).toMatch(new RegExp(`vocab\\.txt is not UTF-8: byte 0x[0-9A-F]{2} at offset \\d+ \\(line ${line}\\).*Windows-1251`));
  });

  it('a lower-casing teacher against a cased student is named among the Alignment map\'s differences', () => {
    const vocab = syntheticVocab(300).join('\n');
    const notes = tokenizerDifferences(fromVocabTxt(vocab, { lowercase: true }).parts, fromVocabTxt(vocab, { lowercase: false }).parts);
    expect(notes[0]).toMatch(/the teacher lower-cases, the student keeps case/);
  });

  it('pre-reform letters (ѣ, і) are counted and kept by a student WordPiece trained on them', async () => {
    const texts = Array.from({ length: 30 }, (_, i) => `Вѣра и міръ, ${i} разъ: Ѣ і Ѳ ѳ ѵ, и снова вѣра.`);
    const { tokenizer } = await trainTokenizer(texts, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 500, minFrequency: 1 });
    for (const ch of ['ѣ', 'і', 'Ѣ', 'ѳ', 'ѵ']) expect(tokenizer.tokenToId(ch), ch).toBeDefined();
    const enc = tokenizer.encode('Вѣра и міръ', { addSpecialTokens: false });
    expect(enc.tokens).not.toContain('[UNK]');
    expect(tokenizer.decode(enc.ids)).toBe('Вѣра и міръ');
  });
});
