import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface ParamBreakdown {
  name: string;
  embeddings: number;
  body: number;
  head: number;
}

const total = (b: ParamBreakdown) => b.embeddings + b.body + b.head;
const mb = (params: number, bytes: number) => ((params * bytes) / 2 ** 20).toFixed(1);

/** Stacked bars (embeddings / body / head) per model, the teacher/student ratio, and weight sizes at fp32 and fp16. */
export function ParamBudget({ models }: { models: ParamBreakdown[] }) {
  const data = models.map((m) => ({ ...m, total: total(m) }));
  const ratio = models.length >= 2 ? total(models[0]) / total(models[models.length - 1]) : null;
  return (
    <section data-testid="param-budget">
      <div className="chart">
        <ResponsiveContainer width="100%" height={60 + 50 * models.length}>
          <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 16 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" tickFormatter={(v: number) => `${(v / 1e6).toFixed(1)}M`} />
            <YAxis type="category" dataKey="name" width={140} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toLocaleString('en') : String(v))} />
            <Legend />
            <Bar dataKey="embeddings" stackId="p" fill="#9333ea" isAnimationActive={false} />
            <Bar dataKey="body" stackId="p" fill="#2563eb" isAnimationActive={false} />
            <Bar dataKey="head" stackId="p" fill="#16a34a" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="budget">
        <thead><tr><th>model</th><th>embeddings</th><th>body</th><th>head</th><th>total</th><th>fp32 MB</th><th>fp16 MB</th></tr></thead>
        <tbody>
          {data.map((m) => (
            <tr key={m.name} data-testid={`budget-${m.name}`} data-total={m.total}>
              <td>{m.name}</td><td>{m.embeddings.toLocaleString('en')}</td><td>{m.body.toLocaleString('en')}</td><td>{m.head.toLocaleString('en')}</td>
              <td><b>{m.total.toLocaleString('en')}</b></td><td>{mb(m.total, 4)}</td><td>{mb(m.total, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ratio !== null && <p data-testid="budget-ratio">teacher / student: <b>{ratio.toFixed(2)}×</b> fewer parameters</p>}
    </section>
  );
}
