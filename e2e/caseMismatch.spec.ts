/**
 * Issue 15, bad input: a student tokenizer that lower-cases while the teacher keeps case is warned about in the Distill
 * tab's recipe (the Alignment map says the same): a 500-token lower-casing WordPiece trained on the Tokenizers tab,
 * chosen as the recipe's student tokenizer beside the shipped (cased) teacher. Training the student with the teacher's
 * case handling, or letting the run train its own, clears the warning.
 */
import { test, expect, waitForBackend } from './fixtures.ts';

test('a lower-casing Tokenizers-tab student beside a cased teacher is warned in the recipe', async ({ page, watch }) => {
  test.setTimeout(240_000);
  await page.goto('/?backend=wasm&tab=tokenizers');
  expect(await waitForBackend(page)).toBe('wasm');
  await page.getByTestId('tok-lowercase').check();
  await page.getByTestId('tok-vocab-size').fill('500');
  await page.getByTestId('tok-train').click();
  await expect(page.getByTestId('tok-stats')).toContainText('500 entries', { timeout: 120_000 });

  await page.getByTestId('tab-distill').click();
  await expect(page.getByTestId('distill-teacher')).toContainText('shipped', { timeout: 120_000 });
  const warning = page.getByTestId('distill-recipe-warning');
  await expect(warning).toHaveCount(0); // the default student is trained by the run with the teacher's normalizer
  await page.getByTestId('distill-field-studentTokenizer').selectOption('tokenizers-tab');
  await expect(warning).toHaveCount(1);
  await expect(warning).toContainText("the student's tokenizer (the Tokenizers tab's) lower-cases and the teacher's keeps case");
  await page.getByTestId('distill-field-studentTokenizer').selectOption('train');
  await expect(warning).toHaveCount(0);

  // The same student, trained again with the teacher's case handling: no warning.
  await page.getByTestId('tab-tokenizers').click();
  await page.getByTestId('tok-lowercase').uncheck();
  await page.getByTestId('tok-train').click();
  await page.getByTestId('tab-distill').click();
  await page.getByTestId('distill-field-studentTokenizer').selectOption('tokenizers-tab');
  // The warning stands while the lower-casing student is the tab's, and goes when the cased one replaces it.
  await expect(warning).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId('distill-recipe-error')).toHaveCount(0);
  expect(watch.consoleErrors).toEqual([]);
});
