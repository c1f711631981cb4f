/**
 * Run history: a finished run is in the History tab and survives a reload; two runs compared (which method wins,
 * results side by side, overlaid curves); rename and delete.
 */
import type { Page } from '@playwright/test';
import { test, expect, waitForBackend, waitForRunState } from './fixtures.ts';

const rows = (page: Page) => page.locator('[data-testid^="history-run-"]');

async function microRun(page: Page, lr: string): Promise<void> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('run-lr').fill(lr);
  await page.getByTestId('start').click();
  await waitForRunState(page, 'done');
}

test('a finished run is kept in the History tab across a reload; two runs compare; rename and delete; a second tab follows', async ({ page, context, watch }) => {
  page.on('dialog', (d) => void d.accept());
  await page.goto('/?backend=wasm&teacher=none&preset=micro&steps=20&evalEvery=10');
  await waitForBackend(page);
  await microRun(page, '0.002');
  await page.getByTestId('tab-history').click();
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute('data-state', 'done');
  await expect(rows(page).first()).toContainText('20 / 20');
  await expect(rows(page).first()).toContainText('held-out MLM loss');
  await expect(rows(page).first().getByRole('link', { name: 'open recipe' })).toHaveAttribute('href', /backend=wasm.*#r=v1\./);

  await page.reload();
  await page.getByTestId('tab-history').click();
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute('data-state', 'done');

  // A second tab of the same site shows the same history and follows the first tab's writes.
  const other = await context.newPage();
  await other.goto('/?backend=wasm&teacher=none&tab=history');
  await expect(rows(other)).toHaveCount(1);

  await waitForBackend(page);
  await microRun(page, '0.0005');
  await page.getByTestId('tab-history').click();
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(other)).toHaveCount(2);
  await expect(rows(other).nth(0)).toHaveAttribute('data-state', 'done');
  await expect(rows(page).nth(0)).toHaveAttribute('data-state', 'done');
  await rows(page).nth(0).getByRole('button', { name: 'rename' }).click();
  await rows(page).nth(0).getByRole('textbox').fill('slow lr');
  await rows(page).nth(0).getByRole('textbox').press('Enter');
  await expect(rows(page).nth(0)).toContainText('slow lr');
  await expect(rows(other).nth(0)).toContainText('slow lr');
  await other.close();

  for (let i = 0; i < 2; i++) await rows(page).nth(i).getByRole('checkbox').check();
  await expect(page.getByTestId('history-compare')).toBeVisible();
  await expect(page.getByTestId('history-winner-mlm')).toContainText(/MLM pretraining \(.*\) (wins|ties) with [\d.]+ over/);
  await expect(page.getByTestId('history-winner-heldout-loss')).toBeVisible();
  await expect(page.getByTestId('history-chart-mlm')).toHaveAttribute('data-lines', '2');
  await expect(page.getByTestId('history-compare-table')).toContainText('slow lr');

  await rows(page).nth(1).getByRole('button', { name: 'delete' }).click();
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByTestId('history-storage')).toContainText('used of');
  expect(watch.consoleErrors).toEqual([]);
});

test('a full disk: the write is refused by name, the earlier run stays whole; a near quota is announced', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __fullDisk: boolean };
    w.__fullDisk = false;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<typeof put>) {
      if (w.__fullDisk) throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
      return put.apply(this, args);
    };
    navigator.storage.estimate = async () => ({ usage: 95 * 2 ** 20, quota: 100 * 2 ** 20 });
  });
  await page.goto('/?backend=wasm&teacher=none&preset=micro&steps=10&evalEvery=5');
  await waitForBackend(page);
  await microRun(page, '0.002');
  await page.getByTestId('tab-history').click();
  await expect(rows(page).first()).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('history-quota-near')).toContainText('nearly used up');

  await page.evaluate(() => { (window as unknown as { __fullDisk: boolean }).__fullDisk = true; });
  await microRun(page, '0.001');
  await expect(page.getByTestId('error-banner')).toContainText(/History: the run .* was not saved: the browser's storage quota is exhausted \(QuotaExceededError\)\. What was saved before stays/);
  await page.getByTestId('tab-history').click();
  await expect(page.getByTestId('history-error')).toContainText('QuotaExceededError');

  await page.reload();
  await page.getByTestId('tab-history').click();
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute('data-state', 'done');
  await expect(rows(page).first()).toContainText('10 / 10');
});
