/**
 * The one validation layer for corpus files (issue 17 §4), shared by every command and usable by the page's worker (no
 * Node API here: bytes in, documents out). What it does to the input it says in a `CorpusReport`:
 * - binary sniffing: a NUL byte in the first 8,000 bytes (git's rule) or a compressed / archive / PDF signature →
 *   BinaryCorpusError;
 * - UTF-8: invalid sequences replaced by U+FFFD, counted;
 * - bounded lines: a .txt line longer than MAX_DOC_CHARS is cut into documents at whitespace near the bound (a hard cut
 *   when a stretch has no whitespace), counted, so memory grows with the text kept, never with the longest line; a
 *   record of a structured format (.jsonl / .csv / .tsv / .conllu) longer than MAX_RECORD_CHARS is refused, and its
 *   text field is cut like a .txt line;
 * - columns: .csv / .tsv name the columns found and which one is read; .jsonl lines that are not JSON objects with a
 *   string field are counted and refused (all of them, with the first line number).
 */
import { decodeUtf8Stream, type DecodeStats } from '../tokenizers/train/utf8.ts';
import { CorpusFormatError, documents, jsonlText, parseDelimitedLine, type CorpusFormat } from './corpusFormats.ts';

/** A document is at most this many UTF-16 code units (about 2,000 words); longer lines are cut. */
export const MAX_DOC_CHARS = 10_000;
/** A structured record (.jsonl / .csv / .tsv / .conllu line) longer than this is refused. */
export const MAX_RECORD_CHARS = 1_000_000;
/** Bytes sniffed for binary content. */
export const SNIFF_BYTES = 8000;

export class BinaryCorpusError extends Error {
  override name = 'BinaryCorpusError';
}

export interface CorpusReport {
  name: string;
  format: CorpusFormat;
  bytes: number;
  /** Invalid UTF-8 sequences replaced by U+FFFD. */
  invalidUtf8: number;
  lines: number;
  documents: number;
  /** Lines longer than MAX_DOC_CHARS, and the extra documents their cuts made. */
  cutLines: number;
  cutPieces: number;
  /** Letters worth a word in Russian text (issue 15), counted and kept as they are: see `countLetters`. */
  letters: LetterCensus;
  /** .csv / .tsv: the header's columns, and the column read. */
  columns?: string[];
  textColumn?: string;
  notes: string[];
}

export function newReport(name: string, format: CorpusFormat): CorpusReport {
  return { name, format, bytes: 0, invalidUtf8: 0, lines: 0, documents: 0, cutLines: 0, cutPieces: 0, letters: newLetterCensus(), notes: [] };
}

/**
 * Pre-reform Cyrillic letters (ѣ, і, ѳ, ѵ and their capitals: Russian before 1918; і is also Ukrainian and
 * Belarusian) and words that mix Latin and Cyrillic letters (a Latin «c» or «p» inside a Russian word: OCR and
 * look-alike typing). Nothing is changed: the tokenizers keep these letters like any other.
 */
export interface LetterCensus {
  preReform: Record<string, number>;
  mixedWords: number;
  /** The first few distinct mixed words, to show. */
  mixedExamples: string[];
}

export const PRE_REFORM_LETTERS = 'ѢѣІіѲѳѴѵ';
const PRE_REFORM = new Set([...PRE_REFORM_LETTERS].map((c) => c.charCodeAt(0)));

export function newLetterCensus(): LetterCensus {
  return { preReform: {}, mixedWords: 0, mixedExamples: [] };
}

const isLatin = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7);
const isCyrillic = (c: number) => c >= 0x400 && c <= 0x52f;
const isMark = (c: number) => c >= 0x300 && c <= 0x36f;

/** Adds one text's pre-reform letters and mixed-script words (runs of Latin / Cyrillic letters) to `census`. */
export function countLetters(census: LetterCensus, text: string): void {
  let start = -1, latin = false, cyr = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20;
    const l = isLatin(c), y = isCyrillic(c);
    if (l || y || (isMark(c) && start >= 0)) {
      if (start < 0) { start = i; latin = false; cyr = false; }
      latin ||= l;
      cyr ||= y;
      if (y && PRE_REFORM.has(c)) census.preReform[text[i]] = (census.preReform[text[i]] ?? 0) + 1;
      continue;
    }
    if (start >= 0 && latin && cyr) {
      census.mixedWords++;
      const w = text.slice(start, i);
      if (census.mixedExamples.length < 3 && !census.mixedExamples.includes(w)) census.mixedExamples.push(w);
    }
    start = -1;
  }
}

