/**
 * Numbers with thousands separators, as `n.toLocaleString('en')` writes them (at most 3 decimals), without Intl: the
 * first toLocaleString of a page initialises ICU, a 25–55 ms main-thread task on the 2-core machine that landed in the
 * teacher's load and a distillation's start (bench:page, issue 16 item 4).
 */
export function int(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const r = Math.round(Math.abs(n) * 1000) / 1000;
  const [whole, frac] = (r < 1e21 ? r.toFixed(3).replace(/\.?0+$/, '') : String(r)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (n < 0 ? '-' : '') + grouped + (frac ? `.${frac}` : '');
}
