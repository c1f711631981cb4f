/**
 * Stage 0 in the page (issue 4 §6): pretrain a masked LM with the vocabulary trained in the Tokenizers tab, on a
 * dropped corpus, with checkpoints; the loss falls and the run reports its vocabulary size.
 */
import { test, expect, waitForBackend, latestPoints, waitForRunState, expectLossFalls } from './fixtures.ts';

test('pretrains on a dropped corpus with the vocabulary from the Tokenizers tab, with checkpoints', async ({ page, watch }) => {
  await page.goto('/?backend=wasm&preset=micro&steps=40&evalEvery=0');
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
  const vocab = await page.evaluate(() => {
    const s = (window as unknown as { __vocabkd: { store: { getState(): { runOrder: string[]; runs: Record<string, { info: { vocabSize: number } | null }> } } } }).__vocabkd.store.getState();
    return s.runs[s.runOrder[s.runOrder.length - 1]].info?.vocabSize;
  });
  expect(vocab).toBe(600);
  expect(watch.consoleErrors).toEqual([]);
});
