import { actions } from '../../store/index.ts';
import { heldOutWordAcc, type DistillRun } from '../../store/runs.ts';
import { runColour } from './DistillCharts.tsx';
import { int } from '../../app/format.ts';

const fmt = (x: number | undefined | null, d = 3) => (x === undefined || x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));

/** This session's runs: a checkbox each (drawn on the charts or not), student shape, last losses, held-out word accuracy. */
export function DistillRuns({ runs, shown }: { runs: DistillRun[]; shown: Record<string, boolean> }) {
  if (!runs.length) return null;
  return (
    <table className="budget" data-testid="distill-runs">
      <thead>
        <tr><th>show</th><th>run</th><th>method</th><th>student</th><th>state</th><th>step</th><th>loss</th><th>KL</th><th>MLM</th><th>held-out word acc.</th></tr>
      </thead>
      <tbody>
        {runs.map((r, i) => {
          const last = r.points[r.points.length - 1];
          const acc = heldOutWordAcc(r);
          const s = r.recipe?.student;
          const vocab = r.info?.studentVocab ?? s?.vocabSize; // glmd / kd-full: known once the run reports its info
          return (
            <tr key={r.runId} data-testid={`distill-run-${r.runId}`}>
              <td><input type="checkbox" data-testid={`distill-show-${r.runId}`} checked={!!shown[r.runId]} onChange={() => actions.toggleShown(r.runId)} /></td>
              <td style={{ color: runColour(i) }}>{r.runId}</td>
              <td>{r.recipe?.method ?? '–'}</td>
              <td>{s ? `${s.numLayers}×${s.hiddenSize}${vocab !== undefined ? `, vocab ${int(vocab)}` : ''}` : '–'}{r.info ? `, ${int(r.info.studentParams)} params` : ''}</td>
              <td>{r.outcome === 'diverged' ? 'diverged' : r.state}</td>
              <td>{last?.step ?? 0} / {r.recipe?.steps ?? '–'}</td>
              <td>{fmt(last?.loss)}</td>
              <td>{fmt(last?.kl)}</td>
              <td>{fmt(last?.mlm)}</td>
              <td data-testid={`distill-acc-${r.runId}`}>{acc === null ? '–' : `${(acc * 100).toFixed(1)} %`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
