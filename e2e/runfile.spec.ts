/**
 * A run as one file (issue 14 item 5): a distillation stopped in the page is exported from the History tab as a
 * .vkdrun file; `vocabkd distill --resume FILE --out DIR` continues it in Node to its last step (the page's embedded
 * corpus and shipped teacher are found by name, and the resume checks refuse any other); the file imports back into
 * the history as a new run; a damaged file is refused by name with nothing imported; a PyTorch trainer's run
 * (metrics.jsonl + recipe.json) imports beside them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, waitForBackend, newestRun } from './fixtures.ts';

const TINY = {
  method: 'reduce', student: { vocabSize: 500, numLayers: 1, hiddenSize: 32, numHeads: 2, intermediateSize: 64 },
  steps: 400, batchSize: 4, seqLen: 16, logEvery: 1, evalEvery: 0, checkpointEvery: 4, benchmarks: { intrinsic: false },
};

const lastRun = async (page: Page) => (await newestRun<{ state: string; checkpointStep: number | null; points: { step: number }[] }>(page))!;

test('a stopped distillation exports as one file, continues in the CLI and imports back', async ({ page }) => {
  test.setTimeout(400_000);
  await page.goto('/?backend=wasm&tab=distill');
  expect(await waitForBackend(page)).toBe('wasm');
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });
  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify(TINY));
  await page.getByTestId('distill-start').click();
  await expect.poll(async () => (await lastRun(page)).checkpointStep ?? 0, { timeout: 200_000 }).toBeGreaterThanOrEqual(8);
  await page.getByTestId('distill-stop').click();
  await expect.poll(async () => (await lastRun(page)).state, { timeout: 60_000 }).toBe('stopped');
  const stoppedAt = (await lastRun(page)).points.at(-1)!.step;

  await page.getByTestId('tab-history').click();
  const row = page.locator('[data-testid^="history-run-"]').first();
  await expect(row).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
  const id = (await row.getAttribute('data-testid'))!.replace('history-run-', '');
  const download = page.waitForEvent('download');
  await page.getByTestId(`history-export-${id}`).click();
  const file = join(mkdtempSync(join(tmpdir(), 'vkdrun-')), 'run.vkdrun');
  await (await download).saveAs(file);
  expect(readFileSync(file).subarray(0, 8).toString()).toBe('VKDRUN1\n');

  // Node continues it: the embedded corpus and the shipped teacher by name, the checkpoint's recipe and step.
  const out = join(tmpdir(), `vkdrun-out-${Date.now()}`);
  const stdout = execFileSync('node', ['src/cli/bin.mjs', 'distill', '--resume', file, '--out', out], { encoding: 'utf8', timeout: 300_000 });
  const done = JSON.parse(stdout.trim().split('\n').at(-1)!);
  expect(done).toMatchObject({ event: 'done', steps: 400 });
  const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
  expect(steps[0]).toBe(1);
  expect(steps.at(-1)).toBe(400);
  expect(new Set(steps).size).toBe(steps.length);
  expect(steps.length).toBeGreaterThan(stoppedAt);

  // Back into the page's history; a damaged copy is refused by name, nothing imported.
  const damaged = join(tmpdir(), `damaged-${Date.now()}.vkdrun`);
  writeFileSync(damaged, readFileSync(file).subarray(0, 5000));
  await page.getByTestId('history-import').setInputFiles(damaged);
  await expect(page.getByTestId('history-import-result')).toContainText('RunFileError');
  await expect(page.locator('[data-testid^="history-run-"]')).toHaveCount(1);
  await page.getByTestId('history-import').setInputFiles(file);
  await expect(page.getByTestId('history-import-result')).toContainText('imported');
  await expect(page.locator('[data-testid^="history-run-"]')).toHaveCount(2);
  await expect(page.getByTestId('history-panel')).toContainText('(imported)');

  // A PyTorch trainer's run (trainers/torch/: metrics.jsonl + the bundle's recipe.json) joins the history too.
  const point = (step: number) => JSON.stringify({ step, loss: 9 - step / 100, lr: 1e-3, gradNorm: 1, msPerStep: 900, tokensPerSec: 1000, elapsedMs: step * 900, kl: 3, mlm: 4 });
  await page.getByTestId('history-import-torch').setInputFiles([
    { name: 'metrics.jsonl', mimeType: 'application/json', buffer: Buffer.from([10, 20, 30].map(point).join('\n') + '\n') },
    { name: 'recipe.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ method: 'reduce' })) },
  ]);
  await expect(page.getByTestId('history-import-result')).toContainText('imported the PyTorch run');
  await expect(page.locator('[data-testid^="history-run-"]')).toHaveCount(3);
  await expect(page.getByTestId('history-panel')).toContainText('PyTorch · reduce · 3 points (imported)');
});
