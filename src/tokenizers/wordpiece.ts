/**
 * WordPiece model (HF `WordPiece`): greedy longest-match-first over one pre-tokenized word; pieces after the first
 * carry the continuing prefix (`##`); a word with more than `maxInputCharsPerWord` code points, or with any part that
 * matches nothing, becomes a single [UNK]. Never splits inside a surrogate pair.
 */
export interface WordPieceOptions {
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
}

export const DEFAULT_WORDPIECE: WordPieceOptions = { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 };

/** One piece of a word: its id, string, and code-unit range [start, end) within the word. */
export interface Piece {
  id: number;
  token: string;
  start: number;
  end: number;
}

/** Per-model memo of word → pieces (words repeat a lot in text), bounded so a huge corpus cannot grow it forever. */
export class WordCache {
  private map = new Map<string, Piece[]>();
  constructor(private readonly limit = 100_000) {}

  get(word: string, compute: () => Piece[]): Piece[] {
    const hit = this.map.get(word);
    if (hit) return hit;
    const pieces = compute();
    if (this.map.size < this.limit) this.map.set(word, pieces);
    return pieces;
  }
}

export class TokenizerModelError extends Error {
  override name = 'TokenizerModelError';
}

export class WordPieceModel {
  readonly kind = 'wordpiece';
  readonly vocab: readonly string[];
  readonly index: Map<string, number>;
  readonly options: WordPieceOptions;
  readonly unkId: number;
  private cache = new WordCache();

  constructor(vocab: readonly string[], options: Partial<WordPieceOptions> = {}) {
    this.vocab = vocab;
    this.options = { ...DEFAULT_WORDPIECE, ...options };
    this.index = new Map();
    vocab.forEach((t, i) => { if (!this.index.has(t)) this.index.set(t, i); });
    const unk = this.index.get(this.options.unkToken);
    if (unk === undefined) throw new TokenizerModelError(`the vocabulary has no unknown token "${this.options.unkToken}"`);
    this.unkId = unk;
  }

  tokenizeWord(word: string): Piece[] {
    return this.cache.get(word, () => this.compute(word));
  }

  private compute(word: string): Piece[] {
    const unk: Piece[] = [{ id: this.unkId, token: this.options.unkToken, start: 0, end: word.length }];
    // Code-point boundaries, so a piece never ends inside a surrogate pair.
    const bounds: number[] = [0];
    for (let i = 0; i < word.length; ) { i += word.codePointAt(i)! > 0xffff ? 2 : 1; bounds.push(i); }
    if (bounds.length - 1 > this.options.maxInputCharsPerWord) return unk;
    const out: Piece[] = [];
    const prefix = this.options.continuingSubwordPrefix;
    let s = 0;
    while (s < bounds.length - 1) {
      let e = bounds.length - 1;
      let found: Piece | null = null;
      while (e > s) {
        const sub = (s > 0 ? prefix : '') + word.slice(bounds[s], bounds[e]);
        const id = this.index.get(sub);
        if (id !== undefined) { found = { id, token: sub, start: bounds[s], end: bounds[e] }; break; }
        e--;
      }
      if (!found) return unk;
      out.push(found);
      s = e;
    }
    return out;
  }
}
