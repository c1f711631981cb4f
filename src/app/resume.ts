/**
 * Runs that survive (issue 14 item 2): every checkpoint a run sends goes to the history database (one per run); a
 * lost WebGPU device resumes the run by itself on the backend the client moved to; a crashed worker, and after a
 * reload every history run that never ended and has a checkpoint, is offered as "Resume" (the banner, one click). A
 * resumed run starts from the checkpoint's bytes: the worker continues after its step with the same losses an
 * uninterrupted run would have had (train/checkpoint.ts), and its curves continue (run-resumed carries the points).
 * A run live in another tab holds a Web Lock and is not offered here.
 */
import { EMBEDDED_CORPORA } from '../data/corpus.ts';
import { checkpointFromBytes } from '../train/checkpoint.ts';
import { isFinished, type RunId, type RunRequest } from '../worker/protocol.ts';
import { actions, useWorkbench } from '../store/index.ts';
import type { RunRecord } from '../store/runs.ts';
import { embeddedSource, trainerClient } from './client.ts';
import { checkpointOf, onCheckpoint, onInterrupted, requestOf } from './checkpoints.ts';
import { historyDb, historyIdOf } from './historyPage.ts';
import { getRun, HistoryWriteError, listRuns, loadCheckpoint, saveCheckpoint, saveRun, type HistoryEntry } from './historyDb.ts';
import { recipeFromHash } from './recipeUrl.ts';
import { loadShippedTeacher, reloadTeacher, SHIPPED_TEACHERS } from './models.ts';
import { taskSources } from './tasks.ts';

const lockName = (historyId: string) => `vocabkd-live:${historyId}`;
const message = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;

// ---- checkpoints into the history -----------------------------------------------------------------------------------

onCheckpoint((runId, c) => {
  void (async () => {
    const db = await historyDb;
    const id = historyIdOf(runId);
    if (!db || !id) return;
    try {
      await saveCheckpoint(db, id, c.step, c.data);
    } catch (e) {
      if (!(e instanceof HistoryWriteError)) throw e;
      actions.addError(`History: ${e.message} (the previous checkpoint of this run stays)`); // all or nothing: historyDb.ts
    }
  })();
});

// ---- a live run holds a lock, so that other tabs do not offer it ----------------------------------------------------

const held = new Map<RunId, () => void>();
function holdLocks(runs: Record<RunId, RunRecord>): void {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return;
  for (const [runId, r] of Object.entries(runs)) {
    const id = historyIdOf(runId);
    if (!id) continue;
    if (!isFinished(r.state) && !held.has(runId)) {
      let release = () => {};
      const done = new Promise<void>((res) => (release = res));
      held.set(runId, release);
      void locks.request(lockName(id), () => done);
    } else if (isFinished(r.state) && held.has(runId)) {
      held.get(runId)!();
    }
  }
}
useWorkbench.subscribe((s) => holdLocks(s.runs));

// ---- resuming a run of this session ---------------------------------------------------------------------------------

function runName(runId: RunId): string {
  const r = useWorkbench.getState().runs[runId];
  return r ? `${runId} (${r.kind === 'distill' ? r.recipe?.method ?? 'distill' : 'pretrain'})` : runId;
}

/** Starts the run again from its latest checkpoint (from its start when none came yet); a distillation's teacher is loaded again first. */
export async function resumeSessionRun(runId: RunId, why: 'crash' | 'device' = 'crash'): Promise<RunId | null> {
  const request = requestOf(runId);
  if (!request) return null;
  const c = checkpointOf(runId);
  actions.resumableSet({ key: runId, kind: request.kind, name: runName(runId), step: c?.step ?? 0, why, busy: true });
  try {
    if (request.kind === 'distill' && !(await reloadTeacher())) throw new Error('no teacher to load again: load one in the Models tab');
    const id = await trainerClient.start({ ...request, ...(c ? { resumeFrom: await c.data.arrayBuffer() } : {}) } as RunRequest);
    actions.resumableRemoved(runId);
    return id;
  } catch (e) {
    actions.resumableSet({ key: runId, kind: request.kind, name: runName(runId), step: c?.step ?? 0, why, note: message(e) });
    return null;
  }
}

