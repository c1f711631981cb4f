/**
 * Will a Hugging Face folder fit, decided BEFORE its weights are read: config.json and the safetensors header(s) alone
 * (the first 8 + N bytes of each file) give the model's shape, the file sizes and what an import holds at its peak,
 * so a folder shaped like DeepPavlov rubert-base-cased (119,547 × 768, ~680 MiB of F32) is accepted or refused with a
 * named error stating the memory it needs and the limit it hit, without reading 700 MB first.
 *
 * What an import holds (hfFolder.ts, then modelFromWeights): the file bytes, the weights decoded to F32 in our layout,
 * a second copy of every dense kernel while it is transposed ([out, in] → [in, out]) — the host's peak — and then the
 * weights on the backend (the WASM heap, WebGPU buffers; limits.ts `checkBackendLimits`). Host-neutral: a file is an
 * `HfFileRef` (its size and a ranged read), from a dropped `File` in the worker or a file handle in the CLI.
 */
import type { MlmConfig } from './config.ts';
import { fromBertConfigJson } from './hfConfig.ts';
import { countParams, isDenseKernel, paramShapes } from './mlm.ts';
import { readSafetensorsHeader, SafetensorsError, type SafetensorsHeader } from './safetensors.ts';
import { checkBackendLimits, ModelTooLargeError, type BackendLimits } from './limits.ts';
import { HfFolderError, isHfFolderFile } from './hfFolder.ts';

