/**
 * The Distill tab (issue 5): a tiny Reduce run in the page with the shipped teacher on WASM plots its KL (points in
 * the store, the same count on the chart, a rendered line; every KL finite and > 0), reports a held-out word accuracy
 * and exports its student; bad recipes are refused with the RecipeError naming the field (in the page and in the
 * worker), and a missing teacher is named.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, waitForBackend, newestRun, clientStart } from './fixtures.ts';

interface LabPoint { step: number; loss: number; kl?: number; evalWordAcc?: number }
interface LabRun { state: string; outcome: string | null; error: string | null; points: LabPoint[]; info: { studentVocab: number; studentParams: number } | null }

/** The latest distillation run in the page's store. */
const latestRun = async (page: Page): Promise<LabRun> => (await newestRun<LabRun>(page, 'distill'))!;

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
  const path = chart.locator('path.live-line').first();
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

  // The MLM-only baseline (same student, data, steps, seed) overlays the comparable charts (the MLM term, the held-out
  // scores), never the total loss (each method's own weighted sum); a checkbox hides a run.
  await page.getByTestId('distill-baseline').click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  const baseline = await latestRun(page);
  expect(baseline.points.every((p) => p.kl === undefined || p.kl === 0)).toBe(true);
  const mlm = page.getByTestId('distill-chart-mlm');
  await expect(mlm).toHaveAttribute('data-lines', '2');
  await expect(mlm.locator('.live-line')).toHaveCount(2);
  await expect(page.getByTestId('distill-chart-heldout-acc')).toHaveAttribute('data-lines', '2');
  const total = page.getByTestId('distill-chart-total');
  await expect(total).toHaveAttribute('data-lines', '1');
  await expect(total).toContainText('not comparable across methods');
  await page.locator('[data-testid^="distill-show-"]').first().uncheck();
  await expect(mlm).toHaveAttribute('data-lines', '1');
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
  await clientStart(page, { kind: 'distill', recipe: { method: 'match', seqLen: 4 } });
  await expect(page.getByTestId('distill-run-error')).toContainText('RecipeError: seqLen');
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', 'error');

  // A valid recipe without a teacher: the error says where to load one.
  await page.getByTestId('distill-start').click();
  await expect(page.getByTestId('distill-run-error')).toContainText('TeacherMissingError');
  await expect(page.getByTestId('distill-run-error')).toContainText('Models tab');
});

/** The latest run of either kind: its id and kind. */
const latestAnyRun = async (page: Page) => (await newestRun<{ runId: string; kind: string; state: string; points: unknown[] }>(page))!;

test('one run at a time across kinds: a start of the other kind is refused, naming the active run', async ({ page, watch }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm&preset=micro&steps=5000&evalEvery=0');
  await waitForBackend(page);
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });

  // An MLM run is active: a distillation start (straight to the client, past the disabled button) is refused naming it.
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running');
  const mlm = await latestAnyRun(page);
  expect(mlm.kind).toBe('pretrain');
  expect(await clientStart(page, { kind: 'distill', recipe: TINY })).toBeNull();
  await page.getByTestId('tab-distill').click();
  await expect(page.getByTestId('distill-error')).toContainText(`the pretrain run ${mlm.runId} is active`);
  await expect(page.getByTestId('distill-busy')).toContainText(mlm.runId);
  await expect(page.getByTestId('distill-start')).toBeDisabled();
  expect((await latestAnyRun(page)).runId).toBe(mlm.runId); // no distillation record
  await page.getByTestId('tab-train').click();
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'stopped');

  // A distillation is active: an MLM start is refused naming it; the distillation runs on and stops when told.
  await page.getByTestId('tab-distill').click();
  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify({ ...TINY, steps: 5000 }));
  await page.getByTestId('distill-start').click();
  await expect.poll(async () => (await latestRun(page)).points.length, { timeout: 120_000 }).toBeGreaterThan(0);
  const distill = await latestAnyRun(page);
  expect(distill.kind).toBe('distill');
  const cfg = { preset: 'micro', steps: 40, seed: 1, lr: 0.002, warmupSteps: 10, clipNorm: 1, logEvery: 1, evalEvery: 0, maskProb: 0.15 };
  expect(await clientStart(page, { kind: 'pretrain', config: cfg })).toBeNull();
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('run-refused')).toContainText(`the distill run ${distill.runId} is active`);
  await expect(page.getByTestId('run-busy')).toContainText(distill.runId);
  await expect(page.getByTestId('start')).toBeDisabled();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'stopped'); // the MLM panel still shows its own last run
  await page.getByTestId('tab-distill').click();
  await page.getByTestId('distill-stop').click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', 'stopped');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('start')).toBeEnabled();
  expect(watch.consoleErrors).toEqual([]);
});

