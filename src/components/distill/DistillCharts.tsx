import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DistillPoint } from '../../distill/types.ts';
import type { DistillRun } from '../../store/runs.ts';
import { downsample } from '../LossChart.tsx';
import { Term } from '../Term.tsx';

const CHARTS: { id: string; key: keyof DistillPoint & string; title: React.ReactNode }[] = [
  { id: 'total', key: 'loss', title: <>total loss (the <Term id="weights" /> sum)</> },
  { id: 'kl', key: 'kl', title: <><Term id="KL" /> (× <Term id="T2" />, before its weight)</> },
  { id: 'mlm', key: 'mlm', title: <><Term id="MLM" /> loss</> },
  { id: 'lr', key: 'lr', title: 'learning rate' },
  { id: 'tokens', key: 'tokensPerSec', title: 'tokens/s' },
];

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** A run's colour follows its place in the session, so it keeps it when others are hidden. */
export const runColour = (index: number) => PALETTE[index % PALETTE.length];

/**
 * One chart per metric with a line per shown run (the MLM-only baseline dashed). `data-points` on each chart counts
 * the latest run's points that carry that metric (what the end-to-end test compares with the store).
 */
export function DistillCharts({ runs, order, latest }: { runs: DistillRun[]; order: string[]; latest: DistillRun | null }) {
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(340px, 1fr))', gap: '0.6rem' }}>
      {CHARTS.map(({ id, key, title }) => {
        const series = runs
          .map((r) => ({ r, data: downsample(r.points.filter((p) => Number.isFinite(p[key] as number)), 600) }))
          .filter((s) => s.data.length > 0);
        const count = latest ? latest.points.filter((p) => p[key] !== undefined).length : 0;
        return (
          <div className="chart" key={id} data-testid={`distill-chart-${id}`} data-points={count} data-lines={series.length}>
            <div className="spans-label">{title}</div>
            <ResponsiveContainer width="100%" height={200}>
              <LineChart margin={{ top: 6, right: 12, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDuplicatedCategory={false} />
                <YAxis domain={['auto', 'auto']} width={56} tickFormatter={(v: number) => (Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(0) : String(+v.toPrecision(3)))} />
                <Tooltip />
                <Legend />
                {series.map(({ r, data }) => (
                  <Line
                    key={r.runId}
                    data={data}
                    dataKey={key}
                    name={`${r.runId} ${r.recipe?.method ?? ''}`}
                    stroke={runColour(order.indexOf(r.runId))}
                    strokeDasharray={r.recipe?.method === 'mlm-only' ? '5 3' : undefined}
                    dot={false}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        );
      })}
    </div>
  );
}
