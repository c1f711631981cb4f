// Chart axes (chartAxes.ts): tick labels never repeat (issue 17 §6: "charts repeat tick labels"), whatever the data's
// spread: ticks a quarter of the spread apart always read differently.
import { describe, expect, it } from 'vitest';
import { shortTitle, STEP_AXIS, tickFormat, xTitle, yTitle } from './chartAxes.ts';

/** Five evenly spaced ticks over [lo, hi], as recharts draws them. */
const ticks = (lo: number, hi: number) => Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
const labels = (values: number[], lo: number, hi: number) => ticks(lo, hi).map(tickFormat(values));

describe('tickFormat', () => {
  it.each([
    ['a loss that barely moves', [5.4312, 5.4318, 5.4315], 5.431, 5.432],
    ['a loss from 9 to 2', [9.1, 4, 2.2], 2, 10],
    ['a learning rate in 1e-5', [1e-5, 5e-4, 2.5e-4], 0, 5e-4],
    ['tiny values close together', [1.001e-4, 1.004e-4], 1.0e-4, 1.005e-4],
    ['tokens per second', [3500, 3540, 3535], 3490, 3550],
    ['accuracy 0–1', [0.05, 0.31], 0, 0.4],
  ])('%s: five distinct tick labels', (_, values, lo, hi) => {
    const l = labels(values, lo, hi);
    expect(new Set(l).size).toBe(5);
  });

  it('the old formatter repeated labels on a loss that barely moves (what the test guards)', () => {
    const old = (v: number) => String(+v.toPrecision(3));
    expect(new Set(ticks(5.431, 5.432).map(old)).size).toBeLessThan(5);
  });

  it('short labels: no needless decimals', () => {
    expect(labels([2, 10], 2, 10)).toEqual(['2', '4', '6', '8', '10']);
    expect(tickFormat([])(0.123456)).toBe('0.123');
    expect(tickFormat([3, 3])(3)).toBe('3');
  });
});

describe('axis titles', () => {
  it('step axes: integer ticks and the title "step"; y titles run along the axis', () => {
    expect(STEP_AXIS).toMatchObject({ dataKey: 'step', allowDecimals: false, label: { value: 'step' } });
    expect(xTitle('vocabulary size').value).toBe('vocabulary size');
    expect(yTitle('loss')).toMatchObject({ value: 'loss', angle: -90, position: 'insideLeft' });
    expect(yTitle('%', 'right')).toMatchObject({ angle: 90, position: 'insideRight' });
    expect(shortTitle('held-out MLM loss (comparable for the same student vocabulary)')).toBe('held-out MLM loss');
    expect(shortTitle('tokens/s')).toBe('tokens/s');
  });
});
