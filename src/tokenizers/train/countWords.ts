/**
 * Word counting for the trainers: the same words as `preTokenize(normalize(text))` (HF BertNormalizer +
 * BertPreTokenizer), computed without alignment arrays. Each UTF-16 code unit is classified once per option set
 * (by running the real normalizer on that one character) into a byte table, so the hot loop is a table lookup and a
 * slice; checked against the slow path in countWords.test.ts. Streams: only the counts are kept between chunks.
 */
import { DEFAULT_NORMALIZER, isBertWhitespace, normalize, type BertNormalizerOptions } from '../normalizer.ts';
import { isBertPunctuation } from '../preTokenizer.ts';
import { EmptyCorpusError } from './errors.ts';

const UNKNOWN = 0, WORD = 1, SPACE = 2, PUNCT = 3, REMOVED = 4, COMPLEX = 5, SURROGATE = 6;

interface CharTable {
  /** Class of each BMP code unit (SURROGATE for D800–DFFF, resolved per occurrence). */
  bmp: Uint8Array;
  /** Class of astral code points and lone surrogates, by code point / code unit. */
  other: Map<number, number>;
  /** Replacement text of COMPLEX characters (lowercased, accent-stripped, CJK padded, whitespace → ' '). */
  complex: Map<number, string>;
  options: BertNormalizerOptions;
}

const tables = new Map<string, CharTable>();

function tableFor(options: BertNormalizerOptions): CharTable {
  const key = JSON.stringify([options.cleanText, options.handleChineseChars, options.stripAccents, options.lowercase]);
  let t = tables.get(key);
  if (!t) {
    t = { bmp: new Uint8Array(65536), other: new Map(), complex: new Map(), options };
    t.bmp.fill(SURROGATE, 0xd800, 0xe000);
    tables.set(key, t);
  }
  return t;
}

/** Class of one character (a string of one code point, or a lone surrogate) under the normalizer options. */
function classify(t: CharTable, ch: string, key: number): number {
  const out = normalize(ch, t.options).normalized;
  let k: number;
  if (out === ch) k = isBertWhitespace(ch) ? SPACE : isBertPunctuation(ch) ? PUNCT : WORD;
  else if (out === '') k = REMOVED;
  else { k = COMPLEX; t.complex.set(key, out); }
  return k;
}

/** Copy of a (possibly sliced) string that does not keep its parent chunk alive. */
const detach = (s: string) => (s.length >= 13 ? (s + ' ').slice(0, -1) : s);

const FNV_OFFSET = 0x811c9dc5 | 0, FNV_PRIME = 0x01000193;

