import { lazy, Suspense, useState } from 'react';
import { useWorkbench } from '../../store/index.ts';
import { budgetRatios, totalParams as total, type ParamBreakdown } from './budget.ts';
import { tickFormat } from '../chartAxes.ts';
import { int } from '../../app/format.ts';
const ParamBudgetChart = lazy(() => import('./ParamBudgetChart.tsx').then((m) => ({ default: m.ParamBudgetChart })));

/** True once the Models tab has been shown (then for good). */
function useModelsShown(): boolean {
  const now = useWorkbench((s) => s.tab === 'models');
  const [seen, setSeen] = useState(now);
  if (now && !seen) setSeen(true);
  return seen || now;
}

const mb = (params: number, bytes: number) => ((params * bytes) / 2 ** 20).toFixed(1);

/** Stacked bars (embeddings / body / head) per model, each student's ratio to the teacher (the first model), and weight sizes at fp32 and fp16. */
export function ParamBudget({ models }: { models: ParamBreakdown[] }) {
  const data = models.map((m) => ({ ...m, total: total(m) }));
  const millions = tickFormat([0, ...data.map((m) => m.total / 1e6)]);
  const ratios = budgetRatios(models);
  const ratioOf = new Map(ratios.map((r) => [r.name, r.ratio]));
  const shown = useModelsShown();
  return (
    <section data-testid="param-budget">
      {/* recharts loads when the Models tab is first shown, not with the page (issue 16 item 4) */}
      {shown && <Suspense fallback={<div className="chart" style={{ height: 60 + 50 * models.length }} />}><ParamBudgetChart data={data} millions={millions} rows={models.length} /></Suspense>}
      <table className="budget">
        <thead><tr><th>model</th><th>embeddings</th><th>body</th><th>head</th><th>total</th><th>teacher / it</th><th>fp32 MB</th><th>fp16 MB</th></tr></thead>
        <tbody>
          {data.map((m) => (
            <tr key={m.name} data-testid={`budget-${m.name}`} data-total={m.total}>
              <td>{m.name}</td><td>{int(m.embeddings)}</td><td>{int(m.body)}</td><td>{int(m.head)}</td>
              <td><b>{int(m.total)}</b></td>
              <td data-testid={`budget-ratio-${m.name}`}>{ratioOf.has(m.name) ? `${ratioOf.get(m.name)!.toFixed(2)}×` : 'teacher'}</td>
              <td>{mb(m.total, 4)}</td><td>{mb(m.total, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ratios.length > 0 && (
        <p data-testid="budget-ratio">
          params({models[0].name}) / params(student):{' '}
          {ratios.map((r, i) => <span key={r.name}>{i > 0 && ' · '}{r.name} <b>{r.ratio.toFixed(2)}×</b></span>)} fewer parameters
        </p>
      )}
    </section>
  );
}
