import { useEffect } from 'react';
import { useWorkbench } from '../store/index.ts';
import { dismissResumable, findInterrupted, resumeRun } from '../app/resume.ts';

const WHY = { crash: 'the training worker crashed', device: 'the GPU device was lost', reload: 'the page was closed or reloaded' } as const;

/**
 * Runs that stopped without ending and can continue from their last checkpoint (a crashed worker, a lost device with no
 * backend to move to, a reload): one click resumes each; the curves continue from the checkpoint's step.
 */
export function ResumeBanner() {
  const list = useWorkbench((s) => s.resumable);
  useEffect(() => void findInterrupted(), []);
  if (!list.length) return null;
  return (
    <div className="notice" data-testid="resume-banner">
      {list.map((r) => (
        <div key={r.key} data-testid={`resume-${r.key}`}>
          {r.kind === 'distill' ? 'Distillation' : 'Pretraining'} <b>{r.name}</b> stopped before its end ({WHY[r.why]}).{' '}
          <button data-testid="resume-button" disabled={r.busy} onClick={() => void resumeRun(r.key)}>
            {r.busy ? 'resuming…' : r.step > 0 ? `Resume from step ${r.step}` : 'Start it again (no checkpoint yet)'}
          </button>{' '}
          <button className="link" onClick={() => dismissResumable(r.key)}>dismiss</button>
          {r.note && <div className="error" data-testid="resume-note">{r.note}</div>}
        </div>
      ))}
    </div>
  );
}
