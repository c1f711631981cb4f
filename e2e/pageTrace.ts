/**
 * What the page's main thread did during its long tasks, from a Chrome trace (bench:page, issue 16 item 4). Not a
 * test. `Browser.startTracing` records the devtools.timeline events (RunTask, FunctionCall, Layout, GC, …) and V8's
 * sampling profiler; for every main-thread task over 50 ms this reads
 * - the top trace events by self time inside it (what kind of work: script, layout, style, GC, message deserialisation),
 * - the top functions by self time from the profiler's samples, mapped back to the source through the build's source
 *   maps when the build has them (`vite build --sourcemap`), else named as minified (`name @ bundle:line:col`).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

interface TraceEvent {
  name: string; cat?: string; ph: string; ts: number; dur?: number; tdur?: number; pid: number; tid: number; id?: string;
  args?: { name?: string; data?: Record<string, unknown> };
}
interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; parent?: number }

export interface Named { name: string; ms: number }
/** A long task: wall time, the main thread's CPU time in it (less when the OS ran something else), what it did. */
export interface TracedTask { ms: number; cpuMs: number | null; atMs: number; events: Named[]; functions: Named[] }

// ---- source maps (a minimal VLQ decoder: the build's own maps, no dependency) ----

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
type Segment = [number, number, number, number, number]; // genCol, source, line, col, name (-1: none)

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let src = 0, line = 0, col = 0, name = 0;
  for (const l of mappings.split(';')) {
    const segs: Segment[] = [];
    let gen = 0;
    for (const s of l.split(',')) {
      if (!s) continue;
      const v: number[] = [];
      let shift = 0, value = 0;
      for (const ch of s) {
        const d = B64.indexOf(ch);
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else { v.push(value & 1 ? -(value >>> 1) : value >>> 1); value = 0; shift = 0; }
      }
      gen += v[0];
      if (v.length >= 4) { src += v[1]; line += v[2]; col += v[3]; }
      if (v.length >= 5) name += v[4];
      segs.push([gen, v.length >= 4 ? src : -1, line, col, v.length >= 5 ? name : -1]);
    }
    lines.push(segs);
  }
  return lines;
}

interface SourceMap { sources: string[]; names: string[]; lines: Segment[][] }
const maps = new Map<string, SourceMap | null>();

