/**
 * A distillation's results (issue 13 item 7): the table of teacher / student / baseline × metrics with parameter counts
 * and the compression ratio, and the report export — the recipe (JSON), the metrics (CSV: one row per logged step with
 * the benchmark scores at their steps; JSON: everything the run reported) and the charts (one SVG). Pure functions
 * (no worker, no store writes); `reportFiles` reads the charts' SVG from the page.
 */
import type { BenchMetric } from '../eval/live.ts';
import { heldOutWordAcc, type DistillRun } from '../store/runs.ts';

export interface ResultsRow {
  who: 'teacher' | 'student' | 'baseline';
  runId: string | null;
  method: string;
  params: number | null;
  /** Teacher parameters / this row's. */
  compression: number | null;
  /** Held-out whole-word masked accuracy on the student's own masks (the run's evaluation; not for the teacher). */
  heldOutWordAcc: number | null;
  /** metric key → value at the row's last scored point (the teacher: its reference). */
  scores: Record<string, number | null>;
  /** Step of that point. */
  step: number | null;
}

export interface ResultsTable {
  metrics: BenchMetric[];
  rows: ResultsRow[];
}

/** The last point of a run that has scores (an intermediate point may have been skipped by the time cap). */
export function lastScored(r: DistillRun) {
  for (let i = r.bench.points.length - 1; i >= 0; i--) if (!r.bench.points[i].skipped) return r.bench.points[i];
  return null;
}

/**
 * The MLM-only baseline to set beside `run`: the latest mlm-only run of the session that ran with the same teacher
 * size and student shape (and has ended), unless `run` is one itself.
 */
export function baselineOf(run: DistillRun, runs: DistillRun[]): DistillRun | null {
  if (run.recipe?.method === 'mlm-only') return null;
  const shape = (r: DistillRun) => JSON.stringify([r.info?.teacherParams, r.recipe?.student.numLayers, r.recipe?.student.hiddenSize, r.recipe?.student.intermediateSize]);
  for (let i = runs.length - 1; i >= 0; i--) {
    const b = runs[i];
    if (b !== run && b.recipe?.method === 'mlm-only' && b.outcome && shape(b) === shape(run)) return b;
  }
  return null;
}

function studentRow(who: 'student' | 'baseline', r: DistillRun, metrics: BenchMetric[]): ResultsRow {
  const p = lastScored(r);
  const teacherParams = r.info?.teacherParams ?? null;
  const params = r.info?.studentParams ?? null;
  return {
    who, runId: r.runId, method: r.recipe?.method ?? '?', params, compression: teacherParams && params ? teacherParams / params : null,
    heldOutWordAcc: heldOutWordAcc(r), scores: Object.fromEntries(metrics.map((m) => [m.key, p?.scores[m.key] ?? null])), step: p?.step ?? null,
  };
}

export function resultsTable(run: DistillRun, runs: DistillRun[]): ResultsTable {
  const metrics = run.bench.reference?.metrics ?? [];
  const teacher: ResultsRow = {
    who: 'teacher', runId: null, method: 'teacher', params: run.info?.teacherParams ?? null, compression: 1, heldOutWordAcc: null,
    scores: Object.fromEntries(metrics.map((m) => [m.key, m.teacher])), step: null,
  };
  const base = baselineOf(run, runs);
  return { metrics, rows: [teacher, studentRow('student', run, metrics), ...(base ? [studentRow('baseline', base, metrics)] : [])] };
}

const csvCell = (v: unknown) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per logged step: the training point's fields, then the benchmark scores of that step (empty elsewhere). */
export function metricsCsv(r: DistillRun): string {
  const pointKeys = [...new Set(r.points.flatMap((p) => Object.keys(p)))];
  const benchKeys = [...new Set(r.bench.points.flatMap((p) => Object.keys(p.scores)))];
  const byStep = new Map(r.bench.points.filter((p) => !p.skipped).map((p) => [p.step, p.scores]));
  const steps = [...new Set([...r.points.map((p) => p.step), ...byStep.keys()])].sort((a, b) => a - b);
  const pointAt = new Map(r.points.map((p) => [p.step, p as Record<string, unknown>]));
  const lines = [['step', ...pointKeys.filter((k) => k !== 'step'), ...benchKeys].map(csvCell).join(',')];
  for (const step of steps) {
    const p = pointAt.get(step) ?? {};
    const b = byStep.get(step) ?? {};
    lines.push([step, ...pointKeys.filter((k) => k !== 'step').map((k) => p[k]), ...benchKeys.map((k) => b[k])].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Everything the run reported, and its results table. */
export function metricsJson(r: DistillRun, runs: DistillRun[]): string {
  const { runId, recipe, info, points, bench, summary, warnings, outcome, state } = r;
  return JSON.stringify({ runId, state, outcome, recipe, info, points, bench, summary, warnings, results: resultsTable(r, runs) }, null, 2);
}

/** Stacks the given chart SVGs (their outer HTML) into one SVG, each under its title. */
export function combineSvgs(charts: { title: string; svg: SVGSVGElement }[]): string {
  let y = 0;
  const width = Math.max(400, ...charts.map((c) => c.svg.width.baseVal.value || 400));
  const parts = charts.map(({ title, svg }) => {
    const h = svg.height.baseVal.value || 200;
    const clone = svg.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('x', '0');
    clone.setAttribute('y', String(y + 20));
    const escaped = title.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const out = `<text x="4" y="${y + 14}" font-family="sans-serif" font-size="13">${escaped}</text>${new XMLSerializer().serializeToString(clone)}`;
    y += h + 30;
    return out;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" style="background:#fff">${parts.join('')}</svg>\n`;
}

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

/** The report of `run` as files: recipe.json, metrics.csv, metrics.json and the charts found under `chartsRoot`. */
export function reportFiles(run: DistillRun, runs: DistillRun[], chartsRoot: ParentNode | null): { name: string; bytes: ArrayBuffer }[] {
  const charts = chartsRoot
    ? [...chartsRoot.querySelectorAll<HTMLElement>('.chart')].flatMap((c) => {
      const svg = c.querySelector<SVGSVGElement>('svg.live-chart-svg, svg.recharts-surface');
      return svg ? [{ title: c.querySelector('.spans-label')?.textContent ?? '', svg }] : [];
    })
    : [];
  return [
    { name: `${run.runId}-recipe.json`, bytes: bytes(JSON.stringify(run.recipe, null, 2) + '\n') },
    { name: `${run.runId}-metrics.csv`, bytes: bytes(metricsCsv(run)) },
    { name: `${run.runId}-metrics.json`, bytes: bytes(metricsJson(run, runs) + '\n') },
    ...(charts.length ? [{ name: `${run.runId}-charts.svg`, bytes: bytes(combineSvgs(charts)) }] : []),
  ];
}
