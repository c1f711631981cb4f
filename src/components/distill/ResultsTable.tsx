import { useState } from 'react';
import type { DistillRun } from '../../store/runs.ts';
import { reportFiles, resultsTable, type ResultsRow } from '../../app/report.ts';
import { downloadFiles } from '../../app/models.ts';
import type { BenchMetric } from '../../eval/live.ts';
import { int } from '../../app/format.ts';

const pct = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)} %`);
const num = (v: number | null, d = 3) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(d));
/** Accuracies, agreement, F1 and the [UNK] rate are shares; PLL and fertility are plain numbers. */
const show = (m: BenchMetric, v: number | null) => (/\.(pll|fertility)$/.test(m.key) ? num(v) : pct(v));

function Row({ row, metrics }: { row: ResultsRow; metrics: BenchMetric[] }) {
  return (
    <tr data-testid={`results-row-${row.who}`}>
      <td>{row.who}{row.runId ? ` (${row.runId})` : ''}</td>
      <td>{row.method}</td>
      <td>{row.params === null ? '–' : int(row.params)}</td>
      <td>{row.compression === null ? '–' : `${row.compression.toFixed(1)}×`}</td>
      <td>{pct(row.heldOutWordAcc)}</td>
      {metrics.map((m) => (
        <td key={m.key} data-testid={`results-${row.who}-${m.key}`}>
          {show(m, row.scores[m.key])}
          {m.floor !== null && row.who === 'teacher' && <span className="hint"> (majority {pct(m.floor)})</span>}
        </td>
      ))}
      <td>{row.step ?? '–'}</td>
    </tr>
  );
}

/**
 * The results of one run (issue 13 item 7): teacher / student / the MLM-only baseline (the latest one of the same
 * shape) × the benchmark metrics, with parameter counts and compression, and the report export (recipe JSON, metrics
 * CSV and JSON, the charts as one SVG). `chartsRoot` finds the page's charts.
 */
export function ResultsTable({ runs, chartsRoot }: { runs: DistillRun[]; chartsRoot: () => ParentNode | null }) {
  const ended = runs.filter((r) => r.outcome || r.bench.points.length);
  const [chosen, setChosen] = useState<string | null>(null);
  const [downloaded, setDownloaded] = useState<string[]>([]);
  const run = ended.find((r) => r.runId === chosen) ?? ended[ended.length - 1];
  if (!run) return null;
  const t = resultsTable(run, runs);
  return (
    <section data-testid="distill-results">
      <div className="controls">
        <label>
          results of
          <select data-testid="results-run" value={run.runId} onChange={(e) => setChosen(e.target.value)}>
            {ended.map((r) => <option key={r.runId} value={r.runId}>{r.runId} {r.recipe?.method ?? ''}</option>)}
          </select>
        </label>
        <button data-testid="results-export" onClick={() => setDownloaded(downloadFiles(reportFiles(run, runs, chartsRoot())))}>Export report (recipe, metrics CSV / JSON, charts SVG)</button>
        {downloaded.length > 0 && <span className="hint" data-testid="results-exported">downloaded: {downloaded.join(', ')}</span>}
      </div>
      <table className="budget">
        <thead>
          <tr>
            <th>model</th><th>method</th><th>parameters</th><th>compression</th><th>held-out word acc. (own masks)</th>
            {t.metrics.map((m) => <th key={m.key} title={m.label}>{m.label}</th>)}
            <th>at step</th>
          </tr>
        </thead>
        <tbody>
          {t.rows.map((row) => <Row key={row.who} row={row} metrics={t.metrics} />)}
        </tbody>
      </table>
      {!t.rows.some((r) => r.who === 'baseline') && run.recipe?.method !== 'mlm-only' && (
        <p className="hint">no MLM-only baseline of the same shape in this session yet: “Start the MLM-only baseline” adds its row</p>
      )}
    </section>
  );
}
