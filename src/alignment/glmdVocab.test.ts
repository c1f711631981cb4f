// GLMD vocabulary compression: item 22 (K), 23 (protected first, then by count), 24 (rep kept, identity on kept, a
// float64 brute-force argmax for every similarity, a hand-built case where dot / cosine / l2 disagree), compression
// switched off, progress, speed, named errors.
import { describe, expect, it } from 'vitest';
import { buildGlmdVocab, GlmdVocabError, keptSize } from './glmdVocab.ts';
import { createRng } from '../data/rng.ts';

function randomSetup(seed: number, V: number, H: number) {
  const rng = createRng(seed);
  const E = new Float32Array(V * H);
  for (let i = 0; i < E.length; i++) E[i] = rng.normal();
  const counts = Float64Array.from({ length: V }, () => (rng.int(4) === 0 ? 0 : rng.int(50))); // many ties
  return { E, counts };
}

/** Float64 similarity of rows v and k, straight from the definitions. */
function sim(E: Float32Array, H: number, v: number, k: number, kind: 'dot' | 'cosine' | 'l2'): number {
  let dot = 0, nv = 0, nk = 0, d2 = 0;
  for (let h = 0; h < H; h++) {
    const a = E[v * H + h], b = E[k * H + h];
    dot += a * b; nv += a * a; nk += b * b; d2 += (a - b) ** 2;
  }
  return kind === 'dot' ? dot : kind === 'l2' ? -d2 : dot / (Math.sqrt(nv) * Math.sqrt(nk));
}

describe('item 22: kept size', () => {
  it('V_real = 30,524 and r = 0.5 give K = 15,360', () => {
    expect(keptSize(30524, 0.5)).toBe(15360);
  });

  it('K = ceil(floor(r·V)/128)·128, and V itself when that is not smaller (compression off)', () => {
    expect(keptSize(1000, 0.2)).toBe(256); // floor 200 → 2 × 128
    expect(keptSize(1000, 0.128)).toBe(128);
    expect(keptSize(100, 0.5)).toBe(100); // 128 ≥ 100
    expect(keptSize(16000, 1)).toBe(16000);
    expect(keptSize(16000, 2)).toBe(16000);
  });

  it('a bad ratio or size throws GlmdVocabError', () => {
    expect(() => keptSize(1000, 0)).toThrow(GlmdVocabError);
    expect(() => keptSize(1000, Number.NaN)).toThrow(/ratio/);
    expect(() => keptSize(0, 0.5)).toThrow(/vocabulary size/);
  });
});

describe('items 23–24 on random embeddings (V = 301, H = 16, K = 128)', () => {
  const V = 301, H = 16;
  const { E, counts } = randomSetup(1, V, H);
  const protectedIds = [0, 1, 2, 3, 4, 300, 150]; // 300 and 150 get count 0: kept anyway
  counts[300] = 0; counts[150] = 0;
  const g = buildGlmdVocab({ counts, protectedIds, ratio: 0.4, teacherEmbeddings: E, hidden: H });
  const isProt = (id: number) => protectedIds.includes(id);

  it('item 22: K = 128 and rankToId holds K distinct ids', () => {
    expect(g.K).toBe(128);
    expect(g.rankToId.length).toBe(128);
    expect(new Set(g.rankToId).size).toBe(128);
  });

  it('item 23: rank(p) < K for every protected p; protected first by count, then the rest by count, ties → lower id', () => {
    for (const p of protectedIds) expect(g.lookup[p]).toBeLessThan(protectedIds.length);
    for (let r = 0; r + 1 < g.K; r++) {
      const a = g.rankToId[r], b = g.rankToId[r + 1];
      if (isProt(a) !== isProt(b)) { expect(isProt(a)).toBe(true); continue; }
      expect(counts[a] > counts[b] || (counts[a] === counts[b] && a < b)).toBe(true);
    }
    // The kept non-protected ids are the most frequent ones: no removed id beats the last kept one.
    const last = g.rankToId[g.K - 1];
    for (let v = 0; v < V; v++) {
      if (g.replacement[v] !== v) expect(counts[v] < counts[last] || (counts[v] === counts[last] && v > last)).toBe(true);
    }
  });

  it('item 24: identity on kept tokens (lookup = rank, replacement = itself); every rep(v) is kept and lookup(v) = rank(rep(v))', () => {
    const kept = new Set(g.rankToId);
    g.rankToId.forEach((id, r) => { expect(g.lookup[id]).toBe(r); expect(g.replacement[id]).toBe(id); });
    let removed = 0;
    for (let v = 0; v < V; v++) {
      if (kept.has(v)) continue;
      removed++;
      expect(kept.has(g.replacement[v])).toBe(true);
      expect(g.replacement[v]).not.toBe(v);
      expect(g.lookup[v]).toBe(g.lookup[g.replacement[v]]);
      expect(g.rankToId[g.lookup[v]]).toBe(g.replacement[v]);
    }
    expect(removed).toBe(V - 128);
  });

  // r = 0.4: K = 128, 173 removed rows (a partial tile); r = 0.5: K = 256, two column blocks, 45 removed rows.
  for (const ratio of [0.4, 0.5]) {
    for (const kind of ['dot', 'cosine', 'l2'] as const) {
      it(`item 24: rep(v) = the float64 brute-force argmax over kept k (${kind}, r = ${ratio})`, () => {
        const gk = buildGlmdVocab({ counts, protectedIds, ratio, teacherEmbeddings: E, hidden: H, similarity: kind });
        let removed = 0;
        for (let v = 0; v < V; v++) {
          if (gk.rankToId[gk.lookup[v]] === v) continue; // kept
          removed++;
          let best = -Infinity, arg = -1;
          for (const k of gk.rankToId) { const s = sim(E, H, v, k, kind); if (s > best) { best = s; arg = k; } }
          if (kind === 'cosine') expect(sim(E, H, v, gk.replacement[v], kind)).toBeGreaterThan(best - 1e-6); // float32 unit rows
          else expect(gk.replacement[v]).toBe(arg);
        }
        expect(removed).toBe(V - gk.K);
      });
    }
  }
});

