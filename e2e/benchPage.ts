/**
 * `npm run bench:page` (issue 16): the page's own benchmark, against the production build in Debian's Chromium. Not a
 * test (no pass/fail; `npm test` never runs it). Builds the page (with source maps, for the attribution below) unless
 * `--no-build`, serves it with `vite preview`, and prints a summary table on stderr and one JSON object on stdout:
 * - firstLossMs: navigation → the first loss point of the embedded default (WASM, the pretraining form's defaults,
 *   Start clicked as soon as the backend is ready; the shipped teacher loads meanwhile), cold cache, with the page's
 *   own marks on the way (`startup`: backend ready, teacher loaded, …);
 * - per phase (the shipped teacher's load from navigation, a training run, a distillation run of the default Reduce
 *   recipe, 3 steps): the longest main-thread task (Long Tasks API: only tasks over 50 ms are reported, so 0 means none
 *   over 50 ms), the count over 50 ms, and for each long task what it did (e2e/pageTrace.ts: a Chrome trace's top events
 *   and top functions by self time, mapped to the source);
 * - the chart render rate during the runs (commits that touched a chart, per second: mean and the most in any second);
 * - the page's tokens/s (training) and the badge (threads).
 * Usage: npm run bench:page [-- --dist DIR --port N --steps N --distill-steps N --threads N --config VITE_CONFIG
 *   --no-build --no-trace --save-traces DIR] (BENCH_DIST / BENCH_PORT work too; the defaults dist/ and 4179. A Vite config without the
 *   COOP/COEP headers measures the single-threaded fallback; --threads N opens the page with ?threads=N.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config.ts';
import { longTasksOfTrace, type TracedTask } from './pageTrace.ts';

interface Task { start: number; duration: number }
const log = (m: string) => process.stderr.write(`bench:page: ${m}\n`);
interface PhaseResult { ms: number; longestTaskMs: number; over50: number; tasksOver50: number[]; attributed?: TracedTask[]; chartRenders?: { perSecond: number; maxInOneSecond: number } }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

async function startPreview(dist: string, port: number, config: string | null): Promise<ChildProcess> {
  const child = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist, ...(config ? ['--config', config] : [])], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return child;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`vite preview did not start on port ${port}`);
}

const STORE = `window.__vocabkd.store.getState()`;
const now = (page: Page) => page.evaluate(() => performance.now());
/** performance.now() at a mark that bounds the phase in the trace (e2e/pageTrace.ts reads it). */
const markNow = (page: Page, edge: 'start' | 'end') => page.evaluate((e) => performance.mark(`bench:phase-${e}`).startTime, edge);
const tasksIn = (page: Page, a: number, b: number) => page.evaluate(([x, y]) => (window as unknown as { __longTasks: Task[] }).__longTasks.filter((t) => t.start + t.duration >= x && t.start <= y), [a, b]);

/** Chart commits (mutation batches inside a `.chart`) between a and b: per second, and the most in any one second. */
async function chartRate(page: Page, a: number, b: number): Promise<{ perSecond: number; maxInOneSecond: number }> {
  const ts = await page.evaluate(([x, y]) => (window as unknown as { __chartCommits: number[] }).__chartCommits.filter((t) => t >= x && t <= y), [a, b]);
  let most = 0;
  for (let i = 0, j = 0; i < ts.length; i++) {
    while (ts[i] - ts[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return { perSecond: Math.round((ts.length / Math.max(1, (b - a) / 1000)) * 10) / 10, maxInOneSecond: most };
}

function phase(tasks: Task[], ms: number): PhaseResult {
  const durations = tasks.map((t) => Math.round(t.duration));
  return { ms: Math.round(ms), longestTaskMs: Math.max(0, ...durations), over50: durations.length, tasksOver50: durations };
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  // A string, not a function: tsx's transform adds __name() helpers to nested functions, which the page lacks.
  await page.addInitScript(`(() => {
    window.__longTasks = [];
    window.__chartCommits = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });
    const watch = () => new MutationObserver((records) => {
      if (records.some((r) => (r.target instanceof Element ? r.target : r.target.parentElement)?.closest('.chart'))) window.__chartCommits.push(performance.now());
    }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
    if (document.documentElement) watch(); else document.addEventListener('DOMContentLoaded', watch);
  })()`);
  return page;
}

async function waitFor(page: Page, expr: string, timeout: number): Promise<void> {
  await page.waitForFunction(expr, undefined, { timeout, polling: 50 });
}

let traces = 0;
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'toplevel', 'disabled-by-default-v8.cpu_profiler', 'blink.user_timing'];

/** Runs `f` under a Chrome trace (unless --no-trace) and attributes the main thread's tasks over 50 ms. */
async function traced<T extends PhaseResult>(browser: Browser, page: Page, dist: string, f: () => Promise<T>): Promise<T> {
  if (flag('no-trace')) return f();
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  let result: T;
  try {
    result = await f();
  } catch (e) {
    await browser.stopTracing();
    throw e;
  }
  const trace = (await browser.stopTracing()).toString('utf8');
  const save = arg('save-traces', '');
  if (save) writeFileSync(join(save, `trace-${++traces}.json`), trace);
  result.attributed = longTasksOfTrace(trace, dist, new URL(page.url()).origin);
  return result;
}

/** Navigation → the first loss point, with the teacher loading meanwhile (what a visitor sees); then the teacher's load. */
async function coldPage(page: Page, base: string, query: string): Promise<PhaseResult & { firstLossMs: number; startup: Record<string, number> }> {
  await page.goto(`${base}/?backend=wasm${query}`);
  await page.getByTestId('start').waitFor();
  await page.waitForSelector('[data-testid="backend-badge"][data-phase="ready"]', { timeout: 120_000, state: 'attached' });
  const backendReady = await now(page);
  await page.getByTestId('start').click();
  await waitFor(page, `(() => { const s = ${STORE}; const id = s.runOrder[s.runOrder.length - 1]; return !!id && s.runs[id].points.length > 0; })()`, 120_000);
  const firstLossMs = await now(page);
  log(`first loss point at ${Math.round(firstLossMs)} ms`);
  await waitFor(page, `${STORE}.models.status === 'ready'`, 300_000);
  const teacherReady = await markNow(page, 'end');
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('vocabkd:')).map((m) => [m.name.slice(8), Math.round(m.startTime)] as const));
  return { ...phase(await tasksIn(page, 0, teacherReady), teacherReady), firstLossMs: Math.round(firstLossMs), startup: { ...Object.fromEntries(marks), backendReadySeen: Math.round(backendReady), firstLoss: Math.round(firstLossMs), teacherReady: Math.round(teacherReady) } };
}

