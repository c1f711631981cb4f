// Item 5: MLM target selection: hand-checked counts and weights, the exact number of targets, no duplicates, never a
// special or pad position, the 80/10/10 split and the ∝ max(count, 1)^0.7 law checked statistically (fixed seeds,
// tolerances of 4 binomial standard deviations), named errors.
import { describe, expect, it } from 'vitest';
import { MlmSelectError, selectionWeights, selectMlmTargets, tokenCounts } from './mlmSelect.ts';
import { createRng } from '../data/rng.ts';

const PAD = 0, CLS = 2, SEP = 3, MASK = 4, FIRST = 5;
const SPECIAL_IDS = [0, 1, 2, 3, 4];

/** B sequences of random lengths in [3, T], [CLS] … [SEP] then padding; flat [B*T]. */
function randomBatch(seed: number, B: number, T: number, V: number) {
  const rng = createRng(seed);
  const ids = new Int32Array(B * T), mask = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const len = 3 + rng.int(T - 2);
    for (let i = 0; i < len; i++) {
      ids[b * T + i] = i === 0 ? CLS : i === len - 1 ? SEP : FIRST + rng.int(V - FIRST);
      mask[b * T + i] = 1;
    }
  }
  return { ids, mask };
}

/** p ± 4 s.d. of a binomial proportion over n trials. */
function expectProportion(hits: number, n: number, p: number) {
  expect(Math.abs(hits / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
}

describe('item 5: counts and weights', () => {
  it('tokenCounts counts every id of every sequence; an id outside the vocabulary throws', () => {
    expect(Array.from(tokenCounts([[2, 5, 5, 3], new Int32Array([5, 6])], 8))).toEqual([0, 0, 1, 1, 0, 3, 1, 0]);
    expect(() => tokenCounts([[9]], 8)).toThrow(MlmSelectError);
  });

  it('selectionWeights = max(count, 1)^0.7, specials 0', () => {
    const w = selectionWeights(Float64Array.from([5, 0, 1, 8, 1000]), [0]);
    expect(w[0]).toBe(0);
    expect(w[1]).toBe(1);
    expect(w[2]).toBe(1);
    expect(w[3]).toBeCloseTo(Math.exp(0.7 * Math.log(8)), 12);
    expect(w[4]).toBeCloseTo(125.8925, 3);
    expect(Array.from(selectionWeights(Float64Array.from([4, 9]), [], 0.5))).toEqual([2, 3]);
    expect(() => selectionWeights(Float64Array.from([1]), [3])).toThrow(MlmSelectError);
  });
});

describe('item 5: selectMlmTargets', () => {
  const V = 500;
  const weights = selectionWeights(Float64Array.from({ length: V }, (_, i) => (i * 37) % 101), SPECIAL_IDS);
  const opts = (seed: number) => ({ weights, maskProb: 0.15, maskId: MASK, vocabSize: V, firstRandom: FIRST, rng: createRng(seed) });

  it('exactly ceil(0.15 × non-pad tokens) targets, ascending, no duplicates, never a special or pad, labels = original ids', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { ids, mask } = randomBatch(seed, 6, 40, V);
      const nonPad = mask.reduce((a, m) => a + m, 0);
      const r = selectMlmTargets(ids, mask, opts(seed));
      expect(r.positions.length).toBe(Math.ceil(0.15 * nonPad));
      for (let k = 1; k < r.positions.length; k++) expect(r.positions[k]).toBeGreaterThan(r.positions[k - 1]);
      const chosen = new Set(r.positions);
      r.positions.forEach((p, k) => {
        expect(mask[p]).toBe(1);
        expect(SPECIAL_IDS).not.toContain(ids[p]);
        expect(r.labels[k]).toBe(ids[p]);
        const x = r.inputs[p];
        expect(x === MASK || x === ids[p] || (x >= FIRST && x < V)).toBe(true);
      });
      for (let p = 0; p < ids.length; p++) if (!chosen.has(p)) expect(r.inputs[p]).toBe(ids[p]);
      expect(ids[0]).toBe(CLS); // the input was copied, not changed in place
    }
  });

  it('is deterministic for a seed', () => {
    const { ids, mask } = randomBatch(5, 4, 30, V);
    expect(selectMlmTargets(ids, mask, opts(9))).toEqual(selectMlmTargets(ids, mask, opts(9)));
  });

  it('fewer targets only when fewer positions are selectable: [CLS] x [SEP] at 0.15 → x; at 1.0 → still only x', () => {
    const ids = Int32Array.from([CLS, 42, SEP, PAD]), mask = Int32Array.from([1, 1, 1, 0]);
    expect(Array.from(selectMlmTargets(ids, mask, opts(1)).positions)).toEqual([1]);
    expect(Array.from(selectMlmTargets(ids, mask, { ...opts(1), maskProb: 1 }).positions)).toEqual([1]);
  });

  it('80 % [MASK] / 10 % unchanged / 10 % uniform random id in [firstRandom, vocabSize), over ~18,000 targets', () => {
    let n = 0, masked = 0, same = 0, random = 0, sumRandom = 0;
    for (let seed = 1; seed <= 350; seed++) {
      const { ids, mask } = randomBatch(1000 + seed, 16, 40, V);
      const r = selectMlmTargets(ids, mask, opts(seed));
      r.positions.forEach((p, k) => {
        n++;
        const x = r.inputs[p];
        if (x === MASK) masked++;
        else if (x === r.labels[k]) same++;
        else { random++; sumRandom += x; expect(x).toBeGreaterThanOrEqual(FIRST); expect(x).toBeLessThan(V); }
      });
    }
    expect(n).toBeGreaterThan(15000);
    const collide = 0.1 / (V - FIRST); // a random draw that happens to give back the original id
    expectProportion(masked, n, 0.8);
    expectProportion(same, n, 0.1 + collide);
    expectProportion(random, n, 0.1 - collide);
    // Uniform on [5, 499]: mean 252, s.d. (495 / √12) ≈ 142.9.
    expect(Math.abs(sumRandom / random - 252)).toBeLessThan((4 * 142.9) / Math.sqrt(random));
  });

  it('selection ∝ max(count, 1)^0.7: counts 1 vs 1000 → 1 : 125.9, and 1 vs 8 → 1 : 4.29, at the single draw of one target', () => {
    for (const [cA, cB] of [[1, 1000], [0, 8]]) {
      const counts = new Float64Array(V);
      counts[10] = cA;
      counts[11] = cB;
      const w = selectionWeights(counts, SPECIAL_IDS);
      const ids = Int32Array.from([CLS, 10, 11, SEP]), mask = Int32Array.from([1, 1, 1, 1]); // ceil(0.15 × 4) = 1 target
      const seeds = 40000;
      let pickedA = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const r = selectMlmTargets(ids, mask, { ...opts(seed), weights: w });
        expect(r.positions.length).toBe(1);
        if (r.positions[0] === 1) pickedA++;
      }
      const ratio = Math.pow(Math.max(cB, 1), 0.7) / Math.pow(Math.max(cA, 1), 0.7);
      expectProportion(pickedA, seeds, 1 / (1 + ratio));
    }
  });

  it('without replacement: with weights 1, 2, 7 and two targets, P(the weight-1 token is left out) = 0.2·7/8 + 0.7·2/3', () => {
    const counts = new Float64Array(V);
    counts[10] = 1; counts[11] = 2; counts[12] = 7;
    const w = selectionWeights(counts, SPECIAL_IDS, 1);
    const ids = Int32Array.from([10, 11, 12]), mask = Int32Array.from([1, 1, 1]);
    let left = 0;
    const seeds = 20000;
    for (let seed = 1; seed <= seeds; seed++) {
      const r = selectMlmTargets(ids, mask, { ...opts(seed), weights: w, maskProb: 0.5 }); // ceil(1.5) = 2
      if (!Array.from(r.positions).includes(0)) left++;
    }
    expectProportion(left, seeds, 0.2 * (7 / 8) + 0.7 * (2 / 3));
  });

  it('bad input throws MlmSelectError naming the problem', () => {
    const ids = Int32Array.from([CLS, 42, SEP]), mask = Int32Array.from([1, 1, 1]);
    expect(() => selectMlmTargets(ids, mask.slice(1), opts(1))).toThrow(/same length/);
    expect(() => selectMlmTargets(ids, mask, { ...opts(1), maskProb: 0 })).toThrow(/maskProb/);
    expect(() => selectMlmTargets(ids, mask, { ...opts(1), vocabSize: 400 })).toThrow(/weights/);
    expect(() => selectMlmTargets(ids, mask, { ...opts(1), firstRandom: V })).toThrow(/firstRandom/);
    expect(() => selectMlmTargets(Int32Array.from([CLS, V, SEP]), mask, opts(1))).toThrow(MlmSelectError);
  });
});
