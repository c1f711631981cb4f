/**
 * The Distill tab (issue 5): a tiny Reduce run in the page with the shipped teacher on WASM plots its KL (points in
 * the store, the same count on the chart, a rendered line; every KL finite and > 0), reports a held-out word accuracy
 * and exports its student; bad recipes are refused with the RecipeError naming the field (in the page and in the
 * worker), and a missing teacher is named.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, waitForBackend } from './fixtures.ts';

interface LabPoint { step: number; loss: number; kl?: number; evalWordAcc?: number }
interface LabRun { state: string; outcome: string | null; error: string | null; points: LabPoint[]; info: { studentVocab: number; studentParams: number } | null }

/** The latest distillation run, read from the store the page exposes as window.__vocabkd.store (runs of both kinds). */
async function latestRun(page: Page): Promise<LabRun> {
  return page.evaluate(() => {
    const s = (window as unknown as { __vocabkd: { store: { getState(): { runOrder: string[]; runs: Record<string, LabRun & { kind: string }> } } } }).__vocabkd.store.getState();
    return s.runOrder.map((id) => s.runs[id]).filter((r) => r.kind === 'distill').pop()!;
  });
}

const TINY = {
  method: 'reduce',
  student: { vocabSize: 500, numLayers: 1, hiddenSize: 32, numHeads: 2, intermediateSize: 64 },
  steps: 20,
  batchSize: 4,
  seqLen: 16,
  logEvery: 1,
  evalEvery: 0,
  checkpointEvery: 20,
};

test('a tiny Reduce run plots its KL: points in the store and on the chart, finite and > 0; the student exports', async ({ page, watch }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm&tab=distill');
  expect(await waitForBackend(page)).toBe('wasm');
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });

  // Paste the recipe into the JSON box: the form takes its values (and the defaults for the rest).
  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify(TINY));
  await expect(page.getByTestId('distill-json-error')).toHaveCount(0);
  await expect(page.getByTestId('distill-field-steps')).toHaveValue('20');
  await expect(page.getByTestId('distill-field-student.hiddenSize')).toHaveValue('32');
  await expect(page.getByTestId('distill-field-temperature')).toHaveValue('2');

  // Cost estimate (a 3-step probe in the worker) before Start.
  await page.getByTestId('distill-estimate').click();
  await expect(page.getByTestId('distill-estimate-result')).toHaveAttribute('data-stale', 'false');
  const estParams = Number((await page.getByTestId('distill-est-params').textContent())!.replace(/,/g, ''));
  expect(Number(await page.getByTestId('distill-est-ms').textContent())).toBeGreaterThan(0);

  await page.getByTestId('distill-start').click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', /done|stopped|error/, { timeout: 240_000 });
  const run = await latestRun(page);
  expect(run.error).toBeNull();
  expect(run.state).toBe('done');
  expect(run.outcome).toBe('done');
  expect(estParams).toBe(run.info!.studentParams);

  const kl = run.points.filter((p) => p.kl !== undefined);
  expect([...new Set(kl.map((p) => p.step))]).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  for (const p of kl) {
    expect(Number.isFinite(p.kl), `KL at step ${p.step}`).toBe(true);
    expect(p.kl!, `KL at step ${p.step}`).toBeGreaterThan(0);
  }
  // The chart draws what the store holds: same count, and one rendered line through every point.
  const chart = page.getByTestId('distill-chart-kl');
  await expect(chart).toHaveAttribute('data-points', String(kl.length));
  await expect(chart).toHaveAttribute('data-lines', '1');
  const path = chart.locator('.recharts-line path.recharts-curve').first();
  await expect(path).toHaveAttribute('d', /^M/);
  const d = (await path.getAttribute('d')) ?? '';
  expect((d.match(/L/g) ?? []).length, `path ${d.slice(0, 80)}…`).toBeGreaterThanOrEqual(kl.length - 1);

  // The end-of-run evaluation reached the run list.
  const acc = run.points.filter((p) => p.evalWordAcc !== undefined);
  expect(acc.length).toBeGreaterThan(0);
  expect(acc[acc.length - 1].evalWordAcc!).toBeGreaterThanOrEqual(0);
  expect(acc[acc.length - 1].evalWordAcc!).toBeLessThanOrEqual(1);
  await expect(page.locator('[data-testid^="distill-acc-"]').last()).toContainText('%');

  // Export: an HF folder whose vocabulary is the student's.
  const downloads: { name: string; text: string }[] = [];
  page.on('download', async (dl) => downloads.push({ name: dl.suggestedFilename(), text: readFileSync(await dl.path()).toString('latin1') }));
  await page.getByTestId('distill-export').click();
  await expect(page.getByTestId('distill-exported')).toContainText('model.safetensors');
  await expect.poll(() => downloads.length).toBeGreaterThanOrEqual(4);
  expect(downloads.map((f) => f.name)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
  const config = JSON.parse(downloads.find((f) => f.name === 'config.json')!.text);
  expect(config.vocab_size).toBe(run.info!.studentVocab);
  expect(config.num_hidden_layers).toBe(1);
  expect(config.hidden_size).toBe(32);

  // The MLM-only baseline (same student, data, steps, seed) overlays the total loss; a checkbox hides a run.
  await page.getByTestId('distill-baseline').click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  const baseline = await latestRun(page);
  expect(baseline.points.every((p) => p.kl === undefined || p.kl === 0)).toBe(true);
  const total = page.getByTestId('distill-chart-total');
  await expect(total).toHaveAttribute('data-lines', '2');
  await expect(total.locator('.recharts-line')).toHaveCount(2);
  await page.locator('[data-testid^="distill-show-"]').first().uncheck();
  await expect(total).toHaveAttribute('data-lines', '1');
  expect(watch.consoleErrors).toEqual([]);
});

