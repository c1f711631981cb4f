/**
 * The student tokenizer at a smaller size, cut from one trained vocabulary (issue 3 what-if): our trainers emit
 * entries in merge order, so the first k entries (WordPiece), or those plus the merges that build them (BPE), are the
 * vocabulary a smaller training run would have produced. Normalizer, specials and post-processing are kept.
 */
import { Tokenizer } from './tokenizer.ts';
import { WordPieceModel } from './wordpiece.ts';
import { BpeModel } from './bpe.ts';
import { baseSizeOf } from './whatif.ts';

export class PrefixSizeError extends Error {
  override name = 'PrefixSizeError';
}

/** Smallest and largest size a prefix of this tokenizer's vocabulary may have. */
export function prefixRange(tok: Tokenizer): [number, number] {
  const prefix = tok.parts.model.kind === 'wordpiece' ? tok.parts.model.options.continuingSubwordPrefix : (tok.parts.model.options.continuingSubwordPrefix ?? '');
  return [Math.max(baseSizeOf(tok.vocab, prefix || '##'), 1), tok.vocabSize];
}

export function prefixTokenizer(tok: Tokenizer, size: number): Tokenizer {
  const [lo, hi] = prefixRange(tok);
  if (!Number.isInteger(size) || size < lo || size > hi) {
    throw new PrefixSizeError(`a prefix of this vocabulary must have ${lo}–${hi} entries (specials and the whole alphabet), got ${size}`);
  }
  if (size === hi) return tok;
  const m = tok.parts.model;
  const vocab = m.vocab.slice(0, size);
  let model: WordPieceModel | BpeModel;
  if (m.kind === 'wordpiece') {
    model = new WordPieceModel(vocab, m.options);
  } else {
    const keep = new Set(vocab);
    const p = m.options.continuingSubwordPrefix;
    const merges = m.merges.filter(([a, b]) => keep.has(a + (p && b.startsWith(p) ? b.slice(p.length) : b)));
    model = new BpeModel(vocab, merges, m.options);
  }
  return new Tokenizer({ ...tok.parts, model, addedTokens: tok.parts.addedTokens.filter((t) => t.id < size) });
}
