import { memo, useDeferredValue, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { COLUMN_KINDS, type AlignView } from '../../alignment/mapView.ts';
import type { AlignLens } from '../../store/alignment.ts';
import { tokenColour, tokenParts } from '../tokenColour.ts';
import { gapBefore, mapBlocks } from './layout.ts';

type Side = 't' | 's';
export interface Focused { side: Side; pos: number }

const SIDE_NAME = { t: 'teacher', s: 'student' } as const;
const LINE_H = 14;

const rowOf = (view: AlignView, side: Side) => (side === 't' ? view.teacher : view.student);
const spanOf = (view: AlignView, side: Side, p: number): [number, number] => {
  const o = rowOf(view, side).offsets;
  return [o[2 * p], o[2 * p + 1]];
};

/** One token chip: colour = hash of the token string; id and offsets in its title and accessible name. */
function Chip({ view, side, p, lens }: { view: AlignView; side: Side; p: number; lens: AlignLens }) {
  const row = rowOf(view, side);
  const tok = row.tokens[p];
  const [s, e] = spanOf(view, side, p);
  const { prefix, body } = tokenParts(tok);
  const pair = row.pair[p];
  let cls = `ach ${side}`;
  if (row.special[p]) cls += ' special';
  if (tok === '[UNK]') cls += ' unk';
  if (lens === 'match') cls += pair >= 0 ? (view.match.jump[pair] ? ' paired jump' : ' paired') : ' skipped';
  if (lens === 'glmd' && side === 't' && view.glmd && view.glmd.replacementTokens[p]) cls += ' removed';
  const label = `${SIDE_NAME[side]} token ${tok}, id ${row.ids[p]}, characters ${s} to ${e}`;
  return (
    <span
      className={cls}
      style={{ background: tokenColour(tok) }}
      tabIndex={0}
      title={`${SIDE_NAME[side]} · ${tok} · id ${row.ids[p]} · [${s}, ${e})`}
      aria-label={label}
      data-side={side}
      data-pos={p}
      data-l={row.link[p]}
      data-p={pair}
      data-k={`${side}${p}`}
      data-token={tok}
    >
      {prefix && <small>{prefix}</small>}{body}
      {lens === 'match' && pair >= 0 && view.match.jump[pair] === 1 && <sup className="jumpmark" title="jump-ahead pair">↷{pair}</sup>}
    </span>
  );
}

/** σ(t_i) under teacher token i: the group G_i of the t2s row, bracketed. */
function Group({ view, i }: { view: AlignView; i: number }) {
  const g = view.reduce;
  const pieces = [];
  for (let k = g.groupStart[i]; k < g.groupStart[i + 1]; k++) {
    const tok = g.t2sTokens[k];
    const { prefix, body } = tokenParts(tok);
    pieces.push(<span key={k} className={`ach g${tok === '[UNK]' ? ' unk' : ''}`} style={{ background: tokenColour(tok) }} title={`σ piece ${tok} · student id ${g.t2s[k]}`}>{prefix && <small>{prefix}</small>}{body}</span>);
  }
  const flags = g.flags[i];
  return <span className={`agroup${flags & 1 ? ' unmapped' : ''}${flags & 2 ? ' hasunk' : ''}`} data-group={i}>{pieces}</span>;
}

function Column({ view, c, lens }: { view: AlignView; c: number; lens: AlignLens }) {
  const cols = view.columns;
  const tps = Array.from(cols.teacherPos.subarray(cols.teacherPtr[c], cols.teacherPtr[c + 1]));
  const sps = Array.from(cols.studentPos.subarray(cols.studentPtr[c], cols.studentPtr[c + 1]));
  const kind = cols.kind[c];
  const gap = gapBefore(view, c);
  const glmd = lens === 'glmd' ? view.glmd : null;
  return (
    <>
      {gap && <span className="agap" aria-hidden>{gap}</span>}
      <div className={`acol k${kind}`} data-c={c} data-kind={COLUMN_KINDS[kind]}>
        <div className="arow">
          {tps.map((p) => (lens === 'reduce' || (glmd && glmd.replacementTokens[p])) ? (
            <span className="asub" key={p}>
              <Chip view={view} side="t" p={p} lens={lens} />
              {lens === 'reduce' ? <Group view={view} i={p} /> : (
                <span className="agroup rep" title="GLMD replaces the removed token by this kept one">→ <span className="ach g" style={{ background: tokenColour(glmd!.replacementTokens[p]) }}>{glmd!.replacementTokens[p]}</span></span>
              )}
            </span>
          ) : <Chip key={p} view={view} side="t" p={p} lens={lens} />)}
        </div>
        <div className="alinkbox"><svg className="alinks" aria-hidden><path /></svg></div>
        <div className="arow">
          {sps.map((p) => <Chip key={p} view={view} side="s" p={p} lens={lens} />)}
        </div>
      </div>
    </>
  );
}

/**
 * Draws the connectors of a block's columns: a line between every teacher and student chip whose spans overlap
 * (Match: between the pair). All chip positions are read first, then every path is written (one layout, no thrashing).
 */
function drawLinks(el: HTMLElement, view: AlignView, lens: AlignLens) {
  const cols = Array.from(el.querySelectorAll<HTMLElement>('.acol'));
  const measured = cols.map((col) => {
    const chips = (side: Side) => Array.from(col.querySelectorAll<HTMLElement>(`.ach.${side}`), (x) => ({ p: Number(x.dataset.pos), x: x.offsetLeft + x.offsetWidth / 2 }));
    return { path: col.querySelector('path'), ts: chips('t'), ss: chips('s') };
  });
  for (const { path, ts, ss } of measured) {
    if (!path) continue;
    let d = '';
    for (const t of ts) {
      const [a, b] = spanOf(view, 't', t.p);
      for (const s of ss) {
        if (lens === 'match') {
          const k = view.teacher.pair[t.p];
          if (k < 0 || view.student.pair[s.p] !== k) continue;
        } else {
          const [c, e] = spanOf(view, 's', s.p);
          const special = view.teacher.special[t.p] && view.student.special[s.p];
          if (!special && !(a < e && c < b)) continue;
        }
        d += `M${t.x.toFixed(1)} 0L${s.x.toFixed(1)} ${LINE_H}`;
      }
    }
    if (path.getAttribute('d') !== d) path.setAttribute('d', d);
  }
}

/**
 * A block of columns. It mounts as an empty placeholder of the estimated height and draws its columns in a deferred
 * (time-sliced, interruptible) render right after, so a jump through a long map never builds a screenful of chips in
 * one main-thread task.
 */
const Block = memo(function Block({ view, from, to, lens, estimate }: { view: AlignView; from: number; to: number; lens: AlignLens; estimate: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const ready = useDeferredValue(true, false);
  useLayoutEffect(() => { if (ready && ref.current) drawLinks(ref.current, view, lens); }, [ready, view, from, to, lens]);
  if (!ready) return <div className="ablock" style={{ height: estimate }} />;
  const cols = [];
  for (let c = from; c < to; c++) cols.push(<Column key={c} view={view} c={c} lens={lens} />);
  return <div className="ablock" ref={ref}>{cols}</div>;
});

/**
 * The map: columns in text order (a link's teacher tokens over its student tokens, joined by lines), in blocks of
 * about a line, virtualised (only the blocks in view exist), so a 10,000-token text draws in a few milliseconds.
 * Hovering or focusing a token outlines its whole component (Match: its pair) and tells `onFocus`.
 */
export function AlignmentMap({ view, lens, onFocusToken }: { view: AlignView; lens: AlignLens; onFocusToken(f: Focused | null): void }) {
  const starts = useMemo(() => mapBlocks(view), [view]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [hl, setHl] = useState<Focused | null>(null);
  const estimate = lens === 'reduce' ? 92 : 66;
  // eslint-disable-next-line react-hooks/incompatible-library -- no React Compiler here; the virtualizer re-renders this component itself
  const virtualizer = useVirtualizer({
    count: starts.length - 1,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => estimate,
    overscan: 2,
    // Scroll updates render like any other (not flushSync'd inside the scroll event): the blocks defer their chips anyway.
    useFlushSync: false,
  });
  const pick = (target: EventTarget | null) => {
    const el = (target as HTMLElement | null)?.closest?.('.ach[data-side]') as HTMLElement | null;
    if (!el) return;
    const f = { side: el.dataset.side as Side, pos: Number(el.dataset.pos) };
    setHl(f);
    onFocusToken(f);
  };
  // Highlight through one style rule (no re-render of the chips): the hovered token's component, or its Match pair.
  let css = '';
  if (hl) {
    const row = rowOf(view, hl.side);
    const link = row.link[hl.pos], pair = row.pair[hl.pos];
    const sel = lens === 'match' && pair >= 0 ? `[data-p="${pair}"]` : link >= 0 ? `[data-l="${link}"]` : `[data-k="${hl.side}${hl.pos}"]`;
    css = `.amap .ach${sel}{outline:2px solid #111827;outline-offset:1px}`;
  }
  const total = virtualizer.getTotalSize();
  return (
    <div
      className="amap"
      data-testid="align-map"
      data-columns={view.columns.count}
      data-blocks={starts.length - 1}
      ref={scrollRef}
      style={{ height: Math.min(Math.max(total, 60), 520) }}
      onPointerOver={(e) => pick(e.target)}
      onFocus={(e) => pick(e.target)}
    >
      <style>{css}</style>
      <div style={{ height: total, position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => (
          <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}>
            <Block view={view} from={starts[item.index]} to={starts[item.index + 1]} lens={lens} estimate={estimate} />
          </div>
        ))}
      </div>
    </div>
  );
}
