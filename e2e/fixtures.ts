/**
 * Shared fixtures: every page is watched for console errors and for requests leaving 127.0.0.1/localhost (those are
 * aborted and recorded, then asserted empty after each test), and records main-thread long tasks.
 */
import { test as base, expect, type Page } from '@playwright/test';

export interface Watch {
  consoleErrors: string[];
  externalRequests: string[];
}

export const test = base.extend<{ watch: Watch }>({
  watch: async ({ context, page }, use) => {
    const watch: Watch = { consoleErrors: [], externalRequests: [] };
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === '127.0.0.1' || host === 'localhost' || route.request().url().startsWith('data:')) return route.continue();
      watch.externalRequests.push(route.request().url());
      return route.abort();
    });
    page.on('console', (m) => { if (m.type() === 'error') watch.consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => watch.consoleErrors.push(`pageerror: ${e.message}`));
    await page.addInitScript(() => {
      const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    await use(watch);
    expect(watch.externalRequests, 'requests that left localhost').toEqual([]);
  },
});

export { expect };

export interface PagePoint { step: number; loss: number; tokensPerSec: number; valLoss?: number }

/** Waits until the badge reports a ready backend and returns its name. */
export async function waitForBackend(page: Page, timeout = 150_000): Promise<string> {
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-phase', /ready|failed/, { timeout });
  await expect(badge).toHaveAttribute('data-phase', 'ready');
  return (await badge.getAttribute('data-backend')) ?? '';
}

/** The latest run's metric points, read from the store the page exposes as window.__vocabkd. */
export async function latestPoints(page: Page): Promise<PagePoint[]> {
  return page.evaluate(() => {
    const s = (window as unknown as { __vocabkd: { store: { getState(): { runOrder: string[]; runs: Record<string, { points: PagePoint[] }> } } } }).__vocabkd.store.getState();
    const id = s.runOrder[s.runOrder.length - 1];
    return id ? s.runs[id].points : [];
  });
}

export async function waitForRunState(page: Page, state: string | RegExp, timeout = 150_000): Promise<void> {
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', state, { timeout });
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Loss falls: the mean of the last k logged losses is below the mean of the first k. */
export function expectLossFalls(points: PagePoint[], k = 5): void {
  expect(points.length).toBeGreaterThanOrEqual(2 * k);
  const first = mean(points.slice(0, k).map((p) => p.loss));
  const last = mean(points.slice(-k).map((p) => p.loss));
  expect(last, `loss mean first ${k} = ${first}, last ${k} = ${last}`).toBeLessThan(first);
}
