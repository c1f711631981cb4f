/**
 * Where the student disagrees (issue 12 item 3): a tiny Reduce distillation with the shipped teacher on WASM, evaluated
 * every 5 steps, keeps student snapshots in the worker. During the run the heatmap of a held-out line appears (the
 * request runs at a step boundary); after a stop the kept snapshots are at most 8 evaluation points plus the final
 * step; the heatmap has one shaded span per teacher token (each span's characters are the text's at its offsets, the
 * spans cover every non-space character, every KL is finite and ≥ 0), hovering a token shows its numbers, the step
 * slider changes the shown step, and a click on a word shows the aligned fill-mask probe's two top-5 lists with bars.
 */
import type { Page } from '@playwright/test';
import { test, expect, waitForBackend } from './fixtures.ts';

const RECIPE = {
  method: 'reduce',
  student: { vocabSize: 500, numLayers: 1, hiddenSize: 32, numHeads: 2, intermediateSize: 64 },
  steps: 3000,
  batchSize: 4,
  seqLen: 16,
  logEvery: 1,
  evalEvery: 5,
  evalMaskings: 1,
  checkpointEvery: 0,
};

interface Store {
  runOrder: string[];
  runs: Record<string, { kind: string; state: string; points: { step: number }[] }>;
  disagreement: {
    snapshots: { runId: string; list: { steps: number[]; finalStep: number | null; limit: number }; sample: string } | null;
    heat: { shown: { step: number; text: string; result: { tokens: { special: boolean; offsets: [number, number]; kl: number | null }[] } } | null };
  };
}
const store = (page: Page): Promise<Store> =>
  page.evaluate(() => {
    const s = (window as unknown as { __vocabkd: { store: { getState(): Store } } }).__vocabkd.store.getState();
    return { runOrder: s.runOrder, runs: s.runs, disagreement: s.disagreement } as Store;
  });
const latestDistill = async (page: Page) => {
  const s = await store(page);
  return s.runOrder.map((id) => s.runs[id]).filter((r) => r.kind === 'distill').pop()!;
};

