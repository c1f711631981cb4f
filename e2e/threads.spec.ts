/**
 * Multi-threaded WASM in the production (minified) build: the page is cross-origin isolated (COOP/COEP from
 * `vite preview`), the badge names the thread count (every core but one by default, ?threads=N to choose), the parity self-test passes on the threaded backend and a micro
 * run trains to its last step. The threaded build used to hang in minified builds (src/backend/wasmThreads.ts says
 * why); this is its guard. A page served without the headers runs single-threaded and says why on the badge.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { test, expect, waitForBackend, waitForRunState, latestPoints } from './fixtures.ts';

test('the production build trains multi-threaded on WASM: ?threads=N runs N ≥ 2 threads (badge), parity passed, a micro run finishes', async ({ page, watch }) => {
  await page.goto('/?backend=wasm&teacher=none&preset=micro&steps=30&evalEvery=0');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  test.skip(cores < 2, 'one core: nothing to thread');
  // By default the page leaves one core to itself (issue 16 item 4): cores - 1 threads, and the badge says so.
  expect(await waitForBackend(page)).toBe('wasm');
  const badge = page.getByTestId('backend-badge');
  const byDefault = Math.min(cores - 1, 8);
  await expect(badge).toContainText(`WebAssembly SIMD, ${byDefault} thread${byDefault === 1 ? '' : 's'} (${byDefault} of ${cores} cores: one left to the page`);
  // ?threads=N asks for N: every core here, so the threaded build runs (the minified-build guard).
  await page.goto(`/?backend=wasm&teacher=none&preset=micro&steps=30&evalEvery=0&threads=${cores}`);
  expect(await waitForBackend(page)).toBe('wasm');
  await expect(badge).toContainText(/WebAssembly SIMD, (\d+) threads/);
  const n = Number(/WebAssembly SIMD, (\d+) threads/.exec((await badge.textContent()) ?? '')![1]);
  expect(n).toBeGreaterThanOrEqual(2);
  expect(n).toBe(Math.min(cores, 8));
  await expect(page.getByTestId('parity')).toContainText('passed');
  await page.getByTestId('start').click();
  await waitForRunState(page, 'done');
  const points = await latestPoints(page);
  expect(points.length).toBeGreaterThan(0);
  expect(points[points.length - 1].step).toBe(30);
  expect(points.every((p) => Number.isFinite(p.loss))).toBe(true);
  expect(watch.consoleErrors).toEqual([]);
});

/** The same build served by a plain static server without COOP/COEP (a host that cannot send them). */
async function serveWithoutIsolation(root: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.txt': 'text/plain' };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? 'index.html' : path);
    readFile(file).then(
      (body) => { res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }); res.end(body); },
      () => readFile(join(root, 'index.html')).then((b) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end(b); }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
}

test('a page that is not cross-origin isolated runs WASM single-threaded and says why on the badge', async ({ page, watch }) => {
  const root = process.env.VOCABKD_DIST ?? join(process.cwd(), 'dist');
  const { server, url } = await serveWithoutIsolation(root);
  try {
    await page.goto(`${url}/?backend=wasm&teacher=none&preset=micro&steps=10&evalEvery=0`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await waitForBackend(page)).toBe('wasm');
    await expect(page.getByTestId('backend-badge')).toContainText('WebAssembly SIMD, 1 thread (single-threaded: the page is not cross-origin isolated');
    await expect(page.getByTestId('parity')).toContainText('passed');
    await page.getByTestId('start').click();
    await waitForRunState(page, 'done');
    expect((await latestPoints(page)).at(-1)?.step).toBe(10);
    expect(watch.consoleErrors).toEqual([]);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
