// safetensors: hand-built golden files (bytes written out here, not by our writer), half/bfloat16 rounding against
// hand-worked bit patterns and a nearest-value property check, writer round trips, and every validation error.
import { describe, expect, it } from 'vitest';
import {
  f16BitsToNumber,
  f32ToBf16,
  numberToF16Bits,
  readSafetensors,
  readSafetensorsHeader,
  SafetensorsError,
  writeSafetensors,
} from './safetensors.ts';

/** 8-byte LE length + header text (padded with spaces to `pad`) + buffer; `declared` overrides the length field. */
function file(header: string | object, buffer: Uint8Array = new Uint8Array(0), opts: { pad?: number; declared?: number } = {}): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  if (opts.pad) while (text.length % opts.pad) text += ' ';
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + buffer.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, opts.declared ?? h.length, true);
  out.set(h, 8);
  out.set(buffer, 8 + h.length);
  return out;
}

const le32 = (...vals: number[]) => {
  const b = new Uint8Array(vals.length * 4);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return b;
};
const le16 = (...bits: number[]) => {
  const b = new Uint8Array(bits.length * 2);
  const dv = new DataView(b.buffer);
  bits.forEach((v, i) => dv.setUint16(2 * i, v, true));
  return b;
};
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function expectError(bytes: Uint8Array, ...fragments: (string | RegExp)[]) {
  let err: unknown;
  try {
    readSafetensors(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SafetensorsError);
  expect((err as Error).name).toBe('SafetensorsError');
  for (const f of fragments) expect((err as Error).message).toMatch(f);
}

describe('reading hand-built files', () => {
  it('a 2×2 F32 and a 4-element F16 (1.0, −2.0, 65504, smallest subnormal) with metadata', () => {
    const header = {
      __metadata__: { format: 'pt' },
      w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      h: { dtype: 'F16', shape: [4], data_offsets: [16, 24] },
    };
    const bytes = file(header, cat(le32(1, -2, 0.5, 3), le16(0x3c00, 0xc000, 0x7bff, 0x0001)), { pad: 8 });
    // The raw F16 bytes, as a PyTorch writer would lay them out (little-endian): 00 3C | 00 C0 | FF 7B | 01 00.
    expect([...bytes.subarray(bytes.length - 8)]).toEqual([0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00]);
    const f = readSafetensors(bytes);
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.tensors.get('w')).toEqual({ dtype: 'F32', shape: [2, 2], data: Float32Array.from([1, -2, 0.5, 3]) });
    const h = f.tensors.get('h')!;
    expect(h.shape).toEqual([4]);
    expect([...h.data]).toEqual([1, -2, 65504, 2 ** -24]);
  });

  it('BF16, F64, I64, I32, I8 and U8 payloads; a scalar and an empty tensor', () => {
    const i64 = new Uint8Array(16);
    new DataView(i64.buffer).setBigInt64(0, -5n, true);
    new DataView(i64.buffer).setBigInt64(8, 2n ** 40n, true);
    const i32 = new Uint8Array(8);
    new DataView(i32.buffer).setInt32(0, -7, true);
    new DataView(i32.buffer).setInt32(4, 123456, true);
    const f64 = new Uint8Array(8);
    new DataView(f64.buffer).setFloat64(0, 0.25, true);
    const header = {
      l: { dtype: 'I64', shape: [2], data_offsets: [0, 16] },
      d: { dtype: 'F64', shape: [], data_offsets: [16, 24] },
      i: { dtype: 'I32', shape: [2], data_offsets: [24, 32] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [32, 36] },
      e: { dtype: 'F32', shape: [0, 3], data_offsets: [36, 36] },
      s: { dtype: 'I8', shape: [2], data_offsets: [36, 38] },
      u: { dtype: 'U8', shape: [2], data_offsets: [38, 40] },
    };
    const f = readSafetensors(file(header, cat(i64, f64, i32, le16(0x3f80, 0xc040), new Uint8Array([0xff, 0x05]), new Uint8Array([0xff, 0x05]))));
    expect(f.tensors.get('l')!.data).toEqual(BigInt64Array.from([-5n, 2n ** 40n]));
    expect(f.tensors.get('d')).toEqual({ dtype: 'F64', shape: [], data: Float32Array.from([0.25]) });
    expect(f.tensors.get('i')!.data).toEqual(Int32Array.from([-7, 123456]));
    expect([...f.tensors.get('b')!.data]).toEqual([1, -3]);
    expect(f.tensors.get('e')!.data.length).toBe(0);
    expect([...f.tensors.get('s')!.data]).toEqual([-1, 5]);
    expect([...f.tensors.get('u')!.data]).toEqual([255, 5]);
    expect(f.metadata).toBeNull();
  });

  it('header lists tensors in buffer order regardless of JSON order; `only` decodes a subset', () => {
    const header = { b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } };
    const bytes = file(header, le32(7, 8));
    expect(readSafetensorsHeader(bytes).tensors.map((t) => t.name)).toEqual(['a', 'b']);
    const f = readSafetensors(bytes, { only: ['b'] });
    expect([...f.tensors.keys()]).toEqual(['b']);
    expect([...f.tensors.get('b')!.data]).toEqual([8]);
  });

  it('accepts an ArrayBuffer and a Uint8Array view that does not start at offset 0', () => {
    const bytes = file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, le32(1, 2));
    expect([...readSafetensors(bytes.slice().buffer).tensors.get('a')!.data]).toEqual([1, 2]);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect([...readSafetensors(shifted.subarray(3)).tensors.get('a')!.data]).toEqual([1, 2]);
  });

  it('accepts a Node Buffer from the shared pool (whose slice() is a view, not a copy)', () => {
    const bytes = file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, h: { dtype: 'F16', shape: [2], data_offsets: [8, 12] } }, cat(le32(1, 2), le16(0x3c00, 0xc000)));
    const pooled = Buffer.from(bytes); // small Buffers share one 8 KiB ArrayBuffer at a non-zero offset
    expect(pooled.buffer.byteLength).toBeGreaterThan(bytes.length);
    const f = readSafetensors(pooled);
    expect([...f.tensors.get('a')!.data]).toEqual([1, 2]);
    expect([...f.tensors.get('h')!.data]).toEqual([1, -2]);
  });
});

