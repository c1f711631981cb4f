/**
 * The live line charts (the Train tab's loss, the Distill tab's metrics): plain SVG, drawn in a few milliseconds, so
 * that a chart that updates 4 times a second during a run never makes a long main-thread task (issue 16 item 4:
 * recharts took 50–400 ms per update on a 2-core machine, most of it in its selectors and text measuring). Axes with
 * nice ticks and titles (liveChartScale.ts), dashed grid, one path per series (`.live-line`, `d` = M … L …), optional
 * dots, an optional right axis, labelled reference lines, an HTML legend, and a read-out of the values nearest the pointer. The SVG carries its
 * size (the report stacks the charts' SVGs).
 */
import { memo, useEffect, useRef, useState } from 'react';
import { axisTicks, linePath, nearestX, scale, type XY } from './liveChartScale.ts';

export interface LiveSeries {
  key: string;
  name: string;
  colour: string;
  points: readonly XY[];
  dash?: string;
  dots?: boolean;
  /** The right axis (its own domain and format); default left. */
  right?: boolean;
}

export interface LiveChartProps {
  series: readonly LiveSeries[];
  height: number;
  xTitle: string;
  yTitle: string;
  yFormat: (v: number) => string;
  /** x domain from 0 (default: from the smallest x). */
  xFromZero?: boolean;
  right?: { title: string; format: (v: number) => string; fromZero?: boolean };
  /** Horizontal reference lines on the left axis (a teacher's score, a floor), inside the y domain, labelled at the right. */
  refs?: readonly { y: number; label: string; colour: string; dash: string; below?: boolean }[];
}

const M = { top: 8, bottom: 38, left: 64, right: 16, rightAxis: 56 };
const FONT = { fontSize: 11, fill: '#555' };

