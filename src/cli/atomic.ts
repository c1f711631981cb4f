/**
 * Atomic outputs (issue 17 §1): every file or folder the CLI writes appears complete or not at all. A file is written
 * to a temporary sibling (`.NAME.tmp-PID-RANDOM`) and renamed over its destination; a folder is written whole into a
 * temporary sibling folder and renamed into place (a previous folder, with --overwrite, is first renamed aside and
 * removed after). A kill at any moment leaves the previous complete output, the new complete output, or, in the one
 * instant between the two renames of an overwrite, no output; never a mix. Leftover `.NAME.tmp-*` siblings of a killed
 * run are garbage, never read, and removed by the next write of the same output (`sweepStale`).
 *
 * `--out` checks: an existing file where a folder is wanted, or a non-empty folder without --overwrite, is an
 * OutputError (exit code 2) before any work starts.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileError, fsError } from './files.ts';

export class OutputError extends Error {
  override name = 'OutputError';
}

export interface OutFile {
  name: string;
  bytes: Uint8Array | string;
}

const tmpSibling = (path: string, tag: string) => join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
};

/** Removes the temporary siblings of `path` that a killed process left (`.NAME.tmp-PID-…` / `.old-` of a dead PID). */
export function sweepStale(path: string): void {
  const dir = dirname(path);
  const prefix = new RegExp(`^\\.${basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-(\\d+)-`);
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    const m = prefix.exec(n);
    if (m && Number(m[2]) !== process.pid && !alive(Number(m[2]))) rmSync(join(dir, n), { recursive: true, force: true });
  }
}

/** Test hook: VOCABKD_SLOW_WRITE_MS pauses after each file of a folder write, so a test can kill a process mid-write. */
function slowWrite(): void {
  const ms = Number(process.env.VOCABKD_SLOW_WRITE_MS ?? 0);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Checks `--out` for a folder output: an existing file, or a non-empty folder without `overwrite`, is refused. */
export function checkOutFolder(out: string, overwrite: boolean, flag = '--out'): void {
  if (!existsSync(out)) return;
  const s = statSync(out);
  if (!s.isDirectory()) throw new OutputError(`${flag} ${out} is an existing file, not a folder: remove it or choose another ${flag}`);
  if (!overwrite && readdirSync(out).length > 0) throw new OutputError(`${flag} ${out} is not empty: pass --overwrite to replace it whole, or choose another ${flag}`);
}

/** Checks `--out` for a file output: an existing folder is refused. */
export function checkOutFile(out: string, flag = '--out'): void {
  if (existsSync(out) && statSync(out).isDirectory()) throw new OutputError(`${flag} ${out} is a folder: give a file path`);
}

/** Writes one file atomically (temporary sibling, then rename). */
export function atomicWriteFile(path: string, data: Uint8Array | string): void {
  checkOutFile(path);
  sweepStale(path);
  const tmp = tmpSibling(path, 'tmp');
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fsError(e, path, 'output');
  }
}

/** Puts the complete folder `tmp` at `dest`, replacing what is there (an empty folder, or any folder when overwriting). */
function swapInto(tmp: string, dest: string): void {
  if (!existsSync(dest)) { renameSync(tmp, dest); return; }
  const old = tmpSibling(dest, 'old');
  renameSync(dest, old);
  renameSync(tmp, dest);
  rmSync(old, { recursive: true, force: true });
}

/** Hard-links (else copies) the files of the sub-folder `entry` of `from` into `to`: what a replaced folder keeps. */
function carry(from: string, to: string, entry: string): void {
  const src = join(from, entry);
  if (!existsSync(src) || !statSync(src).isDirectory()) return;
  mkdirSync(join(to, entry));
  for (const n of readdirSync(src)) {
    try { linkSync(join(src, n), join(to, entry, n)); } catch { copyFileSync(join(src, n), join(to, entry, n)); }
  }
}

/** The checks of an output folder, its dead temporaries swept, and its new temporary sibling created (its path). */
function openTmpFolder(dest: string, overwrite: boolean): string {
  checkOutFolder(dest, overwrite);
  sweepStale(dest);
  const tmp = tmpSibling(dest, 'tmp');
  try {
    mkdirSync(dirname(dest), { recursive: true });
    mkdirSync(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw fsError(e, dest, 'output');
  }
  return tmp;
}

/**
 * Writes `files` as the folder `dest`, atomically. `dest` may exist empty; a non-empty one only with `overwrite`
 * (it is then replaced whole, except the sub-folders named in `keep`, carried into the new folder: a run's
 * checkpoints/). Returns the final paths.
 */
export function atomicWriteFolder(dest: string, files: OutFile[], opts: { overwrite?: boolean; keep?: string[] } = {}): string[] {
  const tmp = openTmpFolder(dest, opts.overwrite ?? false);
  try {
    for (const f of files) {
      writeFileSync(join(tmp, f.name), f.bytes);
      slowWrite();
    }
    for (const k of opts.keep ?? []) carry(dest, tmp, k);
    swapInto(tmp, dest);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e instanceof FileError || e instanceof OutputError ? e : fsError(e, dest, 'output');
  }
  return files.map((f) => join(dest, f.name));
}

/**
 * A run folder that fills as a run goes (distill's metrics.jsonl): refused like any --out; with `overwrite` the previous
 * folder is renamed aside and removed first, so the new run never mixes with the old one's files.
 */
export function freshRunFolder(out: string, overwrite: boolean): void {
  checkOutFolder(out, overwrite);
  try {
    if (existsSync(out)) {
      const old = tmpSibling(out, 'old');
      renameSync(out, old);
      rmSync(old, { recursive: true, force: true });
    }
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw fsError(e, out, 'output');
  }
}

/**
 * A folder written file by file as the work goes (export-run's shards, written as the corpus is read), complete or
 * absent like `atomicWriteFolder`: files go into a temporary sibling, `commit()` puts it at `dest`, `abort()` removes it.
 */
export function atomicFolderWriter(dest: string, opts: { overwrite?: boolean } = {}): { write(name: string, bytes: Uint8Array | string): void; commit(): void; abort(): void } {
  const tmp = openTmpFolder(dest, opts.overwrite ?? false);
  return {
    write(name, bytes) {
      try {
        mkdirSync(dirname(join(tmp, name)), { recursive: true });
        writeFileSync(join(tmp, name), bytes);
      } catch (e) {
        throw fsError(e, join(dest, name), 'output');
      }
      slowWrite();
    },
    commit() {
      try { swapInto(tmp, dest); } catch (e) { rmSync(tmp, { recursive: true, force: true }); throw fsError(e, dest, 'output'); }
    },
    abort: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
