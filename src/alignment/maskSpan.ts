/**
 * The aligned fill-mask probe's span rule (issue 12 item 3): a character span of a text masks, in each tokenization of
 * that text, every token that covers a character of it.
 *
 * - `spanPositions(row, start, end)`: the positions of the tokens whose span [a, b) shares a character with
 *   [start, end) (a < end and b > start), specials (specialTokensMask 1) and empty spans excluded. A span that only
 *   touches a token's edge does not mask it; one that covers part of a token masks the whole token, so the two sides
 *   may mask slightly different character ranges (`maskedRange` tells which).
 * - `maskedRange(row, positions)`: the characters the masked tokens cover, [min start, max end).
 * - `wordSpan(tokens, i)`: the character span of the pre-tokenized word of token i (every token with its word id),
 *   what a click on a word selects.
 * Offsets are [start, end) UTF-16 code units into the original text, as every tokenizer here reports them. Pure
 * TypeScript, no tf.
 */

export class SpanError extends Error {
  override name = 'SpanError';
}

/** What the rule reads of one tokenization (a tokenizer Encoding fits). */
export interface SpanRow {
  offsets: readonly (readonly [number, number])[];
  /** 1 = special ([CLS], [SEP]): never masked by a span. Absent: none is special. */
  specialTokensMask?: readonly number[];
}

/** Checks 0 ≤ start < end (integers); `length`, when given, bounds end. */
export function checkSpan(start: number, end: number, length?: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) {
    throw new SpanError(`a span needs integers 0 ≤ start < end; got start ${start}, end ${end}`);
  }
  if (length !== undefined && end > length) throw new SpanError(`the span [${start}, ${end}) ends past the text (${length} characters)`);
}

/** Positions (ascending) of the non-special, non-empty tokens sharing at least one character with [start, end). */
export function spanPositions(row: SpanRow, start: number, end: number): number[] {
  checkSpan(start, end);
  const out: number[] = [];
  row.offsets.forEach(([a, b], i) => {
    if (row.specialTokensMask?.[i] === 1 || !(b > a)) return;
    if (a < end && b > start) out.push(i);
  });
  return out;
}

/** [min start, max end) of the tokens at `positions` (null when there are none). */
export function maskedRange(row: SpanRow, positions: readonly number[]): [number, number] | null {
  if (positions.length === 0) return null;
  let a = Infinity, b = -Infinity;
  for (const p of positions) { a = Math.min(a, row.offsets[p][0]); b = Math.max(b, row.offsets[p][1]); }
  return [a, b];
}

/** The span of token i's word: the union of the spans of every token with its word id (a special: its own span). */
export function wordSpan(tokens: readonly { offsets: readonly [number, number]; wordId: number | null }[], i: number): [number, number] {
  const t = tokens[i];
  if (!t) throw new SpanError(`no token at position ${i} (${tokens.length} tokens)`);
  if (t.wordId === null) return [t.offsets[0], t.offsets[1]];
  let a = t.offsets[0], b = t.offsets[1];
  for (const u of tokens) if (u.wordId === t.wordId && u.offsets[1] > u.offsets[0]) { a = Math.min(a, u.offsets[0]); b = Math.max(b, u.offsets[1]); }
  return [a, b];
}
