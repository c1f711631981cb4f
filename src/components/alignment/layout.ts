/**
 * Pure helpers of the alignment map's drawing (no React, unit-tested): blocks of columns for the virtualised list,
 * the whitespace between columns, the truncation notice, share formatting.
 */
import type { AlignView } from '../../alignment/mapView.ts';
import { visibleGap } from '../tokenColour.ts';
import { int } from '../../app/format.ts';

/** Estimated width of column c in characters: its wider row (tokens and their padding). */
export function columnWidth(view: AlignView, c: number): number {
  const cols = view.columns;
  let t = 0, s = 0;
  for (let k = cols.teacherPtr[c]; k < cols.teacherPtr[c + 1]; k++) t += view.teacher.tokens[cols.teacherPos[k]].length + 1;
  for (let k = cols.studentPtr[c]; k < cols.studentPtr[c + 1]; k++) s += view.student.tokens[cols.studentPos[k]].length + 1;
  return Math.max(t, s, 1);
}

/**
 * Block boundaries for the virtualised map: block b draws columns starts[b] … starts[b+1] − 1. A block closes once
 * its estimated width reaches `width` characters (about one line at 1280 px), and always after `maxColumns` columns.
 * Returns [0, …, count] (just [0] when there is no column).
 */
export function mapBlocks(view: AlignView, width = 90, maxColumns = 48): number[] {
  const starts = [0];
  let w = 0, n = 0;
  for (let c = 0; c < view.columns.count; c++) {
    w += columnWidth(view, c) + 1;
    n++;
    if (w >= width || n >= maxColumns) { starts.push(c + 1); w = 0; n = 0; }
  }
  if (starts[starts.length - 1] !== view.columns.count) starts.push(view.columns.count);
  return starts;
}

/** The text between column c − 1 and column c (whitespace made visible, long gaps shortened); '' when they touch. */
export function gapBefore(view: AlignView, c: number, max = 6): string {
  if (c <= 0) return '';
  const from = view.columns.end[c - 1], to = view.columns.start[c];
  if (!(to > from)) return '';
  const raw = view.text.slice(from, to);
  const shown = visibleGap(raw);
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}

/** The notice of a map that is drawn cut (null when it is whole). */
export function truncationNotice(view: AlignView): string | null {
  const t = view.truncated;
  if (!t) return null;
  const n = (x: number) => int(x);
  return `This text has ${n(view.teacher.total)} teacher and ${n(view.student.total)} student tokens (${n(view.textLength)} characters): the map draws the first ${n(t.teacher)} / ${n(t.student)} tokens (${n(t.chars)} characters). It was aligned whole: the counters cover the whole text.`;
}

/** A share as a percentage with one decimal. */
export const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

const KIND_WORDS: Record<string, string> = {
  '1:1': '1:1 (the same boundaries)', '1:n': '1:n (the student splits this teacher token)', 'n:1': 'n:1 (the student merges these teacher tokens)',
  'n:m': 'n:m (the boundaries cross)', 'teacher only': 'no student token covers it', 'student only': 'no teacher token covers it', special: 'a special token',
};

/** What the inspector says about one token of the map (hover or keyboard focus): one line per fact. */
export function describeToken(view: AlignView, side: 't' | 's', pos: number, lens: 'links' | 'reduce' | 'match' | 'glmd'): string[] {
  const row = side === 't' ? view.teacher : view.student;
  const s = row.offsets[2 * pos], e = row.offsets[2 * pos + 1];
  const name = side === 't' ? 'teacher' : 'student';
  const lines = [`${name} token «${row.tokens[pos]}» · id ${row.ids[pos]} · characters ${s}–${e}${e > s ? ` «${view.text.slice(s, e)}»` : ''}`];
  const link = row.link[pos];
  if (link >= 0) {
    const members = (r: typeof row) => { const out: string[] = []; for (let p = 0; p < r.tokens.length; p++) if (r.link[p] === link) out.push(`«${r.tokens[p]}»`); return out.join(' '); };
    const kind = ['1:1', '1:n', 'n:1', 'n:m'][view.linkKind[link]];
    lines.push(`link ${kind}: ${KIND_WORDS[kind]} · teacher ${members(view.teacher)} ↔ student ${members(view.student)}`);
  } else lines.push(row.special[pos] ? KIND_WORDS.special : KIND_WORDS[side === 't' ? 'teacher only' : 'student only']);
  if (lens === 'reduce' && side === 't') {
    const g = view.reduce, pieces = [];
    for (let k = g.groupStart[pos]; k < g.groupStart[pos + 1]; k++) pieces.push(g.t2sTokens[k]);
    lines.push(`σ = ${pieces.join(' ')} (group G${pos}, ${pieces.length} piece${pieces.length === 1 ? '' : 's'})${g.flags[pos] & 1 ? ' · unmapped: σ has no entry, read as [UNK]' : ''}${g.flags[pos] & 2 && !(g.flags[pos] & 1) ? ' · contains [UNK]' : ''}`);
  }
  if (lens === 'match') {
    const k = row.pair[pos];
    if (k < 0) lines.push('Match: skipped (no pair)');
    else {
      const i = view.match.pairs[2 * k], j = view.match.pairs[2 * k + 1];
      lines.push(`Match pair #${k}: teacher ${i} ↔ student ${j}${view.match.jump[k] ? ' · jump-ahead: the pair shares no character of the text' : ''}${view.match.passedOver[k] ? ` · the search passed over ${view.match.passedOver[k]} student token${view.match.passedOver[k] === 1 ? '' : 's'}` : ''}`);
    }
  }
  if (lens === 'glmd' && side === 't' && view.glmd) {
    const rep = view.glmd.replacementTokens[pos];
    lines.push(rep ? `GLMD: removed, read as «${rep}» (id ${view.glmd.replacement[pos]})` : 'GLMD: kept');
  }
  return lines;
}