function extent(series: readonly LiveSeries[], pick: (p: XY) => number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const s of series) for (const p of s.points) { const v = pick(p); if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

/**
 * The chart's width follows its box: one ResizeObserver per chart, whose first report comes after the browser's own
 * layout (reading clientWidth while mounting would force a layout of the whole page in the mounting task); the SVG
 * is redrawn only when the width changes. A hidden chart (a tab not shown) reports 0 and keeps its last width.
 */
function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const read = (entries: ResizeObserverEntry[]) => { const w = Math.floor(entries[0]?.contentRect.width ?? 0); if (w > 0) setWidth(w); };
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

export const LiveChart = memo(function LiveChart({ series, height, xTitle, yTitle, yFormat, xFromZero, right, refs = [] }: LiveChartProps) {
  const [box, measured] = useWidth();
  const [hoverX, setHoverX] = useState<number | null>(null);
  const width = Math.max(200, measured || 600);
  const left = series.filter((s) => !s.right && s.points.length);
  const rightSeries = right ? series.filter((s) => s.right && s.points.length) : [];
  const [x0, x1] = extent(series, (p) => p.x);
  const xAxis = axisTicks(xFromZero ? Math.min(0, x0) : x0, x1, { integer: true, nice: false, count: 6 });
  const [y0, y1] = extent(left, (p) => p.y);
  const yAxis = axisTicks(Math.min(y0, ...refs.map((r) => r.y)), Math.max(y1, ...refs.map((r) => r.y)));
  const [r0, r1] = extent(rightSeries, (p) => p.y);
  const rAxis = rightSeries.length ? axisTicks(right?.fromZero ? Math.min(0, r0) : r0, r1) : null;
  const plotRight = width - (rAxis ? M.rightAxis : M.right);
  const sx = scale(xAxis.domain, [M.left, plotRight]);
  const sy = scale(yAxis.domain, [height - M.bottom, M.top]);
  const sr = rAxis ? scale(rAxis.domain, [height - M.bottom, M.top]) : sy;
  const yOf = (s: LiveSeries) => (s.right ? sr : sy);
  const hx = hoverX === null ? null : nearestX(series.map((s) => s.points), hoverX);
  const onMove = (e: React.MouseEvent<SVGSVGElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - r.left;
    setHoverX(px < M.left || px > plotRight ? null : xAxis.domain[0] + ((px - M.left) / Math.max(1, plotRight - M.left)) * (xAxis.domain[1] - xAxis.domain[0]));
  };
  const bottom = height - M.bottom;
  return (
    <div ref={box} className="live-chart" style={{ position: 'relative' }}>
      <svg className="live-chart-svg" xmlns="http://www.w3.org/2000/svg" width={width} height={height} onMouseMove={onMove} onMouseLeave={() => setHoverX(null)}>
        <g className="live-grid" stroke="#ddd" strokeDasharray="3 3">
          {yAxis.ticks.map((t) => <line key={`y${t}`} x1={M.left} x2={plotRight} y1={sy(t)} y2={sy(t)} />)}
          {xAxis.ticks.map((t) => <line key={`x${t}`} x1={sx(t)} x2={sx(t)} y1={M.top} y2={bottom} />)}
        </g>
        <g className="live-axis live-x" {...FONT} textAnchor="middle">
          <line x1={M.left} x2={plotRight} y1={bottom} y2={bottom} stroke="#666" />
          {xAxis.ticks.map((t) => <text key={t} className="live-tick" x={sx(t)} y={bottom + 14}>{t}</text>)}
          <text className="live-title" x={(M.left + plotRight) / 2} y={height - 6} fontSize={12}>{xTitle}</text>
        </g>
        <g className="live-axis live-y" {...FONT} textAnchor="end">
          <line x1={M.left} x2={M.left} y1={M.top} y2={bottom} stroke="#666" />
          {yAxis.ticks.map((t) => <text key={t} className="live-tick" x={M.left - 4} y={sy(t) + 4}>{yFormat(t)}</text>)}
          <text className="live-title" transform={`translate(12 ${(M.top + bottom) / 2}) rotate(-90)`} textAnchor="middle" fontSize={12}>{yTitle}</text>
        </g>
        {rAxis && right && (
          <g className="live-axis live-right" {...FONT} textAnchor="start">
            <line x1={plotRight} x2={plotRight} y1={M.top} y2={bottom} stroke="#666" />
            {rAxis.ticks.map((t) => <text key={t} className="live-tick" x={plotRight + 4} y={sr(t) + 4}>{right.format(t)}</text>)}
            <text className="live-title" transform={`translate(${width - 8} ${(M.top + bottom) / 2}) rotate(90)`} textAnchor="middle" fontSize={12}>{right.title}</text>
          </g>
        )}
        {refs.map((r) => (
          <g key={r.label} className="live-ref">
            <line x1={M.left} x2={plotRight} y1={sy(r.y)} y2={sy(r.y)} stroke={r.colour} strokeDasharray={r.dash} />
            <text x={plotRight - 4} y={sy(r.y) + (r.below ? 13 : -4)} textAnchor="end" fontSize={11} fill={r.colour}>{r.label}</text>
          </g>
        ))}
        {series.map((s) => s.points.length > 0 && (
          <g key={s.key} className="live-series" data-series={s.name}>
            <path className="live-line" d={linePath(s.points, sx, yOf(s))} fill="none" stroke={s.colour} strokeWidth={1.5} strokeDasharray={s.dash} />
            {s.dots && s.points.map((p) => <circle key={p.x} cx={sx(p.x)} cy={yOf(s)(p.y)} r={2.5} fill={s.colour} />)}
          </g>
        ))}
        {hx !== null && <line className="live-cursor" x1={sx(hx)} x2={sx(hx)} y1={M.top} y2={bottom} stroke="#999" />}
      </svg>
      {hx !== null && (
        <div className="live-readout" data-testid="live-readout" style={{ position: 'absolute', top: M.top, left: Math.min(sx(hx) + 8, width - 180), background: '#fff', border: '1px solid #ccc', padding: '2px 6px', fontSize: 12, pointerEvents: 'none' }}>
          <div>{xTitle} {hx}</div>
          {series.map((s) => {
            const p = s.points.find((q) => q.x === hx);
            return p && <div key={s.key} style={{ color: s.colour }}>{s.name}: {(s.right && right ? right.format : yFormat)(p.y)}</div>;
          })}
        </div>
      )}
      <div className="live-legend" style={{ display: 'flex', flexWrap: 'wrap', justifyContent: 'center', gap: '0.8rem', fontSize: 12 }}>
        {series.map((s) => (
          <span key={s.key} className="live-legend-item">
            <svg width={18} height={8} aria-hidden><line x1={0} x2={18} y1={4} y2={4} stroke={s.colour} strokeWidth={2} strokeDasharray={s.dash} /></svg> {s.name}
          </span>
        ))}
      </div>
    </div>
  );
});
