/**
 * The Models tab (issue 4): a generated tiny HF folder imports in the page (through the same import path as the
 * shipped teacher), fill-mask in the page equals fill-mask computed in Node on the same weights, the parameter
 * budget shows the paper's numbers, and an exported folder re-imports with identical outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { test, expect, waitForBackend } from './fixtures.ts';
import { createMlm } from '../src/models/mlm.ts';
import { makeConfig } from '../src/models/config.ts';
import { exportHfFolder } from '../src/models/hfFolder.ts';
import { fillMask } from '../src/models/fillMask.ts';
import { bertTokenizer } from '../src/tokenizers/hfJson.ts';
import { WordPieceModel } from '../src/tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../src/tokenizers/normalizer.ts';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'call', 'me', 'ishmael', '.', 'the', 'whale', 'white', 'sea', '##s', 'ship'];

async function tinyFolder() {
  await tf.setBackend('cpu');
  const model = createMlm(makeConfig({ vocabSize: VOCAB.length, hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 24, maxPositions: 32 }), 42);
  const tok = bertTokenizer(new WordPieceModel(VOCAB), DEFAULT_NORMALIZER);
  const { files } = await exportHfFolder(model, tok);
  const expected = await fillMask(model, tok, 'call me [MASK] .', 5);
  model.dispose();
  return { files: files.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: Buffer.from(f.bytes) })), expected };
}

type Candidate = { token: string; probability: number };
async function pageCandidates(page: import('@playwright/test').Page): Promise<Candidate[]> {
  await expect(page.getByTestId('fill-mask-results')).toBeVisible();
  return page.getByTestId('fill-mask-results').locator('.candidate').evaluateAll((els) =>
    els.map((e) => ({ token: e.getAttribute('data-token') ?? '', probability: Number(e.getAttribute('data-probability')) })));
}

test('a generated tiny HF folder imports in the page; fill-mask equals Node’s; export → re-import is identical', async ({ page, watch }) => {
  const { files, expected } = await tinyFolder();
  await page.goto('/?backend=wasm&tab=models&teacher=none');
  await waitForBackend(page);
  await page.getByTestId('model-files').setInputFiles(files);
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('teacher-name')).toHaveText('config.json');
  await page.getByTestId('fill-mask-text').fill('call me [MASK] .');
  await page.getByTestId('fill-mask-run').click();
  const got = await pageCandidates(page);
  expect(got.map((c) => c.token)).toEqual(expected[0].candidates.map((c) => c.token));
  got.forEach((c, i) => expect(Math.abs(c.probability - expected[0].candidates[i].probability)).toBeLessThan(1e-5));

  // Export from the page, re-import the downloads: identical fill-mask probabilities.
  const downloads: { name: string; mimeType: string; buffer: Buffer }[] = [];
  page.on('download', async (d) => downloads.push({ name: d.suggestedFilename(), mimeType: 'application/octet-stream', buffer: readFileSync(await d.path()) }));
  await page.getByTestId('export-teacher').click();
  await expect(page.getByTestId('exported')).toContainText('model.safetensors');
  await expect.poll(() => downloads.length).toBeGreaterThanOrEqual(4);
  expect(downloads.map((d) => d.name)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt']));
  expect(JSON.parse(downloads.find((d) => d.name === 'config.json')!.buffer.toString()).architectures).toEqual(['BertForMaskedLM']);
  await page.getByTestId('model-files').setInputFiles(downloads);
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('fill-mask-run').click();
  await expect.poll(async () => JSON.stringify(await pageCandidates(page))).toBe(JSON.stringify(got));
  expect(watch.consoleErrors).toEqual([]);
});

test('a broken folder names the problem and keeps the loaded teacher', async ({ page }) => {
  const { files } = await tinyFolder();
  await page.goto('/?backend=wasm&tab=models&teacher=none');
  await waitForBackend(page);
  await page.getByTestId('model-files').setInputFiles(files);
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready');
  const config = JSON.parse(files.find((f) => f.name === 'config.json')!.buffer.toString());
  config.hidden_size = 17; // not divisible by the 2 heads
  await page.getByTestId('model-files').setInputFiles(files.map((f) => (f.name === 'config.json' ? { ...f, buffer: Buffer.from(JSON.stringify(config)) } : f)));
  await expect(page.getByTestId('model-error')).toContainText('hidden');
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('fill-mask-run').click();
  await expect(page.getByTestId('fill-mask-results')).toBeVisible();
});

test('the parameter budget reproduces the paper: 177,853,440 / 10,395,426 / 3,632,096 and 48.97×', async ({ page }) => {
  await page.goto('/?backend=wasm&tab=models&teacher=none');
  await page.locator('select').filter({ hasText: 'Kolesnikova' }).selectOption('paper');
  await expect(page.getByTestId('budget-rubert-base (teacher)')).toHaveAttribute('data-total', '177853440');
  await expect(page.getByTestId('budget-tiny, 30,522 vocab')).toHaveAttribute('data-total', '10395426');
  await expect(page.getByTestId('budget-tiny, 5,000 vocab')).toHaveAttribute('data-total', '3632096');
  await expect(page.getByTestId('budget-ratio')).toContainText('48.97×');
  // GLMD's students, BERT-shaped (params.test.ts holds the same figures): 67,040,896 / 55,327,488 / 50,020,224.
  await page.locator('select').filter({ hasText: 'Kolesnikova' }).selectOption('glmd');
  await expect(page.getByTestId('budget-GLMD-vc 6×768')).toHaveAttribute('data-total', '67040896');
  await expect(page.getByTestId('budget-GLMD 50 % vocab')).toHaveAttribute('data-total', '55327488');
  await expect(page.getByTestId('budget-GLMD+al E 384')).toHaveAttribute('data-total', '50020224');
});
