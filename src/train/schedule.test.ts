// Checks lrAt (src/train/schedule.ts) against values worked out by hand: linear warmup to the peak, cosine decay
// whose midpoint is (peak + floor)/2, and the floor at and after totalSteps.
import { describe, expect, it } from 'vitest';
import { lrAt, type LrSchedule } from './schedule.ts';

// peak 1e-3, 10 warmup steps, 110 total, floor 0.1 × peak = 1e-4 → decay span 100 steps.
const s: LrSchedule = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, floorRatio: 0.1 };

describe('lrAt', () => {
  it.each([
    // [step, expected, why]
    [0, 1e-4, 'warmup: peak·1/10'],
    [4, 5e-4, 'warmup: peak·5/10'],
    [9, 1e-3, 'last warmup step reaches the peak'],
    [10, 1e-3, 'decay starts at the peak (progress 0)'],
    [35, 1e-4 + 0.5 * 9e-4 * (1 + Math.SQRT1_2), 'progress 1/4: floor + ½(peak−floor)(1+cos π/4) = 8.6820e-4'],
    [60, 5.5e-4, 'progress 1/2: (peak + floor)/2'],
    [85, 1e-4 + 0.5 * 9e-4 * (1 - Math.SQRT1_2), 'progress 3/4: 2.3180e-4'],
    [110, 1e-4, 'end: the floor'],
    [500, 1e-4, 'past the end: stays at the floor'],
  ])('step %i → %d (%s)', (step, expected) => {
    expect(lrAt(step, s)).toBeCloseTo(expected, 12);
  });

  it('hand-written decimal values of the quarter points', () => {
    expect(lrAt(35, s)).toBeCloseTo(8.681980515e-4, 12);
    expect(lrAt(85, s)).toBeCloseTo(2.318019485e-4, 12);
  });

  it('is non-increasing after warmup and never below the floor', () => {
    let prev = Infinity;
    for (let step = 10; step <= 200; step++) {
      const lr = lrAt(step, s);
      expect(lr).toBeLessThanOrEqual(prev + 1e-18);
      expect(lr).toBeGreaterThanOrEqual(1e-4 - 1e-18);
      prev = lr;
    }
  });

  it('without warmup the first step is the peak; floorRatio 1 gives a constant rate', () => {
    expect(lrAt(0, { ...s, warmupSteps: 0 })).toBeCloseTo(1e-3, 15);
    for (const step of [0, 10, 50, 109, 1000]) expect(lrAt(step, { peak: 3e-4, warmupSteps: 0, totalSteps: 100, floorRatio: 1 })).toBeCloseTo(3e-4, 15);
  });

  it('totalSteps ≤ warmupSteps does not divide by zero: the floor right after warmup', () => {
    const t = { peak: 1e-3, warmupSteps: 5, totalSteps: 5, floorRatio: 0.1 };
    expect(lrAt(5, t)).toBeCloseTo(1e-3, 15);
    expect(lrAt(6, t)).toBeCloseTo(1e-4, 15);
  });
});