function hashString(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

export interface CountProgress {
  /** Texts (or stream chunks) added. */
  texts: number;
  chars: number;
  words: number;
  distinct: number;
}

/**
 * Accumulates word counts text by text (or chunk by chunk); holds nothing but the counts. Words live in an
 * open-addressing table hashed (FNV-1a over UTF-16 code units) during the scan, so a word seen before costs no
 * allocation: the candidate is compared in place with `startsWith`.
 */
export class WordCounter {
  readonly options: BertNormalizerOptions;
  texts = 0;
  /** UTF-16 code units seen (input, before normalization). */
  chars = 0;
  /** Word occurrences. */
  words = 0;
  private table: CharTable;
  private list: string[] = [];
  private freq = new Float64Array(1024);
  /** (hash, word index) pairs; index −1 = empty. */
  private slots = new Int32Array(2 * 4096).fill(-1);
  private mask = 4095;

  constructor(options: Partial<BertNormalizerOptions> = {}) {
    this.options = { ...DEFAULT_NORMALIZER, ...options };
    this.table = tableFor(this.options);
  }

  /** Counts text[s, e), whose FNV-1a hash is h. */
  private bumpRange(text: string, s: number, e: number, h: number): void {
    this.words++;
    const len = e - s, list = this.list, mask = this.mask, slots = this.slots;
    let slot = h & mask;
    for (let idx = slots[2 * slot + 1]; idx >= 0; idx = slots[2 * slot + 1]) {
      if (slots[2 * slot] === h) {
        const w = list[idx];
        if (w.length === len && text.startsWith(w, s)) { this.freq[idx]++; return; }
      }
      slot = (slot + 1) & mask;
    }
    const idx = list.length;
    list.push(detach(text.slice(s, e)));
    if (idx === this.freq.length) { const fs = new Float64Array(idx * 2); fs.set(this.freq); this.freq = fs; }
    this.freq[idx] = 1;
    slots[2 * slot] = h;
    slots[2 * slot + 1] = idx;
    if (list.length * 2 > mask) this.rehash();
  }

  private rehash(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(2 * cap).fill(-1);
    this.mask = cap - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] < 0) continue;
      let slot = old[i] & this.mask;
      while (this.slots[2 * slot + 1] >= 0) slot = (slot + 1) & this.mask;
      this.slots[2 * slot] = old[i];
      this.slots[2 * slot + 1] = old[i + 1];
    }
  }

  private bump(w: string): void { this.bumpRange(w, 0, w.length, hashString(w)); }

  add(text: string): void {
    const t = this.table;
    const bmp = t.bmp;
    const n = text.length;
    this.texts++;
    this.chars += n;
    let run = -1; // start of the current run of unchanged word characters
    let h = FNV_OFFSET; // hash of that run
    let pre = ''; // the current word's text before `run` (only when a character was removed or replaced)
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      let k = bmp[c];
      if (k === WORD) {
        if (run < 0) { run = i; h = FNV_OFFSET; }
        // Tight loop over a run of unchanged word characters: the bulk of all text.
        for (;;) {
          h = Math.imul(h ^ c, FNV_PRIME);
          if (++i === n) break;
          c = text.charCodeAt(i);
          k = bmp[c];
          if (k !== WORD) break;
        }
        if (i === n) break;
      }
      if (k === SPACE && run < 0 && pre.length === 0) continue; // runs of blanks
      let len = 1;
      let key = c;
      if (k === SURROGATE) {
        const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) { key = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000; len = 2; }
        k = t.other.get(key) ?? UNKNOWN;
        if (k === UNKNOWN) { k = classify(t, text.slice(i, i + len), key); t.other.set(key, k); }
      } else if (k === UNKNOWN) {
        k = classify(t, String.fromCharCode(c), c);
        bmp[c] = k;
      }
      if (k === WORD) {
        if (run < 0) { run = i; h = FNV_OFFSET; }
        h = Math.imul(h ^ c, FNV_PRIME);
        if (len === 2) h = Math.imul(h ^ text.charCodeAt(i + 1), FNV_PRIME);
        i += len - 1;
        continue;
      }
      // Anything else ends the current run of unchanged characters.
      if (k === SPACE || k === PUNCT) {
        if (run >= 0) {
          if (pre) { this.bump(pre + text.slice(run, i)); pre = ''; } else this.bumpRange(text, run, i, h);
          run = -1;
        } else if (pre) { this.bump(pre); pre = ''; }
        if (k === PUNCT) this.bump(text.slice(i, i + len));
      } else {
        if (run >= 0) { pre += text.slice(run, i); run = -1; }
        if (k === COMPLEX) {
          for (const ch of t.complex.get(key)!) {
            if (isBertWhitespace(ch)) { if (pre) { this.bump(pre); pre = ''; } }
            else if (isBertPunctuation(ch)) { if (pre) { this.bump(pre); pre = ''; } this.bump(ch); }
            else pre += ch;
          }
        }
      }
      i += len - 1;
    }
    if (run >= 0) { if (pre) this.bump(pre + text.slice(run)); else this.bumpRange(text, run, n, h); }
    else if (pre) this.bump(pre);
  }

  progress(): CountProgress {
    return { texts: this.texts, chars: this.chars, words: this.words, distinct: this.list.length };
  }

  /** The counts (a new Map, in first-seen order); EmptyCorpusError when there is no word at all. */
  finish(): Map<string, number> {
    if (this.list.length === 0) {
      throw new EmptyCorpusError(this.chars === 0
        ? 'the corpus is empty'
        : `the corpus has ${this.chars} characters but no words: only whitespace or control characters`);
    }
    const m = new Map<string, number>();
    this.list.forEach((w, i) => m.set(w, this.freq[i]));
    return m;
  }
}

const PROGRESS_MS = 100;

/** Counts the words of every text (same words as normalize + preTokenize). Throws EmptyCorpusError on no words. */
export function countWords(
  texts: Iterable<string>, normalizerOptions: Partial<BertNormalizerOptions> = {}, onProgress?: (p: CountProgress) => void,
): Map<string, number> {
  const counter = new WordCounter(normalizerOptions);
  let last = performance.now();
  for (const t of texts) {
    counter.add(t);
    if (onProgress && performance.now() - last > PROGRESS_MS) { onProgress(counter.progress()); last = performance.now(); }
  }
  onProgress?.(counter.progress());
  return counter.finish();
}

/** Above this many characters without any whitespace, a pending chunk tail is counted anyway (bounded memory). */
export const MAX_PENDING_CHARS = 1 << 22;

/**
 * Counts words from a stream of arbitrary text chunks (a word may straddle chunks): each chunk is cut after its last
 * whitespace and the tail carried over, so memory holds one chunk, one tail and the counts.
 */
export async function countWordsStream(
  chunks: AsyncIterable<string> | Iterable<string>, normalizer: Partial<BertNormalizerOptions> | WordCounter = {},
  onProgress?: (p: CountProgress) => void,
): Promise<{ counts: Map<string, number>; counter: WordCounter }> {
  const counter = normalizer instanceof WordCounter ? normalizer : new WordCounter(normalizer);
  let carry = '';
  let last = performance.now();
  const isBlank = (c: number) => c === 10 || c === 32 || c === 13 || c === 9;
  for await (const chunk of chunks) {
    // Cut after the chunk's last blank; the (short) carried tail joins the chunk's head up to its first blank.
    let cut = chunk.length - 1;
    while (cut >= 0 && !isBlank(chunk.charCodeAt(cut))) cut--;
    if (cut < 0) {
      carry += chunk;
      if (carry.length >= MAX_PENDING_CHARS) { counter.add(carry); carry = ''; }
      continue;
    }
    let first = 0;
    while (!isBlank(chunk.charCodeAt(first))) first++;
    if (carry || first > 0) counter.add(carry + chunk.slice(0, first));
    counter.add(first === 0 && cut === chunk.length - 1 ? chunk : chunk.slice(first, cut + 1));
    carry = chunk.slice(cut + 1);
    if (onProgress && performance.now() - last > PROGRESS_MS) { onProgress(counter.progress()); last = performance.now(); }
  }
  if (carry) counter.add(carry);
  onProgress?.(counter.progress());
  return { counts: counter.finish(), counter };
}
