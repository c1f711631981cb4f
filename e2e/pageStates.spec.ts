/**
 * Page states (issue 17 §6): every state says what it is, and no result stands beside an error about another input.
 * Models tab: the shipped teacher is "loading" from the start (never "no teacher loaded" meanwhile), two junk files are
 * named, Export the latest Train MLM checkpoint is disabled without one, each Paper A student has its ratio (17.11×,
 * 48.97×), fill-mask results for an earlier text are marked and an error clears them. Tokenizers tab: a binary corpus
 * is refused in the worker in the page's words, the earlier vocabulary is marked stale; a token never breaks across
 * lines; file inputs are wide; the what-if chart has axis titles and no repeated ticks.
 */
import { test, expect } from './fixtures.ts';

test('Models tab: loading said, junk files named, no checkpoint export without one, both ratios, stale fill-mask', async ({ page, watch }) => {
  await page.goto('/?backend=wasm&tab=models');
  const status = page.getByTestId('teacher-status');
  await expect(status).toContainText('loading the shipped English teacher'); // from the first render, while the backend initialises
  await expect(status).not.toContainText('no teacher');
  await expect(page.getByTestId('export-checkpoint')).toBeDisabled();
  await expect(page.getByTestId('export-checkpoint')).toContainText('(none yet)');
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 150_000 });
  await expect(page.getByTestId('teacher-name')).toContainText('shipped English teacher');

  await page.getByTestId('model-files').setInputFiles([
    { name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 junk') },
    { name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]) },
  ]);
  await expect(page.getByTestId('model-error')).toContainText('none of the files given is part of an HF folder (notes.pdf, photo.png)');
  await expect(status).toHaveAttribute('data-status', 'ready'); // the teacher stays

  await expect(page.getByTestId('fill-mask-empty')).toContainText('no results yet');
  await page.getByTestId('fill-mask-text').fill('Call me [MASK].');
  await page.getByTestId('fill-mask-run').click();
  await expect(page.getByTestId('fill-mask-results')).toHaveAttribute('data-stale', 'false');
  await page.getByTestId('fill-mask-text').fill('The whale swam away.');
  await expect(page.getByTestId('fill-mask-stale')).toContainText('“Call me [MASK].”');
  await expect(page.getByTestId('fill-mask-results')).toHaveAttribute('data-stale', 'true');
  await page.getByTestId('fill-mask-run').click();
  await expect(page.getByTestId('model-error')).toContainText('the text has no [MASK]');
  await expect(page.getByTestId('fill-mask-results')).toHaveCount(0);

  await page.locator('select').filter({ hasText: 'Kolesnikova' }).selectOption('paper');
  await expect(page.getByTestId('budget-ratio-tiny, 30,522 vocab')).toHaveText('17.11×');
  await expect(page.getByTestId('budget-ratio-tiny, 5,000 vocab')).toHaveText('48.97×');
  await expect(page.getByTestId('budget-ratio')).toContainText('17.11×');
  await expect(page.getByTestId('param-budget').locator('.recharts-label').filter({ hasText: 'parameters' })).toHaveCount(1);
  expect(watch.consoleErrors).toEqual([]);
});

test('Tokenizers tab: a binary corpus is refused in the page\'s words and the earlier vocabulary is marked; tokens stay whole; axes titled', async ({ page, watch }) => {
  await page.goto('/?backend=wasm&tab=tokenizers&teacher=none');
  await expect(page.getByTestId('tok-empty')).toContainText('no vocabulary yet');
  expect(await page.getByTestId('tok-file').evaluate((e) => e.getBoundingClientRect().width)).toBeGreaterThanOrEqual(200); // not "N…"
  await page.getByTestId('tok-vocab-size').fill('1000');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('spans-student')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('tok-results')).toHaveAttribute('data-stale', 'false');

  const chart = page.getByTestId('whatif-chart');
  for (const title of ['vocabulary size', 'tokens per word']) await expect(chart.locator('.recharts-label').filter({ hasText: title })).toHaveCount(1);
  const ticks = await chart.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
  expect(ticks.length).toBeGreaterThan(2);
  expect(new Set(ticks).size).toBe(ticks.length);

  // A 120-letter word is one [UNK] token, wider than a narrow page: it overflows whole instead of breaking.
  await page.setViewportSize({ width: 360, height: 900 });
  await page.getByTestId('tok-text').fill(`Call me ${'a'.repeat(120)} and some words after it to wrap the line.`);
  const boxes = await page.getByTestId('spans-trained').locator('.tok').evaluateAll((els) => els.map((e) => e.getClientRects().length));
  expect(boxes.length).toBeGreaterThan(5);
  expect(boxes.filter((n) => n !== 1)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByTestId('tok-file').setInputFiles({ name: 'archive.txt', mimeType: 'text/plain', buffer: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]) });
  await expect(page.getByTestId('tok-stale')).toContainText('not on the corpus selected now (archive.txt)');
  await page.getByTestId('tok-train').click();
  const error = page.getByTestId('tok-error');
  await expect(error).toContainText('BinaryCorpusError: archive.txt is a gzip file, not text');
  expect(await error.textContent()).not.toMatch(/--[a-z]/); // no command-line flag in the page
  await expect(page.getByTestId('tok-stale')).toContainText('the error above is about archive.txt and produced nothing');
  await expect(page.getByTestId('tok-results')).toHaveAttribute('data-stale', 'true');
  expect(watch.consoleErrors).toEqual([]);
});
