/**
 * Paper A in miniature (issue 15 item 4): the "Reduce, vocabulary 1/4" preset fills the form, picks the embedded Russian
 * prose and loads the shipped Russian teacher; a few steps of it run in the page and plot their KL.
 */
import type { Page } from '@playwright/test';
import { test, expect, waitForBackend, newestRun } from './fixtures.ts';

const lastRun = async (page: Page) => (await newestRun<{ state: string; error: string | null; info: { studentVocab: number } | null; points: { step: number; kl?: number }[] }>(page))!;

test('the Paper A 1/4 preset runs a few steps on the Russian teacher and plots KL points', async ({ page, watch }) => {
  test.setTimeout(360_000);
  await page.goto('/?backend=wasm&tab=distill');
  expect(await waitForBackend(page)).toBe('wasm');
  await page.getByTestId('distill-preset').selectOption('paper-a-reduce-1of4');
  await expect(page.getByTestId('distill-method')).toHaveValue('reduce');
  await expect(page.getByTestId('distill-field-student.vocabSize')).toHaveValue('6000');
  await expect(page.getByTestId('distill-corpus')).toHaveValue('ru-prose');
  await expect(page.getByTestId('distill-teacher')).toContainText('Russian', { timeout: 120_000 });
  await page.getByTestId('distill-field-steps').fill('4');
  await page.getByTestId('distill-field-logEvery').fill('1');
  await page.getByTestId('distill-field-evalEvery').fill('0');
  await page.getByTestId('distill-bench-intrinsic').uncheck();
  await page.getByTestId('distill-start').click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', /done|stopped|error/, { timeout: 300_000 });
  const run = await lastRun(page);
  expect(run.error).toBeNull();
  expect(run.state).toBe('done');
  expect(run.info!.studentVocab).toBeGreaterThan(5000); // the 1/4 student's WordPiece (6,000 asked) on the Russian prose
  const kl = run.points.filter((p) => p.kl !== undefined);
  expect(kl.map((p) => p.step)).toEqual([1, 2, 3, 4]);
  for (const p of kl) expect(p.kl!).toBeGreaterThan(0);
  await expect(page.getByTestId('distill-chart-kl')).toHaveAttribute('data-points', '4');
  void watch;
});
