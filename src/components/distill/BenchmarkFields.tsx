import type { BenchmarkSpec, Recipe } from '../../distill/types.ts';
import { EMBEDDED_TASKS } from '../../eval/tasks.ts';
import { actions, useWorkbench } from '../../store/index.ts';
import { Term } from '../Term.tsx';
import { TaskForm } from './TaskForm.tsx';

const NUMBERS: [string, keyof BenchmarkSpec, string][] = [
  ['held-out texts', 'maxTexts', 'the first N held-out texts the intrinsic metrics read'],
  ['train examples', 'maxTrain', "each task's first N training examples (sentences for tagging)"],
  ['test examples', 'maxTest', "each task's first N test examples"],
];

/**
 * The recipe's benchmarks (issue 13 item 5): which scores the worker takes at every evaluation point — the intrinsic
 * metrics on the held-out texts and the chosen downstream tasks (the embedded ones and those given to the page) — the
 * probe, the example caps, and the cap on the share of the run's time spent scoring.
 */
export function BenchmarkFields({ draft, edit, disabled }: { draft: Recipe; edit(r: Recipe): void; disabled: boolean }) {
  const b = draft.benchmarks;
  const user = useWorkbench((s) => s.userTasks);
  const set = (patch: Partial<BenchmarkSpec>) => edit({ ...draft, benchmarks: { ...b, ...patch } });
  const toggle = (id: string) => set({ tasks: b.tasks.includes(id) ? b.tasks.filter((t) => t !== id) : [...b.tasks, id] });
  const tasks = [...EMBEDDED_TASKS.map((t) => ({ id: t.id, text: `${t.title} — ${t.source}`, user: false })), ...user.map((t) => ({ id: t.id, text: t.summary, user: true }))];
  return (
    <fieldset className="bench-fields" data-testid="distill-benchmarks">
      <legend>benchmarks, scored at every evaluation point (the teacher once)</legend>
      <div className="controls">
        <label title="whole-word masked accuracy, teacher–student agreement and PLL per word on the held-out texts, the same character spans for every model">
          <input type="checkbox" data-testid="distill-bench-intrinsic" checked={b.intrinsic} disabled={disabled} onChange={() => set({ intrinsic: !b.intrinsic })} />
          intrinsic (<Term id="agreement">agreement</Term>, <Term id="PLL">PLL</Term>)
        </label>
        {tasks.map((t) => (
          <label key={t.id} title={t.text}>
            <input type="checkbox" data-testid={`distill-bench-task-${t.id}`} checked={b.tasks.includes(t.id)} disabled={disabled} onChange={() => toggle(t.id)} />
            {t.id}
            {t.user && <button className="link" disabled={disabled} title="remove this task from the page" onClick={(e) => { e.preventDefault(); set({ tasks: b.tasks.filter((x) => x !== t.id) }); actions.userTaskRemoved(t.id); }}>×</button>}
          </label>
        ))}
        {b.tasks.filter((id) => !tasks.some((t) => t.id === id)).map((id) => (
          <span className="error" key={id} data-testid="distill-bench-missing">task “{id}” is not in the page: add its files below</span>
        ))}
        <label>
          probe
          <select data-testid="distill-bench-probe" value={b.probe} disabled={disabled} onChange={(e) => set({ probe: e.target.value as BenchmarkSpec['probe'] })}>
            <option value="linear">linear probe on frozen features</option>
            <option value="finetune">short fine-tune</option>
          </select>
        </label>
        {NUMBERS.map(([label, key, title]) => (
          <label key={key} title={title}>
            {label}
            <input type="number" data-testid={`distill-bench-${key}`} value={Number.isFinite(b[key]) ? String(b[key]) : ''} disabled={disabled}
              onChange={(e) => set({ [key]: e.target.value === '' ? NaN : Number(e.target.value) })} />
          </label>
        ))}
        <label title="an intermediate evaluation point is skipped when scoring it would take the share of the run's time spent scoring above this; the last point is always scored">
          time cap %
          <input type="number" data-testid="distill-bench-maxShare" value={Number.isFinite(b.maxShare) ? String(Math.round(b.maxShare * 1000) / 10) : ''} disabled={disabled}
            onChange={(e) => set({ maxShare: e.target.value === '' ? NaN : Number(e.target.value) / 100 })} />
        </label>
      </div>
      <TaskForm disabled={disabled} onAdded={(id) => set({ tasks: b.tasks.includes(id) ? b.tasks : [...b.tasks, id] })} />
    </fieldset>
  );
}
