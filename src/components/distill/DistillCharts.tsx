import { memo, useMemo } from 'react';
import type { DistillPoint } from '../../distill/types.ts';
import type { DistillRun } from '../../store/runs.ts';
import { downsample, seriesOf } from '../LossChart.tsx';
import { LiveChart, type LiveSeries } from '../LiveChart.tsx';
import { useThrottled } from '../throttle.ts';
import { Term } from '../Term.tsx';
import { tickFormat } from '../chartAxes.ts';

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

/** What the charts draw of a run: its points and method (a run's other fields change without a redraw). */
export interface ChartRun { runId: string; method: string; points: DistillPoint[] }

/**
 * A store selector's flat [runId, method, points, …] of `runs`: under useShallow it stays the same array until a run's
 * points or method, or the runs shown, change; `chartRunsOf` regroups it (in a useMemo on that array).
 */
export const chartRunsKey = (runs: readonly DistillRun[]): unknown[] => runs.flatMap((r) => [r.runId, r.recipe?.method ?? '', r.points]);

export function chartRunsOf(key: readonly unknown[]): ChartRun[] {
  const out: ChartRun[] = [];
  for (let i = 0; i + 2 < key.length; i += 3) out.push({ runId: key[i] as string, method: key[i + 1] as string, points: key[i + 2] as DistillPoint[] });
  return out;
}

/**
 * One chart per metric with a line per shown run where the metric is comparable across runs (the MLM-only baseline
 * dashed), the latest shown run only where it is not. `data-points` on each chart counts the latest run's points that
 * carry that metric (what the end-to-end test compares with the store). Redrawn only when points arrive, at most 4
 * times a second (useThrottled), as plain SVG (LiveChart): no main-thread task over 50 ms during a run.
 */
export const DistillCharts = memo(function DistillCharts({ runs: liveRuns, order, latest: liveLatest }: { runs: ChartRun[]; order: string[]; latest: ChartRun | null }) {
  const { runs, latest } = useThrottled(useMemo(() => ({ runs: liveRuns, latest: liveLatest }), [liveRuns, liveLatest]));
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(340px, 1fr))', gap: '0.6rem' }}>
      {CHARTS.map(({ id, key, title, overlay, axis }) => (
        <MetricChart key={id} id={id} metric={key} title={title} axis={axis} runs={overlay ? runs : runs.slice(-1)} order={order} latest={latest} />
      ))}
    </div>
  );
});

const MetricChart = memo(function MetricChart({ id, metric, title, axis, runs, order, latest }: { id: string; metric: keyof DistillPoint & string; title: React.ReactNode; axis: string; runs: ChartRun[]; order: string[]; latest: ChartRun | null }) {
  const series = useMemo((): LiveSeries[] => runs
    .map((r) => ({
      key: r.runId,
      name: `${r.runId} ${r.method}`,
      colour: runColour(order.indexOf(r.runId)),
      dash: r.method === 'mlm-only' ? '5 3' : undefined,
      points: seriesOf(downsample(r.points.filter((p) => Number.isFinite(p[metric] as number)), 600), (p) => p[metric] as number),
    }))
    .filter((s) => s.points.length > 0), [runs, order, metric]);
  const count = latest ? latest.points.filter((p) => p[metric] !== undefined).length : 0;
  const format = useMemo(() => tickFormat(series.flatMap((s) => s.points.map((p) => p.y))), [series]);
  return (
    <div className="chart" data-testid={`distill-chart-${id}`} data-points={count} data-lines={series.length}>
      <div className="spans-label">{title}</div>
      <LiveChart series={series} height={200} xTitle="step" yTitle={axis} yFormat={format} xFromZero />
    </div>
  );
});
