/**
 * "Export for PyTorch" in the Distill tab (issue 18): a tiny Reduce recipe with the shipped teacher and the embedded
 * Moby-Dick slice is built in the worker and downloaded as a .zip; the zip unpacks to one folder whose manifest lists
 * every other file with its sha256 (one recomputed here), and `vocabkd export-run` on the same recipe, teacher and corpus
 * writes the same files: every sha256 of the two manifests is equal. A recipe the trainer cannot express gets the CLI's
 * RecipeError; a long export shows its progress and stops.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from '@playwright/test';
import { test, expect, waitForBackend } from './fixtures.ts';

const TINY = {
  method: 'reduce',
  student: { vocabSize: 500, numLayers: 1, hiddenSize: 32, numHeads: 2, intermediateSize: 64, init: 'teacher' },
  steps: 20, batchSize: 4, seqLen: 16, logEvery: 1, evalEvery: 0, checkpointEvery: 20,
};

async function openDistill(page: Page, recipe: object) {
  await page.goto('/?backend=wasm&tab=distill');
  expect(await waitForBackend(page)).toBe('wasm');
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });
  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify(recipe));
  await expect(page.getByTestId('distill-json-error')).toHaveCount(0);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('the zip unpacks to the bundle the CLI writes: the manifest, a checksum, every sha256 equal to export-run\'s', async ({ page, watch }) => {
  test.setTimeout(300_000);
  await openDistill(page, TINY);
  const download = page.waitForEvent('download', { timeout: 240_000 });
  await page.getByTestId('distill-export-torch').click();
  const d = await download;
  expect(d.suggestedFilename()).toBe('vocabkd-reduce-bundle.zip');
  await expect(page.getByTestId('distill-export-torch-done')).toContainText('vocabkd-reduce-bundle.zip');

  const files = unzipSync(new Uint8Array(readFileSync((await d.path())!)));
  const names = Object.keys(files);
  expect(names.every((n) => n.startsWith('vocabkd-reduce-bundle/'))).toBe(true);
  const file = (n: string) => files[`vocabkd-reduce-bundle/${n}`];
  const m = JSON.parse(new TextDecoder().decode(file('manifest.json')));
  expect([m.format, m.version, m.method]).toEqual(['vocabkd-torch-bundle', 2, 'reduce']);
  expect(names.map((n) => n.slice('vocabkd-reduce-bundle/'.length)).sort()).toEqual([...Object.keys(m.files), 'manifest.json'].sort());
  expect(m.counts.sequences).toBeGreaterThan(0);
  expect(m.shards.reduce((a: number, s: { sequences: number }) => a + s.sequences, 0)).toBe(m.counts.sequences);
  const shard = m.shards[0].file as string;
  expect(sha256(file(shard))).toBe(m.files[shard].sha256);
  expect(file(shard).length).toBe(m.files[shard].bytes);

  // The CLI on the same recipe (the page's recipe.json), the shipped teacher and the embedded corpus.
  const dir = mkdtempSync(join(tmpdir(), 'vkd-e2e-torch-'));
  writeFileSync(join(dir, 'recipe.json'), file('recipe.json'));
  const r = spawnSync(process.execPath, ['src/cli/bin.mjs', 'export-run', '--recipe', join(dir, 'recipe.json'), '--teacher', 'public/models/teacher-en', '--corpus', 'public/corpus/moby-dick.txt', '--out', join(dir, 'cli'), '--backend', 'cpu'], { encoding: 'utf8', timeout: 240_000 });
  expect(r.status, r.stderr).toBe(0);
  const cli = JSON.parse(readFileSync(join(dir, 'cli', 'manifest.json'), 'utf8'));
  expect(cli.files).toEqual(m.files);
  expect(cli).toEqual(m);
  expect(watch.consoleErrors).toEqual([]);
});

test('a recipe the trainer cannot express is refused with the CLI\'s RecipeError; a long export shows progress and stops', async ({ page }) => {
  test.setTimeout(300_000);
  await openDistill(page, { ...TINY, weights: { kl: 1, mlm: 1, mse: 0.5 } });
  await page.getByTestId('distill-export-torch').click();
  await expect(page.getByTestId('distill-export-torch-error')).toContainText('RecipeError: recipe: weights.mse > 0: the PyTorch trainer has no hidden-state MSE term');

  // The Russian prose slice (2.7 MB) takes seconds: progress shows, Stop ends it, nothing is downloaded.
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify(TINY));
  await page.getByTestId('distill-corpus').selectOption('ru-prose');
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.getByTestId('distill-export-torch').click();
  await expect(page.getByTestId('distill-export-torch-progress')).toBeVisible();
  await expect(page.getByTestId('distill-export-torch-progress')).toHaveAttribute('data-phase', /student tokenizer|σ|C|student|data/, { timeout: 120_000 });
  await page.getByTestId('distill-export-torch-stop').click();
  await expect(page.getByTestId('distill-export-torch-error')).toContainText('BundleStoppedError', { timeout: 60_000 });
  await expect(page.getByTestId('distill-export-torch-progress')).toHaveCount(0);
  expect(downloads).toBe(0);
  // and the next export runs
  await page.getByTestId('distill-corpus').selectOption('moby-dick');
  await page.getByTestId('distill-export-torch').click();
  await expect(page.getByTestId('distill-export-torch-done')).toBeVisible({ timeout: 240_000 });
});
