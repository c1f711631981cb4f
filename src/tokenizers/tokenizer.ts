/**
 * The tokenizer pipeline, as in Hugging Face `tokenizers`: added (special) tokens are cut out of the raw text first,
 * the rest is normalized (with alignments), pre-tokenized, split by the model (WordPiece or BPE) and post-processed
 * ([CLS] … [SEP]). Every encoding carries ids, token strings and UTF-16 offsets into the original string
 * (special tokens added by the post-processor get [0, 0], as in HF).
 */
import { normalize, originalRange, type BertNormalizerOptions } from './normalizer.ts';
import { preTokenize } from './preTokenizer.ts';
import type { WordPieceModel } from './wordpiece.ts';
import type { BpeModel } from './bpe.ts';

export type TokenizerModel = WordPieceModel | BpeModel;

export interface Encoding {
  ids: number[];
  tokens: string[];
  /** [start, end) UTF-16 code-unit offsets into the original text. */
  offsets: [number, number][];
  /** 1 for special tokens ([CLS], [SEP], added specials), else 0. */
  specialTokensMask: number[];
  /** Index of the pre-tokenized word each token came from (null for specials). */
  wordIds: (number | null)[];
}

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

export interface TokenizerParts {
  model: TokenizerModel;
  /** null: no normalizer. */
  normalizer: BertNormalizerOptions | null;
  /** 'bert': BertPreTokenizer; null: the whole (normalized) segment is one word. */
  preTokenizer: 'bert' | null;
  /** [CLS] and [SEP] wrapping when adding special tokens; null: none. */
  postProcessor: { cls: [string, number]; sep: [string, number] } | null;
  /** Tokens matched verbatim in the raw text before normalization. */
  addedTokens: AddedToken[];
  decoder: { type: 'wordpiece'; prefix: string; cleanup: boolean } | { type: 'bpe'; suffix: string } | null;
}

const CLEANUPS: [RegExp, string][] = [
  [/ \./g, '.'], [/ \?/g, '?'], [/ !/g, '!'], [/ ,/g, ','], [/ ' /g, "'"], [/ n't/g, "n't"], [/ 'm/g, "'m"],
  [/ do not/g, " don't"], [/ 's/g, "'s"], [/ 've/g, "'ve"], [/ 're/g, "'re"],
];

export class Tokenizer {
  readonly parts: TokenizerParts;
  private addedRe: RegExp | null;
  private addedByContent: Map<string, AddedToken>;

  constructor(parts: TokenizerParts) {
    this.parts = parts;
    this.addedByContent = new Map(parts.addedTokens.map((t) => [t.content, t]));
    const escaped = [...this.addedByContent.keys()].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.addedRe = escaped.length ? new RegExp(escaped.join('|'), 'g') : null;
  }

  get vocabSize(): number {
    return this.parts.model.vocab.length;
  }

  get vocab(): readonly string[] {
    return this.parts.model.vocab;
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.parts.model.index.get(token);
  }

  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): Encoding {
    const enc: Encoding = { ids: [], tokens: [], offsets: [], specialTokensMask: [], wordIds: [] };
    let word = 0;
    const pushSegment = (seg: string, base: number) => {
      if (!seg) return;
      const ns = this.parts.normalizer ? normalize(seg, this.parts.normalizer) : normalize(seg, { cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false });
      const words = this.parts.preTokenizer === 'bert' ? preTokenize(ns) : ns.normalized ? [{ word: ns.normalized, start: 0, end: ns.normalized.length }] : [];
      for (const w of words) {
        for (const p of this.parts.model.tokenizeWord(w.word)) {
          const [s, e] = originalRange(ns, w.start + p.start, w.start + p.end);
          enc.ids.push(p.id);
          enc.tokens.push(p.token);
          enc.offsets.push([base + s, base + e]);
          enc.specialTokensMask.push(0);
          enc.wordIds.push(word);
        }
        word++;
      }
    };
    let last = 0;
    if (this.addedRe) {
      for (const m of text.matchAll(this.addedRe)) {
        pushSegment(text.slice(last, m.index), last);
        const t = this.addedByContent.get(m[0])!;
        enc.ids.push(t.id);
        enc.tokens.push(t.content);
        enc.offsets.push([m.index, m.index + m[0].length]);
        enc.specialTokensMask.push(0); // as in HF: only post-processor tokens are marked special
        enc.wordIds.push(null);
        last = m.index + m[0].length;
      }
    }
    pushSegment(text.slice(last), last);
    const pp = this.parts.postProcessor;
    if (pp && (opts.addSpecialTokens ?? true)) {
      enc.ids.unshift(pp.cls[1]); enc.tokens.unshift(pp.cls[0]); enc.offsets.unshift([0, 0]); enc.specialTokensMask.unshift(1); enc.wordIds.unshift(null);
      enc.ids.push(pp.sep[1]); enc.tokens.push(pp.sep[0]); enc.offsets.push([0, 0]); enc.specialTokensMask.push(1); enc.wordIds.push(null);
    }
    return enc;
  }

  decode(ids: ArrayLike<number>, opts: { skipSpecialTokens?: boolean } = {}): string {
    const skip = opts.skipSpecialTokens ?? true;
    const specials = new Set(this.parts.addedTokens.filter((t) => t.special).map((t) => t.id));
    const tokens: string[] = [];
    for (const id of Array.from(ids)) {
      if (skip && specials.has(id)) continue;
      const t = this.parts.addedTokens.find((a) => a.id === id)?.content ?? this.parts.model.vocab[id];
      if (t !== undefined) tokens.push(t);
    }
    const d = this.parts.decoder;
    if (!d) return tokens.join('');
    if (d.type === 'bpe') return tokens.join('').split(d.suffix).join(' ').trim();
    // HF's WordPiece decoder works per token: strip the prefix or prepend a space, then clean up that token.
    return tokens
      .map((t, i) => {
        if (i > 0) t = t.startsWith(d.prefix) ? t.slice(d.prefix.length) : ` ${t}`;
        if (d.cleanup) for (const [re, r] of CLEANUPS) t = t.replace(re, r);
        return t;
      })
      .join('');
  }
}
