// Checks createBatcher (src/data/mlmBatches.ts): shapes, exactly maskedCount distinct sorted masked positions never on
// [CLS]/[SEP], labels equal to the original ids, BERT's 80/10/10 rule statistically, determinism, DataError inputs.
import { describe, expect, it } from 'vitest';
import { CLS_ID, MASK_ID, SEP_ID, createBatcher, DataError, maskedCount, type MlmBatch } from './mlmBatches.ts';

// Stream of distinct ids 5, 6, …: any unmasked word in a row reveals where its window starts in the stream.
const N = 3000;
const V = 5 + N;
const stream = Int32Array.from({ length: N }, (_, i) => 5 + i);

/** The row's original ids, reconstructed from any unmasked word; null if every word of the row was masked. */
function originalRow(b: MlmBatch, row: number): Int32Array | null {
  const T = b.seqLen;
  const masked = new Set(b.maskedPositions);
  for (let c = 1; c < T - 1; c++) {
    if (masked.has(row * T + c)) continue;
    const start = b.ids[row * T + c] - 5 - (c - 1);
    const out = new Int32Array(T);
    out[0] = CLS_ID;
    out.set(stream.subarray(start, start + T - 2), 1);
    out[T - 1] = SEP_ID;
    return out;
  }
  return null;
}

describe('maskedCount', () => {
  it.each([
    [4, 16, 0.15, 8], // round(0.15·4·14 = 8.4)
    [16, 64, 0.15, 149], // round(0.15·16·62 = 148.8)
    [1, 3, 0.15, 1], // round(0.15) = 0 → at least 1
    [2, 8, 0.3, 4], // round(0.3·2·6 = 3.6)
  ])('B=%i, T=%i, p=%d → %i', (B, T, p, expected) => {
    expect(maskedCount(B, T, p)).toBe(expected);
  });
});

