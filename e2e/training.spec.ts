/**
 * Training in the page on each backend that matters here: WASM (the fast CPU path) and WebGPU (SwiftShader software
 * adapter, micro model), with the main thread staying responsive and nothing fetched from outside localhost.
 */
import { execFileSync } from 'node:child_process';
import { test, expect, waitForBackend, latestPoints, waitForRunState, expectLossFalls, pageModels, type PagePoint } from './fixtures.ts';

test('the page loads without console errors and the badge names a backend', async ({ page, watch }) => {
  await page.goto('/');
  const backend = await waitForBackend(page);
  expect(['webgpu', 'webgl', 'wasm', 'cpu']).toContain(backend);
  await expect(page.getByTestId('parity')).toContainText('passed');
  expect(watch.consoleErrors).toEqual([]);
});

test('the default backend is measured: on a software WebGPU adapter the page runs WASM and offers WebGPU as a link', async ({ page, watch }) => {
  await page.goto('/?teacher=none&preset=micro');
  const software = await page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean; architecture?: string; description?: string }; isFallbackAdapter?: boolean } | null> } }).gpu;
    const a = await gpu?.requestAdapter();
    if (!a) return null;
    return !!(a.info?.isFallbackAdapter ?? a.isFallbackAdapter) || /swiftshader/i.test(`${a.info?.architecture} ${a.info?.description}`);
  });
  test.skip(software === false, 'this machine has a hardware WebGPU adapter: WebGPU is rightly the default');
  expect(await waitForBackend(page)).toBe('wasm');
  // The reason names the measurement: every software GPU backend that passed, and WASM, with their probe step times.
  await expect(page.getByTestId('backend-reason')).toContainText(/measured, a training-probe step takes .*webgpu [\d.]+ ms \(software adapter\).*wasm [\d.]+ ms: wasm is the fastest/);
  const link = page.getByTestId('backend-link-webgpu');
  await expect(link).toHaveAttribute('href', /[?&]backend=webgpu/);
  await expect(link).toHaveAttribute('href', /teacher=none/); // the other parameters are kept
  await link.click();
  expect(await waitForBackend(page)).toBe('webgpu');
  await expect(page.getByTestId('backend-reason')).toContainText('forced (?backend=webgpu)');
  await expect(page.getByTestId('backend-link-wasm')).toBeVisible();
  expect(watch.consoleErrors).toEqual([]);
});

test('a micro run on WASM plots falling loss without main-thread long tasks over 200 ms', async ({ page, watch }) => {
  await page.goto('/?backend=wasm&preset=micro&steps=150&evalEvery=50');
  expect(await waitForBackend(page)).toBe('wasm');
  await expect(page.getByTestId('backend-badge')).toContainText('WebAssembly');
  // The shipped teacher loads at start-up; measure the run on the settled page. (Its load overlapping the run showed
  // main-thread long tasks of 220–430 ms on the 2-core machine: a known start-up issue, see the README.)
  await expect.poll(async () => (await pageModels(page)).status, { timeout: 120_000 }).toBe('ready');
  const t0 = await page.evaluate(() => {
    // Count store updates that add metric points: the worker batches them, at most 4 a second.
    const w = window as unknown as { __pointUpdates: number; __vocabkd: { store: { subscribe(f: (s: { runOrder: string[]; runs: Record<string, { points: unknown[] }> }, p: typeof s) => void): void } } };
    w.__pointUpdates = 0;
    w.__vocabkd.store.subscribe((s, prev) => {
      const id = s.runOrder[s.runOrder.length - 1];
      if (id && s.runs[id].points.length !== (prev.runs[id]?.points.length ?? 0)) w.__pointUpdates++;
    });
    return performance.now();
  });
  await page.getByTestId('start').click();
  await waitForRunState(page, 'done');
  const t1 = await page.evaluate(() => performance.now());
  const updates = await page.evaluate(() => (window as unknown as { __pointUpdates: number }).__pointUpdates);
  expect(updates).toBeGreaterThan(0);
  expect(updates, `${updates} chart updates in ${(t1 - t0).toFixed(0)} ms`).toBeLessThanOrEqual(Math.ceil((t1 - t0) / 250) + 1);
  const points = await latestPoints(page);
  expect(points.length).toBeGreaterThanOrEqual(5);
  expect(points.map((p) => p.step)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  expectLossFalls(points);
  expect(Number(await page.getByTestId('tokens-per-sec').textContent())).toBeGreaterThan(0);
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '150');
  const longTasks = await page.evaluate(
    ([a, b]) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= a && t.start <= b),
    [t0, t1],
  );
  expect(longTasks.filter((t) => t.duration > 200), 'main-thread long tasks during training').toEqual([]);
  expect(watch.consoleErrors).toEqual([]);
});