test('the disagreement heatmap during and after a short distillation; the step slider; the aligned fill-mask probe', async ({ page, watch }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm&tab=distill');
  expect(await waitForBackend(page)).toBe('wasm');
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });
  await expect(page.getByTestId('disagree-panel')).toContainText('Start a distillation');

  await page.getByText('recipe as JSON').click();
  await page.getByTestId('distill-recipe-json').fill(JSON.stringify(RECIPE));
  await expect(page.getByTestId('distill-json-error')).toHaveCount(0);
  await page.getByTestId('distill-start').click();

  // During the run: two snapshots kept, then the heatmap of the default text (a held-out line) at the latest one.
  await expect.poll(async () => (await store(page)).disagreement.snapshots?.list.steps.length ?? 0, { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  const text = await page.getByTestId('disagree-text').inputValue();
  expect(text.length).toBeGreaterThan(20);
  expect(text).toBe((await store(page)).disagreement.snapshots!.sample);
  await expect(page.getByTestId('disagree-memory')).toContainText('last 8 evaluation points and the final step');
  await expect(page.getByTestId('disagree-memory')).toContainText('MB each');
  await page.getByTestId('disagree-show').click();
  await expect(page.getByTestId('disagree-result')).toBeVisible({ timeout: 60_000 });
  const during = await latestDistill(page);
  expect(during.state).toBe('running'); // the reply came while the run was still training
  expect(during.points[during.points.length - 1].step).toBeLessThan(RECIPE.steps);
  expect(Number(await page.getByTestId('disagree-heatmap').getAttribute('data-tokens'))).toBeGreaterThan(5);

  // Let a few more evaluations pass (more than 8), then stop: at most 8 evaluation snapshots plus the final step.
  await expect.poll(async () => (await latestDistill(page)).points.length, { timeout: 120_000 }).toBeGreaterThan(60);
  await page.getByTestId('distill-stop').click();
  await expect(page.getByTestId('distill-status')).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
  const snaps = (await store(page)).disagreement.snapshots!;
  const last = (await latestDistill(page)).points.pop()!.step;
  expect(snaps.list.finalStep).toBe(last);
  expect(snaps.list.limit).toBe(8);
  expect(snaps.list.steps.length).toBeLessThanOrEqual(9);
  expect(snaps.list.steps.length).toBeGreaterThanOrEqual(8);
  expect(snaps.list.steps[snaps.list.steps.length - 1]).toBe(last);
  for (const s of snaps.list.steps.filter((x) => x !== last)) expect(s % RECIPE.evalEvery).toBe(0);

  // After the run, at the final step (the slider's right end follows the run): one shaded span per teacher token.
  await page.getByTestId('disagree-show').click();
  const result = page.getByTestId('disagree-result');
  await expect(result).toHaveAttribute('data-step', String(last));
  const shown = (await store(page)).disagreement.heat.shown!;
  expect(shown.step).toBe(last);
  expect(shown.text).toBe(text);
  const teacherTokens = shown.result.tokens.filter((t) => !t.special && t.offsets[1] > t.offsets[0]);
  const spans = page.getByTestId('disagree-token');
  await expect(spans).toHaveCount(teacherTokens.length);
  const drawn = await spans.evaluateAll((els) => els.map((e) => ({
    start: Number(e.getAttribute('data-start')), end: Number(e.getAttribute('data-end')), kl: e.getAttribute('data-kl'), text: e.textContent, background: getComputedStyle(e).backgroundColor,
  })));
  const covered = new Set<number>();
  let prevEnd = 0;
  for (const s of drawn) {
    expect(s.text).toBe(text.slice(s.start, s.end));
    expect(s.start).toBeGreaterThanOrEqual(prevEnd);
    prevEnd = s.end;
    for (let i = s.start; i < s.end; i++) covered.add(i);
    expect(Number.isFinite(Number(s.kl)) && s.kl !== '', `KL of "${s.text}"`).toBe(true);
    expect(Number(s.kl)).toBeGreaterThanOrEqual(-1e-6);
    expect(s.background).toMatch(/^rgba\(220, 38, 38, 0\.\d+\)$/); // shaded by KL
  }
  for (let i = 0; i < text.length; i++) if (/\S/.test(text[i])) expect(covered.has(i), `character ${i} "${text[i]}" is in a teacher token`).toBe(true);
  await expect(page.getByTestId('disagree-legend')).toContainText('KL(teacher ‖ student)');

  // Hover: the numbers of that token.
  await spans.nth(1).hover();
  await expect(page.getByTestId('disagree-tip')).toContainText(/KL \d+\.\d{3} nats · teacher: .+ · student: .+ · top-1 (agrees|differs)/);
  await expect(page.getByTestId('disagree-tip')).toContainText(`[${drawn[1].start}, ${drawn[1].end})`);

  // The step slider: the first kept snapshot is shown, then the last again.
  const slider = page.getByTestId('disagree-step');
  await slider.fill('0');
  await expect(page.getByTestId('disagree-step-label')).toHaveAttribute('data-step', String(snaps.list.steps[0]));
  await expect(result).toHaveAttribute('data-step', String(snaps.list.steps[0]));
  await expect(page.getByTestId('disagree-shown-step')).toHaveText(String(snaps.list.steps[0]));
  await slider.fill(String(snaps.list.steps.length - 1));
  await expect(result).toHaveAttribute('data-step', String(last));

  // The aligned fill-mask probe: click a word (a span of at least 3 letters), two top-5 lists with bars.
  const word = drawn.findIndex((s) => /^[A-Za-z]{3,}$/.test(s.text ?? ''));
  expect(word).toBeGreaterThanOrEqual(0);
  await spans.nth(word).click();
  await expect(page.getByTestId('probe')).toContainText('masked on both sides');
  for (const side of ['probe-teacher', 'probe-student']) {
    await expect(page.getByTestId(side).locator('li')).toHaveCount(5);
    await expect(page.getByTestId(`${side}-bar`)).toHaveCount(5);
    const probs = await page.getByTestId(side).locator('li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-p'))));
    expect(probs.every((p) => p > 0 && p <= 1), probs.join(' ')).toBe(true);
    expect(probs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-5);
    expect([...probs].sort((a, b) => b - a)).toEqual(probs);
    // The bar's width is the probability.
    const widths = await page.getByTestId(`${side}-bar`).evaluateAll((els) => els.map((e) => parseFloat((e as HTMLElement).style.width)));
    widths.forEach((w, j) => expect(Math.abs(w - probs[j] * 100)).toBeLessThanOrEqual(0.05));
  }
  expect(watch.consoleErrors).toEqual([]);
});
