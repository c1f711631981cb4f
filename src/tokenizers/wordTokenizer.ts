/**
 * Placeholder word-level tokenizer for the foundation slice: lower-cased words and single punctuation marks,
 * the most frequent `vocabSize - specials` of them kept, the rest mapped to [UNK].
 * It exists so the training loop has ids to learn from; the real WordPiece/BPE tokenizers replace it (issue 3).
 */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SEP_ID = 3;
export const MASK_ID = 4;

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

export interface WordTokenizer {
  readonly vocab: readonly string[];
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

const WORD_RE = /\p{L}+(?:['’]\p{L}+)*|\p{N}+|[^\s\p{L}\p{N}]/gu;

/**
 * Splits text into lower-cased words, numbers and single punctuation marks. NFC first: in decomposed (NFD) text
 * "й" is "и" + U+0306 (a combining mark, \p{M}, not \p{L}), which would otherwise split "йод" into "и", U+0306, "од".
 */
export function splitWords(text: string): string[] {
  return text.normalize('NFC').toLowerCase().match(WORD_RE) ?? [];
}

/** Builds the vocabulary from `text`: specials first, then words by descending frequency (ties: alphabetical). */
export function trainWordTokenizer(text: string, vocabSize: number): WordTokenizer {
  if (!Number.isInteger(vocabSize) || vocabSize < SPECIAL_TOKENS.length + 1) {
    throw new TokenizerError(`vocabSize must be an integer ≥ ${SPECIAL_TOKENS.length + 1}, got ${vocabSize}`);
  }
  const counts = new Map<string, number>();
  for (const w of splitWords(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  if (counts.size === 0) throw new TokenizerError('the corpus has no words: give it some text');
  const words = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, vocabSize - SPECIAL_TOKENS.length)
    .map(([w]) => w);
  return fromVocab([...SPECIAL_TOKENS, ...words]);
}

export function fromVocab(vocab: readonly string[]): WordTokenizer {
  const index = new Map(vocab.map((w, i) => [w, i]));
  return {
    vocab,
    encode(text) {
      const words = splitWords(text);
      const ids = new Int32Array(words.length);
      words.forEach((w, i) => (ids[i] = index.get(w) ?? UNK_ID));
      return ids;
    },
    decode(ids) {
      return Array.from(ids, (id) => vocab[id] ?? '[UNK]').join(' ');
    },
  };
}
