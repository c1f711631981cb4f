/**
 * Node side of HF folder interchange: read a model folder from disk into `HfFile`s (only the files an import reads,
 * so a folder with pytorch_model.bin next to model.safetensors is not read twice over) and write exported files.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HfFolderError, importHfFolder, isHfFolderFile, type HfFile, type ImportedHfModel } from '../models/hfFolder.ts';

export async function readHfFolderFiles(dir: string): Promise<HfFile[]> {
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) throw new HfFolderError(`${dir} is not a folder`);
  const names = (await readdir(dir)).filter(isHfFolderFile).sort();
  return Promise.all(names.map(async (name) => ({ name, bytes: new Uint8Array(await readFile(join(dir, name))) })));
}

export async function writeHfFolderFiles(dir: string, files: HfFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const f of files) {
    const p = join(dir, f.name);
    await writeFile(p, f.bytes);
    paths.push(p);
  }
  return paths;
}

/** readHfFolderFiles + importHfFolder (needs a TF.js backend set). */
export async function loadHfFolder(dir: string): Promise<ImportedHfModel> {
  return importHfFolder(await readHfFolderFiles(dir));
}
