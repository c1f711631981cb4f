// The live charts' arithmetic, against values worked out by hand.
import { describe, expect, it } from 'vitest';
import { axisTicks, linePath, nearestX, niceStep, scale } from './liveChartScale.ts';

describe('niceStep', () => {
  it('rounds span / count up to 1, 2, 2.5, 5 or 10 × 10^k', () => {
    expect(niceStep(10, 5)).toBe(2); // 2 → 2
    expect(niceStep(7, 5)).toBe(2); // 1.4 → 2
    expect(niceStep(0.9, 5)).toBeCloseTo(0.2, 12); // 0.18 → 0.2
    expect(niceStep(11, 5)).toBe(2.5); // 2.2 → 2.5
    expect(niceStep(3, 5)).toBe(1); // 0.6 = 6 × 0.1 → 10 × 0.1
    expect(niceStep(0.3, 5, true)).toBe(1); // 0.06 → 0.1, but integer axes step at least 1
  });
});

describe('axisTicks', () => {
  it('a y axis widens to whole steps', () => {
    expect(axisTicks(2.3, 7.9)).toEqual({ domain: [2, 8], ticks: [2, 4, 6, 8] }); // span 5.6 / 5 = 1.12 → step 2
  });
  it('a step axis keeps its ends, integer ticks inside', () => {
    expect(axisTicks(1, 40, { integer: true, nice: false, count: 6 })).toEqual({ domain: [1, 40], ticks: [10, 20, 30, 40] }); // 39 / 6 = 6.5 → 10
    expect(axisTicks(0, 3, { integer: true, nice: false, count: 6 })).toEqual({ domain: [0, 3], ticks: [0, 1, 2, 3] }); // 0.5 → 1
  });
  it('one value gets a domain around it; no values, [0, 1]', () => {
    expect(axisTicks(5, 5)).toEqual({ domain: [4.4, 5.6], ticks: [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6] }); // ±0.5, step 0.2
    expect(axisTicks(3, 3, { integer: true, nice: false })).toEqual({ domain: [3, 4], ticks: [3, 4] });
    expect(axisTicks(Infinity, -Infinity)).toEqual({ domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
  });
});

describe('scale, linePath, nearestX', () => {
  it('maps linearly; a zero-width domain maps to the middle', () => {
    expect(scale([0, 10], [100, 200])(2.5)).toBe(125);
    expect(scale([0, 10], [300, 100])(10)).toBe(100);
    expect(scale([5, 5], [0, 10])(7)).toBe(5);
  });
  it('draws M then L per point', () => {
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: 1.55 }], (x) => x * 10, (y) => 100 - y * 10)).toBe('M0,90L10,80L20,84.5');
    expect(linePath([], (x) => x, (y) => y)).toBe('');
  });
  it('finds the nearest x over every series', () => {
    const s = [[{ x: 1, y: 0 }, { x: 4, y: 0 }], [{ x: 6, y: 0 }]];
    expect(nearestX(s, 5.2)).toBe(6);
    expect(nearestX(s, 4.9)).toBe(4);
    expect(nearestX([], 3)).toBeNull();
  });
});
