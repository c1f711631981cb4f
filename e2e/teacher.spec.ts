/**
 * The shipped teacher (issue 4 §5): public/models/teacher-en loads at start through the same import path as a user's
 * folder and answers fill-mask, with a plausible top 5.
 */
import { test, expect, waitForBackend, pageModels } from './fixtures.ts';

type Candidate = { token: string; probability: number };

async function fill(page: import('@playwright/test').Page, text: string): Promise<Candidate[]> {
  await page.getByTestId('fill-mask-text').fill(text);
  await page.getByTestId('fill-mask-run').click();
  const list = page.getByTestId('fill-mask-results');
  await expect.poll(async () => (await pageModels(page)).fillMaskText).toBe(text);
  return list.locator('.candidate').evaluateAll((els) => els.map((e) => ({ token: e.getAttribute('data-token') ?? '', probability: Number(e.getAttribute('data-probability')) })));
}

test('the shipped teacher loads at start through the import path and answers fill-mask', async ({ page, watch }) => {
  test.setTimeout(240_000);
  await page.goto('/?backend=wasm&tab=models');
  await waitForBackend(page);
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('teacher-name')).toContainText('shipped English teacher');
  await expect(page.getByTestId('teacher-status')).toContainText('4 layers × 256');
  const top = await fill(page, 'Call me [MASK].');
  expect(top).toHaveLength(5);
  for (let i = 1; i < top.length; i++) expect(top[i].probability).toBeLessThanOrEqual(top[i - 1].probability);
  expect(watch.consoleErrors).toEqual([]);
});

// Issue 4's acceptance: a plausible top 5. The noun-slot sentences are the trainer's fill-mask sanity sentences
// (tools/teacher/train_teacher.py, SANITY), fixed before the shipped teacher was trained.
test('the shipped teacher gives a plausible top 5', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/?backend=wasm&tab=models');
  await waitForBackend(page);
  await expect(page.getByTestId('teacher-status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  // After "the", the slot is a noun: five whole words, and the model is far more confident than chance (5/16,000).
  for (const text of ['The [MASK] was white.', 'Ahab was the captain of the [MASK].']) {
    const noun = await fill(page, text);
    expect(noun).toHaveLength(5);
    for (const c of noun) expect(c.token).toMatch(/^\p{L}+$/u);
    expect(noun.reduce((s, c) => s + c.probability, 0)).toBeGreaterThan(0.05);
  }
  // A function-word slot: the top 5 are common words and include at least one of the obvious ones.
  const fn = await fill(page, 'The whale swam [MASK] the ship.');
  expect(fn.map((c) => c.token.toLowerCase()).some((t) => ['to', 'towards', 'toward', 'past', 'under', 'round', 'around', 'near', 'with', 'by', 'from', 'into', 'after', 'before', 'over', 'off', 'along', 'upon', 'in', 'at', 'on', 'beneath', 'like', 'and', 'through'].includes(t))).toBe(true);
});
