/**
 * Recording the session's runs into the history (historyDb.ts): every run record of the store is written when the
 * run starts, at most every `throttleMs` while it runs (slower when writes are slow: at least 10 × the last write's
 * time apart, so a long run's growing record never keeps the disk busy), and at once when it ends. A run's writes
 * go one after the other; each writes the record as it is then. A failed write is reported (a quota error by name) and
 * tried again a throttle interval later; a run deleted from the history (in this tab or another) is no longer written.
 * Also here: the runs' default names and the storage-quota verdict.
 */
import type { RunsState, RunRecord } from '../store/runs.ts';
import { isFinished, type RunId } from '../worker/protocol.ts';
import { addRun, HistoryWriteError, saveRun, type HistoryDb, type HistoryEntry } from './historyDb.ts';
import { int } from './format.ts';

/** What the recorder watches: the store (zustand's getState / subscribe), or a test's stand-in. */
export interface RunSource {
  getState(): Pick<RunsState, 'runs' | 'runOrder'>;
  subscribe(listener: (state: Pick<RunsState, 'runs' | 'runOrder'>) => void): () => void;
}

export interface RecorderHooks {
  /** A write landed (the list may refresh). */
  saved(): void;
  /** A write failed; nothing of it was written. */
  failed(error: HistoryWriteError): void;
}

export interface RecorderOptions {
  throttleMs?: number;
  /** Makes history ids unique across sessions and tabs (run ids repeat: run-1, run-2 … in every session). */
  sessionId?: string;
  now?: () => number;
  /** The run's recipe link, stored with its first write. */
  linkOf?: (record: RunRecord) => Promise<string | null>;
}

interface Tracked {
  id: string;
  /** The entry's first write, until it lands (a refused first write is tried again as a first write). */
  first: Promise<HistoryEntry<RunRecord>> | null;
  latest: RunRecord;
  queue: Promise<void>;
  timer: ReturnType<typeof setTimeout> | null;
  lastWrite: number;
  writeMs: number;
  gone: boolean;
}

export const newSessionId = (): string => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** "distill · reduce · 2×128, vocab 4,000 · 300 steps · seed 42" / "pretrain · micro · 200 steps · lr 0.002 · seed 1". */
export function defaultRunName(r: RunRecord): string {
  if (r.kind === 'pretrain') return `pretrain · ${r.config.preset} · ${r.config.steps} steps · lr ${r.config.lr} · seed ${r.config.seed}`;
  const s = r.recipe?.student;
  const vocab = r.info?.studentVocab ?? s?.vocabSize;
  const shape = `${s ? ` · ${s.numLayers}×${s.hiddenSize}` : ''}${vocab !== undefined ? `, vocab ${int(vocab)}` : ''}`;
  return `distill · ${r.recipe?.method ?? 'invalid recipe'}${shape}${r.recipe ? ` · ${r.recipe.steps} steps · seed ${r.recipe.seed}` : ''}`;
}

/** Starts recording; `stop()` ends it, `flush()` writes every pending change now and waits for all writes. */
export function recordRuns(source: RunSource, db: Promise<HistoryDb | null>, hooks: RecorderHooks, options: RecorderOptions = {}) {
  const { throttleMs = 2000, sessionId = newSessionId(), now = Date.now, linkOf } = options;
  const tracked = new Map<RunId, Tracked>();

  const enqueue = (t: Tracked, op: (d: HistoryDb) => Promise<unknown>) => {
    t.queue = t.queue.then(async () => {
      const d = await db;
      if (!d || t.gone) return;
      const t0 = now();
      try {
        if ((await op(d)) === 'gone') t.gone = true;
        else hooks.saved();
      } catch (e) {
        if (!(e instanceof HistoryWriteError)) throw e;
        hooks.failed(e);
        schedule(t); // the latest record is written again a throttle later (a run that ended has no other change coming)
      } finally {
        t.lastWrite = now();
        t.writeMs = t.lastWrite - t0;
      }
    });
  };
  const write = async (t: Tracked, d: HistoryDb) => {
    if (!t.first) return saveRun(d, t.id, t.latest, now());
    await addRun(d, { ...(await t.first), record: t.latest, updatedAt: now() });
    t.first = null;
  };
  const save = (t: Tracked) => {
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    enqueue(t, (d) => write(t, d));
  };
  const schedule = (t: Tracked) => {
    if (t.timer || t.gone) return;
    const wait = Math.max(throttleMs, 10 * t.writeMs) - (now() - t.lastWrite);
    t.timer = setTimeout(() => save(t), Math.max(0, wait));
  };
  const track = (runId: RunId, record: RunRecord) => {
    const at = now();
    const id = `${sessionId}-${runId}`;
    const entry: HistoryEntry<RunRecord> = { id, name: defaultRunName(record), kind: record.kind, createdAt: at, updatedAt: at, record };
    const first = (linkOf ? linkOf(record).catch(() => null) : Promise.resolve(null)).then((link) => (link ? { ...entry, link } : entry));
    const t: Tracked = { id, first, latest: record, queue: Promise.resolve(), timer: null, lastWrite: at, writeMs: 0, gone: false };
    tracked.set(runId, t);
    save(t);
  };

  const onState = (s: Pick<RunsState, 'runs' | 'runOrder'>) => {
    for (const runId of s.runOrder) {
      const record = s.runs[runId];
      const t = tracked.get(runId);
      if (!t) track(runId, record);
      else if (record !== t.latest && !t.gone) {
        t.latest = record;
        if (isFinished(record.state)) save(t);
        else schedule(t);
      }
    }
  };
  onState(source.getState());
  const unsubscribe = source.subscribe(onState);

  return {
    /** The history id of a run of this session. */
    historyId: (runId: RunId): string | null => tracked.get(runId)?.id ?? null,
    async flush(): Promise<void> {
      for (const t of tracked.values()) if (t.timer) save(t);
      await Promise.all([...tracked.values()].map((t) => t.queue));
    },
    stop(): void {
      unsubscribe();
      for (const t of tracked.values()) if (t.timer) clearTimeout(t.timer);
    },
  };
}

/** Share of the quota from which the History tab warns. */
export const QUOTA_NEAR = 0.8;

/** The storage verdict from `navigator.storage.estimate()`: how much is used, and a warning when the quota is near. */
export function storageVerdict(usage: number, quota: number): { text: string; near: boolean } {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 2 : 0)} MB`;
  const share = quota > 0 ? usage / quota : 1;
  const near = share >= QUOTA_NEAR;
  const text = `${mb(usage)} used of ${mb(quota)} (${(share * 100).toFixed(1)} %)`;
  return { text, near };
}
