/**
 * The PyTorch bundle of a distillation run (issue 18; `vocabkd export-run`, read by trainers/torch/): host-neutral
 * content only (no fs, no hashing: the host writes the bytes and checksums them).
 *
 * A bundle is a folder:
 * - `manifest.json`: format, version, method, counts, shapes, and `files` {path: {bytes, sha256}} of every other file;
 * - `recipe.json`; `teacher/` (a copy of the teacher's HF folder); `student-init/` (the engine's initial student as an
 *   HF folder with the student tokenizer: teacher-averaged, FVT or scratch, so both engines start from the same weights);
 * - `alignment.bin`: C (reduce, match: `sharedTeacher`, `sharedStudent`), the reduce-map table (`mapTeacherIds`,
 *   `mapPieceIdx`, `mapValid`, meta M and P), the GLMD kept set (`rankToId`, `lookup`);
 * - `mlm-counts.bin`: float64 student token counts over the training sequences (item 5's max(count, 1)^p weights);
 * - `shards/heldout-NNNNN.bin`: the held-out sequences (every 20th text) on the student's own tokenization with word
 *   ids (`ids`, `wordIds`), written as the corpus is read (version 1 kept them all for one `heldout.bin`);
 * - `shards/train-NNNNN.bin`: the training sequences, written as the corpus is read, ragged int32 arrays: `student`
 *   (+ `teacher`), Reduce `t2s` and `groups` (groupStart per sequence, k + 1 entries), Match `matchTeacher` /
 *   `matchStudent` (positions inside the pair, the k-th with the k-th); each ragged array `x` has `x.offsets` [n + 1].
 *
 * Every .bin file: an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
 * `{"meta": {...}, "arrays": {name: {"dtype": "int32" | "float64", "offset", "length"}}}` padded with spaces to a
 * multiple of 8, then the arrays, little-endian, each at an 8-aligned `offset` from the end of the header: a reader maps
 * the file and views the arrays in place (numpy.memmap / torch.frombuffer).
 */
import type { DistillExample, EvalSequence, DistillData } from './batches.ts';
import { reduceMapTable } from './losses.ts';
import { paddedHeader } from '../models/safetensors.ts';
import type { DistillVocab } from './prepare.ts';
import type { Method, Recipe } from './types.ts';
import type { SpecialIds } from '../alignment/index.ts';

export const BUNDLE_FORMAT = 'vocabkd-torch-bundle';
/** 2: the held-out split in shards (`heldoutShards`), so that no file needs the whole corpus in memory. */
export const BUNDLE_VERSION = 2;

export class BundleError extends Error {
  override name = 'BundleError';
}

export type BinArray = Int32Array | Float64Array;

