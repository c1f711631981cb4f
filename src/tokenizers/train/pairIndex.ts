/**
 * Data structures of the BPE merge loop (the approach of HF tokenizers' BpeTrainer): an open-addressing hash from a
 * symbol pair (a, b) to a pair index, per-pair counts and "words that may contain it" lists, and a binary max-heap
 * with lazy invalidation (an entry stores the count it was pushed with; stale entries are re-pushed or dropped when
 * they reach the top). Typed arrays throughout so 10⁶ pairs cost a few MB and no per-pair objects.
 */

/** Pair storage: index → (a, b, count, word list) and the (a, b) → index hash. */
export class PairIndex {
  size = 0;
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  count = new Float64Array(1024);
  /** Word indices that contained the pair when it was counted (may hold stale entries; never the same word twice in a row). */
  words: (number[] | null)[] = [];
  private slots = new Int32Array(4096).fill(-1);
  private mask = 4095;

  private static hash(x: number, y: number): number {
    let h = Math.imul(x, 0x9e3779b1) ^ y;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    return h ^ (h >>> 13);
  }

  /** Index of (x, y), created with count 0 when new. */
  id(x: number, y: number): number {
    const mask = this.mask;
    let s = PairIndex.hash(x, y) & mask;
    for (;;) {
      const p = this.slots[s];
      if (p < 0) break;
      if (this.a[p] === x && this.b[p] === y) return p;
      s = (s + 1) & mask;
    }
    const p = this.size++;
    if (p === this.a.length) this.growArrays();
    this.a[p] = x;
    this.b[p] = y;
    this.words.push([]);
    this.slots[s] = p;
    if (this.size * 2 > mask) this.rehash();
    return p;
  }

  private growArrays(): void {
    const n = this.a.length * 2;
    const a = new Int32Array(n); a.set(this.a); this.a = a;
    const b = new Int32Array(n); b.set(this.b); this.b = b;
    const c = new Float64Array(n); c.set(this.count); this.count = c;
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let p = 0; p < this.size; p++) {
      let s = PairIndex.hash(this.a[p], this.b[p]) & this.mask;
      while (this.slots[s] >= 0) s = (s + 1) & this.mask;
      this.slots[s] = p;
    }
  }
}

/**
 * Max-heap of (pair, key) ordered by key, ties broken by `before(p, q)` (true when p should come first).
 * Keys are the pair's count when pushed; the caller validates the top against the live count.
 */
export class PairHeap {
  n = 0;
  private pair = new Int32Array(1024);
  private key = new Float64Array(1024);

  constructor(private readonly before: (p: number, q: number) => boolean) {}

  private higher(i: number, j: number): boolean {
    const ki = this.key[i], kj = this.key[j];
    return ki > kj || (ki === kj && this.before(this.pair[i], this.pair[j]));
  }

  private swap(i: number, j: number): void {
    const p = this.pair[i]; this.pair[i] = this.pair[j]; this.pair[j] = p;
    const k = this.key[i]; this.key[i] = this.key[j]; this.key[j] = k;
  }

  push(p: number, k: number): void {
    if (this.n === this.pair.length) {
      const pair = new Int32Array(this.n * 2); pair.set(this.pair); this.pair = pair;
      const key = new Float64Array(this.n * 2); key.set(this.key); this.key = key;
    }
    let i = this.n++;
    this.pair[i] = p;
    this.key[i] = k;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.higher(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  topPair(): number { return this.pair[0]; }
  topKey(): number { return this.key[0]; }

  pop(): void {
    this.n--;
    if (this.n === 0) return;
    this.pair[0] = this.pair[this.n];
    this.key[0] = this.key[this.n];
    this.siftDown(0);
  }

  private siftDown(i: number): void {
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.higher(r, l) ? r : l;
      if (!this.higher(c, i)) return;
      this.swap(i, c);
      i = c;
    }
  }

  /** Bulk insert followed by one O(n) heapify. */
  build(pairs: Int32Array, keys: Float64Array): void {
    this.pair = pairs.slice();
    this.key = keys.slice();
    this.n = pairs.length;
    if (this.pair.length === 0) { this.pair = new Int32Array(1024); this.key = new Float64Array(1024); }
    for (let i = (this.n >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }
}
