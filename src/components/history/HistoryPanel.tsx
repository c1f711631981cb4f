import { lazy, Suspense, useState } from 'react';
import { dismissHistoryError, historyChanged } from '../../app/historyPage.ts';
import { importRunFile, importTorchRun } from '../../app/runFile.ts';
import { findInterrupted } from '../../app/resume.ts';
import { QUOTA_NEAR } from '../../app/history.ts';
import { HistoryList } from './HistoryList.tsx';

import { useHistory } from './useHistory.ts';

// The comparison's charts (recharts) load when two runs are first compared, not with the tab (issue 16 item 4).
const Comparison = lazy(() => import('./Comparison.tsx').then((m) => ({ default: m.Comparison })));

function StorageLine({ storage }: { storage: { text: string; near: boolean } | null }) {
  if (!storage) return <p className="hint" data-testid="history-storage">storage use: not reported by this browser</p>;
  return (
    <>
      <p className="hint" data-testid="history-storage" data-near={storage.near}>storage use (this site): {storage.text}</p>
      {storage.near && (
        <div className="notice" data-testid="history-quota-near" role="status">
          The browser&apos;s storage quota for this site is nearly used up (over {QUOTA_NEAR * 100} %): new runs may fail to
          save. Delete runs you no longer need.
        </div>
      )}
    </>
  );
}

/** Import a .vkdrun file: checked whole first (a named error, nothing written), then one history entry with its checkpoint. */
function ImportRun() {
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const pick = async (file: File | undefined) => {
    if (!file) return;
    await done(file.name, async () => {
      await importRunFile(file);
      await findInterrupted(); // an unfinished run with a checkpoint is offered as Resume
    });
  };
  const pickTorch = async (files: FileList | null) => {
    if (files?.length) await done(`the PyTorch run (${[...files].map((f) => f.name).join(', ')})`, () => importTorchRun([...files]).then(() => {}));
  };
  const done = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
      historyChanged();
      setSaid({ ok: true, text: `imported ${what}` });
    } catch (err) {
      setSaid({ ok: false, text: `${(err as Error).name}: ${(err as Error).message}` });
    }
  };
  return (
    <div className="controls">
      <label>import a run file (.vkdrun) <input type="file" accept=".vkdrun" data-testid="history-import" onChange={(e) => void pick(e.target.files?.[0])} /></label>
      <label title="trainers/torch/ writes RUN/metrics.jsonl and RUN/summary.json; add the bundle's recipe.json to name the method (README: Scaling up)">
        import a PyTorch run (metrics.jsonl, summary.json, recipe.json) <input type="file" multiple accept=".jsonl,.json" data-testid="history-import-torch" onChange={(e) => void pickTorch(e.target.files)} />
      </label>
      {said && <span className={said.ok ? 'hint' : 'error'} data-testid="history-import-result">{said.text}</span>}
    </div>
  );
}

/**
 * The History tab: every run of this browser (kept in IndexedDB across reloads, shared by the site's tabs), rename,
 * delete, export / import as one file, storage use and quota warnings, and the comparison of the runs picked.
 */
export function HistoryPanel({ active }: { active: boolean }) {
  const { status, entries, storage } = useHistory(active);
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  const compared = (entries ?? []).filter((e) => picked.includes(e.id));
  return (
    <section className="history-panel" data-testid="history-panel">
      <p className="hint">
        Every run you start is kept in this browser (IndexedDB): its recipe, curves, results and benchmark scores, saved
        when it starts, every few seconds while it runs and when it ends. Tick two or more to compare them.
      </p>
      <StorageLine storage={storage} />
      <ImportRun />
      {status.unavailable && <div className="error" data-testid="history-unavailable">{status.unavailable}</div>}
      {status.error && (
        <div className="error" data-testid="history-error" role="alert">
          {status.error} <button onClick={dismissHistoryError}>dismiss</button>
        </div>
      )}
      {entries && <HistoryList entries={entries} picked={picked} onPick={toggle} />}
      {compared.length >= 2 && <Suspense fallback={null}><Comparison entries={compared} /></Suspense>}
    </section>
  );
}