describe('float16 conversion', () => {
  const cases: [number, number][] = [
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65519.99, 0x7bff], // just below the midpoint to infinity
    [65520, 0x7c00], // the midpoint: ties to even → +inf
    [1e6, 0x7c00],
    [-Infinity, 0xfc00],
    [0, 0x0000],
    [-0, 0x8000],
    [0.1, 0x2e66],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // half of it: tie → even (0)
    [1.5 * 2 ** -25, 0x0001], // above the tie
    [1.5 * 2 ** -24, 0x0002], // tie between 1 and 2 ulps → even (2)
    [1023.5 * 2 ** -24, 0x0400], // largest subnormal + ½ ulp: ties to even carries into the smallest normal
    [1 + 2 ** -11, 0x3c00], // tie between 1 and 1+2^-10 → even
    [1 + 3 * 2 ** -11, 0x3c02], // tie between 1+2^-10 and 1+2^-9 → even
    [1e-10, 0x0000],
    [-1e-10, 0x8000],
  ];
  it.each(cases)('%d → 0x%s', (v, bits) => {
    expect(numberToF16Bits(v)).toBe(bits);
  });

  it('NaN stays NaN (sign kept)', () => {
    expect(numberToF16Bits(NaN) & 0x7fff).toBe(0x7e00);
    expect(Number.isNaN(f16BitsToNumber(0x7e00))).toBe(true);
    expect(Number.isNaN(f16BitsToNumber(0x7c01))).toBe(true);
    expect(f16BitsToNumber(0x7c00)).toBe(Infinity);
  });

  it('every non-NaN half pattern survives half → float → half', () => {
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue;
      expect(numberToF16Bits(f16BitsToNumber(h))).toBe(h);
    }
  });

  it('random floats round to the nearest half (ties to even), checked against both neighbours', () => {
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20000; i++) {
      const x = Math.fround((rnd() - 0.5) * 2 ** (Math.floor(rnd() * 44) - 26));
      const h = numberToF16Bits(x);
      const mag = h & 0x7fff;
      const v = f16BitsToNumber(h);
      if (mag === 0x7c00) {
        expect(Math.abs(x)).toBeGreaterThanOrEqual(65520);
        continue;
      }
      expect(Math.sign(v) === Math.sign(x) || v === 0).toBe(true);
      const err = Math.abs(v - x);
      for (const n of [mag - 1, mag + 1]) {
        if (n < 0 || n > 0x7bff) continue;
        const other = Math.abs(f16BitsToNumber(n | (h & 0x8000)) - x);
        expect(err <= other).toBe(true);
        if (err === other) expect(mag & 1).toBe(0);
      }
    }
  });
});

