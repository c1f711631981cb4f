/**
 * Issue 15, items 1 and 2 in the page: the embedded Russian prose is offered by every corpus picker and trains a
 * vocabulary that keeps «ё» and «й» (10,343 documents: one per line); the shipped Russian teacher loads with
 * ?teacher=ru and answers fill-mask as its trainer did, and the Models tab's buttons switch between shipped teachers.
 */
import { test, expect, waitForBackend, pageModels } from './fixtures.ts';

test('the embedded Russian prose is in every corpus picker and trains a vocabulary keeping «ё» and «й»', async ({ page, watch }) => {
  test.setTimeout(240_000);
  await page.goto('/?backend=wasm&teacher=none&tab=tokenizers');
  await expect(page.getByTestId('tok-train')).toBeEnabled();
  for (const [tab, id] of [['tokenizers', 'tok-corpus'], ['train', 'run-corpus'], ['distill', 'distill-corpus'], ['alignment', 'align-corpus']]) {
    await page.goto(`/?backend=wasm&teacher=none&tab=${tab}`);
    await expect(page.getByTestId(id).locator('option[value="ru-prose"]'), `${tab}: ${id}`).toHaveCount(1);
  }
  await page.goto('/?backend=wasm&teacher=none&tab=tokenizers');
  await page.getByTestId('tok-corpus').selectOption('ru-prose');
  await page.getByTestId('tok-vocab-size').fill('4000');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('tok-stats')).toContainText('10,343 documents', { timeout: 120_000 });
  // Mixed scripts are counted and kept (three words of the slice carry a Latin look-alike letter: «cказала», «Jа», «thе»).
  await expect(page.getByTestId('tok-note').filter({ hasText: '3 words mix Latin and Cyrillic letters («Jа», «cказала», «thе»), kept as they are' })).toHaveCount(1);
  await page.getByTestId('tok-text').fill('Всё ещё тихо, чёрный лес, мой край');
  const tokens = await page.getByTestId('spans-trained').locator('.tok').evaluateAll((els) => els.map((e) => e.getAttribute('data-token') ?? ''));
  expect(tokens[0]).toMatch(/^В/);
  expect(tokens.filter((t) => t.includes('ё')).length).toBeGreaterThanOrEqual(2);
  expect(tokens.filter((t) => t.includes('й')).length).toBeGreaterThanOrEqual(2);
  expect(tokens).not.toContain('[UNK]');
  expect(watch.consoleErrors).toEqual([]);
});

test('the shipped Russian teacher loads with ?teacher=ru, fills a patronymic, and the buttons switch teachers', async ({ page, watch }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm&teacher=ru&tab=models');
  await waitForBackend(page);
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('teacher-name')).toContainText('shipped Russian teacher');
  await expect(page.getByTestId('teacher-status')).toContainText('24,000');
  await expect(page.getByTestId('shipped-teacher-ru')).toBeDisabled();
  const text = '— Здравствуйте, Иван [MASK]!';
  await page.getByTestId('fill-mask-text').fill(text);
  await page.getByTestId('fill-mask-run').click();
  await expect.poll(async () => (await pageModels(page)).fillMaskText).toBe(text);
  const top = await page.getByTestId('fill-mask-results').locator('.candidate').evaluateAll((els) => els.map((e) => e.getAttribute('data-token')));
  expect(top[0]).toBe('Иванович'); // the trainer's (PyTorch) top-1 on the same F16 weights: training.json
  await page.getByTestId('shipped-teacher-en').click();
  await expect(page.getByTestId('teacher-name')).toContainText('shipped English teacher', { timeout: 120_000 });
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready');
  expect(watch.consoleErrors).toEqual([]);
});
