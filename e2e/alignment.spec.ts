/**
 * The Alignment tab (issue 12 items 1, 2, 4): the map for an English sentence (the shipped teacher and a 1,000-token
 * student trained in the page) and a Russian one (a teacher/student pair trained on the embedded Russian corpus: the
 * shipped teacher has no Cyrillic), with the screenshots the README links; hovering and focusing a token shows its id
 * and offsets; the Match lens shows a pair; a 10,000-token text renders without a main-thread task over 50 ms; the
 * vocabulary map; bad input (empty text, a file that is not a tokenizer, characters neither vocabulary knows, a 1 MB
 * paste drawn cut).
 */
import { test, expect, pageModels } from './fixtures.ts';
import type { Page } from '@playwright/test';

// The README's screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1 npx playwright test e2e/alignment.spec.ts),
// so a test run never leaves the checkout modified; otherwise they go to test-results/.
const SHOTS = process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots';

interface ViewRowLike { tokens: string[]; ids: Int32Array; offsets: Int32Array }
type Store = { getState(): { alignment: { view: { view: { teacher: ViewRowLike; student: ViewRowLike; textLength: number; truncated: unknown } } | null; pending: string | null }; models: { status: string } } };

/** The map's rows as the store holds them (what the worker computed). */
function mapRows(page: Page) {
  return page.evaluate(() => {
    const s = (window as unknown as { __vocabkd: { store: Store } }).__vocabkd.store.getState();
    const v = s.alignment.view!.view;
    const row = (r: ViewRowLike) => ({ tokens: r.tokens, ids: Array.from(r.ids), offsets: Array.from(r.offsets) });
    return { teacher: row(v.teacher), student: row(v.student), textLength: v.textLength, truncated: v.truncated };
  });
}

async function trainVocabulary(page: Page, corpus: string, size: number) {
  await expect(page.getByTestId('tok-train')).toBeEnabled();
  await page.getByTestId('tok-corpus').selectOption(corpus);
  await page.getByTestId('tok-vocab-size').fill(String(size));
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('spans-student')).toBeVisible({ timeout: 90_000 });
}

