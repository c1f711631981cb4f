/**
 * A history run as one file (issue 14 item 5, the format: train/runFile.ts): Export packs its record, its recipe link,
 * its checkpoint and — for this session's latest distillation, whose student the worker holds — the student's Hugging
 * Face folder; Import checks the whole file first (RunFileError, CheckpointError: named, nothing written) and adds the
 * run to the history in one transaction, checkpoint included, so it can be compared, resumed here or continued with
 * `vocabkd distill --resume RUN.vkdrun`.
 */
import { checkpointFromBytes } from '../train/checkpoint.ts';
import { packRunFile, RunFileError, unpackRunFile, type RunSourceRef } from '../train/runFile.ts';
import { latestRun, type RunRecord } from '../store/runs.ts';
import { useWorkbench } from '../store/index.ts';
import { trainerClient } from './client.ts';
import { historyDb, historyIdOf } from './historyPage.ts';
import { getRun, importRun, loadCheckpoint, type HistoryEntry } from './historyDb.ts';
import { recipeFromHash } from './recipeUrl.ts';
import { downloadFiles } from './models.ts';
import { torchRunRecord } from './torchRun.ts';

const enc = new TextEncoder();
const slug = (name: string) => name.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 60) || 'run';

/** The student's HF folder when the worker still holds it (this session's latest distillation, ended). */
async function studentFiles(id: string): Promise<[string, Uint8Array][]> {
  const r = latestRun(useWorkbench.getState(), 'distill');
  if (!r?.outcome || historyIdOf(r.runId) !== id) return [];
  const reply = await trainerClient.request({ type: 'model-export', what: 'student' });
  return reply.type === 'model-files' ? reply.files.map((f) => [`student/${f.name}`, new Uint8Array(f.bytes)]) : [];
}

async function sourceOf(e: HistoryEntry): Promise<RunSourceRef> {
  const link = e.link ? (await recipeFromHash(e.link))?.link : null;
  if (!link) return {};
  return link.kind === 'distill' ? { corpus: link.corpus, teacher: link.teacher } : { corpus: link.corpus };
}

/** Downloads the run's file; its name. */
export async function exportRunFile(id: string): Promise<string> {
  const db = await historyDb;
  const e = db ? await getRun(db, id) : undefined;
  if (!db || !e) throw new RunFileError('the run is no longer in the history');
  const cp = await loadCheckpoint(db, id);
  const files = new Map<string, Uint8Array>([['run.json', enc.encode(JSON.stringify({ name: e.name, kind: e.kind, createdAt: e.createdAt, link: e.link ?? null, record: e.record }))]]);
  if (cp) files.set('checkpoint.ckpt', new Uint8Array(await cp.data.arrayBuffer()));
  for (const [name, b] of await studentFiles(id)) files.set(name, b);
  const bytes = packRunFile({ kind: e.kind, name: e.name, source: await sourceOf(e) }, files);
  return downloadFiles([{ name: `${slug(e.name)}.vkdrun`, bytes: bytes.buffer as ArrayBuffer }])[0];
}

/** Adds a run file to the history (a new entry); its id. */
export async function importRunFile(file: File): Promise<string> {
  const { manifest, files } = unpackRunFile(new Uint8Array(await file.arrayBuffer()));
  let run: { name?: string; createdAt?: number; link?: string | null; record?: RunRecord };
  try {
    run = JSON.parse(new TextDecoder().decode(files.get('run.json')));
  } catch (err) {
    throw new RunFileError(`${file.name}: run.json is not valid JSON (${(err as Error).message})`);
  }
  if (!run.record || run.record.kind !== manifest.kind) throw new RunFileError(`${file.name}: run.json carries no ${manifest.kind} run record`);
  const ckpt = files.get('checkpoint.ckpt');
  const step = ckpt ? checkpointFromBytes(ckpt).step : 0; // a damaged checkpoint is named before anything is written
  const db = await historyDb;
  if (!db) throw new RunFileError('this browser keeps no history (no IndexedDB): the run cannot be imported');
  const now = Date.now();
  const id = `import-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const entry: HistoryEntry = { id, name: `${run.name ?? manifest.name} (imported)`, kind: manifest.kind, createdAt: run.createdAt ?? now, updatedAt: now, record: run.record, ...(run.link ? { link: run.link } : {}) };
  await importRun(db, entry, ckpt ? { step, data: new Blob([ckpt as BlobPart]) } : null, now);
  return id;
}

/** Adds a PyTorch trainer's run (metrics.jsonl, and its summary.json and the bundle's recipe.json when given) to the history. */
export async function importTorchRun(files: File[]): Promise<string> {
  const record = torchRunRecord(await Promise.all(files.map(async (f) => ({ name: f.webkitRelativePath || f.name, text: await f.text() }))));
  const db = await historyDb;
  if (!db) throw new RunFileError('this browser keeps no history (no IndexedDB): the run cannot be imported');
  const now = Date.now();
  const id = `torch-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const method = record.recipe?.method ?? 'distill';
  await importRun(db, { id, name: `PyTorch · ${method} · ${record.points.length} points (imported)`, kind: 'distill', createdAt: now, updatedAt: now, record }, null, now);
  return id;
}
