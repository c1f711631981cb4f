import { useState } from 'react';
import { useWorkbench } from '../../store/index.ts';
import { runFillMask } from '../../app/models.ts';
import { latestRun } from '../../store/runs.ts';

/**
 * Fill-mask with the loaded teacher or the latest Train MLM checkpoint (a pretraining run's, at its checkpoint step): the text, Fill, the top-5 candidates per [MASK]. Every state says what it is (no
 * results yet, filling); results for an earlier text are marked with that text (a failed fill-mask clears them: the
 * models slice), so they never read as the answer to the text above.
 */
export function FillMask() {
  const fill = useWorkbench((s) => s.models.fillMask);
  const busy = useWorkbench((s) => s.models.busy);
  const hasTeacher = useWorkbench((s) => s.models.teacher !== null);
  const checkpointStep = useWorkbench((s) => latestRun(s, 'pretrain')?.checkpointStep ?? null);
  const [target, setTarget] = useState<'teacher' | 'checkpoint'>('teacher');
  const [text, setText] = useState('Call me [MASK].');
  const ready = target === 'teacher' ? hasTeacher : checkpointStep !== null;
  const stale = fill !== null && fill.text !== text;
  return (
    <>
      <div className="controls">
        <input data-testid="fill-mask-text" style={{ flex: 1 }} value={text} onChange={(e) => setText(e.target.value)} />
        <select data-testid="fill-mask-target" value={target} onChange={(e) => setTarget(e.target.value as 'teacher' | 'checkpoint')}>
          <option value="teacher">the teacher</option>
          <option value="checkpoint" disabled={checkpointStep === null}>the latest Train MLM checkpoint{checkpointStep === null ? ' (none yet)' : ` (step ${checkpointStep})`}</option>
        </select>
        <button data-testid="fill-mask-run" disabled={!ready || busy} onClick={() => void runFillMask(text, 5, target)}>Fill</button>
      </div>
      {!fill && <p className="hint" data-testid="fill-mask-empty">{busy ? 'filling…' : ready ? 'no results yet: write a text with [MASK] and press Fill' : target === 'teacher' ? 'no results: load a teacher first' : 'no results: no checkpoint yet (train in the Train MLM tab)'}</p>}
      {stale && <div className="notice" data-testid="fill-mask-stale">the results below are for “{fill.text}”, not the text above: press Fill</div>}
      {fill && (
        <ol data-testid="fill-mask-results" className={stale ? 'stale' : undefined} data-stale={stale}>
          {fill.results.map((r) => (
            <li key={r.position}>
              {r.candidates.map((c) => (
                <span key={c.id} className="candidate" data-token={c.token} data-probability={c.probability}>
                  {c.token} <small>{(c.probability * 100).toFixed(1)} %</small>{' '}
                </span>
              ))}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
