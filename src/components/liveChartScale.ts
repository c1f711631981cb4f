/**
 * The live charts' arithmetic (LiveChart.tsx), pure: nice axis ticks and domains, the pixel mapping, a series as one
 * SVG path, the point nearest the pointer. No React, no DOM.
 */

export interface XY { x: number; y: number }

/** A tick step of 1, 2, 2.5 or 5 × 10^k giving about `count` intervals over `span`; at least 1 when `integer`. */
export function niceStep(span: number, count: number, integer = false): number {
  const raw = span > 0 && Number.isFinite(span) ? span / Math.max(1, count) : 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

/**
 * The domain and ticks of an axis over [lo, hi]: `nice` widens the domain to whole steps (a y axis), else the domain is
 * [lo, hi] with the ticks inside it (a step axis). A single value gets a unit-wide domain around it; no values, [0, 1].
 */
export function axisTicks(lo: number, hi: number, opts: { count?: number; integer?: boolean; nice?: boolean } = {}): { domain: [number, number]; ticks: number[] } {
  const { count = 5, integer = false, nice = true } = opts;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) { lo = 0; hi = 1; }
  if (hi === lo) {
    const pad = integer ? 1 : Math.abs(lo) * 0.1 || 1;
    lo = integer ? lo : lo - pad;
    hi = hi + pad;
  }
  const step = niceStep(hi - lo, count, integer);
  const first = Math.ceil(lo / step - 1e-9) * step;
  const domain: [number, number] = nice ? [+(Math.floor(lo / step + 1e-9) * step).toPrecision(12), +(Math.ceil(hi / step - 1e-9) * step).toPrecision(12)] : [lo, hi];
  const ticks: number[] = [];
  for (let i = 0, t0 = nice ? domain[0] : first; t0 + i * step <= domain[1] + step * 1e-9; i++) ticks.push(+(t0 + i * step).toPrecision(12));
  return { domain, ticks };
}

/** A linear map of [d0, d1] onto [r0, r1] (a zero-width domain maps to the middle). */
export function scale([d0, d1]: [number, number], [r0, r1]: [number, number]): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return d1 === d0 ? () => (r0 + r1) / 2 : (v) => r0 + (v - d0) * k;
}

/** The SVG path of a series: M at the first point, L to each next one (pixels rounded to 0.1). Empty for no points. */
export function linePath(points: readonly XY[], sx: (v: number) => number, sy: (v: number) => number): string {
  let d = '';
  for (const p of points) d += `${d ? 'L' : 'M'}${Math.round(sx(p.x) * 10) / 10},${Math.round(sy(p.y) * 10) / 10}`;
  return d;
}

/** The x of the point nearest to `x` over every series (for the hover read-out); null when there are none. */
export function nearestX(series: readonly (readonly XY[])[], x: number): number | null {
  let best: number | null = null;
  for (const s of series) for (const p of s) if (best === null || Math.abs(p.x - x) < Math.abs(best - x)) best = p.x;
  return best;
}
