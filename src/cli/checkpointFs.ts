/**
 * Run checkpoints on disk (issue 17 §1, issue 14 item 5): `vocabkd distill` and `vocabkd pretrain` write the engine's
 * run checkpoints (train/checkpoint.ts) to `OUT/checkpoints/step-N.ckpt` every `--checkpoint-every` steps and at the
 * end, and `--resume DIR|FILE` continues from the newest readable one. A kill loses at most one checkpoint interval.
 *
 * Writing is atomic and durable: the bytes go to a temporary sibling (`.step-N.ckpt.tmp-PID`), are fsync'ed, renamed
 * into place, and the folder is fsync'ed; only then are older checkpoints removed (the last two are kept). A write that
 * fails half-way (disk full, quota) removes its temporary file and leaves the previous checkpoints as they were.
 * Reading skips a newest checkpoint that does not decode (reported) and takes the one before it.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkpointFromBytes, checkpointToBytes, CheckpointError, type CheckpointKind, type RunCheckpoint } from '../train/checkpoint.ts';
import { UsageError } from './args.ts';
import { atomicWriteFile } from './atomic.ts';
import { fsError } from './files.ts';
import { embeddedCorpusPath, PROJECT_ROOT } from './assets.ts';
import { EMBEDDED_CORPORA } from '../data/corpus.ts';
import { isRunFile, RunFileError, unpackRunFile } from '../train/runFile.ts';

export const CHECKPOINT_DIR = 'checkpoints';
export const KEEP_CHECKPOINTS = 2;
const NAME = /^step-(\d+)\.ckpt$/;

/** Writes all of `bytes` to `path` (the injection point of the tests: a writer that throws part-way). */
export type BytesWriter = (fd: number, bytes: Uint8Array) => void;

const writeAll: BytesWriter = (fd, bytes) => {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
};

/** fsync of a folder, so a rename inside it survives a power loss (not possible on every platform: best effort). */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* Windows cannot open a folder */ }
}

/** The checkpoint files of a folder, newest (highest step) first. */
export function listCheckpoints(dir: string): { step: number; path: string }[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  return names.flatMap((n) => { const m = NAME.exec(n); return m ? [{ step: Number(m[1]), path: join(dir, n) }] : []; }).sort((a, b) => b.step - a.step);
}

/**
 * Writes `c` as OUT/checkpoints/step-N.ckpt atomically, then keeps only the newest `keep`. Returns the path, the size
 * and the milliseconds spent (encoding + writing). A failed write is a FileError naming the path; nothing else changes.
 */
export function saveCheckpoint(out: string, c: RunCheckpoint, opts: { keep?: number; write?: BytesWriter } = {}): { path: string; bytes: number; ms: number } {
  const t0 = performance.now();
  const dir = join(out, CHECKPOINT_DIR);
  const path = join(dir, `step-${c.step}.ckpt`);
  const tmp = join(dir, `.step-${c.step}.ckpt.tmp-${process.pid}`);
  const bytes = checkpointToBytes(c);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      (opts.write ?? writeAll)(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    syncFolder(dir);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fsError(e, path, 'checkpoint');
  }
  for (const old of listCheckpoints(dir).slice(opts.keep ?? KEEP_CHECKPOINTS)) rmSync(old.path, { force: true });
  for (const n of readdirSync(dir)) if (/^\.step-\d+\.ckpt\.tmp-/.test(n)) rmSync(join(dir, n), { force: true }); // a killed run's
  return { path, bytes: bytes.length, ms: performance.now() - t0 };
}

const isFile = (p: string) => { try { return statSync(p).isFile(); } catch { return false; } };

/**
 * The checkpoint to resume from: `target` is a checkpoint file, or a run folder (its checkpoints/ folder, newest
 * readable first). `skipped` names newer files that did not decode. CheckpointError when there is none.
 */
function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw fsError(e, path, '--resume');
  }
}

/**
 * The checkpoint of a run file (train/runFile.ts, e.g. exported from the page's History tab). A page run names its
 * embedded corpus and shipped teacher: they become the resumed command's defaults (given --corpus / --teacher win).
 */
