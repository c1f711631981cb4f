import { memo, useMemo } from 'react';
import type { MetricPoint } from '../train/mlmRun.ts';
import { tickFormat } from './chartAxes.ts';
import { LiveChart, type LiveSeries } from './LiveChart.tsx';
import { useThrottled } from './throttle.ts';

/** Keeps at most `max` points (every k-th, always the last) so rendering cost stays bounded on long runs. */
export function downsample<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const k = Math.ceil(xs.length / max);
  const out = xs.filter((_, i) => i % k === 0);
  if (out[out.length - 1] !== xs[xs.length - 1]) out.push(xs[xs.length - 1]);
  return out;
}

/** The points of `pick` that are finite, as chart points (x = step). */
export function seriesOf<T extends { step: number }>(points: readonly T[], pick: (p: T) => number | undefined): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const p of points) {
    const y = pick(p);
    if (y !== undefined && Number.isFinite(y)) out.push({ x: p.step, y });
  }
  return out;
}

/**
 * Training loss and validation loss against the step, held-out masked-token accuracy on a right axis. The points are
 * read through a 250 ms throttle (at most 4 renders a second, the last point always drawn) and the chart is plain SVG
 * (LiveChart.tsx); `data-points` counts the run's points.
 */
export const LossChart = memo(function LossChart({ points: live }: { points: MetricPoint[] }) {
  const points = useThrottled(live);
  const series = useMemo((): LiveSeries[] => {
    const data = downsample(points, 600);
    return [
      { key: 'loss', name: 'train loss', colour: '#2563eb', points: seriesOf(data, (p) => p.loss) },
      { key: 'valLoss', name: 'validation loss', colour: '#dc2626', dots: true, points: seriesOf(points, (p) => p.valLoss) },
      { key: 'valAccuracy', name: 'held-out masked-token accuracy', colour: '#16a34a', dash: '4 2', dots: true, right: true, points: seriesOf(points, (p) => p.valAccuracy) },
    ].filter((s) => s.key !== 'valAccuracy' || s.points.length > 0);
  }, [points]);
  const format = useMemo(() => tickFormat(series.filter((s) => !s.right).flatMap((s) => s.points.map((p) => p.y))), [series]);
  return (
    <div className="chart" data-testid="loss-chart" data-points={points.length}>
      <LiveChart series={series} height={280} xTitle="step" yTitle="loss" yFormat={format} right={{ title: 'held-out acc.', format: (v) => `${(v * 100).toFixed(0)} %`, fromZero: true }} />
    </div>
  );
});
