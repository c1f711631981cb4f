// Node folder helpers: an exported model written to disk and loaded back gives the same weights; files an import
// does not read (README.md, pytorch_model.bin) are skipped; a missing folder is a named error.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHfFolder, readHfFolderFiles, writeHfFolderFiles } from './hfFolderFs.ts';
import { exportHfFolder, HfFolderError } from '../models/hfFolder.ts';
import { createMlm } from '../models/mlm.ts';
import { makeConfig } from '../models/config.ts';
import { bertTokenizer } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'vocabkd-hf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('HF folder on disk', () => {
  it('export → write → read → import gives identical weights; unrelated files are skipped', async () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'c'];
    const tok = bertTokenizer(new WordPieceModel(vocab), DEFAULT_NORMALIZER);
    const model = createMlm(makeConfig({ vocabSize: vocab.length, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, maxPositions: 8 }), 3);
    const { files } = await exportHfFolder(model, tok);
    const out = join(dir, 'student');
    const paths = await writeHfFolderFiles(out, files);
    expect(paths).toHaveLength(files.length);
    await writeFile(join(out, 'README.md'), '# card\n');
    await writeFile(join(out, 'pytorch_model.bin'), new Uint8Array(16));
    expect((await readdir(out)).sort()).toContain('pytorch_model.bin');
    const read = await readHfFolderFiles(out);
    expect(read.map((f) => f.name)).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const loaded = await loadHfFolder(out);
    for (const [k, v] of Object.entries(model.params)) expect(await loaded.model.params[k].data(), k).toEqual(await v.data());
    loaded.model.dispose();
    model.dispose();
  });

  it('a path that is not a folder', async () => {
    await expect(readHfFolderFiles(join(dir, 'nope'))).rejects.toThrow(HfFolderError);
    await expect(readHfFolderFiles(join(dir, 'nope'))).rejects.toThrow(/is not a folder/);
  });
});
