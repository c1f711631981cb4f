/**
 * Stage 0 in the page (issue 4 §6): pretrain a masked LM with the vocabulary trained in the Tokenizers tab, on a
 * dropped corpus, with checkpoints; the loss falls and the run reports its vocabulary size; the result exports as an
 * HF folder, re-imports, and round-trips again with identical fill-mask outputs.
 */
import { readFileSync } from 'node:fs';
import { test, expect, waitForBackend, latestPoints, waitForRunState, expectLossFalls, newestRun } from './fixtures.ts';

test('pretrains on a dropped corpus with the vocabulary from the Tokenizers tab, with checkpoints', async ({ page, watch }) => {
  await page.goto('/?backend=wasm&preset=micro&steps=40&evalEvery=0&teacher=none');
  await waitForBackend(page);
  await page.getByTestId('tab-tokenizers').click();
  await page.getByTestId('tok-vocab-size').fill('600');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('spans-student')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('tab-train').click();
  const corpus = Array.from({ length: 400 }, (_, i) => `The whale ${i % 13} swam past the ship, and the sailors sang ${i % 7} songs.`).join('\n');
  await page.getByTestId('run-file').setInputFiles({ name: 'sea.txt', mimeType: 'text/plain', buffer: Buffer.from(corpus) });
  await page.getByTestId('run-tokenizer').selectOption('lab');
  await page.getByTestId('start').click();
  await waitForRunState(page, 'done');
  const points = await latestPoints(page);
  expect(points).toHaveLength(40);
  expectLossFalls(points);
  await expect(page.getByTestId('checkpoint')).toContainText('40');
  const vocab = (await newestRun<{ info: { vocabSize: number } | null }>(page))?.info?.vocabSize;
  expect(vocab).toBe(600);

  // The pretrained student leaves as an HF folder, comes back in, and round-trips with identical outputs.
  const downloads: { name: string; mimeType: string; buffer: Buffer }[] = [];
  page.on('download', async (d) => downloads.push({ name: d.suggestedFilename(), mimeType: 'application/octet-stream', buffer: readFileSync(await d.path()) }));
  await page.getByTestId('tab-models').click();
  await page.getByTestId('export-checkpoint').click();
  await expect.poll(() => downloads.length).toBeGreaterThanOrEqual(4);
  const config = JSON.parse(downloads.find((d) => d.name === 'config.json')!.buffer.toString());
  expect(config).toMatchObject({ architectures: ['BertForMaskedLM'], vocab_size: 600, hidden_size: 32, num_hidden_layers: 1 });
  await page.getByTestId('model-files').setInputFiles(downloads.splice(0));
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('fill-mask-text').fill('The whale [MASK] past the ship.');
  await page.getByTestId('fill-mask-run').click();
  const first = await page.getByTestId('fill-mask-results').locator('.candidate').evaluateAll((els) => els.map((e) => [e.getAttribute('data-token'), e.getAttribute('data-probability')]));
  expect(first).toHaveLength(5);
  await page.getByTestId('export-teacher').click();
  await expect.poll(() => downloads.length).toBeGreaterThanOrEqual(4);
  await page.getByTestId('model-files').setInputFiles(downloads);
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('fill-mask-run').click();
  await expect.poll(async () => JSON.stringify(await page.getByTestId('fill-mask-results').locator('.candidate').evaluateAll((els) => els.map((e) => [e.getAttribute('data-token'), e.getAttribute('data-probability')])))).toBe(JSON.stringify(first));
  expect(watch.consoleErrors).toEqual([]);
});
