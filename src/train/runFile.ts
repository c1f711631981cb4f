/**
 * A run as one file (issue 14 item 5), so that it moves between machines, between the page and the CLI
 * (`vocabkd distill --resume RUN.vkdrun`): `run.json` (the run's record: name, kind, recipe or run description, metric
 * points, benchmark scores, summary), `checkpoint.ckpt` (train/checkpoint.ts: the whole state to resume from) and,
 * when the host has it, the student as a Hugging Face folder (`student/config.json`, `student/model.safetensors`, …).
 * Host-free: bytes in, bytes out.
 *
 * Layout: the 8 bytes "VKDRUN1\n", a u32 (little-endian) manifest length, the manifest (UTF-8 JSON: format, version,
 * the run's kind and name, where its corpus and teacher came from, and per file its name, length and FNV-1a
 * checksum), then the files' bytes in manifest order. `unpackRunFile` checks all of it and names what is wrong
 * (RunFileError: truncated, not a run file, another version, a checksum that does not match): nothing is returned
 * half-read, so an import either has every file or fails.
 */

export const RUN_FILE_MAGIC = 'VKDRUN1\n';
export const RUN_FILE_FORMAT = 'vocabkd-run';
export const RUN_FILE_VERSION = 1;

export class RunFileError extends Error {
  override name = 'RunFileError';
}

/** Where the run's inputs came from, by name (a page's embedded corpus and shipped teacher, or a user's file / folder). */
export interface RunSourceRef {
  corpus?: { embedded: string } | { file: string };
  teacher?: { shipped: string } | { folder: string };
}

export interface RunFileManifest {
  format: string;
  version: number;
  kind: 'pretrain' | 'distill';
  name: string;
  source: RunSourceRef;
  files: { name: string; length: number; fnv: string }[];
}

export interface RunFile {
  manifest: RunFileManifest;
  files: Map<string, Uint8Array>;
}

function fnv(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

const enc = new TextEncoder();

export function packRunFile(head: Omit<RunFileManifest, 'format' | 'version' | 'files'>, files: Map<string, Uint8Array>): Uint8Array {
  if (!files.has('run.json')) throw new RunFileError('a run file needs run.json');
  const list = [...files].map(([name, b]) => ({ name, length: b.length, fnv: fnv(b) }));
  const manifest = enc.encode(JSON.stringify({ format: RUN_FILE_FORMAT, version: RUN_FILE_VERSION, ...head, files: list } satisfies RunFileManifest));
  const total = 12 + manifest.length + list.reduce((n, f) => n + f.length, 0);
  const out = new Uint8Array(total);
  out.set(enc.encode(RUN_FILE_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, manifest.length, true);
  out.set(manifest, 12);
  let at = 12 + manifest.length;
  for (const b of files.values()) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** True when the bytes start like a run file (the CLI tells a run file from a checkpoint by this). */
export const isRunFile = (bytes: Uint8Array): boolean => bytes.length >= 8 && new TextDecoder().decode(bytes.subarray(0, 8)) === RUN_FILE_MAGIC;

function readManifest(bytes: Uint8Array): RunFileManifest {
  if (!isRunFile(bytes)) throw new RunFileError('not a vocabkd run file (it does not start with "VKDRUN1")');
  if (bytes.length < 12) throw new RunFileError('the run file is truncated (no manifest length)');
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + n > bytes.length) throw new RunFileError(`the run file is truncated: its manifest needs ${n} bytes, ${bytes.length - 12} are there`);
  let m: RunFileManifest;
  try {
    m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + n)));
  } catch (e) {
    throw new RunFileError(`the run file's manifest is not valid JSON: ${(e as Error).message}`);
  }
  if (m?.format !== RUN_FILE_FORMAT) throw new RunFileError(`not a vocabkd run file (format ${JSON.stringify(m?.format ?? null)})`);
  if (m.version !== RUN_FILE_VERSION) throw new RunFileError(`run file version ${m.version} is not supported (this build reads version ${RUN_FILE_VERSION})`);
  if ((m.kind !== 'pretrain' && m.kind !== 'distill') || !Array.isArray(m.files)) throw new RunFileError("the run file's manifest lacks its kind or its file list");
  return m;
}

export function unpackRunFile(bytes: Uint8Array): RunFile {
  const manifest = readManifest(bytes);
  let at = 12 + new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files) {
    if (at + f.length > bytes.length) throw new RunFileError(`the run file is truncated: ${f.name} needs ${f.length} bytes, ${Math.max(0, bytes.length - at)} are there`);
    const b = bytes.subarray(at, at + f.length);
    if (fnv(b) !== f.fnv) throw new RunFileError(`the run file is damaged: ${f.name} does not match its checksum`);
    files.set(f.name, b);
    at += f.length;
  }
  if (at !== bytes.length) throw new RunFileError(`the run file has ${bytes.length - at} bytes after its last file`);
  if (!files.has('run.json')) throw new RunFileError('the run file has no run.json');
  return { manifest, files };
}
