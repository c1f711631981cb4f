/**
 * `vocabkd tokenizer train|stats|encode` (issue 3 §7): train a WordPiece or BPE vocabulary from a UTF-8 text file (one
 * document per line, streamed: only word counts are held) into an HF tokenizer.json, and the what-if metrics of a
 * tokenizer.json over a file. Results are JSON on stdout; progress and warnings (invalid UTF-8) go to stderr.
 */
import { existsSync } from 'node:fs';
import { UsageError, intFlag, numFlag, parseArgs } from './args.ts';
import { atomicWriteFile, checkOutFile } from './atomic.ts';
import { corpusReport, corpusStream, inputFile, inputLines, printCorpusNotes, readInputText } from './files.ts';
import { countFile } from '../tokenizers/train/countFile.ts';
import { whatIf } from '../tokenizers/whatif.ts';
import { fromTokenizerJson, fromVocabTxt, toTokenizerJson } from '../tokenizers/hfJson.ts';
import { DEFAULT_TOKENIZER_TRAIN, trainTokenizer, type TokenizerTrainOptions } from '../tokenizers/trainTokenizer.ts';

export const TOKENIZER_HELP = `  vocabkd tokenizer train --algo wordpiece|bpe --vocab-size N --input FILE --out tokenizer.json
                          [--min-frequency 2] [--coverage 1] [--lowercase] [--strip-accents]
      Trains a vocabulary (500–60,000 entries) on FILE (UTF-8 text, one document per line; .jsonl/.csv/.tsv/.conllu
      by extension) and writes an HF tokenizer.json (atomically); prints a JSON summary (sizes, alphabet, invalid
      UTF-8 replaced, lines cut, phase timings).
  vocabkd tokenizer stats --tokenizer tokenizer.json --input FILE [--sizes 1000,2000,...] [--hidden 264]
                          [--body-params 2307096] [--max-words 20000]
      What-if metrics at many vocabulary sizes (prefixes of the trained order) without retraining, as JSON.
  vocabkd tokenizer encode --tokenizer tokenizer.json|vocab.txt --input FILE [--no-special-tokens]
      One JSON line per input line: {"ids": [...], "tokens": [...], "offsets": [[start, end], ...]} (UTF-16 offsets).
`;

/** The 3-layer, 264-hidden student of methods.md C.1 item 17 without its vocabulary-sized parts. */
const DEFAULT_BODY_PARAMS = 2_307_096;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Pulls a boolean `--name` flag out of argv (parseArgs only knows `--flag value`). */
function takeSwitch(argv: string[], name: string): [boolean, string[]] {
  return [argv.includes(`--${name}`), argv.filter((a) => a !== `--${name}`)];
}

async function train(argv: string[], io: Io): Promise<void> {
  const [lowercase, rest1] = takeSwitch(argv, 'lowercase');
  const [stripAccents, rest] = takeSwitch(rest1, 'strip-accents');
  const { flags } = parseArgs(rest, ['algo', 'vocab-size', 'input', 'out', 'min-frequency', 'coverage']);
  const algo = flags.algo ?? 'wordpiece';
  if (algo !== 'wordpiece' && algo !== 'bpe') throw new UsageError(`--algo must be wordpiece or bpe, got "${algo}"`);
  for (const f of ['vocab-size', 'input', 'out']) if (flags[f] === undefined) throw new UsageError(`tokenizer train needs --${f}`);
  if (!existsSync(flags.input)) throw new UsageError(`input file not found: ${flags.input}`);
  inputFile(flags.input, '--input');
  checkOutFile(flags.out);
  const options: TokenizerTrainOptions = {
    algo,
    vocabSize: intFlag(flags, 'vocab-size', 0),
    minFrequency: intFlag(flags, 'min-frequency', DEFAULT_TOKENIZER_TRAIN.minFrequency),
    characterCoverage: numFlag(flags, 'coverage', DEFAULT_TOKENIZER_TRAIN.characterCoverage),
    lowercase,
    stripAccents,
  };
  const report = corpusReport(flags.input);
  const t0 = performance.now();
  let lastReport = 0;
  const { tokenizer, train: result, stats } = await trainTokenizer(
    corpusStream(flags.input, '--input', report),
    options,
    { onProgress: (p) => { if (performance.now() - lastReport > 1000) { io.err(`${p.phase}: ${p.detail}\n`); lastReport = performance.now(); } } },
  );
  printCorpusNotes(report, io.err);
  atomicWriteFile(flags.out, toTokenizerJson(tokenizer));
  io.out(JSON.stringify({
    algo, out: flags.out, vocabSize: result.vocab.length, requestedVocabSize: options.vocabSize, stoppedBy: result.stoppedBy,
    minFrequency: options.minFrequency, characterCoverage: options.characterCoverage, lowercase, stripAccents,
    input: { path: flags.input, bytes: report.bytes, invalidUtf8Replaced: report.invalidUtf8, linesCut: report.cutLines, documents: stats.documents, words: stats.wordOccurrences, distinctWords: stats.distinctWords },
    alphabet: result.alphabet.length, droppedChars: result.droppedChars, baseSize: result.baseSize, merges: result.merges.length,
    timingsMs: { total: performance.now() - t0, ...result.timings },
  }, null, 2) + '\n');
}

