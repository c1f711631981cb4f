// The shipped presets (recipes/index.ts): every one validates; the Paper A rows have the vocabulary ratios of the
// paper's design against the Russian teacher's 24,000 tokens, and the two GLMD rows keep 50 % and 25 %.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateRecipe } from '../recipe.ts';
import { RECIPE_PRESETS } from './index.ts';

const TEACHER_RU_VOCAB = JSON.parse(readFileSync(new URL('../../../public/models/teacher-ru/config.json', import.meta.url), 'utf8')).vocab_size as number;

describe('recipe presets', () => {
  it('every preset validates and names its corpus and teacher', () => {
    for (const p of RECIPE_PRESETS) {
      expect(() => validateRecipe(p.recipe), p.id).not.toThrow();
      expect(p.teacher === 'teacher-ru', p.id).toBe(p.corpus === 'ru-prose');
    }
  });

  it('Paper A: 1/4 and 1/24 of the Russian teacher\'s vocabulary for Reduce, Match and MLM-only; GLMD at 50 % and 25 %', () => {
    expect(TEACHER_RU_VOCAB).toBe(24_000);
    const a = Object.fromEntries(RECIPE_PRESETS.filter((p) => p.id.startsWith('paper-a-')).map((p) => [p.id.slice(8), validateRecipe(p.recipe)]));
    for (const m of ['reduce', 'match', 'mlm-only']) {
      expect(a[`${m}-1of4`].method).toBe(m);
      expect(a[`${m}-1of4`].student.vocabSize * 4).toBe(TEACHER_RU_VOCAB);
      expect(a[`${m}-1of24`].student.vocabSize * 24).toBe(TEACHER_RU_VOCAB);
    }
    expect([a['glmd-50'].glmdKeepRatio, a['glmd-25'].glmdKeepRatio]).toEqual([0.5, 0.25]);
    // Every row but GLMD's (random init, B.2) shares the student shape and run sizes, so only the method differs.
    const shape = (r: ReturnType<typeof validateRecipe>) => JSON.stringify([r.student.numLayers, r.student.hiddenSize, r.steps, r.batchSize, r.seqLen, r.seed]);
    expect(new Set(Object.values(a).map(shape)).size).toBe(1);
  });
});
