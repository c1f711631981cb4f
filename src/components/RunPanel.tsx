import { useWorkbench } from '../store/index.ts';
import { latestRun } from '../store/runs.ts';
import { LossChart } from './LossChart.tsx';
import { int } from '../app/format.ts';

const fmt = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

/** The latest MLM run: status, live loss chart and throughput cards. */
export function RunPanel() {
  const run = useWorkbench((s) => latestRun(s, 'pretrain'));
  if (!run) return <p className="hint">Press Start to train the masked LM on the embedded Moby-Dick slice.</p>;
  const last = run.points[run.points.length - 1];
  const lastVal = [...run.points].reverse().find((p) => p.valAccuracy !== undefined);
  return (
    <section className="run">
      <div className="cards">
        <div data-testid="run-status" data-status={run.state}>run {run.runId}: <b>{run.state}</b>{run.message ? ` — ${run.message}` : ''}</div>
        <div>step <b data-testid="step">{last?.step ?? 0}</b> / {run.config.steps}</div>
        <div>loss <b>{fmt(last?.loss, 3)}</b></div>
        <div>tokens/s <b data-testid="tokens-per-sec">{fmt(last?.tokensPerSec, 0)}</b></div>
        <div>ms/step <b>{fmt(last?.msPerStep)}</b></div>
        <div>val. masked acc. <b>{lastVal ? `${(lastVal.valAccuracy! * 100).toFixed(1)} %` : '–'}</b></div>
        {run.checkpointStep !== null && <div data-testid="checkpoint">checkpoint at step <b>{run.checkpointStep}</b></div>}
        {run.info && (
          <div>
            {int(run.info.params)} parameters · vocab {run.info.vocabSize} ({run.tokenizer === 'tokenizers-tab' ? "the Tokenizers tab's student" : 'WordPiece trained on the corpus'}) · batch {run.info.batchSize}×{run.info.seqLen}
          </div>
        )}
      </div>
      {run.error && <div className="error" data-testid="run-error">{run.error}</div>}
      {run.warnings.map((w) => <div className="notice" key={w} data-testid="run-warning">⚠ {w}</div>)}
      <LossChart points={run.points} />
    </section>
  );
}