/** One file of a folder, not yet read: its name, size and a ranged read [start, end). */
export interface HfFileRef {
  name: string;
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export interface LoadPlan {
  config: MlmConfig;
  params: number;
  /** The weights as F32 in memory (4 bytes per parameter), on the host and again on the backend. */
  weightBytes: number;
  /** The safetensors file(s) on disk. */
  fileBytes: number;
  /** Dense kernels: copied once more while transposed. */
  denseBytes: number;
  /** The host's peak during an import: file + weights + dense kernels. */
  hostPeakBytes: number;
  largest: { key: string; bytes: number };
  headers: { name: string; header: SafetensorsHeader }[];
}

/** The backend's limits plus the host memory an import may take (`hostBytes`), named by `host` in messages. */
export interface LoadLimits extends BackendLimits {
  hostBytes?: number;
  /** e.g. "the page's import budget", "this machine (VOCABKD_MAX_MEMORY_MB)". */
  host?: string;
}

/**
 * The page's import budget: what a worker may hold while importing dropped files (file bytes + decoded weights + dense
 * kernels being transposed). Browsers give a tab a few GiB at most, and the WASM heap holds the weights again.
 */
export const PAGE_IMPORT_LIMITS = { hostBytes: 2 * 2 ** 30, host: "the page's import budget (2 GiB in one tab)" } as const;

/** What a dropped `File` offers (no DOM types in the engine). */
export interface BlobLike {
  name: string;
  webkitRelativePath?: string;
  size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Dropped files as ranged readers (File.slice: nothing is read until a range is asked for); the import's files only. */
export function blobRefs(files: readonly BlobLike[]): HfFileRef[] {
  return files.map((f) => ({ f, name: f.webkitRelativePath || f.name })).filter(({ name }) => isHfFolderFile(name)).map(({ f, name }) => ({
    name, size: f.size, read: async (start: number, end: number) => new Uint8Array(await f.slice(start, end).arrayBuffer()),
  }));
}

export const MiB = (b: number): string => `${(b / 2 ** 20).toLocaleString('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} MiB`;
const baseName = (name: string) => name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);

async function readJson(ref: HfFileRef, what: string): Promise<unknown> {
  try {
    return JSON.parse(utf8(await ref.read(0, ref.size)));
  } catch (e) {
    throw new HfFolderError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** The header of one safetensors file: its first 8 bytes, then 8 + N; nothing of the tensors. */
export async function readHeaderOf(ref: HfFileRef): Promise<SafetensorsHeader> {
  if (ref.size < 8) throw new SafetensorsError(`${ref.name} is ${ref.size} bytes; a safetensors file starts with an 8-byte header length`);
  const head = await ref.read(0, 8);
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const n = dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true);
  const bytes = n <= ref.size - 8 ? await ref.read(0, 8 + n) : head; // readSafetensorsHeader names a length past the end
  return readSafetensorsHeader(bytes, { fileSize: ref.size });
}

/** The weight files a folder's import reads: model.safetensors, else the shards of model.safetensors.index.json. */
async function weightFiles(files: Map<string, HfFileRef>): Promise<HfFileRef[]> {
  const single = files.get('model.safetensors');
  if (single) return [single];
  const index = files.get('model.safetensors.index.json');
  if (!index) throw new HfFolderError(`no weights: the folder needs model.safetensors (files given: ${[...files.keys()].join(', ') || 'none'})`);
  const j = await readJson(index, 'model.safetensors.index.json') as { weight_map?: Record<string, string> };
  const shards = [...new Set(Object.values(j.weight_map ?? {}).map(String))];
  const missing = shards.filter((s) => !files.has(s));
  if (missing.length) throw new HfFolderError(`model.safetensors.index.json names shards not given: ${missing.join(', ')}`);
  return shards.map((s) => files.get(s)!);
}

/** Reads config.json and the weight headers only; the plan of what importing the folder will hold. */
export async function planHfLoad(refs: HfFileRef[]): Promise<LoadPlan> {
  const files = new Map(refs.map((r) => [baseName(r.name), r]));
  const cfgRef = files.get('config.json');
  if (!cfgRef) throw new HfFolderError(`no config.json (files given: ${[...files.keys()].join(', ') || 'none'})`);
  const config = fromBertConfigJson(await readJson(cfgRef, 'config.json'));
  const weights = await weightFiles(files);
  const headers = [];
  for (const w of weights) headers.push({ name: w.name, header: await readHeaderOf(w) });
  let denseBytes = 0;
  let largest = { key: '', bytes: 0 };
  for (const [key, shape] of paramShapes(config)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    if (isDenseKernel(key) && shape.length === 2) denseBytes += bytes;
    if (bytes > largest.bytes) largest = { key, bytes };
  }
  const params = countParams(config);
  const weightBytes = params * 4;
  const fileBytes = weights.reduce((s, w) => s + w.size, 0);
  return { config, params, weightBytes, fileBytes, denseBytes, hostPeakBytes: fileBytes + weightBytes + denseBytes, largest, headers };
}

/** One line: parameters and the memory figures of a plan. */
export function describePlan(p: LoadPlan): string {
  const c = p.config;
  return `${c.numLayers} × ${c.hiddenSize}, vocabulary ${c.vocabSize.toLocaleString('en')}: ${p.params.toLocaleString('en')} parameters, ${MiB(p.weightBytes)} as F32 ` +
    `(file ${MiB(p.fileBytes)}; importing holds about ${MiB(p.hostPeakBytes)} = file + F32 weights + ${MiB(p.denseBytes)} of dense kernels being transposed)`;
}

/**
 * Throws ModelTooLargeError when the plan does not fit: the backend (checkBackendLimits: one WebGPU buffer, a WebGL
 * texture, the WASM / CPU weight budget), then the host's import memory. Every message states what is needed and the
 * limit, and the model's totals.
 */
export function checkLoadPlan(p: LoadPlan, limits: LoadLimits): void {
  try {
    checkBackendLimits(p.config, limits);
  } catch (e) {
    if (e instanceof ModelTooLargeError) throw new ModelTooLargeError(`${e.message} (the model: ${describePlan(p)})`);
    throw e;
  }
  if (limits.hostBytes !== undefined && p.hostPeakBytes > limits.hostBytes) {
    throw new ModelTooLargeError(
      `importing this model needs about ${MiB(p.hostPeakBytes)} of memory (${describePlan(p)}); ${limits.host ?? 'the import budget'} allows ${MiB(limits.hostBytes)}: ` +
      'use a smaller model, or the CLI on a machine with more memory',
    );
  }
}

/** Dropped files priced and checked before they are read; no import file among them: nothing to check (the import names it). */
export async function checkBlobsFit(files: readonly BlobLike[], limits: LoadLimits): Promise<LoadPlan | null> {
  const refs = blobRefs(files);
  if (!refs.length) return null;
  const plan = await planHfLoad(refs);
  checkLoadPlan(plan, limits);
  return plan;
}
