/**
 * Documents from user corpus files, streamed line by line (a 200 MB file never sits in memory as one string):
 * .txt (a document per non-empty line), .jsonl (the "text" field, else the first string field), .csv / .tsv (the
 * "text" column, else the first; one record per line, RFC-4180 quotes within a line), .conllu (one sentence per document:
 * the FORM column of word lines, skipping comments, multi-word ranges "1-2" and empty nodes "1.1").
 */
export type CorpusFormat = 'txt' | 'jsonl' | 'csv' | 'tsv' | 'conllu';
export const CORPUS_FORMATS: readonly CorpusFormat[] = ['txt', 'jsonl', 'csv', 'conllu', 'tsv'];

export class CorpusFormatError extends Error {
  override name = 'CorpusFormatError';
}

export function formatOf(fileName: string): CorpusFormat {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if ((CORPUS_FORMATS as readonly string[]).includes(ext)) return ext as CorpusFormat;
  throw new CorpusFormatError(`"${fileName}": unsupported file type; use one of ${CORPUS_FORMATS.map((f) => '.' + f).join(', ')}`);
}

/** Splits a stream of text chunks into lines (without the line break). */
export async function* lines(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of chunks) {
    const parts = (carry + chunk).split(/\r?\n/);
    carry = parts.pop() ?? '';
    yield* parts;
  }
  if (carry) yield carry;
}

/** One CSV record (no embedded newlines) → fields. */
export function parseCsvLine(line: string): string[] {
  return parseDelimitedLine(line, ',');
}

/** One CSV (sep ',') or TSV (sep '\t') record → fields, RFC-4180 quotes. */
export function parseDelimitedLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === sep) { out.push(field); field = ''; }
    else field += c;
  }
  out.push(field);
  return out;
}

/** The text of one .jsonl line (undefined for a blank line); CorpusFormatError naming line `n` when there is none. */
export function jsonlText(line: string, n: number): string | undefined {
  if (!line) return undefined;
  let o: unknown;
  try { o = JSON.parse(line); } catch { throw new CorpusFormatError(`line ${n} is not valid JSON (a .jsonl file has one JSON object per line)`); }
  const rec = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
  const text = typeof rec.text === 'string' ? rec.text : Object.values(rec).find((v): v is string => typeof v === 'string');
  if (text === undefined) throw new CorpusFormatError(`line ${n} has no string field (expected "text")`);
  return text;
}

/** Documents of a corpus file, from its lines. Bad records raise CorpusFormatError naming the line. */
export async function* documents(src: AsyncIterable<string> | Iterable<string>, format: CorpusFormat): AsyncGenerator<string> {
  let n = 0;
  let textColumn = -1;
  let sentence: string[] = [];
  for await (const raw of src) {
    n++;
    const line = format === 'conllu' ? raw : raw.trim();
    if (format === 'txt') { if (line) yield line; continue; }
    if (format === 'jsonl') {
      const text = jsonlText(line, n);
      if (text?.trim()) yield text;
      continue;
    }
    if (format === 'csv' || format === 'tsv') {
      if (!line) continue;
      const fields = parseDelimitedLine(line, format === 'tsv' ? '\t' : ',');
      if (textColumn < 0) {
        const i = fields.findIndex((f) => f.trim().toLowerCase() === 'text');
        textColumn = i >= 0 ? i : 0;
        if (i >= 0) continue; // header row
      }
      const text = fields[textColumn] ?? '';
      if (text.trim()) yield text;
      continue;
    }
    // conllu
    if (!line.trim()) { if (sentence.length) yield sentence.join(' '); sentence = []; continue; }
    if (line.startsWith('#')) continue;
    const cols = line.split('\t');
    if (cols.length < 2) throw new CorpusFormatError(`line ${n} is not a CoNLL-U word line (10 tab-separated columns)`);
    if (cols[0].includes('-') || cols[0].includes('.')) continue;
    sentence.push(cols[1]);
  }
  if (sentence.length) yield sentence.join(' ');
}