describe('createBatcher', () => {
  it('yields [B*T] ids and mask and [M] positions/labels; rows are [CLS] window [SEP] with an all-ones attention mask', () => {
    const { next } = createBatcher(stream, { batchSize: 4, seqLen: 16, vocabSize: V, seed: 1 });
    const b = next();
    expect([b.batchSize, b.seqLen]).toEqual([4, 16]);
    expect(b.ids).toBeInstanceOf(Int32Array);
    expect(b.ids.length).toBe(64);
    expect(Array.from(b.attentionMask)).toEqual(new Array(64).fill(1));
    expect(b.maskedPositions.length).toBe(8);
    expect(b.labels.length).toBe(8);
    for (let r = 0; r < 4; r++) {
      expect(b.ids[r * 16]).toBe(CLS_ID);
      expect(b.ids[r * 16 + 15]).toBe(SEP_ID);
    }
  });

  it('over 200 batches: exactly maskedCount positions, distinct, ascending, never [CLS]/[SEP]; labels and unmasked ids are the originals', () => {
    const B = 4;
    const T = 16;
    const { next } = createBatcher(stream, { batchSize: B, seqLen: T, vocabSize: V, seed: 7, maskProb: 0.25 });
    const M = maskedCount(B, T, 0.25);
    expect(M).toBe(14);
    let rowsChecked = 0;
    for (let k = 0; k < 200; k++) {
      const b = next();
      const pos = Array.from(b.maskedPositions);
      expect(pos.length).toBe(M);
      for (let i = 1; i < M; i++) expect(pos[i]).toBeGreaterThan(pos[i - 1]); // strictly ascending ⇒ distinct
      for (const p of pos) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(B * T);
        expect(p % T).not.toBe(0);
        expect(p % T).not.toBe(T - 1);
      }
      for (let r = 0; r < B; r++) {
        const orig = originalRow(b, r);
        if (!orig) continue;
        rowsChecked++;
        for (let c = 0; c < T; c++) {
          const p = r * T + c;
          const i = pos.indexOf(p);
          if (i >= 0) expect(b.labels[i]).toBe(orig[c]);
          else expect(b.ids[p]).toBe(orig[c]);
        }
      }
    }
    expect(rowsChecked).toBeGreaterThan(790);
  });

  it('applies 80/10/10 ([MASK] / random word / unchanged) within ±0.03 over ≥ 5000 masks; random ids are words', () => {
    const { next } = createBatcher(stream, { batchSize: 16, seqLen: 32, vocabSize: V, seed: 11 });
    let mask = 0;
    let same = 0;
    let random = 0;
    let total = 0;
    while (total < 6000) {
      const b = next();
      b.maskedPositions.forEach((p, i) => {
        total++;
        const id = b.ids[p];
        if (id === MASK_ID) mask++;
        else if (id === b.labels[i]) same++;
        else {
          random++;
          expect(id).toBeGreaterThanOrEqual(5);
          expect(id).toBeLessThan(V);
        }
      });
    }
    expect(Math.abs(mask / total - 0.8)).toBeLessThan(0.03);
    expect(Math.abs(same / total - 0.1)).toBeLessThan(0.03);
    expect(Math.abs(random / total - 0.1)).toBeLessThan(0.03);
  });

  it('the window start is uniform enough to reach both ends of the stream', () => {
    const short = Int32Array.from({ length: 20 }, (_, i) => 5 + i);
    const { next } = createBatcher(short, { batchSize: 8, seqLen: 10, vocabSize: 25, seed: 2, maskProb: 0.01 });
    const seen = new Set<number>();
    for (let k = 0; k < 50; k++) {
      const b = next();
      const masked = new Set(b.maskedPositions);
      for (let r = 0; r < 8; r++) for (let c = 1; c < 9; c++) if (!masked.has(r * 10 + c)) seen.add(b.ids[r * 10 + c]);
    }
    expect(seen.has(5)).toBe(true); // first token of the stream
    expect(seen.has(24)).toBe(true); // last token of the stream
  });

  it('is deterministic for a fixed seed and differs for another seed', () => {
    const opts = { batchSize: 4, seqLen: 16, vocabSize: V };
    const a = createBatcher(stream, { ...opts, seed: 5 });
    const b = createBatcher(stream, { ...opts, seed: 5 });
    const c = createBatcher(stream, { ...opts, seed: 6 });
    for (let k = 0; k < 5; k++) {
      const [x, y, z] = [a.next(), b.next(), c.next()];
      expect(y).toEqual(x);
      expect(Array.from(z.ids)).not.toEqual(Array.from(x.ids));
    }
  });

  it('a stream of exactly T−2 tokens works (every row is the whole stream)', () => {
    const s = Int32Array.from([5, 6, 7]);
    const b = createBatcher(s, { batchSize: 2, seqLen: 5, vocabSize: 8, seed: 1, maskProb: 0.01 }).next();
    const restored = Int32Array.from(b.ids);
    b.maskedPositions.forEach((p, i) => (restored[p] = b.labels[i]));
    expect(Array.from(restored)).toEqual([2, 5, 6, 7, 3, 2, 5, 6, 7, 3]);
  });

  it('throws DataError for a stream shorter than one window and for seqLen < 3', () => {
    const s = Int32Array.from([5, 6, 7]);
    expect(() => createBatcher(s, { batchSize: 1, seqLen: 6, vocabSize: 8, seed: 1 })).toThrow(DataError);
    expect(() => createBatcher(s, { batchSize: 1, seqLen: 6, vocabSize: 8, seed: 1 })).toThrow('the corpus has 3 tokens, fewer than one window of 4');
    expect(() => createBatcher(new Int32Array(0), { batchSize: 1, seqLen: 3, vocabSize: 8, seed: 1 })).toThrow(DataError);
    expect(() => createBatcher(stream, { batchSize: 1, seqLen: 2, vocabSize: V, seed: 1 })).toThrow(DataError);
    expect(() => createBatcher(stream, { batchSize: 1, seqLen: 2, vocabSize: V, seed: 1 })).toThrow('seqLen must be ≥ 3');
  });
});
