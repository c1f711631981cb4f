/**
 * Recipes in the URL: "Copy link" on the Train MLM and Distill tabs, the link opened in a fresh browser context
 * restores the same form; a damaged link names the field and leaves the defaults.
 */
import type { Browser, Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';

/** The link a tab's "Copy link" shows. */
async function copyLink(page: Page, kind: 'pretrain' | 'distill'): Promise<string> {
  await page.getByTestId(`${kind}-copy-link`).click();
  const url = await page.getByTestId(`${kind}-link-url`).inputValue();
  expect(url).toMatch(/#r=v1\.[A-Za-z0-9_-]+$/);
  return url;
}

/** A fresh browser context (nothing shared with the first page: no storage, no form state), local requests only. */
async function openFresh(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await context.route('**/*', (r) => (/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(r.request().url()) ? r.continue() : r.abort()));
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

test('a Train MLM recipe link opens the same form in a fresh context', async ({ page, browser, watch }) => {
  await page.goto('/?backend=wasm&teacher=none');
  await page.getByTestId('run-corpus').selectOption('ru-udhr');
  await page.getByTestId('run-preset').selectOption('tiny');
  await page.getByTestId('run-steps').fill('37');
  await page.getByTestId('run-lr').fill('0.003');
  const url = await copyLink(page, 'pretrain');
  expect(url).toContain('backend=wasm');
  const fresh = await openFresh(browser, url);
  await expect(fresh.getByTestId('tab-train')).toHaveAttribute('aria-selected', 'true');
  await expect(fresh.getByTestId('run-steps')).toHaveValue('37');
  await expect(fresh.getByTestId('run-preset')).toHaveValue('tiny');
  await expect(fresh.getByTestId('run-lr')).toHaveValue('0.003');
  await expect(fresh.getByTestId('run-corpus')).toHaveValue('ru-udhr');
  await expect(fresh.getByTestId('pretrain-link-notice')).toHaveCount(0);
  await fresh.context().close();
  expect(watch.consoleErrors).toEqual([]);
});

test('a Distill recipe link opens the same form in a fresh context', async ({ page, browser, watch }) => {
  await page.goto('/?backend=wasm&teacher=none&tab=distill');
  await page.getByTestId('distill-method').selectOption('match');
  await page.getByTestId('distill-field-steps').fill('12');
  await page.getByTestId('distill-field-seed').fill('5');
  await page.getByTestId('distill-field-student.numLayers').fill('1');
  await page.getByTestId('distill-field-decay').selectOption('cosine');
  const url = await copyLink(page, 'distill');
  const fresh = await openFresh(browser, url);
  await expect(fresh.getByTestId('tab-distill')).toHaveAttribute('aria-selected', 'true');
  await expect(fresh.getByTestId('distill-method')).toHaveValue('match');
  await expect(fresh.getByTestId('distill-field-steps')).toHaveValue('12');
  await expect(fresh.getByTestId('distill-field-seed')).toHaveValue('5');
  await expect(fresh.getByTestId('distill-field-student.numLayers')).toHaveValue('1');
  await expect(fresh.getByTestId('distill-field-decay')).toHaveValue('cosine');
  const same = await fresh.getByTestId('distill-recipe-json').inputValue();
  expect(JSON.parse(same)).toEqual(JSON.parse(await page.getByTestId('distill-recipe-json').inputValue()));
  await fresh.context().close();
  expect(watch.consoleErrors).toEqual([]);
});

test('a damaged or partly invalid link names the field and loads the defaults for the rest', async ({ page }) => {
  await page.goto('/?backend=wasm&teacher=none#r=v1.not-a-recipe');
  await expect(page.getByTestId('error-banner')).toContainText('Recipe link: r: the recipe data is corrupt or truncated');
  await expect(page.getByTestId('run-steps')).toHaveValue('200');
  // A valid link whose steps are out of range: the field is named, the rest (the preset) is the link's.
  const url = await page.evaluate(async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ k: 'p', c: 'moby-dick', x: { preset: 'tiny', steps: -3 } }));
    const packed = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
    return `/?backend=wasm&teacher=none#r=v1.${btoa(String.fromCharCode(...packed)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
  });
  await page.goto('about:blank');
  await page.goto(url);
  await expect(page.getByTestId('pretrain-link-notice')).toContainText('steps: steps must be an integer in [1, 1000000]; got -3: the default is used');
  await expect(page.getByTestId('run-preset')).toHaveValue('tiny');
  await expect(page.getByTestId('run-steps')).toHaveValue('200');
});
