import { useState } from 'react';
import { RECIPE_PRESETS } from '../../distill/recipes/index.ts';
import { validateRecipe } from '../../distill/recipe.ts';
import type { Recipe } from '../../distill/types.ts';
import { loadShippedTeacher, SHIPPED_TEACHERS } from '../../app/models.ts';
import { useWorkbench } from '../../store/index.ts';

/**
 * One click per shipped recipe (src/distill/recipes/): the English acceptance runs and Paper A in miniature on the
 * Russian teacher. Choosing one fills the form, picks its embedded corpus and loads its shipped teacher when another is
 * loaded; Start then runs it.
 */
export function PresetPicker({ disabled, onRecipe, onCorpus }: { disabled: boolean; onRecipe(r: Recipe): void; onCorpus(id: string): void }) {
  const [chosen, setChosen] = useState('');
  const teacherName = useWorkbench((s) => s.models.teacher?.name ?? null);
  const choose = (id: string) => {
    setChosen(id);
    const p = RECIPE_PRESETS.find((x) => x.id === id);
    if (!p) return;
    onRecipe(validateRecipe(p.recipe));
    onCorpus(p.corpus);
    const t = SHIPPED_TEACHERS.find((x) => x.id === p.teacher)!;
    if (teacherName !== t.name) void loadShippedTeacher(p.teacher);
  };
  return (
    <label title="fills the form, picks the preset's corpus and loads its shipped teacher">
      preset
      <select data-testid="distill-preset" value={chosen} disabled={disabled} onChange={(e) => choose(e.target.value)}>
        <option value="">(choose a shipped recipe)</option>
        {RECIPE_PRESETS.map((p) => <option key={p.id} value={p.id}>{p.title}</option>)}
      </select>
    </label>
  );
}
