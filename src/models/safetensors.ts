/**
 * safetensors reader and writer (Hugging Face's tensor file format), pure TypeScript on bytes: runs in the worker,
 * in Node and in the tests. No TF.js.
 *
 * Layout: 8 bytes N (little-endian u64) · N bytes of UTF-8 JSON header · the byte buffer.
 * Header: `{"__metadata__"?: {str: str}, NAME: {"dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end]}, …}`
 * with offsets relative to the start of the byte buffer, row-major little-endian data. The header must begin with `{`
 * and may be padded at the end with spaces (the reference writer pads it so the buffer starts 8-byte aligned).
 *
 * Reading is strict, as in the reference implementation: every tensor's byte range must equal shape × dtype size, lie
 * inside the buffer, not overlap another, and together the ranges must cover the whole buffer (no holes, no trailing
 * bytes). Every violation is a `SafetensorsError` naming the tensor and what is wrong. Float dtypes are decoded to
 * Float32Array (F64 loses precision; F16/BF16 widen exactly); integer dtypes to Int32Array, I64 to BigInt64Array.
 *
 * Writing: F32, F16 (round to nearest even, overflow to ±inf, subnormals, NaN kept) or BF16 (round to nearest even),
 * tensors sorted by dtype size (largest first) then name, as the reference writer does, so the output is deterministic
 * and every tensor is aligned to its element size.
 */

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** Bytes per element of every dtype this module reads. */
export const DTYPE_SIZES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 } as const;
export type SafetensorsDtype = keyof typeof DTYPE_SIZES;
export const SUPPORTED_DTYPES = Object.keys(DTYPE_SIZES) as SafetensorsDtype[];
/** The dtypes `writeSafetensors` can produce. */
export type WritableDtype = 'F32' | 'F16' | 'BF16';
const WRITABLE: readonly string[] = ['F32', 'F16', 'BF16'];

/** The reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) byte offsets relative to the start of the byte buffer. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Tensors in buffer order (by begin offset). */
  tensors: TensorInfo[];
  metadata: Record<string, string> | null;
  /** Absolute file offset where the byte buffer starts (8 + N). */
  bufferStart: number;
}

export type TensorData = Float32Array | Int32Array | BigInt64Array;

export interface ReadTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Float dtypes → Float32Array; I32/I16/I8/U8/BOOL → Int32Array; I64 → BigInt64Array. */
  data: TensorData;
}

export interface SafetensorsFile {
  tensors: Map<string, ReadTensor>;
  metadata: Record<string, string> | null;
}

export interface WriteTensor {
  shape: readonly number[];
  /** Row-major values; length must equal the product of `shape`. */
  data: Float32Array | ArrayLike<number>;
  /** Storage dtype; defaults to the writer's `dtype` option (F32). */
  dtype?: WritableDtype;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function asBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input);
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Parses and validates the header without decoding any tensor data. `fileSize`: the whole file's size when `input`
 * holds only its beginning (at least the 8 + header bytes), so a file on disk is checked (truncated? trailing bytes?)
 * without reading its tensors.
 */
