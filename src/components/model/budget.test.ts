// The Models tab's parameter budget (budget.ts): every student's compression against the teacher. Paper A's two tiny
// students of rubert-base give 17.11× (30,522 tokens) and 48.97× (5,000 tokens); the panel once showed only
// first / last = 48.97× and never 17.1× (issue 17 §6).
import { describe, expect, it } from 'vitest';
import { budgetRatios, glmdExample, paperExample, totalParams, type ParamBreakdown } from './budget.ts';

const r2 = (x: number) => Math.round(x * 100) / 100;

describe('parameter budget ratios', () => {
  it('Paper A: 177,853,440 / 10,395,426 = 17.11× and / 3,632,096 = 48.97×, one ratio per student', () => {
    const models = paperExample();
    expect(models.map(totalParams)).toEqual([177_853_440, 10_395_426, 3_632_096]);
    const ratios = budgetRatios(models);
    expect(ratios.map((r) => r.name)).toEqual(['tiny, 30,522 vocab', 'tiny, 5,000 vocab']);
    expect(ratios.map((r) => r2(r.ratio))).toEqual([17.11, 48.97]);
  });

  it('GLMD: three students, each against GLM-base', () => {
    const ratios = budgetRatios(glmdExample());
    expect(ratios).toHaveLength(3);
    const teacher = totalParams(glmdExample()[0]);
    expect(ratios[0].ratio).toBeCloseTo(teacher / 67_040_896, 12);
    expect(ratios[2].ratio).toBeCloseTo(teacher / 50_020_224, 12);
  });

  it('no ratio without a student', () => {
    const one: ParamBreakdown[] = [{ name: 't', embeddings: 1, body: 2, head: 3 }];
    expect(budgetRatios(one)).toEqual([]);
    expect(budgetRatios([])).toEqual([]);
  });
});