describe('bfloat16 conversion', () => {
  it('rounds to nearest even and keeps NaN', () => {
    const bits = f32ToBf16(Float32Array.from([1, -3, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, NaN, Infinity, 3.4e38]));
    expect([...bits.slice(0, 5)]).toEqual([0x3f80, 0xc040, 0x3f80, 0x3f82, 0x3f81]);
    expect(bits[5] & 0x7fc0).toBe(0x7fc0);
    expect(bits[6]).toBe(0x7f80);
    expect(bits[7]).toBe(0x7f80); // 3.4e38 rounds up past the largest bfloat16 (≈3.39e38) to +inf
  });
});

describe('writer', () => {
  const tensors = {
    'layer.weight': { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    bias: { shape: [3], data: [0.5, -0.25, 1e-3] },
    '10': { shape: [], data: [42] }, // an integer-like name keeps its sorted place in the header text
  };

  it('F32 round trip is bit-identical; header padded to 8 bytes; sorted by name; metadata kept', () => {
    const bytes = writeSafetensors(tensors, { metadata: { format: 'pt' } });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(n % 8).toBe(0);
    expect(bytes[8]).toBe(0x7b);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.indexOf('"10"')).toBeLessThan(text.indexOf('"bias"'));
    expect(text.indexOf('"bias"')).toBeLessThan(text.indexOf('"layer.weight"'));
    expect(text.startsWith('{"__metadata__":{"format":"pt"}')).toBe(true);
    const f = readSafetensors(bytes);
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.tensors.get('layer.weight')).toEqual({ dtype: 'F32', shape: [2, 3], data: tensors['layer.weight'].data });
    expect(f.tensors.get('bias')!.data).toEqual(Float32Array.from(tensors.bias.data));
    expect(f.tensors.get('10')).toEqual({ dtype: 'F32', shape: [], data: Float32Array.from([42]) });
  });

  it('is deterministic: insertion order does not change the bytes', () => {
    const a = writeSafetensors(tensors);
    const b = writeSafetensors(Object.entries(tensors).reverse());
    expect(b).toEqual(a);
  });

  it('F16 and BF16 storage: read back equals the rounded values; larger dtypes first', () => {
    const data = Float32Array.from([1, -2, 65504, 2 ** -24, 0.1, 70000]);
    const bytes = writeSafetensors([
      ['h', { shape: [6], data, dtype: 'F16' }],
      ['b', { shape: [6], data, dtype: 'BF16' }],
      ['f', { shape: [6], data }],
    ]);
    const header = readSafetensorsHeader(bytes);
    expect(header.tensors.map((t) => [t.name, t.dtype])).toEqual([['f', 'F32'], ['b', 'BF16'], ['h', 'F16']]);
    const f = readSafetensors(bytes);
    expect([...f.tensors.get('h')!.data]).toEqual([1, -2, 65504, 2 ** -24, f16BitsToNumber(0x2e66), Infinity]);
    expect([...f.tensors.get('b')!.data].slice(0, 4)).toEqual([1, -2, 65536, 2 ** -24]);
    expect(f.tensors.get('f')!.data).toEqual(data);
    // The raw F16 bytes, little-endian.
    const h = header.tensors.find((t) => t.name === 'h')!;
    const raw = bytes.subarray(header.bufferStart + h.dataOffsets[0], header.bufferStart + h.dataOffsets[0] + 6);
    expect([...raw]).toEqual([0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b]);
  });

  it('rejects a data length that disagrees with the shape, duplicates, reserved names and unwritable dtypes', () => {
    expect(() => writeSafetensors({ a: { shape: [2, 2], data: [1, 2, 3] } })).toThrow(/tensor "a": shape \[2, 2\] has 4 elements but the data has 3/);
    expect(() => writeSafetensors([['a', { shape: [1], data: [1] }], ['a', { shape: [1], data: [1] }]])).toThrow(/"a" is given twice/);
    expect(() => writeSafetensors({ __metadata__: { shape: [1], data: [1] } })).toThrow(SafetensorsError);
    expect(() => writeSafetensors({ a: { shape: [1], data: [1], dtype: 'I64' as never } })).toThrow(/cannot write dtype "I64"; writable: F32, F16, BF16/);
    expect(() => writeSafetensors({ a: { shape: [1.5], data: [1] } })).toThrow(/shape\[0\] is 1.5/);
  });
});

