/**
 * `vocabkd align --teacher-tokenizer A --student-tokenizer B (--text "…" | --input FILE)` (issue 12 item 6): the
 * alignment map of each text as one JSON line, computed by alignment/textMap.ts (the same code the page will use).
 * A and B are a tokenizer.json, a vocab.txt or an HF model folder (its tokenizer.json, else its vocab.txt with
 * tokenizer_config.json's do_lower_case). --input is read line by line (a 10 MB file is never held whole; the output
 * waits for stdout to drain); every line is one text, empty lines included (an empty map); a line longer than
 * MAX_DOC_CHARS (src/data/validate.ts) is cut into several texts, counted on stderr; a binary file is refused. σ and C are built once.
 * Fields, exactly: teacher / student {ids, tokens, offsets} as `vocabkd tokenizer encode` prints them ([CLS]/[SEP]
 * included, UTF-16 offsets), links [{teacher, student, kind}], reduce {t2s, groupStart}, match [[i, j], …] (the paper's
 * greedy pairs over the full sequences, specials included), counters. What differs between the two pipelines
 * (lower-casing, accents, specials) and a timing summary go to stderr.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, parseArgs } from './args.ts';
import { corpusReport, inputLines, printCorpusNotes } from './files.ts';
import { fromTokenizerJson, fromVocabTxt, TokenizerFormatError } from '../tokenizers/hfJson.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { alignmentContext, alignText, tokenizerDifferences, type AlignmentContext } from '../alignment/index.ts';

export const ALIGN_HELP = `  vocabkd align --teacher-tokenizer A --student-tokenizer B (--text "…" | --input FILE)
      A, B: tokenizer.json, vocab.txt or an HF model folder. One JSON line per text (per input line, streamed):
      {teacher, student: {ids, tokens, offsets} as tokenizer encode prints them, links: [{teacher, student, kind}],
      reduce: {t2s, groupStart}, match: [[i, j], ...], counters}. Pipeline differences and timings go to stderr.
`;

export interface AlignIo {
  /** May return a promise: the caller waits (stdout back-pressure). */
  out: (s: string) => void | Promise<void>;
  err: (s: string) => void;
}

const stdio: AlignIo = {
  out: (s) => (process.stdout.write(s) ? undefined : new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()))),
  err: (s) => { process.stderr.write(s); },
};

/** A tokenizer from a tokenizer.json, a vocab.txt or a model folder; errors name the flag and the path. */
export function loadTokenizer(path: string, flag: string): Tokenizer {
  if (!existsSync(path)) throw new UsageError(`--${flag}: not found: ${path}`);
  try {
    if (statSync(path).isDirectory()) {
      const json = join(path, 'tokenizer.json'), vocab = join(path, 'vocab.txt'), config = join(path, 'tokenizer_config.json');
      if (existsSync(json)) return fromTokenizerJson(readFileSync(json, 'utf8'));
      if (!existsSync(vocab)) throw new TokenizerFormatError('a model folder needs tokenizer.json or vocab.txt');
      let lowercase: boolean | undefined;
      if (existsSync(config)) {
        let j: unknown;
        try { j = JSON.parse(readFileSync(config, 'utf8')); } catch (e) { throw new TokenizerFormatError(`tokenizer_config.json is not valid JSON: ${(e as Error).message}`); }
        const lower = (j as { do_lower_case?: unknown } | null)?.do_lower_case;
        if (typeof lower === 'boolean') lowercase = lower;
      }
      return fromVocabTxt(readFileSync(vocab, 'utf8'), { lowercase });
    }
    const text = readFileSync(path, 'utf8');
    return path.endsWith('.txt') ? fromVocabTxt(text) : fromTokenizerJson(text);
  } catch (e) {
    if (e instanceof Error && !(e instanceof UsageError)) e.message = `--${flag} ${path}: ${e.message}`;
    throw e;
  }
}

/** The σ map and C of a tokenizer pair (the unknown tokens as each model names them). */
export function alignPair(teacher: Tokenizer, student: Tokenizer): AlignmentContext {
  const unk = (t: Tokenizer) => t.parts.model.options.unkToken ?? '[UNK]';
  return alignmentContext(teacher.vocab, student.vocab, { unk: { teacher: unk(teacher), student: unk(student) } });
}

/** The JSON record of one text, with exactly the fields of issue 12 item 6. */
export function alignRecord(ctx: AlignmentContext, teacher: Tokenizer, student: Tokenizer, text: string) {
  const t = teacher.encode(text), s = student.encode(text);
  const a = alignText(ctx, t, s);
  return {
    teacher: { ids: t.ids, tokens: t.tokens, offsets: t.offsets },
    student: { ids: s.ids, tokens: s.tokens, offsets: s.offsets },
    links: a.layout.links.map((l) => ({ teacher: l.teacher, student: l.student, kind: l.kind })),
    reduce: { t2s: a.reduce.t2s, groupStart: a.reduce.groupStart },
    match: a.match.pairs,
    counters: a.counters,
  };
}

/** `vocabkd align …`. */
export async function alignCommand(argv: string[], io: AlignIo = stdio): Promise<void> {
  const { positionals, flags } = parseArgs(argv, ['teacher-tokenizer', 'student-tokenizer', 'text', 'input']);
  if (positionals.length) throw new UsageError(`align takes no positional arguments (got "${positionals[0]}"); usage:\n${ALIGN_HELP}`);
  for (const f of ['teacher-tokenizer', 'student-tokenizer']) if (flags[f] === undefined) throw new UsageError(`align needs --${f}; usage:\n${ALIGN_HELP}`);
  if ((flags.text === undefined) === (flags.input === undefined)) throw new UsageError(`align needs exactly one of --text and --input; usage:\n${ALIGN_HELP}`);
  if (flags.input !== undefined && !existsSync(flags.input)) throw new UsageError(`--input: not found: ${flags.input}`);
  if (flags.input !== undefined && statSync(flags.input).isDirectory()) throw new UsageError(`--input: ${flags.input} is a folder, not a text file`);
  const teacher = loadTokenizer(flags['teacher-tokenizer'], 'teacher-tokenizer');
  const student = loadTokenizer(flags['student-tokenizer'], 'student-tokenizer');
  for (const note of tokenizerDifferences(teacher.parts, student.parts)) io.err(`note: ${note}\n`);
  const t0 = performance.now();
  const ctx = alignPair(teacher, student);
  const tables = performance.now() - t0;
  let texts = 0;
  const one = async (text: string) => { texts++; await io.out(JSON.stringify(alignRecord(ctx, teacher, student, text)) + '\n'); };
  if (flags.text !== undefined) {
    await one(flags.text);
  } else {
    const report = corpusReport(flags.input, 'txt');
    for await (const line of inputLines(flags.input, '--input', report)) await one(line);
    printCorpusNotes(report, io.err);
  }
  const total = performance.now() - t0;
  io.err(`aligned ${texts} text${texts === 1 ? '' : 's'} in ${total.toFixed(0)} ms (σ and C: ${tables.toFixed(0)} ms; per text: ${texts ? ((total - tables) / texts).toFixed(2) : '0'} ms)\n`);
}
