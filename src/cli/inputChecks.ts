/**
 * Checks across the CLI's inputs (issue 17 §4): what the engine would otherwise substitute silently is an error or a
 * loud `warning:` line on stderr.
 * - a recipe's warnings (`recipeWarnings`, src/distill/recipe.ts; the page's form shows the same), e.g. a KL temperature so
 *   small that KL × T² vanishes; `"student": null` is the validator's RecipeError;
 * - a student vocabulary the corpus could not fill (the WordPiece trainer stopped early) → warning;
 * - a config.json vocab_size below the tokenizer's size (pretrain) → ConfigError; above it → warning.
 */
import { ignoredFields } from '../distill/recipe.ts';
import type { Recipe } from '../distill/types.ts';
import { ConfigError } from '../models/config.ts';

/** Loud warning when the student's vocabulary came out smaller than the recipe asked (the corpus supports no more). */
export function studentVocabWarning(recipe: Recipe, studentVocab: number, log: (s: string) => void): void {
  if (ignoredFields(recipe.method)['student.vocabSize'] === undefined && studentVocab < recipe.student.vocabSize) {
    log(`warning: STUDENT VOCABULARY SHRUNK: the recipe asks student.vocabSize ${recipe.student.vocabSize}, but the corpus supports only ${studentVocab} WordPiece entries; the student has ${studentVocab} (give more text or a smaller vocabSize)`);
  }
}

/**
 * pretrain: config.json's vocab_size below the tokenizer's size is an error (the engine would silently grow it); above
 * it, a warning (a padded vocabulary: the extra rows are never fed in).
 */
export function checkConfigVocab(configJson: unknown, tokenizerSize: number, paths: { config: string; tokenizer: string }, log: (s: string) => void): void {
  const stated = (configJson as { vocab_size?: unknown } | null)?.vocab_size;
  if (typeof stated !== 'number') return;
  if (stated < tokenizerSize) {
    throw new ConfigError(`${paths.config} says vocab_size ${stated} but ${paths.tokenizer} has ${tokenizerSize} tokens: set "vocab_size": ${tokenizerSize} (or more) in ${paths.config}`);
  }
  if (stated > tokenizerSize) log(`warning: ${paths.config} says vocab_size ${stated}, ${paths.tokenizer} has ${tokenizerSize} tokens: rows ${tokenizerSize}..${stated - 1} are never used (a padded vocabulary)\n`);
}
