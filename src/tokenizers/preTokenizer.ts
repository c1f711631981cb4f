/**
 * BERT pre-tokenizer (HF `BertPreTokenizer`): split on whitespace (removed) and on punctuation (each mark its own
 * word). Punctuation = ASCII punctuation or any Unicode P* category. Works on a NormalizedString and returns words
 * with their normalized [start, end) code-unit ranges.
 */
import { isBertWhitespace, type NormalizedString } from './normalizer.ts';

export interface PreToken {
  word: string;
  /** Normalized code-unit range. */
  start: number;
  end: number;
}

const PUNCT = /\p{P}/u;

export function isBertPunctuation(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || PUNCT.test(c);
}

export function preTokenize(ns: NormalizedString | string): PreToken[] {
  const s = typeof ns === 'string' ? ns : ns.normalized;
  const out: PreToken[] = [];
  let start = -1;
  let i = 0;
  const flush = (end: number) => {
    if (start >= 0) out.push({ word: s.slice(start, end), start, end });
    start = -1;
  };
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    // Fast ASCII letter/digit path.
    if ((cp >= 97 && cp <= 122) || (cp >= 65 && cp <= 90) || (cp >= 48 && cp <= 57)) {
      if (start < 0) start = i;
    } else {
      const c = s.slice(i, i + len);
      if (isBertWhitespace(c)) flush(i);
      else if (isBertPunctuation(c)) { flush(i); out.push({ word: c, start: i, end: i + len }); }
      else if (start < 0) start = i;
    }
    i += len;
  }
  flush(s.length);
  return out;
}
