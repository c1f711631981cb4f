/**
 * The page's run history: opens the database, records the store's runs (history.ts) from the start, tells this tab's
 * History panel and the other tabs of this origin (BroadcastChannel) when it changed, and answers the panel (list,
 * rename, delete, storage use). A failed write keeps its named message until dismissed; the data saved before stays.
 */
import { actions, useWorkbench } from '../store/index.ts';
import { deleteRun, HistoryWriteError, listRuns, openHistory, renameRun, type HistoryDb, type HistoryEntry } from './historyDb.ts';
import { recordRuns, storageVerdict } from './history.ts';
import { recordLink } from './recipeUrlPage.ts';

export interface HistoryStatus {
  /** Bumped on every change (here or in another tab): the panel reloads its list. */
  version: number;
  /** The latest failed write (named: a full quota says so). */
  error: string | null;
  /** Why there is no history (no IndexedDB, e.g. a private window that refuses it). */
  unavailable: string | null;
}

let status: HistoryStatus = { version: 0, error: null, unavailable: null };
const listeners = new Set<() => void>();
const setStatus = (patch: Partial<HistoryStatus>) => {
  status = { ...status, ...patch };
  listeners.forEach((l) => l());
};

/** For useSyncExternalStore. */
export const historyStatus = {
  get: (): HistoryStatus => status,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('vocabkd-history');
const changed = (tellOthers: boolean) => {
  setStatus({ version: status.version + 1 });
  if (tellOthers) channel?.postMessage('changed');
};
channel?.addEventListener('message', () => changed(false));

function open(): Promise<HistoryDb | null> {
  if (typeof indexedDB === 'undefined') {
    setStatus({ unavailable: 'this browser offers no IndexedDB: runs are not kept' });
    return Promise.resolve(null);
  }
  return openHistory().catch((e: Error) => {
    setStatus({ unavailable: `the history database did not open (${e.name}: ${e.message}): runs are not kept` });
    return null;
  });
}

export const historyDb = open();

/** A failed write: named in the History tab, and once on the page's banner (the user may be on another tab). */
function failed(e: HistoryWriteError): void {
  const message = `History: ${e.message}`;
  if (status.error === null) actions.addError(message);
  setStatus({ error: message });
}

const recorder = recordRuns(useWorkbench, historyDb, { saved: () => changed(true), failed }, { linkOf: recordLink });
globalThis.addEventListener?.('pagehide', () => void recorder.flush());

/** The history id of a run of this session (null for a run it has not seen): its checkpoints' key (saveCheckpoint). */
export const historyIdOf = recorder.historyId;

async function attempt(op: (db: HistoryDb) => Promise<unknown>): Promise<void> {
  const db = await historyDb;
  if (!db) return;
  try {
    await op(db);
    changed(true);
  } catch (e) {
    if (!(e instanceof HistoryWriteError)) throw e;
    failed(e);
  }
}

export const renameHistoryRun = (id: string, name: string) => attempt((db) => renameRun(db, id, name));
export const deleteHistoryRun = (id: string) => attempt((db) => deleteRun(db, id));
export const dismissHistoryError = () => setStatus({ error: null });
/** Something else wrote the history (an import): the lists reload, here and in the other tabs. */
export const historyChanged = () => changed(true);

/** Every stored run, newest first. */
export async function loadHistory(): Promise<HistoryEntry[]> {
  const db = await historyDb;
  return db ? listRuns(db) : [];
}

/** How much of the origin's storage quota is used (null where the browser does not say). */
export async function storageUse(): Promise<{ text: string; near: boolean } | null> {
  const e = await navigator.storage?.estimate?.().catch(() => null);
  return e?.quota ? storageVerdict(e.usage ?? 0, e.quota) : null;
}
