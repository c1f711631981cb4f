/**
 * BPE model (HF `BPE`): a word starts as its code points (non-initial ones with the continuing prefix, if any), then
 * merges are applied lowest rank first (leftmost on ties) until none applies. Unknown characters become [UNK]
 * (consecutive ones fused when `fuseUnk`). Our trained BPE vocabularies use the `##` prefix, like WordPiece.
 */
import { TokenizerModelError, WordCache, type Piece } from './wordpiece.ts';

export interface BpeOptions {
  unkToken: string | null;
  continuingSubwordPrefix: string | null;
  endOfWordSuffix: string | null;
  fuseUnk: boolean;
}

export const DEFAULT_BPE: BpeOptions = { unkToken: '[UNK]', continuingSubwordPrefix: '##', endOfWordSuffix: null, fuseUnk: false };

export class BpeModel {
  readonly kind = 'bpe';
  readonly vocab: readonly string[];
  readonly index: Map<string, number>;
  readonly merges: readonly [string, string][];
  readonly options: BpeOptions;
  /** "left right" → rank. */
  private ranks = new Map<string, number>();
  private cache = new WordCache();

  constructor(vocab: readonly string[], merges: readonly [string, string][], options: Partial<BpeOptions> = {}) {
    this.vocab = vocab;
    this.merges = merges;
    this.options = { ...DEFAULT_BPE, ...options };
    this.index = new Map();
    vocab.forEach((t, i) => { if (!this.index.has(t)) this.index.set(t, i); });
    merges.forEach(([a, b], r) => {
      if (!this.ranks.has(`${a} ${b}`)) this.ranks.set(`${a} ${b}`, r);
    });
    if (this.options.unkToken !== null && !this.index.has(this.options.unkToken)) {
      throw new TokenizerModelError(`the vocabulary has no unknown token "${this.options.unkToken}"`);
    }
  }

  /** The merged string of two symbols (the right one loses its continuing prefix). */
  private join(a: string, b: string): string {
    const p = this.options.continuingSubwordPrefix;
    return a + (p && b.startsWith(p) ? b.slice(p.length) : b);
  }

  tokenizeWord(word: string): Piece[] {
    return this.cache.get(word, () => this.compute(word));
  }

  private compute(word: string): Piece[] {
    const { continuingSubwordPrefix: prefix, endOfWordSuffix: suffix } = this.options;
    const syms: { tok: string; start: number; end: number }[] = [];
    const chars = [...word];
    let pos = 0;
    chars.forEach((c, i) => {
      let tok = (i > 0 && prefix ? prefix : '') + c;
      if (i === chars.length - 1 && suffix) tok += suffix;
      syms.push({ tok, start: pos, end: pos + c.length });
      pos += c.length;
    });
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.ranks.get(`${syms[i].tok} ${syms[i + 1].tok}`);
        if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
      }
      if (best < 0) break;
      const [a, b] = [syms[best], syms[best + 1]];
      syms.splice(best, 2, { tok: this.join(a.tok, b.tok), start: a.start, end: b.end });
    }
    const out: Piece[] = [];
    for (const s of syms) {
      const id = this.index.get(s.tok);
      if (id !== undefined) { out.push({ id, token: s.tok, start: s.start, end: s.end }); continue; }
      const unk = this.options.unkToken;
      if (unk === null) continue; // HF drops unknown symbols when there is no unk token
      const last = out[out.length - 1];
      if (this.options.fuseUnk && last && last.token === unk) last.end = s.end;
      else out.push({ id: this.index.get(unk)!, token: unk, start: s.start, end: s.end });
    }
    return out;
  }
}
