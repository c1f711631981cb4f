import { useState } from 'react';
import type { HistoryEntry } from '../../app/historyDb.ts';
import { deleteHistoryRun, renameHistoryRun } from '../../app/historyPage.ts';
import { exportRunFile } from '../../app/runFile.ts';
import { urlWithRecipe } from '../../app/recipeUrlPage.ts';
import { bestScores, formatValue, runFacts } from './metrics.ts';

/** A run's name; "rename" turns it into a text box (Enter or leaving it saves, Escape cancels). */
function NameCell({ entry }: { entry: HistoryEntry }) {
  const [draft, setDraft] = useState<string | null>(null);
  if (draft === null) {
    return (
      <td>
        <span data-testid={`history-name-${entry.id}`}>{entry.name}</span>{' '}
        <button className="align-link" data-testid={`history-rename-${entry.id}`} onClick={() => setDraft(entry.name)}>rename</button>
      </td>
    );
  }
  const save = () => {
    const name = draft.trim();
    setDraft(null);
    if (name && name !== entry.name) void renameHistoryRun(entry.id, name);
  };
  return (
    <td>
      <input
        autoFocus
        data-testid={`history-name-input-${entry.id}`}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={save}
        onKeyDown={(e) => { if (e.key === 'Enter') save(); if (e.key === 'Escape') setDraft(null); }}
      />
    </td>
  );
}

const date = (ms: number) => new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Downloads the run as one .vkdrun file (record, checkpoint, the student when the worker holds it). */
function ExportButton({ id }: { id: string }) {
  const [said, setSaid] = useState<string | null>(null);
  const run = async () => {
    try {
      setSaid(`downloaded ${await exportRunFile(id)}`);
    } catch (err) {
      setSaid(`${(err as Error).name}: ${(err as Error).message}`);
    }
  };
  return (
    <>
      <button data-testid={`history-export-${id}`} title="the run as one file: recipe, curves, checkpoint (and the student's HF folder when it is this session's latest distillation)" onClick={() => void run()}>export</button>
      {said && <div className="hint" data-testid={`history-exported-${id}`}>{said}</div>}
    </>
  );
}

/** The stored runs, newest first: pick for comparison, name (rename), kind, method, sizes, best scores, date, delete. */
export function HistoryList({ entries, picked, onPick }: { entries: HistoryEntry[]; picked: string[]; onPick(id: string): void }) {
  if (!entries.length) return <p className="hint" data-testid="history-empty">No runs yet: every run you start on the Train MLM or Distill tab is kept here.</p>;
  return (
    <table className="budget" data-testid="history-runs">
      <thead>
        <tr><th>compare</th><th>name</th><th>kind</th><th>method</th><th>sizes</th><th>steps</th><th>state</th><th>best scores</th><th>date</th><th>recipe</th><th>file</th><th /></tr>
      </thead>
      <tbody>
        {entries.map((e) => {
          const f = runFacts(e.record);
          return (
            <tr key={e.id} data-testid={`history-run-${e.id}`} data-kind={e.kind} data-state={f.state}>
              <td><input type="checkbox" data-testid={`history-pick-${e.id}`} checked={picked.includes(e.id)} onChange={() => onPick(e.id)} /></td>
              <NameCell entry={e} />
              <td>{e.kind}</td>
              <td>{f.method}</td>
              <td>{f.sizes}</td>
              <td>{f.steps}</td>
              <td>{f.state}</td>
              <td data-testid={`history-best-${e.id}`}>{bestScores(e.record).map((b) => `${b.label} ${formatValue(b.id, b.value)}`).join(' · ') || '–'}</td>
              <td>{date(e.createdAt)}</td>
              <td>{e.link ? <a href={urlWithRecipe(e.link)} data-testid={`history-link-${e.id}`} title="open this run's recipe in its tab (the form only; nothing starts)">open recipe</a> : '–'}</td>
              <td><ExportButton id={e.id} /></td>
              <td><button data-testid={`history-delete-${e.id}`} onClick={() => { if (confirm(`Delete "${e.name}" from the history?`)) void deleteHistoryRun(e.id); }}>delete</button></td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