/** The census as note sentences (none when there is nothing to say). */
export function letterNotes(name: string, census: LetterCensus): string[] {
  const out: string[] = [];
  const pre = Object.entries(census.preReform);
  if (pre.length) {
    const total = pre.reduce((a, [, n]) => a + n, 0);
    const each = pre.sort((a, b) => b[1] - a[1]).map(([ch, n]) => `${ch} ${n.toLocaleString('en')}`).join(', ');
    out.push(`${name}: ${total.toLocaleString('en')} pre-reform letter${total === 1 ? '' : 's'} (${each}), kept as they are (і is also Ukrainian and Belarusian)`);
  }
  if (census.mixedWords) {
    out.push(`${name}: ${census.mixedWords.toLocaleString('en')} word${census.mixedWords === 1 ? ' mixes' : 's mix'} Latin and Cyrillic letters (${census.mixedExamples.map((w) => `«${w}»`).join(', ')}), kept as they are`);
  }
  return out;
}

const SIGNATURES: [string, number[]][] = [
  ['gzip', [0x1f, 0x8b]], ['zip', [0x50, 0x4b, 0x03, 0x04]], ['PDF', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['bzip2', [0x42, 0x5a, 0x68]], ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a]], ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['PNG', [0x89, 0x50, 0x4e, 0x47]], ['ELF', [0x7f, 0x45, 0x4c, 0x46]],
];

/** Throws BinaryCorpusError when the first bytes of a file are not text. */
export function sniffBinary(head: Uint8Array, name: string): void {
  for (const [kind, sig] of SIGNATURES) {
    if (head.length >= sig.length && sig.every((b, i) => head[i] === b)) {
      throw new BinaryCorpusError(`${name} is a ${kind} file, not text: give a UTF-8 text corpus (${kind === 'gzip' || kind === 'zip' ? 'decompress it first' : 'extract its text first'})`);
    }
  }
  const nul = head.subarray(0, SNIFF_BYTES).indexOf(0);
  if (nul >= 0) throw new BinaryCorpusError(`${name} looks binary (a NUL byte at offset ${nul}): give a UTF-8 text corpus`);
}

/** Where to cut a text longer than `max`: after the last whitespace in its last fifth, else at `max` (not inside a surrogate pair). */
export function cutPoint(text: string, max: number): number {
  for (let i = max; i > max * 0.8; i--) if (/\s/.test(text[i - 1])) return i;
  const c = text.charCodeAt(max - 1);
  return c >= 0xd800 && c <= 0xdbff ? max - 1 : max;
}

/** A text cut into pieces of at most `max` characters (whitespace at the cuts dropped). */
export function cutText(text: string, max = MAX_DOC_CHARS): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const k = cutPoint(rest, max);
    out.push(rest.slice(0, k).trimEnd());
    rest = rest.slice(k).trimStart();
  }
  out.push(rest);
  return out.filter((p) => p.length > 0);
}

function record(report: CorpusReport, pieces: number): void {
  if (pieces > 1) { report.cutLines++; report.cutPieces += pieces - 1; }
}

/**
 * Lines of a stream of text chunks, none longer than `max`: a longer line is cut as it streams in (cutText's rule), so
 * no string longer than `max` plus one chunk is ever held. Counts lines and cuts into `report`.
 */
export async function* boundedLines(chunks: AsyncIterable<string> | Iterable<string>, max: number, report: CorpusReport): AsyncGenerator<string> {
  let carry = '';
  let carryPieces = 0; // pieces already cut off the line now in `carry`
  const finish = function* (line: string) {
    const pieces = cutText(line, max);
    report.lines++;
    record(report, carryPieces + Math.max(1, pieces.length));
    const whole = carryPieces === 0;
    carryPieces = 0;
    if (pieces.length) yield* pieces;
    else if (whole) yield ''; // an empty line is a line (encode / align print a record for it)
  };
  for await (const chunk of chunks) {
    const parts = (carry + chunk).split(/\r?\n/);
    carry = parts.pop() ?? '';
    for (const p of parts) yield* finish(p);
    while (carry.length > max) {
      const k = cutPoint(carry, max);
      const piece = carry.slice(0, k).trimEnd();
      carry = carry.slice(k).trimStart();
      if (piece) { carryPieces++; yield piece; }
    }
  }
  if (carry || carryPieces) yield* finish(carry);
}

/** Structured lines: a record longer than MAX_RECORD_CHARS is refused (cutting it would break its syntax). */
async function* recordLines(chunks: AsyncIterable<string>, report: CorpusReport, maxRecord: number): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of chunks) {
    const parts = (carry + chunk).split(/\r?\n/);
    carry = parts.pop() ?? '';
    for (const p of parts) { report.lines++; yield p; }
    if (carry.length > maxRecord) {
      throw new CorpusFormatError(`${report.name}: line ${report.lines + 1} is longer than ${maxRecord.toLocaleString('en')} characters; a .${report.format} record must fit in one line of that size: split it`);
    }
  }
  if (carry) { report.lines++; yield carry; }
}

