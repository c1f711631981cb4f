// The page's distillation run records keep the effective recipe (issue 19): a glmd / kd-full record never carries the
// student.vocabSize the method ignores; the reason names the real size once the run's info arrives.
import { describe, expect, it } from 'vitest';
import { distillSink, useDistillLab } from './distillSlice.ts';
import type { DistillInfo } from '../distill/run.ts';
import { defaultRecipe } from '../distill/recipe.ts';
import type { Method, Recipe } from '../distill/types.ts';

const asked = (method: Method): Recipe => ({ ...defaultRecipe(method), student: { ...defaultRecipe(method).student, vocabSize: 4000 } });

describe('distill run records', () => {
  it('hold the effective recipe: glmd without student.vocabSize, the reason updated by distill-info; reduce keeps it', () => {
    distillSink.distillCreated('g1', asked('glmd'));
    const created = useDistillLab.getState().runs.g1.recipe!;
    expect(created.method).toBe('glmd');
    expect(created.student).not.toHaveProperty('vocabSize');
    expect(created.ignored['student.vocabSize']).toMatch(/^glmd uses the teacher's most frequent K tokens/);
    distillSink.distillMessage({ type: 'distill-info', runId: 'g1', info: { method: 'glmd', studentVocab: 8064 } as DistillInfo });
    const run = useDistillLab.getState().runs.g1;
    expect(run.info?.studentVocab).toBe(8064);
    expect(run.recipe!.student).not.toHaveProperty('vocabSize');
    expect(run.recipe!.ignored['student.vocabSize']).toContain('8,064');
    expect(JSON.stringify(run.recipe)).not.toMatch(/"vocabSize":4000/);

    distillSink.distillCreated('r1', asked('reduce'));
    expect(useDistillLab.getState().runs.r1.recipe!.student.vocabSize).toBe(4000);
    distillSink.distillCreated('bad', { ...asked('reduce'), temperature: -1 });
    expect(useDistillLab.getState().runs.bad.recipe).toBeNull();
  });
});
