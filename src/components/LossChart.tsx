import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricPoint } from '../train/mlmRun.ts';
import { STEP_AXIS, tickFormat, yTitle } from './chartAxes.ts';

/** Keeps at most `max` points (every k-th, always the last) so rendering cost stays bounded on long runs. */
export function downsample<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const k = Math.ceil(xs.length / max);
  const out = xs.filter((_, i) => i % k === 0);
  if (out[out.length - 1] !== xs[xs.length - 1]) out.push(xs[xs.length - 1]);
  return out;
}

/** Training loss and validation loss against the step, held-out masked-token accuracy on a right axis; animations off (points arrive 4× a second). */
export function LossChart({ points }: { points: MetricPoint[] }) {
  const data = downsample(points, 600);
  const format = tickFormat(data.flatMap((p) => [p.loss, p.valLoss ?? NaN]));
  const hasAcc = points.some((p) => p.valAccuracy !== undefined);
  return (
    <div className="chart" data-testid="loss-chart" data-points={points.length}>
      <ResponsiveContainer width="100%" height={280}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis {...STEP_AXIS} domain={['dataMin', 'dataMax']} />
          <YAxis domain={['auto', 'auto']} width={64} tickFormatter={format} label={yTitle('loss')} />
          <Tooltip />
          <Legend />
          <Line name="train loss" dataKey="loss" stroke="#2563eb" dot={false} isAnimationActive={false} />
          <Line name="validation loss" dataKey="valLoss" stroke="#dc2626" dot connectNulls isAnimationActive={false} />
          {hasAcc && <YAxis yAxisId="acc" orientation="right" domain={[0, 'auto']} width={56} tickFormatter={(v: number) => `${(v * 100).toFixed(0)} %`} label={yTitle('held-out acc.', 'right')} />}
          {hasAcc && <Line yAxisId="acc" name="held-out masked-token accuracy" dataKey="valAccuracy" stroke="#16a34a" strokeDasharray="4 2" dot connectNulls isAnimationActive={false} />}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
