/**
 * What every chart's axes share (issue 17 §6): titles (x: what the points are spread over, usually the step; y: the
 * quantity) and tick labels that never repeat. A label repeats when two ticks round to the same text: integer steps
 * drawn at 0.5 (`allowDecimals={false}` on step axes) or a quantity whose ticks differ below the formatter's precision
 * (`tickFormat`: as many decimals as the data's spread needs).
 */

/** recharts `label` of an x axis: the title under the ticks. */
export const xTitle = (value: string) => ({ value, position: 'insideBottom' as const, offset: -10, fontSize: 12 });

/** recharts `label` of a y axis: the title along the axis (left, or right for a second axis). */
export const yTitle = (value: string, side: 'left' | 'right' = 'left') => ({
  value, angle: side === 'left' ? -90 : 90, position: side === 'left' ? ('insideLeft' as const) : ('insideRight' as const), style: { textAnchor: 'middle' as const }, fontSize: 12,
});

/** An axis title from a chart's label: the part before its parenthesis ("held-out MLM loss (comparable …)" → "held-out MLM loss"). */
export const shortTitle = (label: string): string => label.split(' (')[0];

/** Step axes: integer ticks only. */
export const STEP_AXIS = { dataKey: 'step', type: 'number' as const, allowDecimals: false, label: xTitle('step') };

/**
 * A tick formatter for an axis over `values`: decimals enough to tell apart ticks a quarter of the values' spread apart
 * (recharts places about 5 ticks over a domain at least that wide), so no two ticks read the same; small magnitudes
 * (below 0.01) in exponent form with the digits their spread needs.
 */
export function tickFormat(values: readonly number[]): (v: number) => string {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return (v) => String(+v.toPrecision(3));
  const lo = Math.min(...finite), hi = Math.max(...finite);
  const spread = hi - lo || Math.abs(hi) || 1;
  const gap = spread / 8; // below the smallest tick interval, with room for recharts' rounding of the domain
  const mag = Math.max(Math.abs(lo), Math.abs(hi));
  if (mag > 0 && mag < 0.01) {
    const digits = Math.min(6, Math.max(0, Math.ceil(Math.log10(mag / gap))));
    return (v) => (v === 0 ? '0' : v.toExponential(digits));
  }
  const decimals = Math.min(8, Math.max(0, Math.ceil(-Math.log10(gap))));
  return (v) => String(+v.toFixed(decimals));
}