/** Puts a long text into the text box as a paste leaves it (value + input event; fill() types it through the editor, slowly). */
async function pasteText(page: Page, text: string) {
  await page.getByTestId('align-text').evaluate((el, v) => {
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!.call(el, v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
}

/** Waits until the map shows `text` (aligned in the worker, nothing pending). */
async function waitForMap(page: Page, textLength: number, drawn = true) {
  await expect.poll(() => page.evaluate(() => {
    const a = (window as unknown as { __vocabkd: { store: Store } }).__vocabkd.store.getState().alignment;
    return a.pending === null && a.view ? a.view.view.textLength : -1;
  }), { timeout: 60_000 }).toBe(textLength);
  if (drawn) await expect(page.getByTestId('align-map')).toBeVisible();
}

test('English: the shipped teacher and a 1,000-token student; hover and focus show id and offsets; the Match lens shows a pair; a 10,000-token text renders without a long task', async ({ page, watch }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/?backend=wasm&tab=tokenizers');
  await trainVocabulary(page, 'moby-dick', 1000);
  await expect.poll(async () => (await pageModels(page)).status, { timeout: 120_000 }).toBe('ready');
  const sentence = 'Call me Ishmael. Some years ago—never mind how long precisely—I thought I would sail about a little.';
  await page.getByTestId('tok-text').fill(sentence);
  await page.getByTestId('tok-open-alignment').click();
  await expect(page.getByTestId('tab-alignment')).toHaveAttribute('aria-selected', 'true');
  await waitForMap(page, sentence.length);
  await expect(page.getByTestId('align-pair')).toContainText('the loaded teacher');
  await expect(page.getByTestId('align-pair')).toContainText("the Tokenizers tab's student (1,000 entries)");

  // Links: every non-special token of both rows is drawn once, with 1:1 columns and at least one split (1:n).
  const rows = await mapRows(page);
  expect(await page.locator('.amap .ach.t[data-side]').count()).toBe(rows.teacher.tokens.length);
  expect(await page.locator('.amap .ach.s[data-side]').count()).toBe(rows.student.tokens.length);
  await expect(page.locator('.amap .acol[data-kind="1:1"]').first()).toBeVisible();
  await expect(page.locator('.amap .acol[data-kind="1:n"]').first()).toBeVisible();
  expect(Number(await page.getByTestId('align-share-1:n').getAttribute('data-value'))).toBeGreaterThan(0);
  // Same piece, same colour on both rows.
  const years = page.locator('.amap .ach[data-token="years"]');
  await expect(years).toHaveCount(2);
  const colours = await years.evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
  expect(colours[0]).toBe(colours[1]);
  // A 1:n column has a line from its teacher token to each student token.
  const split = page.locator('.amap .acol[data-kind="1:n"]').first();
  const lines = ((await split.locator('path').getAttribute('d')) ?? '').match(/M/g)?.length ?? 0;
  expect(lines).toBe(await split.locator('.ach.s').count());
  await page.screenshot({ path: `${SHOTS}/alignment-en.png` });

  // Hover a teacher token: its id and offsets (as the worker computed them) in the inspector and its tooltip.
  const ish = page.locator('.amap .ach.t[data-token="Ishmael"]');
  const p = Number(await ish.getAttribute('data-pos'));
  const [s, e] = [rows.teacher.offsets[2 * p], rows.teacher.offsets[2 * p + 1]];
  expect(sentence.slice(s, e)).toBe('Ishmael');
  await ish.hover();
  await expect(page.getByTestId('align-inspector')).toContainText(`teacher token «Ishmael» · id ${rows.teacher.ids[p]} · characters ${s}–${e}`);
  await expect(page.getByTestId('align-inspector')).toContainText('1:n');
  expect(await ish.getAttribute('title')).toBe(`teacher · Ishmael · id ${rows.teacher.ids[p]} · [${s}, ${e})`);
  // Keyboard focus does the same, for a student token.
  const sj = Number(await page.locator('.amap .ach.s[data-token="##sh"]').getAttribute('data-pos'));
  await page.locator('.amap .ach.s[data-token="##sh"]').focus();
  await expect(page.getByTestId('align-inspector')).toContainText(`student token «##sh» · id ${rows.student.ids[sj]} · characters ${rows.student.offsets[2 * sj]}–${rows.student.offsets[2 * sj + 1]}`);
  await expect(page.locator('.amap .ach.s[data-token="##sh"]')).toHaveAttribute('aria-label', `student token ##sh, id ${rows.student.ids[sj]}, characters ${rows.student.offsets[2 * sj]} to ${rows.student.offsets[2 * sj + 1]}`);

  // Reduce: σ(t) in a bracket under each teacher token; «Ishmael»'s group is the student's split.
  await page.getByTestId('align-lens-reduce').check();
  await expect(page.getByTestId('align-lens-text')).toContainText('Reduce (Reduce ∩).');
  const group = page.locator(`.amap [data-group="${p}"] .ach`);
  expect(await group.evaluateAll((els) => els.map((x) => x.textContent))).toEqual(['I', '##sh', '##m', '##a', '##el']);

  // Match: a pair is drawn (both tokens outlined, a line between them) and hovering one outlines its partner.
  await page.getByTestId('align-lens-match').check();
  await expect(page.getByTestId('align-lens-text')).toContainText('Match.');
  const pairs = Number(await page.getByTestId('align-match-rate').getAttribute('data-pairs'));
  expect(pairs).toBeGreaterThan(5);
  const yearsT = page.locator('.amap .ach.t.paired[data-token="years"]');
  const k = await yearsT.getAttribute('data-p');
  await expect(page.locator(`.amap .ach.s.paired[data-p="${k}"]`)).toHaveAttribute('data-token', 'years');
  expect(await yearsT.locator('xpath=ancestor::div[contains(@class,"acol")]').locator('path').getAttribute('d')).toMatch(/^M[\d.]+ 0L[\d.]+ 14$/);
  await expect(page.locator('.amap .ach.t.skipped[data-token="Ishmael"]')).toHaveCount(1);
  await yearsT.hover();
  await expect(page.getByTestId('align-inspector')).toContainText(`Match pair #${k}`);
  await expect(page.locator(`.amap .ach.s[data-p="${k}"]`)).toHaveCSS('outline-style', 'solid');
  // The terms explain themselves on hover.
  await page.getByTestId('align-share-C').locator('.term').hover();
  await expect(page.getByTestId('align-share-C').getByRole('tooltip')).toBeVisible();
  await expect(page.getByTestId('align-share-C').getByRole('tooltip')).toContainText('shared vocabulary');

  // The vocabulary map: 16,000 rows virtualised (a few dozen in the DOM), counts from the corpus, search.
  await expect(page.getByTestId('vocab-rows')).toHaveAttribute('data-rows', '16000');
  expect(await page.getByTestId('vocab-row').count()).toBeLessThan(60);
  await expect(page.getByTestId('vocab-loss-entry').first()).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('vocab-sort').selectOption('count');
  await page.getByTestId('vocab-search').fill('whale');
  await expect(page.getByTestId('vocab-row').first()).toContainText('whale');
  await page.getByTestId('vocab-scroll').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.getByTestId('vocab-histogram')).toBeVisible();

  // GLMD (r = 0.5): K = 8,064 of 16,000 teacher tokens kept, computed on demand from the teacher's embeddings.
  await page.getByTestId('align-lens-glmd').check();
  await page.getByTestId('align-glmd-compute').click();
  await expect(page.getByTestId('align-glmd-needed')).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId('vocab-summary')).toContainText('GLMD K = 8,064');
  await page.getByTestId('vocab-search').fill('');
  await page.getByTestId('vocab-filter').selectOption('glmd-removed');
  await expect(page.getByTestId('vocab-rows')).toHaveAttribute('data-rows', String(16000 - 8064));
  await expect(page.getByTestId('vocab-row').first()).toContainText('→');

  // 10,000+ teacher tokens of Moby-Dick: aligned in the worker, drawn virtualised, no main-thread task over 50 ms.
  await page.getByTestId('align-lens-links').check();
  const long = await page.evaluate(async () => {
    const lines = (await (await fetch('corpus/moby-dick.txt')).text()).split('\n');
    let t = '';
    for (const l of lines) { if (t.length > 56_000) break; t += l + '\n'; }
    return t;
  });
  await page.waitForTimeout(500);
  const t0 = await page.evaluate(() => performance.now());
  // The text goes in as a paste leaves it, so the window measures the page's own work: the text box, the worker round
  // trip, the drawing (fill() would add the browser's editing command, which types the text through the editor).
  await pasteText(page, long);
  await waitForMap(page, long.length);
  const n = Number(await page.getByTestId('align-teacher-tokens').textContent().then((x) => x!.replace(/,/g, '')));
  expect(n).toBeGreaterThanOrEqual(10_000);
  await expect(page.getByTestId('align-truncated')).toHaveCount(0);
  // Scroll through the map too (blocks mount and unmount as they come into view).
  for (const f of [0.25, 0.5, 1]) {
    await page.getByTestId('align-map').evaluate((el, x) => { el.scrollTop = x * el.scrollHeight; }, f);
    await page.waitForTimeout(150);
  }
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(300);
  const tasks = await page.evaluate((start) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((x) => x.start >= start), t0);
  const longest = Math.max(0, ...tasks.map((x) => x.duration));
  console.log(`10,000-token map: ${n} teacher tokens, longest main-thread task ${longest.toFixed(0)} ms (${tasks.length} long tasks)`);
  test.info().annotations.push({ type: 'longest-task-ms', description: String(longest) });
  expect(longest, `main-thread tasks while the ${n}-token map rendered: ${JSON.stringify(tasks)}`).toBeLessThanOrEqual(50);
  expect(watch.consoleErrors).toEqual([]);
});

test('Russian: a teacher/student pair trained on the embedded Russian corpus, then bad input: empty text, unknown characters, a 1 MB paste, a file that is not a tokenizer', async ({ page, watch }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/?backend=wasm&teacher=none&tab=tokenizers');
  await trainVocabulary(page, 'ru-udhr', 2000);
  await page.getByTestId('tok-size-slider').fill('500');
  await expect(page.getByTestId('tok-student-size')).toHaveText('500');
  const sentence = 'Все люди рождаются свободными и равными в своем достоинстве и правах. Каждый человек имеет право на жизнь.';
  await page.getByTestId('tok-text').fill(sentence);
  await page.getByTestId('tok-open-alignment').click();
  await waitForMap(page, sentence.length);
  // No teacher is loaded: the teacher is the Tokenizers tab's whole vocabulary, the student its 500-entry prefix.
  await expect(page.getByTestId('align-teacher-source')).toHaveValue('tokenizers-tab');
  await expect(page.getByTestId('align-pair')).toContainText("the Tokenizers tab's vocabulary");
  await expect(page.getByTestId('align-pair')).toContainText("the Tokenizers tab's student (500 entries)");
  const rows = await mapRows(page);
  expect(rows.teacher.tokens.some((t) => /[а-яё]/i.test(t))).toBe(true);
  expect(rows.student.tokens.length).toBeGreaterThan(rows.teacher.tokens.length);
  await expect(page.locator('.amap .acol[data-kind="1:n"]').first()).toBeVisible();
  // «й» of «Каждый» survives on both rows (no accent stripping), and offsets point into the original text.
  const t = rows.teacher.tokens.findIndex((x) => x.includes('й'));
  expect(t).toBeGreaterThan(0);
  expect(sentence.slice(rows.teacher.offsets[2 * t], rows.teacher.offsets[2 * t + 1])).toBe(rows.teacher.tokens[t].replace(/^##/, ''));
  expect(rows.student.tokens.some((x) => x.includes('й'))).toBe(true);
  await page.locator('.amap .ach.t').nth(2).hover();
  await expect(page.getByTestId('align-inspector')).toContainText(`id ${rows.teacher.ids[2]} · characters ${rows.teacher.offsets[4]}–${rows.teacher.offsets[5]}`);
  await page.screenshot({ path: `${SHOTS}/alignment-ru.png` });

  // A sample of the corpus the vocabulary was trained on (the Russian declaration) becomes the text.
  await expect(page.getByTestId('align-corpus')).toHaveValue('ru-udhr');
  await page.getByTestId('align-sample').click();
  await expect(page.getByTestId('align-text')).not.toHaveValue(sentence);
  await expect(page.getByTestId('align-text')).toHaveValue(/[а-яё]/i);
  await expect(page.getByTestId('vocab-loss-entry').first()).toBeVisible({ timeout: 60_000 });

  // Empty text: an empty map and a hint, not an error.
  await page.getByTestId('align-text').fill('');
  await waitForMap(page, 0, false);
  await expect(page.getByTestId('align-empty')).toBeVisible();
  await expect(page.getByTestId('align-error')).toHaveCount(0);
  // Characters neither vocabulary knows: [UNK] on both rows, said so.
  const unknown = '∮∯∰ ⌘⌥';
  await page.getByTestId('align-text').fill(unknown);
  await waitForMap(page, unknown.length);
  await expect(page.getByTestId('align-all-unknown')).toBeVisible();
  expect(Number(await page.getByTestId('align-unk').getAttribute('data-teacher'))).toBe(1);

  // A 1 MB paste: aligned whole in the worker, drawn cut with a notice; the counters cover the whole text.
  const big = (sentence + '\n').repeat(Math.ceil(1_048_576 / (sentence.length + 1)));
  await pasteText(page, big);
  await waitForMap(page, big.length);
  await expect(page.getByTestId('align-truncated')).toBeVisible();
  const cut = await mapRows(page);
  expect(cut.truncated).not.toBeNull();
  expect(cut.teacher.tokens.length).toBeLessThanOrEqual(25_000);
  const total = Number((await page.getByTestId('align-teacher-tokens').textContent())!.replace(/,/g, ''));
  expect(total).toBeGreaterThan(100_000);
  await expect(page.getByTestId('align-truncated')).toContainText('the counters cover the whole text');

  // A tokenizer file that is not a tokenizer: the named error, and the map goes until a good one is chosen.
  await page.getByTestId('align-text').fill(sentence);
  await page.getByTestId('align-teacher-file').setInputFiles({ name: 'tokenizer.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": "world"}') });
  await expect(page.getByTestId('align-error')).toContainText('TokenizerFormatError');
  await expect(page.getByTestId('align-error')).toContainText('teacher tokenizer');
  await expect(page.getByTestId('align-map')).toHaveCount(0);
  await page.getByTestId('align-teacher-source').selectOption('tokenizers-tab');
  await waitForMap(page, sentence.length);
  await expect(page.getByTestId('align-error')).toHaveCount(0);
  expect(watch.consoleErrors).toEqual([]);
});

test('the Distill tab opens the map with the loaded teacher; the method text and the term tooltips come from the one glossary', async ({ page }) => {
  await page.goto('/?backend=wasm&tab=distill');
  await expect.poll(async () => (await pageModels(page)).status, { timeout: 120_000 }).toBe('ready');
  await page.getByTestId('distill-method').selectOption('match');
  await expect(page.getByTestId('distill-method-text')).toContainText('Teacher and student tokens that are the same string are paired greedily');
  await page.locator('[data-term="T"]').first().focus();
  await expect(page.locator('[data-term="T"]').first().getByRole('tooltip')).toBeVisible();
  await page.getByTestId('distill-open-alignment').click();
  await expect(page.getByTestId('tab-alignment')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('align-teacher-source')).toHaveValue('loaded');
  // No student yet (no vocabulary on the Tokenizers tab, no distillation): the tab says where to get one.
  await expect(page.getByTestId('align-error')).toContainText('the Tokenizers tab has no student vocabulary');
  await page.getByTestId('align-lens-match').check();
  await expect(page.getByTestId('align-lens-text')).toContainText('Teacher and student tokens that are the same string are paired greedily');
});
