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

/**
 * Every run in the page's store (window.__vocabkd.store, the zustand store the app exposes to tests), oldest first,
 * only those of `kind` when given; [] until the app's modules have loaded. The caller types the fields it reads (the
 * runs cross page.evaluate as plain data).
 */
export function pageRuns<R>(page: Page, kind?: 'pretrain' | 'distill'): Promise<R[]> {
  return page.evaluate((k) => {
    const s = (window as unknown as { __vocabkd?: { store: { getState(): { runOrder: string[]; runs: Record<string, { kind: string }> } } } }).__vocabkd?.store.getState();
    return s ? s.runOrder.map((id) => s.runs[id]).filter((r) => !k || r.kind === k) : [];
  }, kind) as Promise<R[]>;
}

/** The newest run in the page's store (of `kind` when given), undefined when there is none. */
export async function newestRun<R>(page: Page, kind?: 'pretrain' | 'distill'): Promise<R | undefined> {
  return (await pageRuns<R>(page, kind)).at(-1);
}

/** The latest run's metric points. */
export async function latestPoints(page: Page): Promise<PagePoint[]> {
  return (await newestRun<{ points: PagePoint[] }>(page))?.points ?? [];
}

/** The models slice: its status ('ready' once a teacher is loaded) and the text the last fill-mask answered. */
export function pageModels(page: Page): Promise<{ status?: string; fillMaskText?: string }> {
  return page.evaluate(() => {
    const m = (window as unknown as { __vocabkd?: { store: { getState(): { models: { status: string; fillMask: { text: string } | null } } } } }).__vocabkd?.store.getState().models;
    return { status: m?.status, fillMaskText: m?.fillMask?.text };
  });
}

/** Starts a run straight through the page's worker client (bypassing the forms): the run id, or null when refused. */
export function clientStart(page: Page, request: object): Promise<string | null> {
  return page.evaluate((r) => (window as unknown as { __vocabkd: { client: { start(r: unknown): Promise<string | null> } } }).__vocabkd.client.start(r), request);
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
