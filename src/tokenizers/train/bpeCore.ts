/**
 * The BPE merge loop shared by both trainers (HF tokenizers' BpeTrainer algorithm): count adjacent symbol pairs once,
 * then repeatedly merge the most frequent pair, updating only the words that contain it (pair → word lists) and
 * only the neighbouring pairs' counts; a max-heap with lazy invalidation picks the next pair. Ties: the pair whose
 * left string, then right string, is smallest in UTF-16 order (JS `<`) wins, so results never depend on word order.
 */
import { PairHeap, PairIndex } from './pairIndex.ts';
import { TrainingCancelled } from './errors.ts';

/** Words as symbol sequences: word w is syms[off[w] .. off[w] + len[w]) with frequency freq[w]; -1 = unknown char. */
export interface SymbolWords {
  syms: Int32Array;
  off: Int32Array;
  len: Int32Array;
  freq: Float64Array;
}

export interface MergeLoopOptions {
  /** Stop after this many merges that produced a token not seen before. */
  maxNewTokens: number;
  minFrequency: number;
  /** Continuing-subword prefix carried by every non-initial symbol (stripped from the right side when joining). */
  prefix: string;
  signal?: AbortSignal;
  onProgress?: (newTokens: number, maxNewTokens: number) => void;
  /** Least time between progress reports / event-loop yields (checked every 256 merges); default 50 ms. */
  progressIntervalMs?: number;
}

export interface MergeLoopResult {
  /** (left, right, result) token ids, in merge order. */
  merges: [number, number, number][];
  /** Token ids created by the merges, in creation order (each once). */
  newTokens: number[];
  stoppedBy: 'vocab-size' | 'min-frequency' | 'no-pairs';
  pairsMs: number;
  mergeMs: number;
}

/** Lets a worker's message handler (a cancel) or the CLI's progress output run between merge batches. */
export function yieldNow(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  const ch = new MessageChannel();
  return new Promise((r) => { ch.port1.onmessage = () => { ch.port1.close(); r(); }; ch.port2.postMessage(null); });
}

/**
 * Runs the merges over `words` (mutated in place). `tokens` maps ids to strings and grows with every new token.
 */
export async function mergeLoop(words: SymbolWords, tokens: string[], o: MergeLoopOptions): Promise<MergeLoopResult> {
  const t0 = performance.now();
  const interval = o.progressIntervalMs ?? 50;
  const { syms, off, len, freq } = words;
  const nWords = off.length;
  const pairs = new PairIndex();
  for (let w = 0; w < nWords; w++) {
    const f = freq[w];
    for (let i = off[w], end = off[w] + len[w] - 1; i < end; i++) {
      const x = syms[i], y = syms[i + 1];
      if (x < 0 || y < 0) continue;
      const p = pairs.id(x, y);
      pairs.count[p] += f;
      const list = pairs.words[p]!;
      if (list.length === 0 || list[list.length - 1] !== w) list.push(w);
    }
  }
  const before = (p: number, q: number) => {
    const lp = tokens[pairs.a[p]], lq = tokens[pairs.a[q]];
    return lp !== lq ? lp < lq : tokens[pairs.b[p]] < tokens[pairs.b[q]];
  };
  const heap = new PairHeap(before);
  const all = new Int32Array(pairs.size).map((_, i) => i);
  heap.build(all, pairs.count.slice(0, pairs.size));
  const t1 = performance.now();

  const index = new Map<string, number>();
  tokens.forEach((t, i) => index.set(t, i));
  const merges: [number, number, number][] = [];
  const newTokens: number[] = [];
  const wordStamp = new Int32Array(nWords).fill(-1);
  let stamp = new Int32Array(pairs.a.length).fill(-1);
  let delta = new Float64Array(pairs.a.length);
  const touched: number[] = [];
  const prefixLen = o.prefix.length;
  let stoppedBy: MergeLoopResult['stoppedBy'] = 'no-pairs';
  let lastYield = performance.now();
  let merge = 0;

  // Adds d to pair (x, y)'s count during merge number `merge`, remembering the pair (and word w when it grew).
  const bump = (x: number, y: number, d: number, w: number) => {
    const p = pairs.id(x, y);
    pairs.count[p] += d;
    if (p >= stamp.length) {
      const s = new Int32Array(pairs.a.length).fill(-1); s.set(stamp); stamp = s;
      const dd = new Float64Array(pairs.a.length); dd.set(delta); delta = dd;
    }
    if (stamp[p] !== merge) { stamp[p] = merge; delta[p] = 0; touched.push(p); }
    delta[p] += d;
    if (d > 0) {
      const list = pairs.words[p] ?? (pairs.words[p] = []);
      if (list.length === 0 || list[list.length - 1] !== w) list.push(w);
    }
  };

  while (newTokens.length < o.maxNewTokens) {
    if (heap.n === 0) { stoppedBy = 'no-pairs'; break; }
    const p = heap.topPair(), key = heap.topKey();
    heap.pop();
    const count = pairs.count[p];
    if (count <= 0) continue;
    if (key !== count) { if (key > count) heap.push(p, count); continue; }
    if (count < o.minFrequency) { stoppedBy = 'min-frequency'; break; }

    const a = pairs.a[p], b = pairs.b[p];
    const right = tokens[b];
    const str = tokens[a] + (right.startsWith(o.prefix) ? right.slice(prefixLen) : right);
    let z = index.get(str);
    if (z === undefined) { z = tokens.length; tokens.push(str); index.set(str, z); newTokens.push(z); }
    merges.push([a, b, z]);
    merge++;
    touched.length = 0;
    for (const w of pairs.words[p]!) {
      if (wordStamp[w] === merge) continue;
      wordStamp[w] = merge;
      const start = off[w], end = start + len[w], f = freq[w];
      let i = start, j = start;
      while (i < end) {
        if (syms[i] === a && i + 1 < end && syms[i + 1] === b) {
          if (j > start && syms[j - 1] >= 0) { const prev = syms[j - 1]; bump(prev, a, -f, w); bump(prev, z, f, w); }
          if (i + 2 < end && syms[i + 2] >= 0) { const next = syms[i + 2]; bump(b, next, -f, w); bump(z, next, f, w); }
          syms[j++] = z;
          i += 2;
        } else syms[j++] = syms[i++];
      }
      len[w] = j - start;
    }
    pairs.count[p] = 0;
    pairs.words[p] = null;
    for (const q of touched) if (delta[q] > 0 && pairs.count[q] > 0) heap.push(q, pairs.count[q]);

    if ((merge & 255) === 0 && performance.now() - lastYield >= interval) {
      o.onProgress?.(newTokens.length, o.maxNewTokens);
      await yieldNow();
      if (o.signal?.aborted) throw new TrainingCancelled();
      lastYield = performance.now();
    }
  }
  if (newTokens.length >= o.maxNewTokens) stoppedBy = 'vocab-size';
  o.onProgress?.(newTokens.length, o.maxNewTokens);
  return { merges, newTokens, stoppedBy, pairsMs: t1 - t0, mergeMs: performance.now() - t1 };
}
