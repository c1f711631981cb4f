/**
 * Run controls and bad input: pause/resume/stop, a second Start, an unknown ?backend=, a backend failing its parity
 * self-test, no WebGPU adapter, and a crashing worker.
 */
import { chromium } from '@playwright/test';
import { CHROMIUM } from '../playwright.config.ts';
import { test, expect, waitForBackend, latestPoints, waitForRunState, clientStart } from './fixtures.ts';

test('pause holds the step count, resume finishes, stop ends a run early', async ({ page }) => {
  await page.goto('/?backend=wasm&preset=micro&steps=400&evalEvery=0');
  await waitForBackend(page);
  await page.getByTestId('start').click();
  await expect.poll(async () => (await latestPoints(page)).length).toBeGreaterThan(5);
  await page.getByTestId('pause').click();
  await waitForRunState(page, 'paused');
  const held = (await latestPoints(page)).length;
  await page.waitForTimeout(1000);
  expect((await latestPoints(page)).length).toBeLessThanOrEqual(held + 1); // at most the step in flight
  await page.getByTestId('resume').click();
  await waitForRunState(page, 'running');
  await expect.poll(async () => (await latestPoints(page)).length).toBeGreaterThan(held + 5);
  await page.getByTestId('stop').click();
  await waitForRunState(page, 'stopped');
  const points = await latestPoints(page);
  expect(points[points.length - 1].step).toBeLessThan(400);
});

test('a second start while running is ignored: never two loops', async ({ page }) => {
  await page.goto('/?backend=wasm&preset=micro&steps=40&evalEvery=0');
  await waitForBackend(page);
  const cfg = { preset: 'micro', steps: 40, seed: 1, lr: 0.002, warmupSteps: 10, clipNorm: 1, logEvery: 1, evalEvery: 0, maskProb: 0.15 };
  const ids = await Promise.all([clientStart(page, { kind: 'pretrain', config: cfg }), clientStart(page, { kind: 'pretrain', config: cfg })]);
  expect(ids.filter((x) => x !== null)).toHaveLength(1);
  await expect(page.getByTestId('start')).toBeDisabled();
  await waitForRunState(page, 'done');
  const steps = (await latestPoints(page)).map((p) => p.step);
  expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1)); // one loop: each step exactly once
});

test('an unknown ?backend= shows the valid names and still picks a backend', async ({ page }) => {
  await page.goto('/?backend=tpu&preset=micro');
  await expect(page.getByTestId('error-banner')).toContainText('unknown backend "tpu"; valid names: webgpu, webgl, wasm, cpu');
  expect(await waitForBackend(page)).not.toBe('');
});

test('a backend failing the parity self-test falls back to the next one, visibly', async ({ page }) => {
  await page.goto('/?backend=wasm&parityFault=wasm');
  expect(await waitForBackend(page)).toBe('cpu');
  await expect(page.getByTestId('backend-notice')).toContainText('wasm failed the parity self-test');
});

test('without a WebGPU adapter the page falls back and says so', async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-quic'] }); // no --enable-unsafe-webgpu
  try {
    const page = await browser.newPage({ baseURL: 'http://127.0.0.1:4173' });
    await page.route('**/*', (r) => (/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(r.request().url()) ? r.continue() : r.abort()));
    await page.goto('/?preset=micro');
    expect(await waitForBackend(page)).not.toBe('webgpu');
    await expect(page.getByTestId('backend-notice').first()).toContainText('webgpu unavailable');
  } finally {
    await browser.close();
  }
});

test('a crashing worker shows the error and a new run can start', async ({ page }) => {
  await page.goto('/?backend=wasm&preset=micro&steps=20&evalEvery=0&crashAt=3');
  await waitForBackend(page);
  await page.getByTestId('start').click();
  await expect(page.getByTestId('error-banner')).toContainText('worker crashed');
  await waitForRunState(page, 'error');
  await expect(page.getByTestId('start')).toBeEnabled();
  await page.getByTestId('start').click();
  await waitForRunState(page, 'done');
  expect((await latestPoints(page)).length).toBe(20);
});