test('pause holds the step, resume continues, stop ends the run as stopped', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm&tab=distill');
  await waitForBackend(page);
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });
  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify({ ...TINY, steps: 5000 }));
  await page.getByTestId('distill-start').click();
  await expect.poll(async () => (await latestRun(page)).points.length, { timeout: 120_000 }).toBeGreaterThan(2);
  await page.getByTestId('distill-pause').click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', 'paused');
  await page.waitForTimeout(500); // a flush in flight lands
  const held = (await latestRun(page)).points.length;
  await page.waitForTimeout(1500);
  expect((await latestRun(page)).points.length).toBe(held);
  await page.getByTestId('distill-resume').click();
  await expect.poll(async () => (await latestRun(page)).points.length).toBeGreaterThan(held);
  await page.getByTestId('distill-stop').click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', 'stopped');
  const run = await latestRun(page);
  expect(run.outcome).toBe('stopped');
  expect(run.points[run.points.length - 1].step).toBeLessThan(5000);
});

test('an out-of-range recipe names its field (page and worker); no teacher is a named error', async ({ page }) => {
  await page.goto('/?backend=wasm&tab=distill&teacher=none');
  await waitForBackend(page);

  // In the form: the validator's message names the field, and Start is off.
  await page.getByTestId('distill-field-temperature').fill('0');
  await expect(page.getByTestId('distill-recipe-error')).toContainText('RecipeError: temperature');
  await expect(page.getByTestId('distill-start')).toBeDisabled();
  await page.getByTestId('distill-field-temperature').fill('2');
  await expect(page.getByTestId('distill-recipe-error')).toHaveCount(0);

  // Pasted JSON: refused with the field's name, the form keeps its values.
  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify({ method: 'reduce', student: { numLayers: 99 } }));
  await expect(page.getByTestId('distill-json-error')).toContainText('student.numLayers');
  await expect(page.getByTestId('distill-field-student.numLayers')).toHaveValue('2');

  // Straight to the worker (bypassing the form): the worker validates too.
  await page.evaluate(() => (window as unknown as { __vocabkd: { client: { start(r: unknown): Promise<string | null> } } }).__vocabkd.client.start({ kind: 'distill', recipe: { method: 'match', seqLen: 4 } }));
  await expect(page.getByTestId('distill-run-error')).toContainText('RecipeError: seqLen');
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', 'error');

  // A valid recipe without a teacher: the error says where to load one.
  await page.getByTestId('distill-start').click();
  await expect(page.getByTestId('distill-run-error')).toContainText('TeacherMissingError');
  await expect(page.getByTestId('distill-run-error')).toContainText('Models tab');
});
