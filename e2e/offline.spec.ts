/**
 * Offline: after the first visit (the service worker precaches the app, the WASM binaries, the corpora, the tasks and
 * the shipped teachers) the page reloads, starts, loads the shipped teacher and trains a micro run with the network off.
 */
import { test, expect, waitForBackend, waitForRunState, latestPoints } from './fixtures.ts';

test.use({ serviceWorkers: 'allow' });

test('with every request blocked after the first load, the app reloads, starts and trains', async ({ page, context }) => {
  await page.goto('/?backend=wasm&preset=micro&steps=20&evalEvery=10');
  // The service worker has installed (every precached file fetched) and controls the page.
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 120_000 }).toBe(true);

  await context.setOffline(true);
  await context.route('**/*', (r) => r.abort('internetdisconnected'));
  const failed: string[] = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  await page.reload();
  expect(await waitForBackend(page)).toBe('wasm');
  // The network is really off: what the service worker did not cache does not load.
  expect(await page.evaluate(() => fetch('/not-cached.txt').then(() => 'loaded', () => 'failed'))).toBe('failed');
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });
  await page.getByTestId('start').click();
  await waitForRunState(page, 'done');
  expect((await latestPoints(page)).map((p) => p.step)).toHaveLength(20);
  await page.getByTestId('tab-history').click();
  await expect(page.locator('[data-testid^="history-run-"][data-state="done"]')).toHaveCount(1);
  expect(failed.filter((u) => !u.endsWith('/not-cached.txt')), 'requests that found no cached answer').toEqual([]);
});
