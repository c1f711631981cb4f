/**
 * BERT normalizer (Hugging Face `BertNormalizer`) with alignment tracking, so every token can point back into the
 * user's original string. Steps, in HF's order: clean text (drop NUL, U+FFFD and control/format/unassigned/private
 * chars; every whitespace → ' '), pad CJK ideographs with spaces, strip accents (NFD, drop Mn), lowercase (per code
 * point, like Rust's `char::to_lowercase`, so no context-dependent final sigma). Lowercasing and accent stripping are
 * OFF by default so Russian «й», «ё» survive. Offsets are UTF-16 code-unit indices into the original string.
 */

export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  /** null: follow `lowercase` (HF's rule). */
  stripAccents: boolean | null;
  lowercase: boolean;
}

export const DEFAULT_NORMALIZER: BertNormalizerOptions = { cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: false };

/** A normalized string and, for each of its UTF-16 code units, the [start, end) range in the original it came from. */
export interface NormalizedString {
  original: string;
  normalized: string;
  /** Length 2 × normalized.length: start, end per code unit. */
  align: Int32Array;
}

const CONTROL = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;
const WHITESPACE = /\p{White_Space}/u;
const NONSPACING_MARK = /\p{Mn}/u;

export function isBertWhitespace(c: string): boolean {
  return c === '\t' || c === '\n' || c === '\r' || WHITESPACE.test(c);
}

function isBertControl(c: string): boolean {
  return c !== '\t' && c !== '\n' && c !== '\r' && CONTROL.test(c);
}

export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Output of one original code point after every step (possibly empty, possibly several code points). */
function transformChar(c: string, o: BertNormalizerOptions): string {
  if (o.cleanText) {
    const cp = c.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isBertControl(c)) return '';
    if (isBertWhitespace(c)) c = ' ';
  }
  if (o.handleChineseChars && isChineseChar(c.codePointAt(0)!)) c = ` ${c} `;
  if (o.stripAccents ?? o.lowercase) {
    let out = '';
    for (const d of c.normalize('NFD')) if (!NONSPACING_MARK.test(d)) out += d;
    c = out;
  }
  if (o.lowercase) {
    let out = '';
    for (const d of c) out += d.toLowerCase();
    c = out;
  }
  return c;
}

/** Fast path check: plain ASCII letters/digits/space/punct survive every step unchanged (except lowercasing). */
const PLAIN = /^[\x20-\x7e]*$/;

export function normalize(text: string, o: BertNormalizerOptions = DEFAULT_NORMALIZER): NormalizedString {
  if (PLAIN.test(text) && !o.lowercase) {
    const align = new Int32Array(text.length * 2);
    for (let i = 0; i < text.length; i++) { align[2 * i] = i; align[2 * i + 1] = i + 1; }
    return { original: text, normalized: text, align };
  }
  let normalized = '';
  const align: number[] = [];
  let i = 0;
  for (const c of text) {
    const out = transformChar(c, o);
    for (let k = 0; k < out.length; k++) align.push(i, i + c.length);
    normalized += out;
    i += c.length;
  }
  return { original: text, normalized, align: Int32Array.from(align) };
}

/** Original [start, end) covered by normalized code units [a, b). */
export function originalRange(ns: NormalizedString, a: number, b: number): [number, number] {
  if (b <= a) return [ns.align[2 * a] ?? ns.original.length, ns.align[2 * a] ?? ns.original.length];
  return [ns.align[2 * a], ns.align[2 * (b - 1) + 1]];
}