onInterrupted((i) => {
  const request = requestOf(i.runId);
  if (!request) return;
  if (i.why === 'device' && i.next) void resumeSessionRun(i.runId, 'device'); // automatic: the client already moved to `next`
  else actions.resumableSet({ key: i.runId, kind: request.kind, name: runName(i.runId), step: checkpointOf(i.runId)?.step ?? 0, why: i.why });
});

// ---- after a reload: runs of the history that never ended -----------------------------------------------------------

/** History runs that never ended, have a checkpoint, and are not live in another tab. */
export async function findInterrupted(): Promise<void> {
  const db = await historyDb;
  if (!db) return;
  const live = new Set(((await navigator.locks?.query())?.held ?? []).map((l) => l.name));
  for (const e of await listRuns(db)) {
    const record = e.record as RunRecord;
    if (!e.checkpoint || isFinished(record.state) || live.has(lockName(e.id)) || Object.values(useWorkbench.getState().runs).some((r) => historyIdOf(r.runId) === e.id)) continue;
    actions.resumableSet({ key: e.id, kind: e.kind, name: e.name, step: e.checkpoint.step, why: 'reload' });
  }
}

/** The request a history run started from, rebuilt from its recipe link (corpus and teacher by name). */
async function requestFromHistory(e: HistoryEntry): Promise<RunRequest> {
  const decoded = e.link ? await recipeFromHash(e.link) : null;
  const link = decoded?.link;
  if (!link) throw new Error('the run kept no recipe link to start from');
  const corpus = 'embedded' in link.corpus ? EMBEDDED_CORPORA.find((c) => c.id === (link.corpus as { embedded: string }).embedded) : undefined;
  if (!corpus) throw new Error(`its corpus was a file of yours (${'file' in link.corpus ? link.corpus.file : '?'}): resuming needs an embedded corpus`);
  if (link.kind === 'pretrain') return { kind: 'pretrain', config: link.config, corpus: embeddedSource(corpus) };
  if ('folder' in link.teacher) throw new Error(`its teacher was a folder of yours (${link.teacher.folder}): load it in the Models tab and start again`);
  const shipped = SHIPPED_TEACHERS.find((t) => 'shipped' in link.teacher && t.id === link.teacher.shipped);
  if (!shipped) throw new Error('its teacher is not a shipped one');
  if (useWorkbench.getState().models.teacher?.name !== shipped.name) await loadShippedTeacher(shipped.id);
  return { kind: 'distill', recipe: link.recipe, corpus: embeddedSource(corpus), tasks: taskSources(link.recipe.benchmarks.tasks) };
}

/** Resumes a history run after a reload: the same request, from its stored checkpoint; the old entry says where it went. */
export async function resumeHistoryRun(historyId: string): Promise<RunId | null> {
  const entry = useWorkbench.getState().resumable.find((r) => r.key === historyId);
  if (!entry) return null;
  actions.resumableSet({ ...entry, busy: true, note: undefined });
  try {
    const db = (await historyDb)!;
    const [e, stored] = [await getRun(db, historyId), await loadCheckpoint(db, historyId)];
    if (!e || !stored) throw new Error('the run or its checkpoint is no longer in the history');
    const data = await stored.data.arrayBuffer();
    checkpointFromBytes(new Uint8Array(data)); // a damaged checkpoint is named here, before anything starts
    const id = await trainerClient.start({ ...(await requestFromHistory(e)), resumeFrom: data } as RunRequest);
    if (id) await saveRun(db, historyId, { ...(e.record as RunRecord), state: 'stopped', message: `resumed from step ${stored.step} as a new run` });
    actions.resumableRemoved(historyId);
    return id;
  } catch (err) {
    actions.resumableSet({ ...entry, busy: false, note: message(err) });
    return null;
  }
}

export const resumeRun = (key: string): Promise<RunId | null> => (requestOf(key) ? resumeSessionRun(key) : resumeHistoryRun(key));
export const dismissResumable = (key: string) => actions.resumableRemoved(key);