/** .jsonl: every bad line counted; any bad line refuses the file (after reading it all, with the count). */
async function* jsonlDocuments(src: AsyncIterable<string>, report: CorpusReport): AsyncGenerator<string> {
  let n = 0, bad = 0, firstBad = '';
  for await (const raw of src) {
    n++;
    try {
      const text = jsonlText(raw.trim(), n);
      if (text?.trim()) yield text;
    } catch (e) {
      if (!(e instanceof CorpusFormatError)) throw e;
      if (!bad++) firstBad = e.message;
    }
  }
  if (bad) throw new CorpusFormatError(`${report.name}: ${bad} of ${n} lines are not JSON objects with a string field (first: ${firstBad}); fix or remove them`);
}

/** .csv / .tsv: the header's columns are reported; without a "text" column the first column is read, and said so. */
async function* delimitedDocuments(src: AsyncIterable<string>, report: CorpusReport): AsyncGenerator<string> {
  let first = true;
  for await (const line of src) {
    if (first && line.trim()) {
      first = false;
      const cols = parseDelimitedLine(line.trim(), report.format === 'tsv' ? '\t' : ',').map((c) => c.trim());
      report.columns = cols;
      const i = cols.findIndex((c) => c.toLowerCase() === 'text');
      report.textColumn = i >= 0 ? cols[i] : cols[0];
      if (i < 0) report.notes.push(`${report.name}: no "text" column (columns found: ${cols.map((c) => JSON.stringify(c)).join(', ')}); read the first column, its first row as text`);
    }
    yield line;
  }
}

export interface ReadCorpusOptions {
  maxDocChars?: number;
  maxRecordChars?: number;
}

/**
 * Documents of a corpus file from its bytes, validated (see the file comment): binary files refused, invalid UTF-8
 * counted, long lines cut, columns reported, bad JSONL lines refused. Every document is at most maxDocChars long.
 */
export async function* corpusDocuments(
  bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, format: CorpusFormat, report: CorpusReport, opts: ReadCorpusOptions = {},
): AsyncGenerator<string> {
  const max = opts.maxDocChars ?? MAX_DOC_CHARS;
  const src = format === 'txt' ? corpusLines(bytes, report, max) : recordLines(decoded(bytes, report), report, opts.maxRecordChars ?? MAX_RECORD_CHARS);
  const docs = format === 'jsonl' ? jsonlDocuments(src, report)
    : documents(format === 'csv' || format === 'tsv' ? delimitedDocuments(src, report) : src, format);
  for await (const d of docs) {
    const pieces = format === 'txt' ? [d] : cutText(d.replace(/\s*\r?\n\s*/g, ' '), max);
    if (format !== 'txt') record(report, pieces.length);
    report.documents += pieces.length;
    for (const p of pieces) countLetters(report.letters, p);
    yield* pieces;
  }
}

/**
 * Every line of a text file (empty ones included: `tokenizer encode` and `align` print one record per line), binary
 * refused, invalid UTF-8 counted, none longer than `max` (a longer line becomes several).
 */
export function corpusLines(bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, report: CorpusReport, max = MAX_DOC_CHARS): AsyncGenerator<string> {
  return boundedLines(decoded(bytes, report), max, report);
}

/** Sniffed and decoded text; the byte and replacement counts land in `report` as the stream goes. */
async function* decoded(bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, report: CorpusReport): AsyncGenerator<string> {
  const dec: DecodeStats = { bytes: 0, invalidReplacements: 0 };
  try {
    for await (const text of decodeUtf8Stream(sniffed(bytes, report.name), dec)) {
      report.bytes = dec.bytes;
      yield text;
    }
  } finally {
    report.bytes = dec.bytes;
    report.invalidUtf8 = dec.invalidReplacements;
  }
}

async function* sniffed(bytes: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const b of bytes) {
    if (first && b.length) { sniffBinary(b, name); first = false; }
    yield b;
  }
}

/** The chunks of a web byte stream (a File's, a fetch body's), for `corpusDocuments`. */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** What was done to the input, one line each (empty when nothing was). */
export function corpusNotes(r: CorpusReport, max = MAX_DOC_CHARS): string[] {
  const out: string[] = [];
  if (r.invalidUtf8 > 0) out.push(`${r.name}: ${r.invalidUtf8} invalid UTF-8 sequences replaced by U+FFFD`);
  if (r.cutLines > 0) out.push(`${r.name}: ${r.cutLines} line${r.cutLines === 1 ? '' : 's'} longer than ${max.toLocaleString('en')} characters cut into ${r.cutLines + r.cutPieces} documents (at whitespace near the bound)`);
  return [...out, ...letterNotes(r.name, r.letters), ...r.notes];
}
