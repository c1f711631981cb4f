import { useEffect, useState, useSyncExternalStore } from 'react';
import { historyStatus, loadHistory, storageUse } from '../../app/historyPage.ts';
import type { HistoryEntry } from '../../app/historyDb.ts';

/**
 * The stored runs and the storage use, reloaded whenever the history changes (in this tab or another) while `active`
 * (the History tab is shown), and once when it becomes active.
 */
export function useHistory(active: boolean) {
  const status = useSyncExternalStore(historyStatus.subscribe, historyStatus.get);
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [storage, setStorage] = useState<{ text: string; near: boolean } | null>(null);
  useEffect(() => {
    if (!active) return;
    let live = true;
    void loadHistory().then((e) => live && setEntries(e));
    void storageUse().then((s) => live && setStorage(s));
    return () => { live = false; };
  }, [active, status.version]);
  return { status, entries, storage };
}
