/**
 * `npm run bench:page` (issue 16): the page's own benchmark, against the production build in Debian's Chromium. Not a
 * test (no pass/fail; `npm test` never runs it). Prints one JSON object:
 * - firstLossMs: navigation → the first loss point of the embedded default (WASM, the pretraining form's defaults,
 *   Start clicked as soon as the backend is ready; the shipped teacher loads meanwhile), cold cache;
 * - longest main-thread task (Long Tasks API: only tasks over 50 ms are reported, so 0 means none over 50 ms) during
 *   the shipped teacher's load, a training run and a distillation run (the default Reduce recipe, 3 steps), with every
 *   task over 50 ms listed;
 * - the page's tokens/s (training) and the badge (threads).
 * Usage: npm run bench:page [-- --dist DIR --port N --steps N --distill-steps N --config VITE_CONFIG]
 * (a Vite config without the COOP/COEP headers measures the single-threaded fallback).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config.ts';

interface Task { start: number; duration: number }
const log = (m: string) => process.stderr.write(`bench:page: ${m}\n`);
interface PhaseResult { ms: number; longestTaskMs: number; tasksOver50: number[] }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

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
const tasksIn = (page: Page, a: number, b: number) => page.evaluate(([x, y]) => (window as unknown as { __longTasks: Task[] }).__longTasks.filter((t) => t.start + t.duration >= x && t.start <= y), [a, b]);

function phase(tasks: Task[], ms: number): PhaseResult {
  return { ms: Math.round(ms), longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))), tasksOver50: tasks.map((t) => Math.round(t.duration)) };
}

async function newPage(browser: import('@playwright/test').Browser): Promise<Page> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });
  });
  return page;
}

async function waitFor(page: Page, expr: string, timeout: number): Promise<void> {
  await page.waitForFunction(expr, undefined, { timeout, polling: 20 });
}

/** Navigation → the first loss point, with the teacher loading meanwhile (what a visitor sees). */
async function firstLoss(page: Page, base: string, steps: number): Promise<number> {
  await page.goto(`${base}/?backend=wasm&steps=${steps}`);
  await page.getByTestId('start').waitFor();
  await page.waitForSelector('[data-testid="backend-badge"][data-phase="ready"]', { timeout: 120_000, state: 'attached' });
  await page.getByTestId('start').click();
  await waitFor(page, `(() => { const s = ${STORE}; const id = s.runOrder[s.runOrder.length - 1]; return !!id && s.runs[id].points.length > 0; })()`, 120_000);
  return now(page);
}

async function training(page: Page, steps: number): Promise<PhaseResult & { tokensPerSec: number }> {
  await waitFor(page, `(() => { const s = ${STORE}; const id = s.runOrder[s.runOrder.length - 1]; return !id || /done|stopped|error/.test(s.runs[id].state); })()`, 600_000);
  const t0 = await now(page);
  await page.getByTestId('start').click();
  await waitFor(page, `(() => { const s = ${STORE}; const r = s.runs[s.runOrder[s.runOrder.length - 1]]; return r && r.points.length >= ${steps} && /done|stopped|error/.test(r.state); })()`, 600_000);
  const t1 = await now(page);
  const tokensPerSec = Number(await page.getByTestId('tokens-per-sec').textContent());
  return { ...phase(await tasksIn(page, t0, t1), t1 - t0), tokensPerSec };
}

async function distillation(page: Page, base: string, steps: number): Promise<PhaseResult & { stepsDone: number }> {
  await page.goto(`${base}/?backend=wasm&tab=distill`);
  await page.getByTestId('distill-teacher').filter({ hasText: 'shipped' }).waitFor({ timeout: 180_000 });
  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify({ method: 'reduce', steps, evalEvery: 0, checkpointEvery: steps }));
  if (await page.getByTestId('distill-json-error').count()) throw new Error(`the recipe was refused: ${await page.getByTestId('distill-json-error').textContent()}`);
  const t0 = await now(page);
  await page.getByTestId('distill-start').click();
  await page.waitForSelector('[data-testid="distill-status"][data-status="done"], [data-testid="distill-status"][data-status="stopped"], [data-testid="distill-status"][data-status="error"]', { timeout: 900_000, state: 'attached' });
  const t1 = await now(page);
  const stepsDone = await page.evaluate(`(() => { const s = ${STORE}; const r = s.runs[s.runOrder[s.runOrder.length - 1]]; return Math.max(0, ...r.points.map((p) => p.step)); })()`) as number;
  return { ...phase(await tasksIn(page, t0, t1), t1 - t0), stepsDone };
}

async function main(): Promise<void> {
  const dist = arg('dist', 'dist');
  const port = Number(arg('port', '4179'));
  const steps = Number(arg('steps', '40'));
  const distillSteps = Number(arg('distill-steps', '3'));
  const base = `http://127.0.0.1:${port}`;
  const server = await startPreview(dist, port, arg('config', '') || null);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    // 1. A cold page: the first loss point, and the teacher's load (models.status 'ready') with training overlapping it.
    const page = await newPage(browser);
    const firstLossMs = await firstLoss(page, base, steps);
    log(`first loss point at ${Math.round(firstLossMs)} ms`);
    await waitFor(page, `${STORE}.models.status === 'ready'`, 300_000);
    const teacherReady = await now(page);
    const badge = (await page.getByTestId('backend-badge').textContent())?.replace(/\s+/g, ' ').trim();
    const load = phase(await tasksIn(page, 0, teacherReady), teacherReady);
    log(`teacher loaded at ${Math.round(teacherReady)} ms: ${JSON.stringify(load)}`);
    // 2. A training run on the settled page; 3. a distillation in a fresh page.
    const train = await training(page, steps);
    log(`training: ${JSON.stringify(train)}`);
    const distill = await distillation(await newPage(browser), base, distillSteps);
    process.stdout.write(JSON.stringify({ bench: 'page', badge, firstLossMs: Math.round(firstLossMs), teacherLoad: load, training: train, distillation: distill }, null, 2) + '\n');
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}

await main();