export function readSafetensorsHeader(input: Uint8Array | ArrayBuffer, opts: { fileSize?: number } = {}): SafetensorsHeader {
  const bytes = asBytes(input);
  const size = opts.fileSize ?? bytes.length;
  if (size < 8) throw new SafetensorsError(`file is ${size} bytes; a safetensors file starts with an 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // exact up to 2^53; beyond that it is far past any file anyway
  if (n > size - 8) {
    throw new SafetensorsError(`header length ${n} runs past the end of the file (${size} bytes, at most ${size - 8} left for the header)`);
  }
  if (n > MAX_HEADER_BYTES) throw new SafetensorsError(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + n > bytes.length) throw new SafetensorsError(`the header needs ${8 + n} bytes; ${bytes.length} given`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError('header is not valid UTF-8');
  }
  if (text[0] !== '{') throw new SafetensorsError(`header is not a JSON object: it must begin with "{", got ${JSON.stringify(text.slice(0, 16))}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(json)) throw new SafetensorsError('header is not a JSON object');

  const bufferStart = 8 + n;
  const bufferLength = size - bufferStart;
  let metadata: Record<string, string> | null = null;
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isObj(entry)) throw new SafetensorsError('"__metadata__" must be an object of string → string');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new SafetensorsError(`"__metadata__" value for "${k}" must be a string, got ${JSON.stringify(v)}`);
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    tensors.push(parseEntry(name, entry, bufferLength));
  }
  // Coverage: sorted by begin (then end, so empty tensors sit before a tensor starting at the same offset), every range
  // must start exactly where the previous one ended, and the last must end at the end of the buffer.
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let pos = 0;
  let prev: TensorInfo | null = null;
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    if (begin < pos) {
      throw new SafetensorsError(`tensor "${t.name}": data_offsets [${begin}, ${end}] overlap tensor "${prev!.name}" [${prev!.dataOffsets[0]}, ${prev!.dataOffsets[1]}]`);
    }
    if (begin > pos) {
      throw new SafetensorsError(
        `tensor "${t.name}": data_offsets [${begin}, ${end}] leave a hole of ${begin - pos} bytes after ${prev ? `tensor "${prev.name}"` : 'the start of the buffer'} (bytes ${pos}..${begin}); the tensors must cover the buffer exactly`,
      );
    }
    pos = end;
    prev = t;
  }
  if (pos !== bufferLength) {
    throw new SafetensorsError(`the tensors cover ${pos} of the buffer's ${bufferLength} bytes: ${bufferLength - pos} trailing bytes belong to no tensor`);
  }
  return { tensors, metadata, bufferStart };
}

function parseEntry(name: string, entry: unknown, bufferLength: number): TensorInfo {
  const bad = (what: string) => new SafetensorsError(`tensor "${name}": ${what}`);
  if (!isObj(entry)) throw bad('entry must be an object {dtype, shape, data_offsets}');
  const { dtype, shape, data_offsets: off } = entry;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZES)) {
    throw bad(`unknown dtype ${JSON.stringify(dtype)}; supported: ${SUPPORTED_DTYPES.join(', ')}`);
  }
  if (!Array.isArray(shape)) throw bad(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  shape.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || (d as number) < 0) throw bad(`shape[${i}] is ${JSON.stringify(d)}; dimensions must be non-negative integers`);
  });
  if (!Array.isArray(off) || off.length !== 2) throw bad(`data_offsets must be [begin, end], got ${JSON.stringify(off)}`);
  const [begin, end] = off as unknown[];
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || (begin as number) < 0 || (end as number) < (begin as number)) {
    throw bad(`data_offsets ${JSON.stringify(off)} must be integers with 0 ≤ begin ≤ end`);
  }
  const b = begin as number;
  const e = end as number;
  const dims = shape as number[];
  const expected = numel(dims) * DTYPE_SIZES[dtype as SafetensorsDtype];
  if (expected !== e - b) {
    throw bad(`shape [${dims.join(', ')}] × ${dtype} (${DTYPE_SIZES[dtype as SafetensorsDtype]} bytes) needs ${expected} bytes, but data_offsets [${b}, ${e}] hold ${e - b}`);
  }
  if (e > bufferLength) throw bad(`data_offsets [${b}, ${e}] run past the end of the ${bufferLength}-byte buffer`);
  return { name, dtype: dtype as SafetensorsDtype, shape: dims, dataOffsets: [b, e] };
}

/** A tensor with NaN or ±Infinity values, refused when a model is loaded (hfFolder.ts). */
export class NonFiniteWeightError extends Error {
  override name = 'NonFiniteWeightError';
}

/** Throws NonFiniteWeightError naming the tensor, the count of non-finite values and the first one's index. */
export function assertFinite(name: string, data: ArrayLike<number>): void {
  let bad = 0, first = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) { bad++; if (first < 0) first = i; } // NaN and ±Infinity; one subtraction per value
  }
  if (bad) throw new NonFiniteWeightError(`tensor "${name}" has ${bad} non-finite value${bad > 1 ? 's' : ''} (NaN or Infinity; the first at flat index ${first}, ${data[first]}): the model is broken (a diverged training?); refusing to load it`);
}

