import { memo } from 'react';
import type { BenchMetric } from '../../eval/live.ts';
import type { DistillRun } from '../../store/runs.ts';
import { Term } from '../Term.tsx';
import { runColour } from './DistillCharts.tsx';
import { shortTitle, tickFormat } from '../chartAxes.ts';
import { LiveChart } from '../LiveChart.tsx';

/** The metrics to plot: the latest shown run's reference, else any shown run's. */
export function benchMetrics(runs: DistillRun[]): BenchMetric[] {
  for (let i = runs.length - 1; i >= 0; i--) if (runs[i].bench.reference) return runs[i].bench.reference!.metrics;
  return [];
}

/** "scoring took 14 % of run-2's time (cap 25 %); the teacher was scored once in 12.3 s" */
export function shareText(r: DistillRun): string | null {
  const last = r.bench.points[r.bench.points.length - 1];
  if (!last) return null;
  const skipped = r.bench.points.filter((p) => p.skipped).length;
  const teacher = r.bench.reference?.teacherSeconds ?? 0;
  return `${r.runId}: scoring took ${(last.share * 100).toFixed(0)} % of the run's time so far (${last.evalSeconds.toFixed(1)} of ${last.runSeconds.toFixed(1)} s; cap ${Math.round(last.maxShare * 100)} %)`
    + (teacher > 0 ? `, the teacher's one-time scoring included (${teacher.toFixed(1)} s)` : ', the teacher\'s scores kept from an earlier run')
    + (skipped ? `; ${skipped} point${skipped > 1 ? 's' : ''} skipped by the cap` : '');
}

/** The teacher's task warnings and each run's student warnings (imbalance, unseen labels, [UNK]), once each. */
export function benchWarnings(runs: DistillRun[]): string[] {
  const all = runs.flatMap((r) => [...(r.bench.reference?.warnings ?? []), ...r.bench.points.flatMap((p) => (p.warnings ?? []).map((w) => `${r.runId}: ${w}`))]);
  return [...new Set(all)];
}

const fmt = (v: number) => (Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(0) : String(+v.toPrecision(3)));

/**
 * A chart per benchmark metric (issue 13 item 5): each shown run's student scores against the step (the MLM-only
 * baseline dashed), the teacher's score as a dashed reference line and the majority class as a dotted floor. The
 * charts' `data-series` lists `runId:points` (what the end-to-end test reads), `data-teacher` the teacher's value.
 */
export const BenchCharts = memo(function BenchCharts({ runs, order }: { runs: DistillRun[]; order: string[] }) {
  const metrics = benchMetrics(runs).filter((m) => m.chart);
  if (!metrics.length) return null;
  return (
    <section data-testid="distill-bench">
      <h3 className="spans-label">benchmark scores: the student at each evaluation point, the <Term id="majority" /> as the floor, the teacher as the line to reach (<Term id="probe" />)</h3>
      {runs.map((r) => { const t = shareText(r); return t && <div className="hint" key={r.runId} data-testid={`distill-bench-share-${r.runId}`}>{t}</div>; })}
      {benchWarnings(runs).map((w) => <div className="notice" key={w} data-testid="distill-bench-warning">⚠ {w}</div>)}
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(340px, 1fr))', gap: '0.6rem' }}>
        {metrics.map((m) => {
          const series = runs.map((r) => ({ r, data: r.bench.points.filter((p) => Number.isFinite(p.scores[m.key])).map((p) => ({ x: p.step, y: p.scores[m.key] })) })).filter((s) => s.data.length);
          return (
            <div className="chart" key={m.key} data-testid={`distill-bench-chart-${m.key}`} data-series={series.map((s) => `${s.r.runId}:${s.data.length}`).join(',')} data-teacher={m.teacher ?? ''} data-floor={m.floor ?? ''}>
              <div className="spans-label">{m.label}</div>
              <LiveChart
                height={200} xTitle="step" yTitle={shortTitle(m.label)} xFromZero
                yFormat={tickFormat([...series.flatMap((s) => s.data.map((p) => p.y)), m.teacher ?? NaN, m.floor ?? NaN])}
                refs={[
                  ...(m.teacher !== null ? [{ y: m.teacher, label: `teacher ${fmt(m.teacher)}`, colour: '#111', dash: '6 3' }] : []),
                  ...(m.floor !== null ? [{ y: m.floor, label: `majority class ${fmt(m.floor)}`, colour: '#888', dash: '2 3', below: true }] : []),
                ]}
                series={series.map(({ r, data }) => ({ key: r.runId, name: `${r.runId} ${r.recipe?.method ?? ''}`, colour: runColour(order.indexOf(r.runId)), dash: r.recipe?.method === 'mlm-only' ? '5 3' : undefined, dots: true, points: data }))}
              />
            </div>
          );
        })}
      </div>
    </section>
  );
}, sameBench);

/** Redrawn only when a shown run's scores, method or the runs shown change (not on every training point). */
function sameBench(a: { runs: DistillRun[]; order: string[] }, b: { runs: DistillRun[]; order: string[] }): boolean {
  return a.order === b.order && a.runs.length === b.runs.length && a.runs.every((r, i) => r.runId === b.runs[i].runId && r.bench === b.runs[i].bench && r.recipe?.method === b.runs[i].recipe?.method);
}