describe('validation errors', () => {
  const ok = (extra: object = {}) => ({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, ...extra });

  it('a file shorter than the 8-byte length field', () => {
    expectError(new Uint8Array(5), /file is 5 bytes/);
  });

  it('header length beyond the file', () => {
    expectError(file(ok(), le32(1, 2), { declared: 1000 }), /header length 1000 runs past the end of the file/);
    const huge = file(ok(), le32(1, 2));
    new DataView(huge.buffer).setUint32(4, 1, true); // high word set: N ≥ 2^32
    expectError(huge, /header length 4294967\d+ runs past the end/);
  });

  it('header that is not JSON, not an object, or not UTF-8', () => {
    expectError(file('{"a": oops}'), /header is not valid JSON/);
    expectError(file('[1, 2]'), /header is not a JSON object: it must begin with "\{"/);
    expectError(file(' {}'), /must begin with "\{"/);
    const bad = file('{"\u00e9":1}');
    bad[10] = 0xff;
    expectError(bad, /not valid UTF-8/);
  });

  it('an unknown dtype lists the supported ones', () => {
    expectError(file({ a: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2)), /tensor "a": unknown dtype "F8_E4M3"; supported: F64, F32, F16, BF16, I64, I32/);
  });

  it('shape × dtype size ≠ byte length', () => {
    expectError(file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, le32(1, 2)), /tensor "a": shape \[3\] × F32 \(4 bytes\) needs 12 bytes, but data_offsets \[0, 8\] hold 8/);
  });

  it('non-integer, negative or non-numeric shapes', () => {
    expectError(file({ a: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, le32(1, 2)), /tensor "a": shape\[0\] is 2.5/);
    expectError(file({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, le32(1, 2)), /shape\[0\] is -2/);
    expectError(file({ a: { dtype: 'F32', shape: ['2'], data_offsets: [0, 8] } }, le32(1, 2)), /shape\[0\] is "2"/);
    expectError(file({ a: { dtype: 'F32', shape: 2, data_offsets: [0, 8] } }, le32(1, 2)), /shape must be an array/);
  });

  it('malformed data_offsets', () => {
    expectError(file({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, le32(1, 2)), /tensor "a": data_offsets \[8,0\] must be integers with 0 ≤ begin ≤ end/);
    expectError(file({ a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, le32(1, 2)), /data_offsets must be \[begin, end\]/);
    expectError(file({ a: 'x' }), /tensor "a": entry must be an object/);
  });

  it('data offsets out of range', () => {
    expectError(file({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, le32(1, 2)), /tensor "a": data_offsets \[4, 12\] run past the end of the 8-byte buffer/);
  });

  it('overlapping data offsets name both tensors', () => {
    const h = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } };
    expectError(file(h, le32(1, 2, 3)), /tensor "b": data_offsets \[4, 12\] overlap tensor "a" \[0, 8\]/);
  });

  it('holes and uncovered trailing bytes', () => {
    const h = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
    expectError(file(h, le32(1, 2, 3)), /tensor "b": data_offsets \[8, 12\] leave a hole of 4 bytes after tensor "a" \(bytes 4..8\)/);
    expectError(file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, le32(1, 2)), /leave a hole of 4 bytes after the start of the buffer/);
    expectError(file(ok(), le32(1, 2, 3)), /cover 8 of the buffer's 12 bytes: 4 trailing bytes/);
  });

  it('metadata that is not string → string', () => {
    expectError(file(ok({ __metadata__: { n: 3 } }), le32(1, 2)), /"__metadata__" value for "n" must be a string/);
    expectError(file(ok({ __metadata__: [] }), le32(1, 2)), /"__metadata__" must be an object/);
  });
});