function fromRunFile(path: string, bytes: Uint8Array): RunCheckpoint {
  let run;
  try {
    run = unpackRunFile(bytes);
  } catch (e) {
    throw e instanceof RunFileError ? new RunFileError(`${path}: ${e.message}`) : e;
  }
  const ckpt = run.files.get('checkpoint.ckpt');
  if (!ckpt) throw new RunFileError(`${path}: the run file holds no checkpoint to resume from`);
  let c: RunCheckpoint;
  try {
    c = checkpointFromBytes(ckpt);
  } catch (e) {
    throw e instanceof CheckpointError ? new CheckpointError(`${path}: ${e.message}`, e.reason) : e;
  }
  if (c.extra.cli) return c;
  const { corpus, teacher } = run.manifest.source;
  const host: Record<string, string> = {};
  const embedded = corpus && 'embedded' in corpus ? EMBEDDED_CORPORA.find((x) => x.id === corpus.embedded) : undefined;
  if (embedded) {
    embeddedCorpusPath(); // builds public/corpus/ when missing
    host.corpus = join(PROJECT_ROOT, 'public', embedded.path);
  }
  if (teacher && 'shipped' in teacher && /^[\w-]+$/.test(teacher.shipped)) host.teacher = join(PROJECT_ROOT, 'public', 'models', teacher.shipped);
  return { ...c, extra: { ...c.extra, cli: host } };
}

export function loadCheckpoint(target: string): { path: string; checkpoint: RunCheckpoint; skipped: string[] } {
  const read = (path: string) => {
    try {
      return checkpointFromBytes(new Uint8Array(readFileSync(path)));
    } catch (e) {
      throw e instanceof CheckpointError ? new CheckpointError(`${path}: ${e.message}`, e.reason) : fsError(e, path, '--resume');
    }
  };
  if (isFile(target)) {
    const bytes = readBytes(target);
    return { path: target, checkpoint: isRunFile(bytes) ? fromRunFile(target, bytes) : read(target), skipped: [] };
  }
  const found = listCheckpoints(join(target, CHECKPOINT_DIR));
  if (!found.length) throw new CheckpointError(`--resume ${target}: no checkpoint (${join(target, CHECKPOINT_DIR, 'step-N.ckpt')}) to resume from`, 'format');
  const skipped: string[] = [];
  for (const f of found) {
    try {
      return { path: f.path, checkpoint: read(f.path), skipped };
    } catch (e) {
      if (!(e instanceof CheckpointError) || f === found[found.length - 1]) throw e;
      skipped.push(`${f.path} (${e.message})`);
    }
  }
  throw new CheckpointError(`--resume ${target}: no readable checkpoint`);
}

/** The run folder of a resume target: the folder itself, or the folder above a checkpoint file's checkpoints/. */
export function runFolderOf(target: string): string | null {
  if (!isFile(target)) return target;
  return basename(dirname(target)) === CHECKPOINT_DIR ? dirname(dirname(target)) : null;
}

/** metrics.jsonl as it was at the checkpoint (atomically rewritten: lines logged after it, or a cut last line, go). */
export function restoreMetrics(path: string, points: readonly object[]): void {
  mkdirSync(dirname(path), { recursive: true }); // a run continued into a new folder (--out OTHER, a run file)
  atomicWriteFile(path, points.map((p) => JSON.stringify(p) + '\n').join(''));
}

/**
 * `--resume TARGET`: the newest readable checkpoint of `kind`, the run folder it continues (`--out`, else the folder
 * above TARGET's checkpoints/) and the paths the command recorded in it (`extra.cli`: corpus, teacher …).
 */
export function openResume(target: string, out: string | undefined, kind: CheckpointKind, log: (s: string) => void) {
  const r = loadCheckpoint(target);
  for (const s of r.skipped) log(`warning: skipped an unreadable checkpoint: ${s}`);
  if (r.checkpoint.kind !== kind) throw new CheckpointError(`${r.path} is a ${r.checkpoint.kind} checkpoint; vocabkd ${kind} cannot resume it`, 'kind');
  const dir = out ?? runFolderOf(target);
  if (!dir) throw new UsageError(`--resume ${target}: the checkpoint is not in a run folder's ${CHECKPOINT_DIR}/ folder: give --out`);
  log(`resuming from step ${r.checkpoint.step} (${r.path})`);
  return { checkpoint: r.checkpoint, out: dir, host: (r.checkpoint.extra.cli ?? {}) as Record<string, string> };
}

/** An onCheckpoint body: captures the run state, records the command's paths in it, saves it, logs path, size and times. */
export function checkpointSaver(out: string, host: Record<string, string>, log: (s: string) => void) {
  return async (capture: () => Promise<RunCheckpoint>): Promise<void> => {
    const t0 = performance.now();
    const c = await capture();
    const read = performance.now() - t0;
    const r = saveCheckpoint(out, { ...c, extra: { ...c.extra, cli: host } });
    log(`checkpoint at step ${c.step}: ${r.path} (${(r.bytes / 1e6).toFixed(2)} MB; read back ${read.toFixed(0)} ms, encoded and written ${r.ms.toFixed(0)} ms)`);
  };
}
