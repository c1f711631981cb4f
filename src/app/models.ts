/** Model actions of the page: load (shipped teacher at start, or dropped files), fill-mask, export as downloads. */
import { assetUrl, booted, trainerClient } from './client.ts';
import { mark } from '../worker/trainerClient.ts';
import { actions } from '../store/index.ts';
import type { ModelSource } from '../worker/protocol.ts';

const message = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;

export const SHIPPED_TEACHER = { id: 'teacher-en', path: 'models/teacher-en/', name: 'shipped English teacher (Moby-Dick, 16k WordPiece)' };
/** The shipped teachers (public/models/<id>/, README model cards); the English one loads at start, `?teacher=ru` the Russian one. */
export const SHIPPED_TEACHERS = [
  SHIPPED_TEACHER,
  { id: 'teacher-ru', path: 'models/teacher-ru/', name: 'shipped Russian teacher (Chekhov, Pushkin, Gogol, Lermontov; 24k WordPiece)' },
] as const;
export type ShippedTeacherId = (typeof SHIPPED_TEACHERS)[number]['id'];

/** The source of the teacher loaded last: a fresh worker (after a crash or a lost device) loads it again. */
let lastSource: ModelSource | null = null;

/** What the Models tab says is loading: "the shipped … teacher", a folder's or file's name. */
const loadingName = (source: ModelSource) => (source.kind === 'url' ? `the ${source.name}` : source.name);

export async function loadModel(source: ModelSource): Promise<void> {
  lastSource = source;
  actions.modelLoadStarted(loadingName(source));
  try {
    const r = await trainerClient.request({ type: 'model-load', source });
    if (r.type === 'model-loaded') {
      mark('teacher-loaded');
      actions.modelLoaded(r.summary, r.tokenizerJson);
    }
  } catch (e) {
    actions.modelLoadFailed(message(e)); // the previous teacher stays (nothing half-loaded)
  }
}

/** Loads the last teacher again (a new worker has none); false when none was loaded. */
export async function reloadTeacher(): Promise<boolean> {
  if (!lastSource) return false;
  await loadModel(lastSource);
  return true;
}

const shipped = (id: ShippedTeacherId) => SHIPPED_TEACHERS.find((x) => x.id === id) ?? SHIPPED_TEACHER;

function shippedSource(id: ShippedTeacherId): ModelSource {
  const t = shipped(id);
  return { kind: 'url', base: assetUrl(t.path), name: t.name };
}

export function loadShippedTeacher(id: ShippedTeacherId = SHIPPED_TEACHER.id): Promise<void> {
  return loadModel(shippedSource(id));
}

/** `?teacher=` at start: none → no teacher; ru / teacher-ru → the Russian one; anything else → the English one. */
export function startTeacher(param: string | null): ShippedTeacherId | null {
  if (param === 'none') return null;
  return SHIPPED_TEACHERS.find((t) => t.id === param || t.id === `teacher-${param}`)?.id ?? SHIPPED_TEACHER.id;
}

// A shipped teacher loads at start, once the backend is ready, through the same import path a user's folder takes
// (?teacher=none skips it). Here, not in client.ts: this module imports the client, never the reverse. The tab says it
// is loading from the start (not "no teacher loaded" while the backend initialises).
const atStart = startTeacher(new URLSearchParams(globalThis.location?.search ?? '').get('teacher'));
if (atStart) {
  actions.modelLoadStarted(`the ${shipped(atStart).name} (waiting for the backend)`);
  void booted.then(() => loadShippedTeacher(atStart), (e: unknown) => actions.modelLoadFailed(`the ${shipped(atStart).name} was not loaded: ${message(e)}`));
}

/** Fill-mask with the loaded teacher, or the latest Train MLM checkpoint (`target` 'checkpoint'). */
export async function runFillMask(text: string, top = 5, target: 'teacher' | 'checkpoint' = 'teacher'): Promise<void> {
  actions.fillMaskStarted();
  try {
    const r = await trainerClient.request({ type: 'fill-mask', text, top, target });
    if (r.type === 'fill-mask-result') actions.fillMaskDone(text, r.results);
  } catch (e) {
    actions.fillMaskFailed(message(e));
  }
}

/** Offers each file as a browser download; returns their names. */
export function downloadFiles(files: { name: string; bytes: ArrayBuffer }[]): string[] {
  for (const f of files) {
    const url = URL.createObjectURL(new Blob([f.bytes]));
    const a = document.createElement('a');
    a.href = url;
    a.download = f.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }
  return files.map((f) => f.name);
}

/** Exports as an HF folder: one download per file (config.json, model.safetensors, tokenizer.json, vocab.txt, …). */
export async function exportModel(what: 'teacher' | 'checkpoint'): Promise<string[]> {
  actions.setModelError(null);
  try {
    const r = await trainerClient.request({ type: 'model-export', what });
    return r.type === 'model-files' ? downloadFiles(r.files) : [];
  } catch (e) {
    actions.setModelError(message(e));
    return [];
  }
}