/** Reads and validates a whole file; `only` restricts decoding to those names (the header is still fully checked). */
export function readSafetensors(input: Uint8Array | ArrayBuffer, opts: { only?: Iterable<string> } = {}): SafetensorsFile {
  const bytes = asBytes(input);
  const header = readSafetensorsHeader(bytes);
  const only = opts.only ? new Set(opts.only) : null;
  const tensors = new Map<string, ReadTensor>();
  for (const t of header.tensors) {
    if (only && !only.has(t.name)) continue;
    const raw = bytes.subarray(header.bufferStart + t.dataOffsets[0], header.bufferStart + t.dataOffsets[1]);
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data: decode(raw, t.dtype) });
  }
  return { tensors, metadata: header.metadata };
}

/**
 * A copy of `raw` in host byte order (little-endian hosts: a plain copy) in its own ArrayBuffer, so typed-array views
 * are aligned. Not `raw.slice()`: on a Node Buffer that is a view into a shared pool, not a copy.
 */
function hostCopy(raw: Uint8Array, size: number): ArrayBuffer {
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  if (!LITTLE_ENDIAN && size > 1) {
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  }
  return copy.buffer;
}

function decode(raw: Uint8Array, dtype: SafetensorsDtype): TensorData {
  switch (dtype) {
    case 'F32':
      return new Float32Array(hostCopy(raw, 4));
    case 'F64':
      return Float32Array.from(new Float64Array(hostCopy(raw, 8)));
    case 'F16':
      return f16ToF32(new Uint16Array(hostCopy(raw, 2)));
    case 'BF16':
      return bf16ToF32(new Uint16Array(hostCopy(raw, 2)));
    case 'I64':
      return new BigInt64Array(hostCopy(raw, 8));
    case 'I32':
      return new Int32Array(hostCopy(raw, 4));
    case 'I16':
      return Int32Array.from(new Int16Array(hostCopy(raw, 2)));
    case 'I8':
      return Int32Array.from(new Int8Array(hostCopy(raw, 1)));
    case 'U8':
    case 'BOOL':
      return Int32Array.from(raw);
  }
}

// ---- half precision ----------------------------------------------------------------------------------------------

let F16_TABLE: Float32Array | null = null;

/** IEEE 754 binary16 bits → float32 (exact: every half is a float). */
export function f16BitsToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24; // zero or subnormal
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function f16ToF32(bits: Uint16Array): Float32Array {
  if (!F16_TABLE) {
    F16_TABLE = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) F16_TABLE[i] = f16BitsToNumber(i);
  }
  const t = F16_TABLE;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]];
  return out;
}

/** float32 bits (as a uint32) → binary16 bits, round to nearest, ties to even; overflow → ±inf; NaN stays NaN. */
function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const e = (x >>> 23) & 0xff;
  const m = x & 0x7fffff;
  if (e === 255) return sign | (m ? 0x7e00 : 0x7c00);
  const he = e - 112; // rebias 127 → 15
  if (he >= 31) return sign | 0x7c00;
  if (he > 0) {
    let h = (he << 10) | (m >>> 13);
    const rem = m & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into the exponent is correct (up to 0x7c00 = inf)
    return sign | h;
  }
  // Subnormal half (or zero): value = M · 2^(e−150) with M the 24-bit significand; in units of 2^−24 that is
  // M / 2^(126−e).
  const shift = 126 - e; // ≥ 14
  if (shift > 24) return sign; // below half the smallest subnormal (2^−25): rounds to ±0
  const M = m | 0x800000;
  let k = M >>> shift;
  const rem = M & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rem > half || (rem === half && k & 1)) k++; // k = 1024 is the smallest normal, 0x0400: still correct
  return sign | k;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** A number → its nearest binary16 bit pattern (via float32, as torch's .half() does). */
export function numberToF16Bits(v: number): number {
  F32[0] = v;
  return f32BitsToF16Bits(U32[0]);
}

export function f32ToF16(values: Float32Array): Uint16Array {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < u.length; i++) out[i] = f32BitsToF16Bits(u[i]);
  return out;
}

