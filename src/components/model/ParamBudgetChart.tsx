/** The parameter budget's stacked bars (recharts): loaded when the Models tab is first shown (ParamBudget.tsx). */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ParamBreakdown } from './budget.ts';
import { xTitle } from '../chartAxes.ts';
import { int } from '../../app/format.ts';

export function ParamBudgetChart({ data, millions, rows }: { data: (ParamBreakdown & { total: number })[]; millions: (v: number) => string; rows: number }) {
  return (
    <div className="chart">
      <ResponsiveContainer width="100%" height={60 + 50 * rows}>
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
  );
}
