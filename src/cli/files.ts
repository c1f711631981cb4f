/**
 * Input files of the CLI: every path a user gives is checked before it is read, and file-system errors (ENOENT,
 * EISDIR, ENOTDIR, EACCES, EPERM, EEXIST) become a FileError (exit code 2) that names the path and what to do.
 * Corpora go through the one validation layer (src/data/validate.ts), streamed from disk; what it did to the input
 * (cut lines, invalid UTF-8, columns) is printed on stderr.
 */
import { createReadStream, readFileSync, statSync, type Stats } from 'node:fs';
import { CORPUS_FORMATS, type CorpusFormat } from '../data/corpusFormats.ts';
import { corpusDocuments, corpusLines, corpusNotes, newReport, type CorpusReport, type ReadCorpusOptions } from '../data/validate.ts';

export class FileError extends Error {
  override name = 'FileError';
}

const ADVICE: Record<string, string> = {
  ENOENT: 'does not exist: check the path',
  EISDIR: 'is a folder: give a file',
  ENOTDIR: 'is not a folder (a part of the path is a file): check the path',
  EACCES: 'is not accessible (permission denied): check its permissions or choose another path',
  EPERM: 'is not accessible (operation not permitted): check its permissions or choose another path',
  EEXIST: 'already exists: remove it or choose another path',
  ENOSPC: 'cannot be written: the disk is full',
};

/** A Node file-system error as a FileError naming `path` (what the user gave) and what to do; other errors unchanged. */
export function fsError(e: unknown, path: string, what = 'path'): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && ADVICE[code]) return new FileError(`${what} ${path} ${ADVICE[code]} (${code})`);
  return e as Error;
}

function statOf(path: string, what: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw fsError(e, path, what);
  }
}

/** `path` must be an existing file (`what` names it in errors: "--corpus", "recipe file" …). */
export function inputFile(path: string, what: string): string {
  if (statOf(path, what).isDirectory()) throw new FileError(`${what} ${path} ${ADVICE.EISDIR}`);
  return path;
}

/** `path` must be an existing folder. */
export function inputFolder(path: string, what: string): string {
  if (!statOf(path, what).isDirectory()) throw new FileError(`${what} ${path} is a file, not a folder: give a model folder`);
  return path;
}

/** A whole text file (recipes, configs, tokenizers: small files), checked first. */
export function readInputText(path: string, what: string): string {
  inputFile(path, what);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw fsError(e, path, what);
  }
}

/** A corpus's format by its extension; any other extension is read as plain text (one document per line). */
export function corpusFormatOf(path: string): CorpusFormat {
  const ext = path.toLowerCase().split('.').pop() ?? '';
  return (CORPUS_FORMATS as readonly string[]).includes(ext) ? (ext as CorpusFormat) : 'txt';
}

async function* fileBytes(path: string, what: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
  } catch (e) {
    throw fsError(e, path, what);
  }
}

/** The validated documents of a corpus file, streamed (see src/data/validate.ts); `report` fills in as it goes. */
export function corpusStream(path: string, what: string, report: CorpusReport, opts: ReadCorpusOptions = {}): AsyncGenerator<string> {
  inputFile(path, what);
  return corpusDocuments(fileBytes(path, what), report.format, report, opts);
}

/** Every line of a text file (empty ones included), validated and bounded like a .txt corpus. */
export function inputLines(path: string, what: string, report: CorpusReport, opts: ReadCorpusOptions = {}): AsyncGenerator<string> {
  inputFile(path, what);
  return corpusLines(fileBytes(path, what), report, opts.maxDocChars);
}

export function corpusReport(path: string, format = corpusFormatOf(path)): CorpusReport {
  return newReport(path, format);
}

/** Prints what the validation did to the input, one `warning:` line each. */
export function printCorpusNotes(report: CorpusReport, err: (s: string) => void, opts: ReadCorpusOptions = {}): void {
  for (const n of corpusNotes(report, opts.maxDocChars)) err(`warning: ${n}\n`);
}

/** Every document of a corpus file (validated, lines bounded), with the notes printed on `err`. */
export async function readCorpus(path: string, what: string, err: (s: string) => void, opts: ReadCorpusOptions = {}): Promise<{ docs: string[]; report: CorpusReport }> {
  const report = corpusReport(path);
  const docs: string[] = [];
  for await (const d of corpusStream(path, what, report, opts)) docs.push(d);
  printCorpusNotes(report, err, opts);
  return { docs, report };
}