export function bf16ToF32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

/** float32 → bfloat16 bits: round to nearest even on the top 16 bits; NaN kept (quiet). */
export function f32ToBf16(values: Float32Array): Uint16Array {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < u.length; i++) {
    const x = u[i];
    if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) out[i] = (x >>> 16) | 0x40;
    else out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

// ---- writer ------------------------------------------------------------------------------------------------------

/**
 * Serialises tensors to safetensors bytes. `tensors` is a record or a list of [name, tensor] pairs; each tensor is
 * stored as its own `dtype` or else `opts.dtype` (default F32). Throws SafetensorsError on a bad name, shape or length.
 */
/** A JSON header as UTF-8, padded with spaces to a multiple of 8 bytes (safetensors' rule; the bundle's .bin too). */
export function paddedHeader(json: string): Uint8Array {
  const header = new TextEncoder().encode(json);
  const padded = Math.ceil(header.length / 8) * 8;
  if (padded === header.length) return header;
  const h = new Uint8Array(padded).fill(0x20);
  h.set(header);
  return h;
}

export function writeSafetensors(
  tensors: Record<string, WriteTensor> | Iterable<[string, WriteTensor]>,
  opts: { dtype?: WritableDtype; metadata?: Record<string, string> } = {},
): Uint8Array {
  const entries = isIterable(tensors) ? [...tensors] : Object.entries(tensors);
  const fallback = opts.dtype ?? 'F32';
  const seen = new Set<string>();
  const prepared = entries.map(([name, t]) => {
    if (typeof name !== 'string' || name === '' || name === '__metadata__') throw new SafetensorsError(`invalid tensor name ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new SafetensorsError(`tensor "${name}" is given twice`);
    seen.add(name);
    const dtype = t.dtype ?? fallback;
    if (!WRITABLE.includes(dtype)) throw new SafetensorsError(`tensor "${name}": cannot write dtype ${JSON.stringify(dtype)}; writable: ${WRITABLE.join(', ')}`);
    t.shape.forEach((d, i) => {
      if (!Number.isSafeInteger(d) || d < 0) throw new SafetensorsError(`tensor "${name}": shape[${i}] is ${d}; dimensions must be non-negative integers`);
    });
    const n = numel(t.shape);
    if (t.data.length !== n) throw new SafetensorsError(`tensor "${name}": shape [${t.shape.join(', ')}] has ${n} elements but the data has ${t.data.length}`);
    return { name, dtype, shape: [...t.shape], data: t.data };
  });
  // The reference writer's order: larger element size first (keeps every tensor aligned), then by name.
  prepared.sort((a, b) => DTYPE_SIZES[b.dtype] - DTYPE_SIZES[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parts: string[] = [];
  if (opts.metadata) {
    const meta: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`metadata value for "${k}" must be a string`);
      meta[k] = v;
    }
    parts.push(`"__metadata__":${JSON.stringify(meta)}`);
  }
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const t of prepared) {
    const f32 = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    const stored = t.dtype === 'F32' ? f32 : t.dtype === 'F16' ? f32ToF16(f32) : f32ToBf16(f32);
    const chunk = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
    const size = DTYPE_SIZES[t.dtype];
    if (!LITTLE_ENDIAN && size > 1) {
      const swapped = chunk.slice();
      for (let i = 0; i < swapped.length; i += size) swapped.subarray(i, i + size).reverse();
      chunks.push(swapped);
    } else chunks.push(chunk);
    // JSON.stringify keeps our key order: built as text, so integer-like names are not moved to the front.
    parts.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + chunk.byteLength] })}`);
    offset += chunk.byteLength;
  }
  const header = paddedHeader(`{${parts.join(',')}}`);
  const out = new Uint8Array(8 + header.length + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, header.length % 2 ** 32, true);
  dv.setUint32(4, Math.floor(header.length / 2 ** 32), true);
  out.set(header, 8);
  let pos = 8 + header.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

function isIterable(x: unknown): x is Iterable<[string, WriteTensor]> {
  return typeof x === 'object' && x !== null && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
