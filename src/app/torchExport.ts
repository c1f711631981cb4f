/**
 * "Export for PyTorch" (issue 18) on the page's side: the worker writes the bundle of `vocabkd export-run`
 * (distill/bundleWriter.ts) file by file; here each file goes, as it arrives, into a .zip (fflate, stored: the shards
 * are int32 arrays that compress little, and a stored zip is written without holding a second copy) that unpacks to
 * the folder the CLI writes, or, where the browser has `showDirectoryPicker`, straight into a folder the user picks
 * (nothing held in memory; a stopped or failed export removes what it wrote). Stop: an AbortSignal.
 */
import { Zip, ZipPassThrough } from 'fflate';
import { trainerClient } from './client.ts';
import { studentTokenizerJson } from './tokenizers.ts';
import type { BundleManifest } from '../distill/bundle.ts';
import type { Recipe } from '../distill/types.ts';
import type { BundleProgress, CorpusSource } from '../worker/protocol.ts';

/** A stored zip without Zip64 (fflate writes none) holds at most 4 GiB. */
export const ZIP_LIMIT_BYTES = 2 ** 32 - 1;

export class ZipTooLargeError extends Error {
  override name = 'ZipTooLargeError';
}

/** The folder the bundle unpacks to (and the zip's name without .zip). */
export const bundleFolderName = (r: Recipe): string => `vocabkd-${r.method}-bundle`;

/** Where the files go: a zip held until the end, or a folder on disk (File System Access API). */
interface Sink {
  add(name: string, bytes: Uint8Array): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

function zipSink(folder: string): Sink & { blob(): Blob } {
  const parts: Uint8Array[] = [];
  let total = 0;
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else parts.push(chunk);
  });
  return {
    async add(name, bytes) {
      total += bytes.length;
      if (total > ZIP_LIMIT_BYTES) {
        throw new ZipTooLargeError(`the bundle passes 4 GiB, more than a .zip holds here: export it into a folder (where the browser offers it) or with vocabkd export-run`);
      }
      const f = new ZipPassThrough(`${folder}/${name}`);
      zip.add(f);
      f.push(bytes, true);
      if (failure) throw failure;
    },
    async finish() {
      zip.end();
      if (failure) throw failure;
    },
    async abort() {
      zip.terminate();
      parts.length = 0;
    },
    blob: () => new Blob(parts as BlobPart[], { type: 'application/zip' }),
  };
}

type DirHandle = FileSystemDirectoryHandle;

function folderSink(parent: DirHandle, folder: string): Sink {
  let root: Promise<DirHandle> | null = null;
  const dirs = new Map<string, Promise<DirHandle>>();
  const dirOf = (path: string[]): Promise<DirHandle> => {
    root ??= parent.getDirectoryHandle(folder, { create: true });
    if (!path.length) return root;
    const key = path.join('/');
    let d = dirs.get(key);
    if (!d) {
      d = dirOf(path.slice(0, -1)).then((p) => p.getDirectoryHandle(path[path.length - 1], { create: true }));
      dirs.set(key, d);
    }
    return d;
  };
  return {
    async add(name, bytes) {
      const path = name.split('/');
      const dir = await dirOf(path.slice(0, -1));
      const w = await (await dir.getFileHandle(path[path.length - 1], { create: true })).createWritable();
      await w.write(bytes as Uint8Array<ArrayBuffer>);
      await w.close();
    },
    async finish() {},
    async abort() {
      if (root) await parent.removeEntry(folder, { recursive: true }).catch(() => {});
    },
  };
}

export interface TorchExportResult {
  manifest: BundleManifest;
  /** The zip's file name (downloaded), or the folder written into the picked one. */
  name: string;
}

/** The page can write into a folder the user picks (Chromium's File System Access API). */
export const canPickFolder = (): boolean => typeof (globalThis as { showDirectoryPicker?: unknown }).showDirectoryPicker === 'function';

/** Asks for the folder to write into (null: the user cancelled the picker). */
export async function pickFolder(): Promise<DirHandle | null> {
  try {
    return await (globalThis as unknown as { showDirectoryPicker(o: { mode: 'readwrite' }): Promise<DirHandle> }).showDirectoryPicker({ mode: 'readwrite' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') return null;
    throw e;
  }
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Builds the bundle of `recipe` with the loaded teacher and `corpus` in the worker and delivers it: `into` a picked
 * folder, else as `<folder>.zip`. Rejects with the worker's named error (RecipeError, TeacherMissingError,
 * BundleStoppedError after `signal` aborted, …) or ZipTooLargeError; nothing partial is kept.
 */
export async function exportForTorch(
  recipe: Recipe, corpus: CorpusSource, opts: { into?: DirHandle; signal?: AbortSignal; onProgress?(p: BundleProgress): void } = {},
): Promise<TorchExportResult> {
  const folder = bundleFolderName(recipe);
  const zip = opts.into ? null : zipSink(folder);
  const sink: Sink = zip ?? folderSink(opts.into!, folder);
  let writes = Promise.resolve();
  let failure: Error | null = null;
  const stopper = new AbortController();
  const stop = () => stopper.abort();
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    const reply = await trainerClient.request({
      type: 'export-bundle', recipe, corpus, studentTokenizerJson: recipe.studentTokenizer === 'tokenizers-tab' ? studentTokenizerJson() : undefined,
    }, {
      signal: stopper.signal,
      onEvent(e) {
        if (e.type === 'bundle-progress') return opts.onProgress?.(e);
        const bytes = new Uint8Array(e.bytes);
        writes = writes.then(() => (failure ? undefined : sink.add(e.name, bytes))).catch((err: Error) => {
          failure ??= err;
          stop(); // the worker stops too: the page cannot keep the files
        });
      },
    });
    await writes;
    if (failure) throw failure;
    if (reply.type !== 'bundle-done') throw new Error(`unexpected reply ${reply.type}`);
    await sink.finish();
    if (zip) download(zip.blob(), `${folder}.zip`);
    return { manifest: reply.manifest, name: zip ? `${folder}.zip` : `${folder}/` };
  } catch (e) {
    await writes;
    await sink.abort();
    throw failure ?? e;
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
}
