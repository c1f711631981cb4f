import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DistillPoint } from '../../distill/types.ts';
import type { DistillRun } from '../../store/runs.ts';
import { downsample } from '../LossChart.tsx';
import { Term } from '../Term.tsx';
import { STEP_AXIS, tickFormat, yTitle } from '../chartAxes.ts';

/**
 * `overlay`: the quantity means the same thing in every run, so the shown runs are drawn together. The total loss is
 * each method's own weighted sum (Reduce's 2·KL + 0.5·MLM ≈ 8 against the baseline's plain MLM ≈ 5), so an overlay
 * would read as "the baseline is better": it shows the latest shown run only.
 */
const CHARTS: { id: string; key: keyof DistillPoint & string; overlay: boolean; title: React.ReactNode; axis: string }[] = [
  { id: 'heldout-acc', key: 'evalWordAcc', overlay: true, title: <>held-out masked-word accuracy (every run, comparable)</>, axis: 'accuracy' },
  { id: 'heldout-loss', key: 'evalLoss', overlay: true, title: <>held-out <Term id="MLM" /> loss on the student&apos;s tokens (comparable for the same student vocabulary)</>, axis: 'MLM loss' },
  { id: 'mlm', key: 'mlm', overlay: true, title: <>training <Term id="MLM" /> term (comparable for the same student vocabulary)</>, axis: 'MLM loss' },
  { id: 'kl', key: 'kl', overlay: true, title: <><Term id="KL" /> (× <Term id="T2" />, before its weight; runs with a teacher)</>, axis: 'KL × T²' },
  { id: 'total', key: 'loss', overlay: false, title: <>total loss of the latest shown run (its own <Term id="weights" /> sum: not comparable across methods)</>, axis: 'loss' },
  { id: 'lr', key: 'lr', overlay: true, title: 'learning rate', axis: 'lr' },
  { id: 'tokens', key: 'tokensPerSec', overlay: true, title: 'tokens/s', axis: 'tokens/s' },
];

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** A run's colour follows its place in the session, so it keeps it when others are hidden. */
export const runColour = (index: number) => PALETTE[index % PALETTE.length];

/**
 * One chart per metric with a line per shown run where the metric is comparable across runs (the MLM-only baseline
 * dashed), the latest shown run only where it is not. `data-points` on each chart counts the latest run's points that
 * carry that metric (what the end-to-end test compares with the store).
 */
export function DistillCharts({ runs, order, latest }: { runs: DistillRun[]; order: string[]; latest: DistillRun | null }) {
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(340px, 1fr))', gap: '0.6rem' }}>
      {CHARTS.map(({ id, key, title, overlay, axis }) => {
        const series = (overlay ? runs : runs.slice(-1))
          .map((r) => ({ r, data: downsample(r.points.filter((p) => Number.isFinite(p[key] as number)), 600) }))
          .filter((s) => s.data.length > 0);
        const count = latest ? latest.points.filter((p) => p[key] !== undefined).length : 0;
        return (
          <div className="chart" key={id} data-testid={`distill-chart-${id}`} data-points={count} data-lines={series.length}>
            <div className="spans-label">{title}</div>
            <ResponsiveContainer width="100%" height={200}>
              <LineChart margin={{ top: 6, right: 12, bottom: 16, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis {...STEP_AXIS} domain={[0, 'dataMax']} allowDuplicatedCategory={false} />
                <YAxis domain={['auto', 'auto']} width={64} tickFormatter={tickFormat(series.flatMap((s) => s.data.map((p) => p[key] as number)))} label={yTitle(axis)} />
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
