/**
 * The Tokenizers tab (issue 3): train a 1,000-token vocabulary in the page on the embedded corpus and see coloured
 * spans for teacher and student; a dropped .jsonl corpus; the Russian preset keeps «ё»; cancel; a bad size.
 */
import { test, expect } from './fixtures.ts';

async function openLab(page: import('@playwright/test').Page) {
  await page.goto('/?backend=wasm&tab=tokenizers');
  await expect(page.getByTestId('tok-train')).toBeEnabled();
}

test('trains a 1,000-token WordPiece vocabulary on the embedded corpus and shows coloured spans', async ({ page, watch }) => {
  await openLab(page);
  await page.getByTestId('tok-vocab-size').fill('1000');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('spans-student')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('tok-stats')).toContainText('1,000 entries');
  expect(Number(await page.getByTestId('whatif-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(10);
  // Spans: one per token, coloured, and the ## continuation pieces are marked.
  const spans = page.getByTestId('spans-student').locator('.tok');
  const n = await spans.count();
  expect(n).toBe(Number(await page.getByTestId('spans-student-counts').getAttribute('data-tokens')));
  expect(n).toBeGreaterThan(15);
  const colours = new Set(await spans.evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor)));
  expect(colours.size).toBeGreaterThan(5);
  // A smaller student splits more: move the slider to its minimum.
  const teacherTokens = Number(await page.getByTestId('spans-teacher-counts').getAttribute('data-tokens'));
  await page.getByTestId('tok-size-slider').fill(await page.getByTestId('tok-size-slider').getAttribute('min') ?? '0');
  await expect.poll(async () => Number(await page.getByTestId('spans-student-counts').getAttribute('data-tokens'))).toBeGreaterThan(teacherTokens);
  await expect(page.getByTestId('spans-student').locator('.tok.cont').first()).toBeVisible();
  expect(watch.consoleErrors).toEqual([]);
});

test('the Russian preset keeps «й» and capitals (no lower-casing or accent stripping by default)', async ({ page }) => {
  await openLab(page);
  await page.getByTestId('tok-corpus').selectOption('ru-udhr');
  await page.getByTestId('tok-vocab-size').fill('1000');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('spans-trained')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('tok-text').fill('Всеобщая декларация, свободой и йод');
  const tokens = await page.getByTestId('spans-trained').locator('.tok').evaluateAll((els) => els.map((e) => e.getAttribute('data-token')));
  expect(tokens[0]).toMatch(/^В/); // capital kept
  expect(tokens.filter((t) => t?.includes('й')).length).toBeGreaterThanOrEqual(2); // «й» not stripped to «и»
  expect(tokens).not.toContain('[UNK]');
});

test('a dropped .jsonl corpus trains, and invalid UTF-8 is counted', async ({ page }) => {
  await openLab(page);
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i, text: `Документ номер ${i}: кошка ловит мышку, собака спит ${i % 7}.` }));
  const bytes = Buffer.concat([Buffer.from(lines.join('\n') + '\n'), Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x61, 0x22, 0x7d, 0x0a])]);
  await page.getByTestId('tok-file').setInputFiles({ name: 'corpus.jsonl', mimeType: 'application/json', buffer: bytes });
  await page.getByTestId('tok-vocab-size').fill('500');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('tok-stats')).toContainText('corpus.jsonl: 301 documents', { timeout: 60_000 });
  await expect(page.getByTestId('tok-stats')).toContainText('1 invalid UTF-8 sequences replaced');
});

test('a vocabulary size out of range names the range; nothing is half-applied', async ({ page }) => {
  await openLab(page);
  await page.getByTestId('tok-vocab-size').fill('100');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('tok-error')).toContainText('vocabulary size must be an integer from 500 to 60,000, got 100');
  await expect(page.getByTestId('spans-student')).toHaveCount(0);
  await expect(page.getByTestId('tok-train')).toBeEnabled();
});

test('training can be cancelled', async ({ page }) => {
  await openLab(page);
  // A large vocabulary on a generated 12 MB file takes long enough to cancel mid-way.
  const text = Array.from({ length: 120_000 }, (_, i) => `слово${i % 9973} word${(i * 7) % 8191} текст${i % 211} and more text here`).join('\n');
  await page.getByTestId('tok-file').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.getByTestId('tok-vocab-size').fill('60000');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('tok-progress')).toBeVisible();
  await page.getByTestId('tok-cancel').click();
  await expect(page.getByTestId('tok-progress')).toHaveCount(0);
  await expect(page.getByTestId('tok-train')).toBeEnabled();
  await expect(page.getByTestId('tok-error')).toHaveCount(0);
  await expect(page.getByTestId('spans-student')).toHaveCount(0);
});
