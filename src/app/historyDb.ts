/**
 * The run history on disk: one IndexedDB database (through `idb`), two object stores.
 * - `runs` (key `id`): a `HistoryEntry` per run, its `record` the store's run record as is (recipe or config, kind,
 *   info, metric points, summary and whatever fields run records carry: benchmark scores too), its name, dates.
 * - `checkpoints` (key `runId` = the entry's id): at most one checkpoint per run, written in the same transaction as
 *   its entry's `checkpoint` note. A transaction is all or nothing, so a write that fails (QuotaExceededError
 *   included) leaves the previous checkpoint and note as they were, valid and loadable.
 * Every change is one readwrite transaction that reads the entry and writes it back (a rename and a save from two tabs
 * both land: IndexedDB runs overlapping readwrite transactions one after the other). A save of an entry another tab
 * deleted does not bring it back. A connection closes itself when another tab opens a newer schema.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { RunKind } from '../worker/protocol.ts';

export const HISTORY_DB = 'vocabkd-history';
export const HISTORY_DB_VERSION = 1;

export interface CheckpointNote {
  step: number;
  bytes: number;
  savedAt: number;
}

export interface HistoryEntry<R = unknown> {
  /** Unique across sessions and tabs (a session's run ids repeat); the key of its checkpoint. */
  id: string;
  name: string;
  kind: RunKind;
  createdAt: number;
  updatedAt: number;
  /** The run record as it was at the latest save. */
  record: R;
  /** The run's recipe link (`#r=v1.…`, recipeUrl.ts) as it started: the recipe, its corpus and teacher by name. */
  link?: string;
  /** The stored checkpoint, if any (its data is in the `checkpoints` store). */
  checkpoint?: CheckpointNote;
}

export interface StoredCheckpoint {
  runId: string;
  step: number;
  savedAt: number;
  data: Blob;
}

interface HistorySchema extends DBSchema {
  runs: { key: string; value: HistoryEntry; indexes: { createdAt: number } };
  checkpoints: { key: string; value: StoredCheckpoint };
}

export type HistoryDb = IDBPDatabase<HistorySchema>;
type Stores = StoreNames<HistorySchema>;
type WriteTx<S extends Stores[]> = IDBPTransaction<HistorySchema, S, 'readwrite'>;

/** A write that did not happen; `quota` when the browser's storage quota is exhausted. Nothing of it was written. */
export class HistoryWriteError extends Error {
  override name = 'HistoryWriteError';
  constructor(what: string, readonly cause: unknown, readonly quota: boolean) {
    super(quota
      ? `${what} was not saved: the browser's storage quota is exhausted (QuotaExceededError). What was saved before stays; delete runs in the History tab to make room`
      : `${what} was not saved: ${(cause as Error)?.name ?? 'Error'}: ${(cause as Error)?.message ?? String(cause)}. What was saved before stays`);
  }
}

export const isQuotaError = (e: unknown): boolean =>
  (e as Error)?.name === 'QuotaExceededError' || (e as { code?: number })?.code === 22 || (e as HistoryWriteError)?.quota === true;

export function openHistory(name = HISTORY_DB): Promise<HistoryDb> {
  return openDB<HistorySchema>(name, HISTORY_DB_VERSION, {
    upgrade(db) {
      if (!db.objectStoreNames.contains('runs')) db.createObjectStore('runs', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
      if (!db.objectStoreNames.contains('checkpoints')) db.createObjectStore('checkpoints', { keyPath: 'runId' });
    },
    blocking(_current, _next, event) {
      (event.target as IDBDatabase).close(); // another tab opens a newer schema: let it
    },
  });
}

/** One readwrite transaction over `stores`: all of `body`'s writes land, or none (the error is named). */
async function write<S extends Stores[], T>(db: HistoryDb, stores: S, what: string, body: (tx: WriteTx<S>) => Promise<T>): Promise<T> {
  const tx = db.transaction(stores, 'readwrite');
  const done = tx.done;
  done.catch(() => {}); // awaited below; an abort also rejects the body's requests
  try {
    const out = await body(tx);
    await done;
    return out;
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    throw new HistoryWriteError(what, e, isQuotaError(e));
  }
}

export function addRun(db: HistoryDb, entry: HistoryEntry): Promise<void> {
  return write(db, ['runs'], `the run "${entry.name}"`, async (tx) => { await tx.objectStore('runs').put(entry); });
}

/** Writes the latest record of a run; 'gone' (and nothing written) when the entry was deleted, e.g. in another tab. */
export function saveRun(db: HistoryDb, id: string, record: unknown, now = Date.now()): Promise<'saved' | 'gone'> {
  return write(db, ['runs'], `the latest data of run ${id}`, async (tx) => {
    const runs = tx.objectStore('runs');
    const old = await runs.get(id);
    if (!old) return 'gone';
    await runs.put({ ...old, record, updatedAt: now });
    return 'saved';
  });
}

export function renameRun(db: HistoryDb, id: string, name: string): Promise<'saved' | 'gone'> {
  return write(db, ['runs'], `the new name of run ${id}`, async (tx) => {
    const runs = tx.objectStore('runs');
    const old = await runs.get(id);
    if (!old) return 'gone';
    await runs.put({ ...old, name });
    return 'saved';
  });
}

/** An imported run: its entry and its checkpoint in one transaction (all of it lands, or nothing). */
export function importRun(db: HistoryDb, entry: HistoryEntry, checkpoint: { step: number; data: Blob } | null, now = Date.now()): Promise<void> {
  return write(db, ['runs', 'checkpoints'], `the imported run "${entry.name}"`, async (tx) => {
    const note = checkpoint ? { checkpoint: { step: checkpoint.step, bytes: checkpoint.data.size, savedAt: now } } : {};
    await tx.objectStore('runs').put({ ...entry, ...note });
    if (checkpoint) await tx.objectStore('checkpoints').put({ runId: entry.id, step: checkpoint.step, savedAt: now, data: checkpoint.data });
  });
}

/** Deletes a run and its checkpoint together. */
export function deleteRun(db: HistoryDb, id: string): Promise<void> {
  return write(db, ['runs', 'checkpoints'], `the deletion of run ${id}`, async (tx) => {
    await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('checkpoints').delete(id)]);
  });
}

/** Every entry, newest first. */
export async function listRuns(db: HistoryDb): Promise<HistoryEntry[]> {
  return (await db.getAllFromIndex('runs', 'createdAt')).reverse();
}

export const getRun = (db: HistoryDb, id: string): Promise<HistoryEntry | undefined> => db.get('runs', id);

/**
 * Replaces a run's checkpoint and its entry's note in one transaction: if anything fails the previous checkpoint
 * stays, whole. 'gone' when the entry was deleted.
 */
export function saveCheckpoint(db: HistoryDb, runId: string, step: number, data: Blob, now = Date.now()): Promise<'saved' | 'gone'> {
  return write(db, ['runs', 'checkpoints'], `the checkpoint of run ${runId} at step ${step}`, async (tx) => {
    const runs = tx.objectStore('runs');
    const entry = await runs.get(runId);
    if (!entry) return 'gone';
    await tx.objectStore('checkpoints').put({ runId, step, savedAt: now, data });
    await runs.put({ ...entry, checkpoint: { step, bytes: data.size, savedAt: now } });
    return 'saved';
  });
}

export const loadCheckpoint = (db: HistoryDb, runId: string): Promise<StoredCheckpoint | undefined> => db.get('checkpoints', runId);
