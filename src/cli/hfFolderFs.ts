/**
 * Node side of HF folder interchange: read a model folder from disk into `HfFile`s (only the files an import reads,
 * so a folder with pytorch_model.bin next to model.safetensors is not read twice over) and write exported files
 * (checked first: files whose special-token ids disagree with their vocabulary are refused and nothing is written).
 * A folder is priced from config.json and its safetensors headers before its weights are read (`loadHfFolder`).
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { checkLoadPlan, planHfLoad, type HfFileRef, type LoadLimits, type LoadPlan } from '../models/loadPlan.ts';
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

/** The import files of `dir` as ranged readers (sizes from stat; nothing read yet). */
export async function hfFolderRefs(dir: string): Promise<HfFileRef[]> {
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) throw new HfFolderError(`${dir} is not a folder`);
  const names = (await readdir(dir)).filter(isHfFolderFile).sort();
  return Promise.all(names.map(async (name) => {
    const path = join(dir, name);
    const size = (await stat(path)).size;
    const read = async (start: number, end: number) => {
      const fh = await open(path, 'r');
      try {
        const buf = new Uint8Array(end - start);
        const { bytesRead } = await fh.read(buf, 0, buf.length, start);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    };
    return { name, size, read };
  }));
}

/**
 * The CLI's import memory: VOCABKD_MAX_MEMORY_MB when set, else 80 % of this machine's memory (typed arrays live
 * outside V8's heap, so the machine is the limit).
 */
export function cliLoadLimits(backend = tf.getBackend()): LoadLimits {
  const env = process.env.VOCABKD_MAX_MEMORY_MB;
  if (env !== undefined && env !== '') {
    const mb = Number(env);
    if (!(mb > 0)) throw new HfFolderError(`VOCABKD_MAX_MEMORY_MB must be a positive number of MiB; got "${env}"`);
    return { backend, hostBytes: mb * 2 ** 20, host: `VOCABKD_MAX_MEMORY_MB=${env}` };
  }
  return { backend, hostBytes: Math.floor(totalmem() * 0.8), host: `this machine (80 % of ${(totalmem() / 2 ** 30).toFixed(1)} GiB; set VOCABKD_MAX_MEMORY_MB to change)` };
}

/**
 * A folder from disk: config.json and the safetensors headers are read first and the model priced (loadPlan.ts:
 * ModelTooLargeError before a weight is read), then readHfFolderFiles + importHfFolder (needs a TF.js backend set).
 */
export async function loadHfFolder(dir: string, limits: LoadLimits = cliLoadLimits()): Promise<ImportedHfModel & { plan: LoadPlan }> {
  const plan = await planHfLoad(await hfFolderRefs(dir));
  checkLoadPlan(plan, limits);
  return { ...importHfFolder(await readHfFolderFiles(dir)), plan };
}