/** One JSON line per input line: ids, tokens and UTF-16 offsets (tokenizer.json, or vocab.txt as BERT WordPiece). */
async function encode(argv: string[], io: Io): Promise<void> {
  const [noSpecials, rest] = takeSwitch(argv, 'no-special-tokens');
  const { flags } = parseArgs(rest, ['tokenizer', 'input']);
  for (const f of ['tokenizer', 'input']) if (flags[f] === undefined) throw new UsageError(`tokenizer encode needs --${f}`);
  const text = readInputText(flags.tokenizer, '--tokenizer');
  const tok = flags.tokenizer.endsWith('.txt') ? fromVocabTxt(text) : fromTokenizerJson(text);
  const report = corpusReport(flags.input, 'txt');
  for await (const line of inputLines(flags.input, '--input', report)) {
    const e = tok.encode(line, { addSpecialTokens: !noSpecials });
    io.out(JSON.stringify({ ids: e.ids, tokens: e.tokens, offsets: e.offsets }) + '\n');
  }
  printCorpusNotes(report, io.err);
}

function parseSizes(s: string | undefined): number[] | undefined {
  if (s === undefined) return undefined;
  const sizes = s.split(',').map((x) => Number(x.trim()));
  if (!sizes.length || sizes.some((x) => !Number.isInteger(x))) throw new UsageError(`--sizes must be comma-separated integers, got "${s}"`);
  return sizes;
}

async function stats(argv: string[], io: Io): Promise<void> {
  const { flags } = parseArgs(argv, ['tokenizer', 'input', 'sizes', 'hidden', 'body-params', 'max-words']);
  for (const f of ['tokenizer', 'input']) if (flags[f] === undefined) throw new UsageError(`tokenizer stats needs --${f}`);
  const tok = fromTokenizerJson(readInputText(flags.tokenizer, '--tokenizer'));
  const { model, normalizer, preTokenizer } = tok.parts;
  if (preTokenizer !== 'bert') throw new UsageError('tokenizer stats needs a BertPreTokenizer (words are counted the BERT way)');
  inputFile(flags.input, '--input');
  const { counts, stats: dec, countMs } = await countFile(flags.input, normalizer ?? { cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false }, io.err);
  const hiddenSize = intFlag(flags, 'hidden', 264);
  const bodyParams = intFlag(flags, 'body-params', DEFAULT_BODY_PARAMS);
  const t0 = performance.now();
  const r = whatIf(model.vocab, counts, {
    sizes: parseSizes(flags.sizes), hiddenSize, bodyParams, maxWords: flags['max-words'] ? intFlag(flags, 'max-words', 0) : undefined,
    unkToken: model.options.unkToken ?? '[UNK]', continuingSubwordPrefix: model.options.continuingSubwordPrefix ?? '##',
    ...(model.kind === 'bpe' ? { merges: model.merges } : { maxInputCharsPerWord: model.options.maxInputCharsPerWord }),
  });
  io.out(JSON.stringify({
    tokenizer: flags.tokenizer, model: model.kind === 'bpe' ? 'BPE' : 'WordPiece', vocabSize: model.vocab.length, hiddenSize, bodyParams,
    input: { path: flags.input, bytes: dec.bytes, invalidUtf8Replaced: dec.invalidReplacements },
    sample: r.sample, points: r.points, timingsMs: { counting: countMs, whatIf: performance.now() - t0 },
  }, null, 2) + '\n');
}

/** `vocabkd tokenizer <sub> …`. */
export async function tokenizerCommand(argv: string[], io: Io = stdio): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'train': return train(rest, io);
    case 'stats': return stats(rest, io);
    case 'encode': return encode(rest, io);
    default: throw new UsageError(`unknown tokenizer command "${sub ?? ''}"; available: train, stats, encode`);
  }
}
