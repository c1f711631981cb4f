/**
 * Benchmark scores in the page (issue 13): a tiny Reduce distillation and its MLM-only baseline, each scored on the
 * embedded POS task and the intrinsic metrics at every evaluation point, plot at least two points per run on the score
 * charts, with the teacher's line and the majority-class floor; the results table sets teacher, student and baseline
 * side by side; the report exports the recipe, the metrics (CSV and JSON) and the charts (SVG). A task the user gives
 * with a missing column is refused naming it and listing the columns found.
 */
import { readFileSync } from 'node:fs';
import type { Download, Page } from '@playwright/test';
import { test, expect, waitForBackend, pageRuns } from './fixtures.ts';

interface BenchRun { runId: string; state: string; error: string | null; bench: { reference: { metrics: { key: string; teacher: number | null; floor: number | null }[] } | null; points: { step: number; scores: Record<string, number>; skipped?: string }[] } }

const distillRuns = (page: Page) => pageRuns<BenchRun>(page, 'distill');

const TINY = {
  method: 'reduce',
  student: { vocabSize: 500, numLayers: 1, hiddenSize: 32, numHeads: 2, intermediateSize: 64 },
  steps: 12,
  batchSize: 4,
  seqLen: 16,
  logEvery: 1,
  evalEvery: 4,
  checkpointEvery: 12,
  benchmarks: { tasks: ['en-pos'], intrinsic: true, maxTexts: 5, maxTrain: 40, maxTest: 20, maxShare: 0.9 },
};

async function runToEnd(page: Page, button: string) {
  await page.getByTestId(button).click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', /done|stopped|error/, { timeout: 240_000 });
}

test('a tiny distillation and its baseline plot benchmark points with the teacher line; the results table and the report', async ({ page, watch }) => {
  test.setTimeout(420_000);
  await page.goto('/?backend=wasm&tab=distill');
  expect(await waitForBackend(page)).toBe('wasm');
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });
  await expect(page.getByTestId('distill-bench-task-en-pos')).toBeChecked(); // the page's first recipe scores en-pos

  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify(TINY));
  await expect(page.getByTestId('distill-json-error')).toHaveCount(0);
  await expect(page.getByTestId('distill-bench-maxTrain')).toHaveValue('40');
  await expect(page.getByTestId('distill-bench-maxShare')).toHaveValue('90');

  await runToEnd(page, 'distill-start');
  await runToEnd(page, 'distill-baseline');
  const runs = await distillRuns(page);
  expect(runs.map((r) => [r.state, r.error])).toEqual([['done', null], ['done', null]]);

  const key = 'task.en-pos.accuracy';
  const teacher = runs[0].bench.reference!.metrics.find((m) => m.key === key)!;
  expect(teacher.teacher!).toBeGreaterThan(teacher.floor!); // the shipped teacher's features beat the majority class
  for (const r of runs) {
    const scored = r.bench.points.filter((p) => !p.skipped);
    expect(scored.length, `${r.runId} scored points`).toBeGreaterThanOrEqual(2);
    expect(scored[scored.length - 1].step).toBe(12); // the last point is always scored
    for (const p of scored) expect(p.scores[key]).toBeGreaterThanOrEqual(0);
  }

  // The chart draws what the store holds: a line per run with its points, the teacher line and the majority floor.
  const chart = page.getByTestId(`distill-bench-chart-${key}`);
  const series = runs.map((r) => `${r.runId}:${r.bench.points.filter((p) => !p.skipped).length}`).join(',');
  await expect(chart).toHaveAttribute('data-series', series);
  await expect(chart).toHaveAttribute('data-teacher', String(teacher.teacher));
  await expect(chart.locator('.live-line')).toHaveCount(2);
  await expect(chart.locator('.live-ref')).toHaveCount(2);
  await expect(chart).toContainText('teacher');
  await expect(chart).toContainText('majority class');
  await expect(page.getByTestId(`distill-bench-chart-intrinsic.agreement`)).toHaveAttribute('data-series', /run-\d+:\d/);
  await expect(page.getByTestId(`distill-bench-share-${runs[1].runId}`)).toContainText("the teacher's scores kept from an earlier run");

  // Results: the latest run is the baseline; pick the Reduce student to see all three rows.
  await page.getByTestId('results-run').selectOption(runs[0].runId);
  for (const who of ['teacher', 'student', 'baseline']) await expect(page.getByTestId(`results-row-${who}`)).toBeVisible();
  await expect(page.getByTestId('results-row-teacher')).toContainText('1.0×');

  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByTestId('results-export').click();
  await expect.poll(() => downloads.length).toBe(4);
  const names = downloads.map((d) => d.suggestedFilename()).sort();
  expect(names).toEqual([`${runs[0].runId}-charts.svg`, `${runs[0].runId}-metrics.csv`, `${runs[0].runId}-metrics.json`, `${runs[0].runId}-recipe.json`]);
  const read = async (suffix: string) => readFileSync((await downloads.find((d) => d.suggestedFilename().endsWith(suffix))!.path())!, 'utf8');
  expect((await read('-metrics.csv')).split('\n')[0]).toContain(key);
  expect(JSON.parse(await read('-recipe.json')).benchmarks.tasks).toEqual(['en-pos']);
  expect(await read('-charts.svg')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  void watch; // the fixture checks console errors and external requests after the test
});

test('a task the user gives: a missing column is named with the columns found; a good one is added and ticked', async ({ page }) => {
  await page.goto('/?backend=wasm&tab=distill');
  await page.getByText('add a task (your files').click();
  const csv = (rows: string[]) => Buffer.from(rows.join('\n') + '\n');
  await page.getByTestId('task-train').setInputFiles({ name: 'train.csv', mimeType: 'text/csv', buffer: csv(['sentence,label', 'a good film,pos', 'a bad film,neg']) });
  await page.getByTestId('task-test').setInputFiles({ name: 'test.csv', mimeType: 'text/csv', buffer: csv(['sentence,label', 'good,pos']) });
  await page.getByTestId('task-name').fill('films');
  await page.getByTestId('task-label').selectOption('label');
  await page.getByTestId('task-add').click(); // no text column chosen
  await expect(page.getByTestId('task-error')).toContainText('TaskError');
  await page.getByTestId('task-text-0').selectOption('sentence');
  await page.getByTestId('task-test').setInputFiles({ name: 'test.csv', mimeType: 'text/csv', buffer: csv(['text,label', 'good,pos']) });
  await page.getByTestId('task-add').click();
  await expect(page.getByTestId('task-error')).toContainText('test.csv has no column "sentence"; columns found: text, label');
  await page.getByTestId('task-test').setInputFiles({ name: 'test.csv', mimeType: 'text/csv', buffer: csv(['sentence,label', 'good,pos']) });
  await page.getByTestId('task-add').click();
  await expect(page.getByTestId('task-added')).toContainText('films');
  await expect(page.getByTestId('distill-bench-task-films')).toBeChecked();
});