async function training(page: Page, steps: number): Promise<PhaseResult & { tokensPerSec: number }> {
  await waitFor(page, `(() => { const s = ${STORE}; const id = s.runOrder[s.runOrder.length - 1]; return !id || /done|stopped|error/.test(s.runs[id].state); })()`, 600_000);
  const t0 = await markNow(page, 'start');
  await page.getByTestId('start').click();
  await waitFor(page, `(() => { const s = ${STORE}; const r = s.runs[s.runOrder[s.runOrder.length - 1]]; return r && r.points.length >= ${steps} && /done|stopped|error/.test(r.state); })()`, 600_000);
  const t1 = await markNow(page, 'end');
  const tokensPerSec = Number(await page.getByTestId('tokens-per-sec').textContent());
  return { ...phase(await tasksIn(page, t0, t1), t1 - t0), chartRenders: await chartRate(page, t0, t1), tokensPerSec };
}

async function distillation(page: Page, base: string, query: string, steps: number): Promise<PhaseResult & { stepsDone: number }> {
  await page.goto(`${base}/?backend=wasm&tab=distill${query}`);
  await page.getByTestId('distill-teacher').filter({ hasText: 'shipped' }).waitFor({ timeout: 180_000 });
  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify({ method: 'reduce', steps, evalEvery: 0, checkpointEvery: steps }));
  if (await page.getByTestId('distill-json-error').count()) throw new Error(`the recipe was refused: ${await page.getByTestId('distill-json-error').textContent()}`);
  const t0 = await markNow(page, 'start');
  await page.getByTestId('distill-start').click();
  await page.waitForSelector('[data-testid="distill-status"][data-status="done"], [data-testid="distill-status"][data-status="stopped"], [data-testid="distill-status"][data-status="error"]', { timeout: 900_000, state: 'attached' });
  const t1 = await markNow(page, 'end');
  const stepsDone = await page.evaluate(`(() => { const s = ${STORE}; const r = s.runs[s.runOrder[s.runOrder.length - 1]]; return Math.max(0, ...r.points.map((p) => p.step)); })()`) as number;
  return { ...phase(await tasksIn(page, t0, t1), t1 - t0), chartRenders: await chartRate(page, t0, t1), stepsDone };
}

function summary(name: string, p: PhaseResult): string {
  const lines = [`${name}: ${p.ms} ms, longest main-thread task ${p.longestTaskMs} ms, ${p.over50} over 50 ms${p.chartRenders ? `, charts ${p.chartRenders.perSecond} renders/s (most in one second: ${p.chartRenders.maxInOneSecond})` : ''}`];
  for (const t of p.attributed ?? []) {
    lines.push(`  task ${t.ms} ms (CPU ${t.cpuMs ?? '?'} ms) at +${t.atMs} ms: ${t.events.map((e) => `${e.name} ${e.ms}`).join(', ')}`);
    lines.push(`    functions: ${t.functions.map((e) => `${e.name} ${e.ms}`).join('; ') || '(no samples)'}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const dist = arg('dist', process.env.BENCH_DIST ?? 'dist');
  const port = Number(arg('port', process.env.BENCH_PORT ?? '4179'));
  const steps = Number(arg('steps', '40'));
  const distillSteps = Number(arg('distill-steps', '3'));
  const threads = arg('threads', '');
  const query = `&steps=${steps}` + (threads ? `&threads=${threads}` : '');
  if (!flag('no-build')) {
    log(`building into ${dist} (with source maps)`);
    const b = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', '--sourcemap', '--emptyOutDir', '--outDir', dist], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('vite build failed');
  }
  const base = `http://127.0.0.1:${port}`;
  const server = await startPreview(dist, port, arg('config', '') || null);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    // 1. A cold page: the first loss point, and the teacher's load (models.status 'ready') with training overlapping it.
    const page = await newPage(browser);
    const { firstLossMs, startup, ...load } = await traced(browser, page, dist, () => coldPage(page, base, query));
    const badge = (await page.getByTestId('backend-badge').textContent())?.replace(/\s+/g, ' ').trim();
    log(summary('teacher load (from navigation)', load));
    // 2. A training run on the settled page; 3. a distillation in a fresh page.
    const train = await traced(browser, page, dist, () => training(page, steps));
    log(summary('training', train));
    const distillPage = await newPage(browser);
    const distill = await traced(browser, distillPage, dist, () => distillation(distillPage, base, query, distillSteps));
    log(summary('distillation', distill));
    const phases = { teacherLoad: load, training: train, distillation: distill };
    const verdict = { firstLossAtMost5s: firstLossMs <= 5000, noTaskOver50ms: Object.values(phases).every((p) => p.over50 === 0) };
    process.stdout.write(JSON.stringify({ bench: 'page', badge, traced: !flag('no-trace'), verdict, firstLossMs, startup, ...phases }, null, 2) + '\n');
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}

await main();