function sourceMapOf(dist: string, url: string): SourceMap | null {
  const file = url.replace(/^https?:\/\/[^/]+\//, '').split('?')[0];
  if (maps.has(file)) return maps.get(file)!;
  const path = join(dist, file + '.map');
  let m: SourceMap | null = null;
  if (file && existsSync(path)) {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { sources: string[]; names: string[]; mappings: string };
    m = { sources: raw.sources.map((s) => s.replace(/^(\.\.\/)+/, '').replace(/^node_modules\/\.pnpm\/[^/]+\/node_modules\//, 'node_modules/')), names: raw.names, lines: decodeMappings(raw.mappings) };
  }
  maps.set(file, m);
  return m;
}

/** "function (src/file.ts:line)" for a profiler frame (0-based line / column, as V8 reports them). */
function frameName(dist: string | null, f: CallFrame): string {
  const fn = f.functionName || '(anonymous)';
  if (!f.url) return fn;
  const m = dist ? sourceMapOf(dist, f.url) : null;
  const segs = m?.lines[f.lineNumber];
  if (m && segs?.length) {
    let best: Segment | null = null;
    for (const s of segs) if (s[0] <= f.columnNumber) best = s; else break;
    if (best && best[1] >= 0) return `${best[4] >= 0 ? m.names[best[4]] : fn} (${m.sources[best[1]]}:${best[2] + 1})`;
  }
  return `${fn} @ ${f.url.replace(/^https?:\/\/[^/]+\//, '')}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
}

// ---- the trace ----

const top = (m: Map<string, number>, n: number): Named[] =>
  [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10 }));

/** Self time per event name inside [t0, t1] on one thread (complete events nest; a child's time is not its parent's). */
function eventSelfTimes(events: TraceEvent[], t0: number, t1: number): Map<string, number> {
  const inside = events.filter((e) => e.ph === 'X' && e.ts >= t0 && e.ts + (e.dur ?? 0) <= t1 && e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<string, number>();
  const stack: { e: TraceEvent; end: number; child: number }[] = [];
  const close = (until: number) => {
    while (stack.length && stack[stack.length - 1].end <= until) {
      const s = stack.pop()!;
      self.set(s.e.name, (self.get(s.e.name) ?? 0) + Math.max(0, (s.e.dur ?? 0) - s.child));
      if (stack.length) stack[stack.length - 1].child += s.e.dur ?? 0;
    }
  };
  for (const e of inside) {
    close(e.ts);
    stack.push({ e, end: e.ts + (e.dur ?? 0), child: 0 });
  }
  close(Infinity);
  const covered = [...self.values()].reduce((a, b) => a + b, 0);
  const rest = t1 - t0 - covered;
  if (rest > 1000) self.set('(task, outside traced events)', rest);
  return self;
}

/**
 * The main thread's tasks over `thresholdMs` in a trace (of the renderer showing `pageUrl`, between the page's marks
 * bench:phase-start and bench:phase-end when it set them), longest first, each with its top events and functions; `atMs`:
 * when it started, from the trace's first main-thread event.
 */
export function longTasksOfTrace(json: string, dist: string | null, pageUrl: string, thresholdMs = 50): TracedTask[] {
  const all = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents;
  // The page's renderer: the processes whose frames load `pageUrl` (Chrome's own pages, e.g. a new-tab page, run in others).
  const pagePids = new Set<number>();
  for (const e of all) {
    const frames = (e.args?.data?.frames ?? []) as { url?: string; processId?: number }[];
    if (e.name === 'TracingStartedInBrowser') for (const f of frames) if (f.url?.startsWith(pageUrl) && f.processId) pagePids.add(f.processId);
    const d = e.args?.data as { url?: string; processId?: number; documentLoaderURL?: string } | undefined;
    if (e.name === 'FrameCommittedInBrowser' && d?.url?.startsWith(pageUrl) && d.processId) pagePids.add(d.processId);
    if (e.name === 'navigationStart' && d?.documentLoaderURL?.startsWith(pageUrl)) pagePids.add(e.pid);
  }
  const mains = new Set(all.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && (!pagePids.size || pagePids.has(e.pid))).map((e) => `${e.pid}:${e.tid}`));
  const onMain = (e: TraceEvent) => mains.has(`${e.pid}:${e.tid}`);
  const pagePidsOr = (e: TraceEvent) => !pagePids.size || pagePids.has(e.pid);
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of all) if (onMain(e) && e.ph === 'X') (byThread.get(`${e.pid}:${e.tid}`) ?? byThread.set(`${e.pid}:${e.tid}`, []).get(`${e.pid}:${e.tid}`)!).push(e);
  // The profiler's samples per thread: Profile (on the profiled thread) gives the start, ProfileChunks the nodes and deltas.
  const profiles = new Map<string, { thread: string; t: number; nodes: Map<number, ProfileNode>; samples: { t: number; node: number }[] }>();
  for (const e of all) {
    if (e.name === 'Profile' && e.id) profiles.set(`${e.pid}:${e.id}`, { thread: `${e.pid}:${e.tid}`, t: Number(e.args?.data?.startTime ?? e.ts), nodes: new Map(), samples: [] });
  }
  for (const e of all) {
    if (e.name !== 'ProfileChunk' || !e.id) continue;
    const p = profiles.get(`${e.pid}:${e.id}`);
    const d = e.args?.data as { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } | undefined;
    if (!p || !d) continue;
    for (const n of d.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
    const samples = d.cpuProfile?.samples ?? [];
    samples.forEach((node, i) => { p.t += d.timeDeltas?.[i] ?? 0; p.samples.push({ t: p.t, node }); });
  }
  const out: TracedTask[] = [];
  let origin = Infinity;
  for (const e of all) if (onMain(e) && e.ts > 0 && e.ts < origin) origin = e.ts;
  // The phase's window: performance.mark('bench:phase-start' / 'bench:phase-end') in the page, when it set them.
  const markTs = (name: string) => all.filter((e) => e.name === name && pagePidsOr(e)).reduce((t, e) => Math.max(t, e.ts), -Infinity);
  const from = markTs('bench:phase-start');
  const toRaw = markTs('bench:phase-end');
  const to = Number.isFinite(toRaw) ? toRaw : Infinity;
  for (const [thread, events] of byThread) {
    const samples = [...profiles.values()].filter((p) => p.thread === thread);
    for (const task of events) {
      if (task.name !== 'RunTask' || (task.dur ?? 0) < thresholdMs * 1000 || task.ts + task.dur! < from || task.ts > to) continue;
      const t0 = task.ts, t1 = task.ts + task.dur!;
      const fns = new Map<string, number>();
      for (const p of samples) {
        const inTask = p.samples.filter((s) => s.t >= t0 && s.t <= t1);
        for (let i = 0; i < inTask.length; i++) {
          const node = p.nodes.get(inTask[i].node);
          if (!node) continue;
          const dt = (i + 1 < inTask.length ? inTask[i + 1].t : t1) - inTask[i].t;
          const name = node.callFrame.url || node.callFrame.functionName.startsWith('(') ? frameName(dist, node.callFrame) : `${node.callFrame.functionName} (native)`;
          fns.set(name, (fns.get(name) ?? 0) + dt);
        }
      }
      out.push({ ms: Math.round(task.dur! / 1000), cpuMs: task.tdur === undefined ? null : Math.round(task.tdur / 1000), atMs: Number.isFinite(origin) ? Math.round((t0 - origin) / 1000) : 0, events: top(eventSelfTimes(events, t0, t1), 5), functions: top(fns, 6) });
    }
  }
  return out.sort((a, b) => b.ms - a.ms);
}
