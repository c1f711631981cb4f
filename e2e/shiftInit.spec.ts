/**
 * Stage 0 with shift heads in the page (issue 15 item 3): the Train tab's "shift-head init" checkbox is on by default,
 * ?init=plain turns it off; a run with it plots held-out accuracy on the chart and records init 'shift'; the Models tab
 * fill-masks the latest Train MLM checkpoint.
 */
import { test, expect, waitForBackend, waitForRunState, newestRun } from './fixtures.ts';

const lastRun = async (page: import('@playwright/test').Page) => {
  const r = (await newestRun<{ config?: { init?: string }; points: { valAccuracy?: number }[] }>(page))!;
  return { init: r.config?.init, acc: r.points.filter((p) => p.valAccuracy !== undefined).length };
};

test('shift-head init: on by default, ?init=plain off; accuracy plotted; fill-mask at the latest checkpoint', async ({ page, watch }) => {
  await page.goto('/?backend=wasm&init=plain&teacher=none');
  await waitForBackend(page);
  await expect(page.getByTestId('run-shift-init')).not.toBeChecked();
  await page.goto('/?backend=wasm&preset=micro&steps=20&evalEvery=10&teacher=none');
  await waitForBackend(page);
  await expect(page.getByTestId('run-shift-init')).toBeChecked();
  await page.getByTestId('start').click();
  await waitForRunState(page, 'done');
  expect(await lastRun(page)).toEqual({ init: 'shift', acc: 2 });
  await expect(page.getByTestId('loss-chart')).toContainText('held-out masked-token accuracy');
  await page.getByTestId('tab-models').click();
  await page.getByTestId('fill-mask-target').selectOption('checkpoint');
  await page.getByTestId('fill-mask-text').fill('the whale [MASK] the sea.');
  await page.getByTestId('fill-mask-run').click();
  await expect(page.getByTestId('fill-mask-results').locator('.candidate')).toHaveCount(5);
  expect(watch.consoleErrors).toEqual([]);
});