/** Encodes named arrays (+ JSON meta) as one .bin file (layout in the header comment). */
export function encodeBin(arrays: Record<string, BinArray>, meta: Record<string, unknown> = {}): Uint8Array {
  const entries: Record<string, { dtype: string; offset: number; length: number }> = {};
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries[name] = { dtype: a instanceof Float64Array ? 'float64' : 'int32', offset, length: a.length };
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header = paddedHeader(JSON.stringify({ meta, arrays: entries }));
  const out = new Uint8Array(8 + header.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  const base = 8 + header.length;
  for (const [name, a] of Object.entries(arrays)) {
    const at = base + entries[name].offset;
    if (a instanceof Float64Array) a.forEach((x, i) => view.setFloat64(at + 8 * i, x, true));
    else a.forEach((x, i) => view.setInt32(at + 4 * i, x, true));
  }
  return out;
}

/** Decodes a .bin file (the TS side's reader: tests, and re-reading a bundle). Throws BundleError on a bad layout. */
export function decodeBin(bytes: Uint8Array, what = 'file'): { meta: Record<string, unknown>; arrays: Record<string, BinArray> } {
  if (bytes.length < 8) throw new BundleError(`${what}: ${bytes.length} bytes, too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new BundleError(`${what}: the header length ${n} runs past the file (${bytes.length} bytes)`);
  let header: { meta: Record<string, unknown>; arrays: Record<string, { dtype: string; offset: number; length: number }> };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new BundleError(`${what}: the header is not JSON (${(e as Error).message})`);
  }
  const arrays: Record<string, BinArray> = {};
  for (const [name, e] of Object.entries(header.arrays)) {
    const size = e.dtype === 'float64' ? 8 : 4;
    const at = 8 + n + e.offset;
    if (at + e.length * size > bytes.length) throw new BundleError(`${what}: array ${name} runs past the end of the file`);
    const a = e.dtype === 'float64' ? new Float64Array(e.length) : new Int32Array(e.length);
    for (let i = 0; i < e.length; i++) a[i] = size === 8 ? view.getFloat64(at + 8 * i, true) : view.getInt32(at + 4 * i, true);
    arrays[name] = a;
  }
  return { meta: header.meta, arrays };
}

/** Ragged rows → `{name}` (concatenated) and `{name}.offsets` [n + 1]. */
export function ragged(name: string, rows: readonly ArrayLike<number>[]): Record<string, Int32Array> {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => { offsets[i + 1] = offsets[i] + r.length; });
  const values = new Int32Array(offsets[rows.length]);
  rows.forEach((r, i) => values.set(r, offsets[i]));
  return { [name]: values, [`${name}.offsets`]: offsets };
}

/** One training shard: the examples' streams the method needs (layout in the header comment). */
export function shardArrays(examples: readonly DistillExample[], method: Method): Record<string, Int32Array> {
  const out: Record<string, Int32Array> = { ...ragged('student', examples.map((e) => e.student)) };
  if (method !== 'mlm-only') Object.assign(out, ragged('teacher', examples.map((e) => e.teacher!)));
  if (method === 'reduce' || method === 'reduce-map') {
    Object.assign(out, ragged('t2s', examples.map((e) => e.t2s!.ids)), ragged('groups', examples.map((e) => e.t2s!.groupStart)));
    out.t2sTruncated = Int32Array.from(examples, (e) => (e.t2s!.truncated ? 1 : 0));
  }
  if (method === 'match') {
    Object.assign(out, ragged('matchTeacher', examples.map((e) => e.match!.teacherPos)), ragged('matchStudent', examples.map((e) => e.match!.studentPos)));
  }
  return out;
}

export function heldoutArrays(heldout: readonly EvalSequence[]): Record<string, Int32Array> {
  return { ...ragged('ids', heldout.map((h) => h.ids)), ...ragged('wordIds', heldout.map((h) => h.wordIds)) };
}

/** alignment.bin: C, the reduce-map table or the GLMD kept set, whichever the method uses. */
export function alignmentBin(method: Method, vocab: DistillVocab, shared: DistillData['shared']): Uint8Array {
  const arrays: Record<string, Int32Array> = {};
  const meta: Record<string, unknown> = { method };
  if (shared) Object.assign(arrays, { sharedTeacher: shared.teacherIds, sharedStudent: shared.studentIds });
  if (method === 'reduce-map') {
    const t = reduceMapTable(vocab.sigma!);
    Object.assign(arrays, { mapTeacherIds: t.teacherIds, mapPieceIdx: t.pieceIdx, mapValid: Int32Array.from(t.valid) });
    Object.assign(meta, { M: t.M, P: t.P });
  }
  if (vocab.glmd) {
    Object.assign(arrays, { rankToId: vocab.glmd.rankToId, lookup: vocab.glmd.lookup });
    meta.K = vocab.glmd.K;
  }
  return encodeBin(arrays, meta);
}

/** Sums of DistillData stats over the corpus windows (the manifest's `counts`). */
export type BundleCounts = DistillData['stats'] & { shards: number };

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: number;
  method: Method;
  recipeSha256: string;
  studentVocabSize: number;
  studentSpecials: SpecialIds;
  teacherSpecials: SpecialIds;
  /** Random MLM replacements are drawn from [firstRandom, studentVocabSize). */
  firstRandom: number;
  maxLen: DistillData['maxLen'];
  counts: BundleCounts;
  shards: { file: string; sequences: number }[];
  /** The held-out sequences' shards (counts.heldoutSequences in all). */
  heldoutShards: { file: string; sequences: number }[];
  /** Every file but manifest.json: size and sha256 (hex). */
  files: Record<string, { bytes: number; sha256: string }>;
  notes: string[];
}

/** What the trainer does not implement: refused at export, before any work. */
export function bundleRecipeProblems(r: Recipe): string[] {
  const out: string[] = [];
  if (r.weights.mse > 0) out.push('weights.mse > 0: the PyTorch trainer has no hidden-state MSE term (set weights.mse to 0)');
  if (r.student.embeddingSize !== undefined) out.push('student.embeddingSize: the PyTorch trainer has no factorised embeddings');
  return out;
}
