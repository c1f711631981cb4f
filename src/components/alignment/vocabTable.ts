/**
 * The vocabulary table's row order (pure, unit-tested): filter the teacher entries by a search string and a filter,
 * sort by id, corpus count or σ split length. Sorting packs (key, id) into one Float64Array and sorts it numerically,
 * so a 120k-entry vocabulary sorts in milliseconds.
 */
import type { VocabView } from '../../alignment/mapView.ts';

export type VocabSort = 'id' | 'count' | 'split';
export type VocabFilter = 'all' | 'split' | 'lost' | 'outside-C' | 'glmd-removed';

export interface VocabQuery {
  search: string;
  sort: VocabSort;
  filter: VocabFilter;
}

/** Ids of the rows to show, in order. `search`: a substring of the token (case-insensitive), or #id for one id. */
export function vocabOrder(vocab: VocabView, tokens: readonly string[], q: VocabQuery, counts: Float64Array | null, glmdKept: Uint8Array | null): Int32Array {
  const V = vocab.size;
  const needle = q.search.trim().toLowerCase();
  const idMatch = /^#(\d+)$/.exec(needle);
  const keep = new Int32Array(V);
  let n = 0;
  for (let v = 0; v < V; v++) {
    if (idMatch) { if (v !== Number(idMatch[1])) continue; }
    else if (needle && !tokens[v].toLowerCase().includes(needle)) continue;
    const len = vocab.splitLength[v];
    if (q.filter === 'split' && !(len > 1)) continue;
    if (q.filter === 'lost' && !vocab.splitHasUnk[v]) continue;
    if (q.filter === 'outside-C' && vocab.sharedStudentId[v] >= 0) continue;
    if (q.filter === 'glmd-removed' && (!glmdKept || glmdKept[v])) continue;
    keep[n++] = v;
  }
  const ids = keep.subarray(0, n);
  if (q.sort === 'id') return ids.slice();
  // Descending key, ascending id on ties: sort (−key)·2^20 + id ascending (ids < 2^20; keys are integers ≥ −1).
  const packed = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const v = ids[k];
    const key = q.sort === 'count' ? (counts ? counts[v] : 0) : vocab.splitLength[v];
    packed[k] = -key * 1048576 + v;
  }
  packed.sort();
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const x = packed[k];
    out[k] = ((x % 1048576) + 1048576) % 1048576;
  }
  return out;
}
