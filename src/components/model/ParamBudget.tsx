import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { budgetRatios, totalParams as total, type ParamBreakdown } from './budget.ts';
import { tickFormat, xTitle } from '../chartAxes.ts';
import { int } from '../../app/format.ts';
const mb = (params: number, bytes: number) => ((params * bytes) / 2 ** 20).toFixed(1);

/** Stacked bars (embeddings / body / head) per model, each student's ratio to the teacher (the first model), and weight sizes at fp32 and fp16. */
export function ParamBudget({ models }: { models: ParamBreakdown[] }) {
  const data = models.map((m) => ({ ...m, total: total(m) }));
  const millions = tickFormat([0, ...data.map((m) => m.total / 1e6)]);
  const ratios = budgetRatios(models);
  const ratioOf = new Map(ratios.map((r) => [r.name, r.ratio]));
  return (
    <section data-testid="param-budget">
      <div className="chart">
        <ResponsiveContainer width="100%" height={60 + 50 * models.length}>
          <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 20, left: 16 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" allowDecimals={false} tickFormatter={(v: number) => `${millions(v / 1e6)}M`} label={xTitle('parameters')} />
            <YAxis type="category" dataKey="name" width={140} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? int(v) : String(v))} />
            <Legend />
            <Bar dataKey="embeddings" stackId="p" fill="#9333ea" isAnimationActive={false} />
            <Bar dataKey="body" stackId="p" fill="#2563eb" isAnimationActive={false} />
            <Bar dataKey="head" stackId="p" fill="#16a34a" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
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