test('the Tokenizers tab\'s student is the distillation\'s vocabulary; glmd / kd-full say they fix it', async ({ page, watch }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm&tab=distill');
  await waitForBackend(page);
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });

  // No vocabulary on the Tokenizers tab yet: a recipe naming it is refused, naming the field.
  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify({ ...TINY, studentTokenizer: 'tokenizers-tab' }));
  await expect(page.getByTestId('distill-json-error')).toContainText('studentTokenizer must be "train" when the Tokenizers tab has no vocabulary');

  // Methods that fix the vocabulary: the number is off, with the reason.
  await page.getByTestId('distill-method').selectOption('glmd');
  await expect(page.getByTestId('distill-field-student.vocabSize')).toBeDisabled();
  await expect(page.getByTestId('distill-field-studentTokenizer')).toBeDisabled();
  await expect(page.getByTestId('distill-vocab-note')).toContainText("glmd uses the teacher's most frequent K tokens");
  await page.getByTestId('distill-method').selectOption('kd-full');
  await expect(page.getByTestId('distill-vocab-note')).toContainText("kd-full keeps the teacher's vocabulary");
  await page.getByTestId('distill-method').selectOption('reduce');
  await expect(page.getByTestId('distill-field-student.vocabSize')).toBeEnabled();
  await expect(page.getByTestId('distill-vocab-note')).toHaveCount(0);

  // Train a 600-token vocabulary and cut the student to 500: that is the student the distillation uses.
  await page.getByTestId('tab-tokenizers').click();
  await page.getByTestId('tok-vocab-size').fill('600');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('spans-student')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('tok-student-size')).toHaveText('600'); // the whole vocabulary by default
  await expect(page.getByTestId('spans-teacher')).toContainText('the loaded teacher'); // the tabs connect
  await page.getByTestId('tok-size-slider').fill('500');
  await expect(page.getByTestId('tok-student-size')).toHaveText('500');
  await page.getByTestId('tab-distill').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify({ ...TINY, studentTokenizer: 'tokenizers-tab' }));
  await expect(page.getByTestId('distill-json-error')).toHaveCount(0);
  await expect(page.getByTestId('distill-field-studentTokenizer')).toHaveValue('tokenizers-tab');
  await expect(page.getByTestId('distill-field-student.vocabSize')).toBeDisabled();
  await expect(page.getByTestId('distill-vocab-note')).toContainText("the Tokenizers tab's (500 tokens)");
  await page.getByTestId('distill-start').click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', /done|stopped|error/, { timeout: 240_000 });
  const run = await latestRun(page) as LabRun & { recipe: { studentTokenizer: string; ignored: Record<string, string> } };
  expect(run.error).toBeNull();
  expect(run.state).toBe('done');
  expect(run.info!.studentVocab).toBe(500);
  expect(run.recipe.studentTokenizer).toBe('tokenizers-tab');
  expect(run.recipe.ignored['student.vocabSize']).toContain('500 tokens');
  expect(watch.consoleErrors).toEqual([]);
});
