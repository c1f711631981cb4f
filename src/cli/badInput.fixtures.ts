/**
 * Fixtures of the bad-input table (badInput.table.ts), written once into a folder: a tiny teacher (HF folder) and its
 * corpus and tokenizer, and broken variants of the teacher: NaN / Infinity in a tensor, huge finite weights (a
 * teacher whose forward pass overflows: the distillation diverges at step 1), a 0-byte and a truncated
 * model.safetensors, a vocab.txt shorter than the embedding, a Unigram tokenizer.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../data/rng.ts';
import { makeConfig } from '../models/config.ts';
import { exportHfFolder } from '../models/hfFolder.ts';
import { createMlm } from '../models/mlm.ts';
import { readSafetensors, writeSafetensors } from '../models/safetensors.ts';
import { toTokenizerJson, toVocabTxt } from '../tokenizers/hfJson.ts';
import { DEFAULT_TOKENIZER_TRAIN, trainTokenizer } from '../tokenizers/trainTokenizer.ts';
import { writeHfFolderFiles } from './hfFolderFs.ts';

const WORDS = 'the white whale swims and ship sails to sea captain Ahab hunts harpooner Queequeg Ishmael strange voyage , .'.split(' ');
const WORD_TABLE = 'bert.embeddings.word_embeddings.weight';
const QUERY = 'bert.encoder.layer.0.attention.self.query.weight';

/** A copy of the teacher folder `src` at `dest` with `edit` applied to its tensors (HF names and layout). */
function variant(src: string, dest: string, edit: (name: string, data: Float32Array) => void): void {
  mkdirSync(dest, { recursive: true });
  for (const f of ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json']) writeFileSync(join(dest, f), readFileSync(join(src, f)));
  const st = readSafetensors(readFileSync(join(src, 'model.safetensors')));
  const tensors = new Map([...st.tensors].map(([k, t]) => {
    const data = Float32Array.from(t.data as Float32Array);
    edit(k, data);
    return [k, { shape: t.shape, data }];
  }));
  writeFileSync(join(dest, 'model.safetensors'), writeSafetensors(tensors, { metadata: { format: 'pt' } }));
}

/** A teacher folder whose files are those of `src` except `replace` (name → bytes; null removes the file). */
function withFiles(src: string, dest: string, replace: Record<string, Uint8Array | string | null>): void {
  mkdirSync(dest, { recursive: true });
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json']) {
    if (f in replace) { if (replace[f] !== null) writeFileSync(join(dest, f), replace[f]!); continue; }
    writeFileSync(join(dest, f), readFileSync(join(src, f)));
  }
}

/** Writes every fixture into `fx` (a TF.js backend must be set). */
export async function buildFixtures(fx: string): Promise<void> {
  const rng = createRng(3);
  const texts = Array.from({ length: 80 }, () => Array.from({ length: 4 + rng.int(20) }, () => WORDS[rng.int(WORDS.length)]).join(' '));
  writeFileSync(join(fx, 'corpus.txt'), texts.join('\n') + '\n');
  const tok = (await trainTokenizer(texts, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 500, minFrequency: 1 })).tokenizer;
  writeFileSync(join(fx, 'tok.json'), toTokenizerJson(tok));
  const cfg = (v: number) => JSON.stringify({ vocab_size: v, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 });
  writeFileSync(join(fx, 'config-padded.json'), cfg(tok.vocabSize + 8));
  writeFileSync(join(fx, 'config-small.json'), cfg(tok.vocabSize - 10));
  writeFileSync(join(fx, 'corpus-bad-utf8.txt'), new Uint8Array([...new TextEncoder().encode(texts.join('\n')), 0x0a, 0x61, 0xff, 0x62, 0xfe, 0x0a]));
  const teacher = createMlm(makeConfig({ vocabSize: tok.vocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 32 }), 1);
  const t = join(fx, 'teacher');
  await writeHfFolderFiles(t, (await exportHfFolder(teacher, tok)).files);
  teacher.dispose();
  variant(t, join(fx, 'nan-model'), (k, d) => { if (k === QUERY) d[3] = NaN; });
  variant(t, join(fx, 'inf-model'), (k, d) => { if (k === WORD_TABLE) d[10] = -Infinity; });
  variant(t, join(fx, 'huge-model'), (k, d) => { if (k === WORD_TABLE) d.forEach((v, i) => (d[i] = v * 1e25)); });
  const weights = readFileSync(join(t, 'model.safetensors'));
  withFiles(t, join(fx, 'zero-model'), { 'model.safetensors': new Uint8Array(0) });
  withFiles(t, join(fx, 'trunc-model'), { 'model.safetensors': weights.subarray(0, Math.floor(weights.length / 2)) });
  withFiles(t, join(fx, 'trailing-model'), { 'model.safetensors': new Uint8Array([...weights, 1, 2, 3, 4]) });
  const vocab = toVocabTxt(tok).split('\n').filter(Boolean);
  withFiles(t, join(fx, 'short-vocab'), { 'tokenizer.json': null, 'vocab.txt': vocab.slice(0, vocab.length - 5).join('\n') + '\n' });
  // the same vocabulary with two Russian entries, saved as Windows-1251 (кит = EA E8 F2, море = EC EE F0 E5)
  const cp1251 = Buffer.concat([Buffer.from(vocab.slice(0, 10).join('\n') + '\n'), Buffer.from([0xea, 0xe8, 0xf2, 0x0a, 0xec, 0xee, 0xf0, 0xe5, 0x0a]), Buffer.from(vocab.slice(12).join('\n') + '\n')]);
  withFiles(t, join(fx, 'cp1251-vocab'), { 'tokenizer.json': null, 'vocab.txt': new Uint8Array(cp1251) });
  const unigram = JSON.stringify({ model: { type: 'Unigram', vocab: [['[UNK]', 0], ['▁the', -1.5]], unk_id: 0 } });
  writeFileSync(join(fx, 'unigram.json'), unigram);
  withFiles(t, join(fx, 'unigram-model'), { 'tokenizer.json': unigram });
}
