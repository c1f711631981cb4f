/**
 * The shipped recipes (one click each in the Distill tab; `vocabkd distill --recipe src/distill/recipes/<file>`):
 * - acceptance-*: the English acceptance runs (README: the acceptance table), shipped teacher and Moby-Dick.
 * - paper-a-*: Kolesnikova et al. 2022 in miniature (issue 15 item 4) on the shipped Russian teacher (24,000 tokens) and
 *   the embedded Russian prose: students whose vocabularies are 1/4 and 1/24 of the teacher's (as the paper's 120k →
 *   30k and 5k) with Reduce, Match and the MLM-only baseline, and GLMD keeping 50 % and 25 % of the teacher's tokens.
 */
import acceptanceReduce from './acceptance-reduce.json';
import acceptanceMatch from './acceptance-match.json';
import acceptanceMlmOnly from './acceptance-mlm-only.json';
import reduce4 from './paper-a-reduce-1of4.json';
import reduce24 from './paper-a-reduce-1of24.json';
import match4 from './paper-a-match-1of4.json';
import match24 from './paper-a-match-1of24.json';
import mlm4 from './paper-a-mlm-only-1of4.json';
import mlm24 from './paper-a-mlm-only-1of24.json';
import glmd50 from './paper-a-glmd-50.json';
import glmd25 from './paper-a-glmd-25.json';

export interface RecipePreset {
  id: string;
  title: string;
  /** The embedded corpus and the shipped teacher it is meant for. */
  corpus: 'moby-dick' | 'ru-prose';
  teacher: 'teacher-en' | 'teacher-ru';
  recipe: unknown;
}

const en = (id: string, title: string, recipe: unknown): RecipePreset => ({ id, title, corpus: 'moby-dick', teacher: 'teacher-en', recipe });
const ru = (id: string, title: string, recipe: unknown): RecipePreset => ({ id, title, corpus: 'ru-prose', teacher: 'teacher-ru', recipe });

export const RECIPE_PRESETS: readonly RecipePreset[] = [
  en('acceptance-reduce', 'English acceptance: Reduce', acceptanceReduce),
  en('acceptance-match', 'English acceptance: Match', acceptanceMatch),
  en('acceptance-mlm-only', 'English acceptance: MLM-only baseline', acceptanceMlmOnly),
  ru('paper-a-reduce-1of4', 'Paper A · Reduce, vocabulary 1/4 (6,000)', reduce4),
  ru('paper-a-match-1of4', 'Paper A · Match, vocabulary 1/4 (6,000)', match4),
  ru('paper-a-mlm-only-1of4', 'Paper A · MLM-only baseline, vocabulary 1/4 (6,000)', mlm4),
  ru('paper-a-reduce-1of24', 'Paper A · Reduce, vocabulary 1/24 (1,000)', reduce24),
  ru('paper-a-match-1of24', 'Paper A · Match, vocabulary 1/24 (1,000)', match24),
  ru('paper-a-mlm-only-1of24', 'Paper A · MLM-only baseline, vocabulary 1/24 (1,000)', mlm24),
  ru('paper-a-glmd-50', 'Paper A · GLMD keeping 50 % of the teacher\'s tokens', glmd50),
  ru('paper-a-glmd-25', 'Paper A · GLMD keeping 25 % of the teacher\'s tokens', glmd25),
];