/** A finished micro run's points on `backend` (a fresh page; the shipped teacher is not loaded, so only the run trains). */
async function microRun(page: import('@playwright/test').Page, backend: string, steps: number, evalEvery: number, timeout: number): Promise<PagePoint[]> {
  await page.goto(`/?backend=${backend}&preset=micro&steps=${steps}&evalEvery=${evalEvery}&teacher=none`);
  expect(await waitForBackend(page)).toBe(backend);
  await page.getByTestId('start').click();
  await waitForRunState(page, 'done', timeout);
  return latestPoints(page);
}

/**
 * Largest |loss_webgpu − loss_wasm| allowed at any of the 60 steps (training and validation losses). What float32
 * allows, measured: the same 60-step run on the CPU and WASM backends (different kernels, different summation orders)
 * differs by at most 9.5e-7 (`vocabkd train-mlm --preset micro --steps 60` with --backend cpu and wasm), and WebGPU
 * (SwiftShader) against WASM by at most 9.5e-7 too (this test's log line). 1e-4 is 100× that, and 90× below the
 * first wrong update of the AddN bug (step 2: 6.255 vs 6.246; at step 40 its validation loss was 6.052 vs 4.614).
 */
const CURVE_TOLERANCE = 1e-4;

test('WebGPU (software adapter) trains like WASM: the same 60-step micro run gives the same loss curve', async ({ page, watch }) => {
  test.setTimeout(480_000);
  const wasm = await microRun(page, 'wasm', 60, 20, 120_000);
  const gpu = await microRun(page, 'webgpu', 60, 20, 400_000);
  expect(gpu.map((p) => p.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  expect(wasm.map((p) => p.step)).toEqual(gpu.map((p) => p.step));
  expect(gpu.every((p) => Number.isFinite(p.loss))).toBe(true);
  expectLossFalls(gpu);
  const gaps = gpu.map((p, i) => Math.abs(p.loss - wasm[i].loss));
  const worst = gaps.indexOf(Math.max(...gaps));
  expect(gaps[worst], `largest training-loss gap at step ${worst + 1}: webgpu ${gpu[worst].loss} vs wasm ${wasm[worst].loss}`).toBeLessThanOrEqual(CURVE_TOLERANCE);
  const val = (ps: PagePoint[]) => ps.filter((p) => p.valLoss !== undefined).map((p) => [p.step, p.valLoss!]);
  expect(val(gpu).map(([s]) => s)).toEqual([20, 40, 60]);
  val(gpu).forEach(([step, v], i) => expect(Math.abs(v - val(wasm)[i][1]), `validation loss at step ${step}: webgpu ${v} vs wasm ${val(wasm)[i][1]}`).toBeLessThanOrEqual(CURVE_TOLERANCE));
  // Same seed, same data: the first-step loss on WebGPU equals the one the CLI computes in Node on WASM.
  const cli = execFileSync('node', ['src/cli/bin.mjs', 'train-mlm', '--steps', '1', '--preset', 'micro', '--backend', 'wasm', '--eval-every', '0'], { encoding: 'utf8' });
  const nodeStep1 = cli.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((o) => o.event === 'metrics');
  expect(Math.abs(gpu[0].loss - nodeStep1.loss) / nodeStep1.loss).toBeLessThan(1e-4);
  console.log(`webgpu vs wasm over 60 steps: max training-loss gap ${gaps[worst].toExponential(2)} (step ${worst + 1})`);
  expect(watch.consoleErrors.filter((e) => !/performance of synchronously reading/i.test(e))).toEqual([]);
});