describe('item 24: dot, cosine and l2 pick different neighbours (hand-built)', () => {
  // V = 130, r = 0.99 → K = 128: ids 128 and 129 (count 0) are removed. Row 128 = (1, 0); kept rows 5, 6, 7 are
  // (10, 10): dot 10, cos 0.71, −d² −181; (0.9, 0.1): dot 0.9, cos 0.99, −d² −0.02; (3, 0): dot 3, cos 1, −d² −4.
  // Every other row is 0 (dot 0, cos 0, −d² −1). Row 129 = (0, 0): dot ties everywhere → the lowest rank.
  const V = 130, H = 2;
  const E = new Float32Array(V * H);
  E.set([1, 0], 128 * H); E.set([10, 10], 5 * H); E.set([0.9, 0.1], 6 * H); E.set([3, 0], 7 * H);
  const counts = Float64Array.from({ length: V }, (_, i) => (i < 128 ? 1000 - i : 0));
  const rep = (similarity: 'dot' | 'cosine' | 'l2') => buildGlmdVocab({ counts, protectedIds: [], ratio: 0.99, teacherEmbeddings: E, hidden: H, similarity }).replacement;

  it('dot → (10, 10), cosine → (3, 0), l2 → (0.9, 0.1); a zero row ties and takes rank 0', () => {
    expect(rep('dot')[128]).toBe(5);
    expect(rep('cosine')[128]).toBe(7);
    expect(rep('l2')[128]).toBe(6);
    expect(rep('dot')[129]).toBe(0);
    expect(buildGlmdVocab({ counts, protectedIds: [], ratio: 0.99, teacherEmbeddings: E, hidden: H }).lookup[128]).toBe(5); // rank of id 5
  });
});

describe('compression off, progress, speed, errors', () => {
  const V = 200, H = 8;
  const { E, counts } = randomSetup(2, V, H);

  it('r ≥ 1, or K ≥ V, gives K = V and the identity everywhere', () => {
    for (const ratio of [1, 1.5, 0.7 /* 128 < 140 → 256 ≥ 200 */]) {
      const g = buildGlmdVocab({ counts, protectedIds: [0], ratio, teacherEmbeddings: E, hidden: H });
      const id = Array.from({ length: V }, (_, i) => i);
      expect(g.K).toBe(V);
      expect(Array.from(g.rankToId)).toEqual(id);
      expect(Array.from(g.lookup)).toEqual(id);
      expect(Array.from(g.replacement)).toEqual(id);
    }
  });

  it('reports progress over the removed rows, ending at (removed, removed)', () => {
    const calls: [number, number][] = [];
    buildGlmdVocab({ counts, protectedIds: [], ratio: 0.5, teacherEmbeddings: E, hidden: H, onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.at(-1)).toEqual([72, 72]); // 200 − 128
    for (let k = 1; k < calls.length; k++) expect(calls[k][0]).toBeGreaterThan(calls[k - 1][0]);
  });

  it('item 24 at scale: 4,000 ids × H 256 (the blocked loop) agrees with a plain argmax on sampled removed ids', () => {
    // Speed belongs to benchmarks, not unit tests; this checks the blocked inner loop on a realistic shape.
    const big = randomSetup(3, 4000, 256);
    const g = buildGlmdVocab({ counts: big.counts, protectedIds: [0, 1, 2, 3, 4], ratio: 0.5, teacherEmbeddings: big.E, hidden: 256 });
    expect(g.K).toBe(2048);
    const kept = Array.from(g.rankToId);
    const keptSet = new Set(kept);
    let checked = 0;
    for (let v = 0; v < 4000 && checked < 25; v += 37) {
      if (keptSet.has(v)) continue;
      let best = -1, bestDot = -Infinity;
      for (const k of kept) {
        let d = 0;
        for (let j = 0; j < 256; j++) d += big.E[v * 256 + j] * big.E[k * 256 + j];
        if (d > bestDot) { bestDot = d; best = k; }
      }
      expect(g.replacement[v]).toBe(best);
      checked++;
    }
    expect(checked).toBe(25);
  });

  it('bad input throws GlmdVocabError saying what to fix', () => {
    const base = { counts, protectedIds: [0], ratio: 0.5, teacherEmbeddings: E, hidden: H };
    expect(() => buildGlmdVocab({ ...base, teacherEmbeddings: E.slice(1) })).toThrow(/V × hidden/);
    expect(() => buildGlmdVocab({ ...base, protectedIds: [V] })).toThrow(/protected id/);
    expect(() => buildGlmdVocab({ ...base, protectedIds: Array.from({ length: 129 }, (_, i) => i) })).toThrow(/do not fit/);
    const nan = E.slice(); nan[17] = Number.NaN;
    expect(() => buildGlmdVocab({ ...base, teacherEmbeddings: nan })).toThrow(/non-finite value at row 2/);
    expect(() => buildGlmdVocab({ ...base, counts: Float64Array.from(counts, (c, i) => (i === 3 ? -1 : c)) })).toThrow(GlmdVocabError);
    expect(() => buildGlmdVocab({ ...base, hidden: 0 })).toThrow(/hidden/);
  });
});
