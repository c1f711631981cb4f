import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { withQuotaExceeded } from './historyTesting.ts';
import { addRun, deleteRun, getRun, HistoryWriteError, listRuns, loadCheckpoint, openHistory, renameRun, saveCheckpoint, saveRun, type HistoryDb, type HistoryEntry } from './historyDb.ts';

let dbCount = 0;
const open: HistoryDb[] = [];
/** A fresh database name per test; `connections` connections to it (two = two tabs). */
async function connect(connections = 1): Promise<HistoryDb[]> {
  const name = `history-test-${++dbCount}`;
  const dbs = [];
  for (let i = 0; i < connections; i++) dbs.push(await openHistory(name));
  open.push(...dbs);
  return dbs;
}
afterEach(() => open.splice(0).forEach((db) => db.close()));

const entry = (id: string, createdAt: number, record: unknown = { runId: id, points: [] }): HistoryEntry => ({ id, name: `run ${id}`, kind: 'distill', createdAt, updatedAt: createdAt, record });

describe('run history in IndexedDB', () => {
  it('keeps whatever a run record carries (points, summary, benchmark fields) and lists runs newest first', async () => {
    const [db] = await connect();
    const record = { runId: 'run-1', kind: 'distill', points: [{ step: 1, loss: 2, bench: { 'en-pos': 0.8 } }], summary: { finalEval: { wordAcc: 0.2 } }, benchmarks: [{ step: 100, task: 'en-pos', acc: 0.8 }] };
    await addRun(db, entry('a', 1, record));
    await addRun(db, entry('b', 2));
    expect(await saveRun(db, 'a', { ...record, state: 'done' }, 5)).toBe('saved');
    expect((await listRuns(db)).map((e) => e.id)).toEqual(['b', 'a']);
    expect(await getRun(db, 'a')).toMatchObject({ updatedAt: 5, record: { ...record, state: 'done' } });
    expect(await renameRun(db, 'a', 'Reduce, seed 42')).toBe('saved');
    await deleteRun(db, 'b');
    expect((await listRuns(db)).map((e) => [e.id, e.name])).toEqual([['a', 'Reduce, seed 42']]);
  });

  it('a checkpoint replaces the previous one with its note in one write; deleting the run deletes it', async () => {
    const [db] = await connect();
    await addRun(db, entry('a', 1));
    await saveCheckpoint(db, 'a', 100, new Blob([new Uint8Array(10)]));
    await saveCheckpoint(db, 'a', 200, new Blob([new Uint8Array(20)]));
    expect(await loadCheckpoint(db, 'a')).toMatchObject({ runId: 'a', step: 200 });
    expect((await getRun(db, 'a'))?.checkpoint).toMatchObject({ step: 200, bytes: 20 });
    await deleteRun(db, 'a');
    expect(await loadCheckpoint(db, 'a')).toBeUndefined();
    expect(await saveCheckpoint(db, 'a', 300, new Blob([]))).toBe('gone');
  });

  it('QuotaExceededError mid-write: a named error, and the previous checkpoint and record stay valid and loadable', async () => {
    const [db] = await connect();
    await addRun(db, entry('a', 1, { points: [1] }));
    await saveCheckpoint(db, 'a', 100, new Blob([new Uint8Array([1, 2, 3])]));
    // The checkpoint itself fails to write.
    const e1 = await withQuotaExceeded('checkpoints', () => saveCheckpoint(db, 'a', 200, new Blob([new Uint8Array(50)]))).catch((e) => e);
    expect(e1).toBeInstanceOf(HistoryWriteError);
    expect(e1).toMatchObject({ quota: true, message: expect.stringMatching(/checkpoint of run a at step 200 was not saved: .*QuotaExceededError.*What was saved before stays/) });
    // The checkpoint lands but its note fails: the transaction takes the checkpoint back too.
    const e2 = await withQuotaExceeded('runs', () => saveCheckpoint(db, 'a', 300, new Blob([new Uint8Array(60)]))).catch((e) => e);
    expect(e2).toMatchObject({ name: 'HistoryWriteError', quota: true });
    const kept = await loadCheckpoint(db, 'a');
    expect(kept?.step).toBe(100);
    expect(new Uint8Array(await kept!.data.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect((await getRun(db, 'a'))?.checkpoint?.step).toBe(100);
    // A run record save hit by the quota keeps the previous record.
    await expect(withQuotaExceeded('runs', () => saveRun(db, 'a', { points: [1, 2] }))).rejects.toMatchObject({ quota: true });
    expect((await getRun(db, 'a'))?.record).toEqual({ points: [1] });
  });

  it('two tabs on the same history: interleaved saves, renames, creations and deletions all land, nothing is corrupted', async () => {
    const [tabA, tabB] = await connect(2);
    await addRun(tabA, entry('a', 1));
    const writes: Promise<unknown>[] = [];
    for (let i = 1; i <= 20; i++) {
      writes.push(saveRun(tabA, 'a', { runId: 'a', points: Array.from({ length: i }, (_, k) => k) }, 100 + i));
      if (i === 10) writes.push(renameRun(tabB, 'a', 'renamed in tab B'));
      writes.push(addRun(i % 2 ? tabA : tabB, entry(`n${i}`, 10 + i)));
    }
    await Promise.all(writes);
    const a = await getRun(tabB, 'a');
    expect(a).toMatchObject({ name: 'renamed in tab B', updatedAt: 120 });
    expect((a!.record as { points: number[] }).points).toHaveLength(20);
    expect((await listRuns(tabA)).length).toBe(21);
    // Tab B deletes a run tab A is still saving: A's next save finds it gone and does not bring it back.
    await deleteRun(tabB, 'a');
    expect(await saveRun(tabA, 'a', { runId: 'a', points: [] })).toBe('gone');
    expect(await getRun(tabA, 'a')).toBeUndefined();
  });

  it('a newer schema opened in another tab closes this connection instead of waiting on it', async () => {
    const [db] = await connect();
    const name = db.name;
    const newer = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name, 2);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    expect(newer.version).toBe(2);
    newer.close();
  });
});
