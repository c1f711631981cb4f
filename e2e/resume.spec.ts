/**
 * Runs that survive (issue 14 item 2), in Chromium: a pretraining run (400 micro steps) checkpointed every 10 steps is cut by a reload;
 * the page offers it (from IndexedDB), one click resumes it, and its curve continues from the saved step with the
 * losses an uninterrupted run of the same recipe has on the same backend. A lost WebGPU device (the engine's hook:
 * GPUDevice.destroy() on the software adapter) moves the page to the next backend that passes the self-test and the
 * run resumes by itself from its last checkpoint.
 */
import type { Page } from '@playwright/test';
import { test, expect, waitForBackend, pageRuns } from './fixtures.ts';

interface Run { runId: string; state: string; error: string | null; resumedFrom?: number; checkpointStep: number | null; points: { step: number; loss: number }[] }

const runs = (page: Page) => pageRuns<Run>(page);

const last = async (page: Page) => (await runs(page)).at(-1)!;
const STEPS = 400;
const PARAMS = `preset=micro&steps=${STEPS}&evalEvery=0&checkpointEvery=10&seed=3`;
const allSteps = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test('a reload cuts a run; Resume continues it from the saved checkpoint with the uninterrupted losses', async ({ page }) => {
  test.setTimeout(300_000);
  // The reference: the same recipe, uninterrupted.
  await page.goto(`/?backend=wasm&${PARAMS}`);
  await waitForBackend(page);
  await page.getByTestId('start').click();
  await expect.poll(async () => (await last(page)).state, { timeout: 120_000 }).toBe('done');
  const reference = (await last(page)).points;
  expect(reference.map((p) => p.step)).toEqual(allSteps(STEPS));

  // The run to cut: reload once its checkpoint of step 20 is stored.
  await page.getByTestId('start').click();
  await expect.poll(async () => (await last(page)).checkpointStep ?? 0, { timeout: 120_000 }).toBeGreaterThanOrEqual(20);
  await page.waitForTimeout(500); // the checkpoint's IndexedDB write
  const seen = (await last(page)).checkpointStep!;
  await page.reload(); // the run goes on until the page unloads: a later checkpoint may be the last one stored
  await waitForBackend(page);
  const banner = page.getByTestId('resume-banner');
  await expect(banner).toContainText('the page was closed or reloaded');
  const button = banner.getByTestId('resume-button');
  await expect(button).toHaveText(/^Resume from step \d+$/);
  const cutAt = Number((await button.textContent())!.replace(/\D+/g, ''));
  expect(cutAt).toBeGreaterThanOrEqual(seen);
  expect(cutAt % 10).toBe(0);
  expect(cutAt).toBeLessThan(STEPS);
  await button.click();
  await expect.poll(async () => (await last(page))?.state, { timeout: 120_000 }).toBe('done');
  const resumed = await last(page);
  expect(resumed.error).toBeNull();
  expect(resumed.resumedFrom).toBe(cutAt);
  expect(resumed.points.map((p) => p.step)).toEqual(allSteps(STEPS)); // the curve continues
  for (const p of resumed.points.filter((x) => x.step > cutAt)) {
    expect(p.loss, `loss at step ${p.step}`).toBe(reference[p.step - 1].loss); // same backend, same state: the same numbers
  }
  await expect(banner).toHaveCount(0);
  // The cut run is not offered again after another reload.
  await page.reload();
  await waitForBackend(page);
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
});

test('a lost WebGPU device: the page moves to the next backend and the run resumes by itself', async ({ page }) => {
  test.setTimeout(420_000);
  await page.goto('/?backend=webgpu&preset=micro&steps=20&evalEvery=0&checkpointEvery=5&seed=3');
  expect(await waitForBackend(page)).toBe('webgpu');
  await page.getByTestId('start').click();
  await expect.poll(async () => (await last(page)).checkpointStep ?? 0, { timeout: 240_000 }).toBeGreaterThanOrEqual(5);
  await page.evaluate(() => (window as unknown as { __vocabkd: { client: { loseDevice(): void } } }).__vocabkd.client.loseDevice());
  await expect.poll(async () => (await runs(page)).length, { timeout: 240_000 }).toBe(2);
  const [lost] = await runs(page);
  expect(lost.error).toMatch(/DeviceLostError/);
  await expect.poll(async () => (await last(page)).state, { timeout: 240_000 }).toBe('done');
  const resumed = await last(page);
  expect(resumed.resumedFrom).toBeGreaterThanOrEqual(5);
  expect(resumed.points.map((p) => p.step)).toEqual(allSteps(20));
  const backend = await page.evaluate(() => (window as unknown as { __vocabkd: { store: { getState(): { backend: { name: string } } } } }).__vocabkd.store.getState().backend.name);
  expect(backend).not.toBe('webgpu');
  await expect(page.getByTestId('backend-notice').first()).toContainText('device was lost');
});
