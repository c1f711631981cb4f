/**
 * Node side of HF folder interchange: read a model folder from disk into `HfFile`s (only the files an import reads,
 * so a folder with pytorch_model.bin next to model.safetensors is not read twice over) and write exported files
 * (checked first: files whose special-token ids disagree with their vocabulary are refused and nothing is written).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HfFolderError, importHfFolder, isHfFolderFile, type HfFile, type ImportedHfModel } from '../models/hfFolder.ts';
import { checkFolderSpecials } from '../models/hfSpecials.ts';
import { atomicWriteFolder } from './atomic.ts';

export async function readHfFolderFiles(dir: string): Promise<HfFile[]> {
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) throw new HfFolderError(`${dir} is not a folder`);
  const names = (await readdir(dir)).filter(isHfFolderFile).sort();
  return Promise.all(names.map(async (name) => ({ name, bytes: new Uint8Array(await readFile(join(dir, name))) })));
}

/**
 * Writes the files as the folder `dir`, atomically (src/cli/atomic.ts: complete or absent; a non-empty `dir` only with
 * `overwrite`, then replaced whole); SpecialTokenMismatchError, before anything is created, when their ids disagree.
 */
export async function writeHfFolderFiles(dir: string, files: HfFile[], opts: { overwrite?: boolean; keep?: string[] } = {}): Promise<string[]> {
  checkFolderSpecials(files);
  return atomicWriteFolder(dir, files, opts);
}

/** readHfFolderFiles + importHfFolder (needs a TF.js backend set). */
export async function loadHfFolder(dir: string): Promise<ImportedHfModel> {
  return importHfFolder(await readHfFolderFiles(dir));
}
