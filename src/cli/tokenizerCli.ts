/**
 * `vocabkd tokenizer train|stats` (issue 3 §7): train a WordPiece or BPE vocabulary from a UTF-8 text file (one
 * document per line, streamed: only word counts are held) into an HF tokenizer.json, and the what-if metrics of a
 * tokenizer.json over a file. Results are JSON on stdout; progress and warnings (invalid UTF-8) go to stderr.
 */
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UsageError, intFlag, numFlag, parseArgs } from './args.ts';
import { countWordsStream, WordCounter } from '../tokenizers/train/countWords.ts';
import { decodeUtf8Stream, type DecodeStats } from '../tokenizers/train/utf8.ts';
import { trainBpe, trainWordPiece } from '../tokenizers/train/trainers.ts';
import { whatIf } from '../tokenizers/whatif.ts';
import { bertTokenizer, fromTokenizerJson, toTokenizerJson } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { BpeModel } from '../tokenizers/bpe.ts';
import { DEFAULT_NORMALIZER, type BertNormalizerOptions } from '../tokenizers/normalizer.ts';

export const TOKENIZER_HELP = `  vocabkd tokenizer train --algo wordpiece|bpe --vocab-size N --input FILE --out tokenizer.json
                          [--min-frequency 2] [--coverage 0.9999] [--lowercase]
      Trains a vocabulary (500–60,000 entries) on FILE (UTF-8 text, one document per line) and writes an HF
      tokenizer.json; prints a JSON summary (sizes, alphabet, invalid UTF-8 replaced, phase timings).
  vocabkd tokenizer stats --tokenizer tokenizer.json --input FILE [--sizes 1000,2000,...] [--hidden 264]
                          [--body-params 2307096] [--max-words 20000]
      What-if metrics at many vocabulary sizes (prefixes of the trained order) without retraining, as JSON.
`;

/** The 3-layer, 264-hidden student of methods.md C.1 item 17 without its vocabulary-sized parts. */
const DEFAULT_BODY_PARAMS = 2_307_096;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Word counts of a text file, streamed in 1 MiB chunks, with the invalid-UTF-8 count. */
export async function countFile(path: string, normalizer: BertNormalizerOptions, io: Io = stdio) {
  if (!existsSync(path)) throw new UsageError(`input file not found: ${path}`);
  const stats: DecodeStats = { bytes: 0, invalidReplacements: 0 };
  const counter = new WordCounter(normalizer);
  const t0 = performance.now();
  const { counts } = await countWordsStream(decodeUtf8Stream(createReadStream(path, { highWaterMark: 1 << 20 }), stats), counter);
  if (stats.invalidReplacements > 0) io.err(`warning: ${path}: ${stats.invalidReplacements} invalid UTF-8 sequences replaced by U+FFFD\n`);
  return { counts, counter, stats, countMs: performance.now() - t0 };
}

/** Pulls a boolean `--name` flag out of argv (parseArgs only knows `--flag value`). */
function takeSwitch(argv: string[], name: string): [boolean, string[]] {
  return [argv.includes(`--${name}`), argv.filter((a) => a !== `--${name}`)];
}

async function train(argv: string[], io: Io): Promise<void> {
  const [lowercase, rest] = takeSwitch(argv, 'lowercase');
  const { flags } = parseArgs(rest, ['algo', 'vocab-size', 'input', 'out', 'min-frequency', 'coverage']);
  const algo = flags.algo ?? 'wordpiece';
  if (algo !== 'wordpiece' && algo !== 'bpe') throw new UsageError(`--algo must be wordpiece or bpe, got "${algo}"`);
  for (const f of ['vocab-size', 'input', 'out']) if (flags[f] === undefined) throw new UsageError(`tokenizer train needs --${f}`);
  const normalizer = { ...DEFAULT_NORMALIZER, lowercase };
  const options = {
    vocabSize: intFlag(flags, 'vocab-size', 0),
    minFrequency: intFlag(flags, 'min-frequency', 2),
    characterCoverage: numFlag(flags, 'coverage', 0.9999),
  };
  const { counts, counter, stats, countMs } = await countFile(flags.input, normalizer, io);
  let lastReport = 0;
  const result = await (algo === 'bpe' ? trainBpe : trainWordPiece)(counts, {
    ...options,
    onProgress: (p) => {
      if (p.phase === 'merge' && performance.now() - lastReport > 1000) { io.err(`merging: ${p.vocab}/${p.vocabSize}\n`); lastReport = performance.now(); }
    },
  });
  const model = algo === 'bpe' ? new BpeModel(result.vocab, result.merges) : new WordPieceModel(result.vocab);
  writeFileSync(flags.out, toTokenizerJson(bertTokenizer(model, normalizer)));
  io.out(JSON.stringify({
    algo, out: flags.out, vocabSize: result.vocab.length, requestedVocabSize: options.vocabSize, stoppedBy: result.stoppedBy,
    minFrequency: options.minFrequency, characterCoverage: options.characterCoverage, lowercase,
    input: { path: flags.input, bytes: stats.bytes, invalidUtf8Replaced: stats.invalidReplacements, words: counter.words, distinctWords: counts.size },
    alphabet: result.alphabet.length, droppedChars: result.droppedChars, baseSize: result.baseSize, merges: result.merges.length,
    timingsMs: { counting: countMs, ...result.timings },
  }, null, 2) + '\n');
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
  if (!existsSync(flags.tokenizer)) throw new UsageError(`tokenizer file not found: ${flags.tokenizer}`);
  const tok = fromTokenizerJson(readFileSync(flags.tokenizer, 'utf8'));
  const { model, normalizer, preTokenizer } = tok.parts;
  if (preTokenizer !== 'bert') throw new UsageError('tokenizer stats needs a BertPreTokenizer (words are counted the BERT way)');
  const { counts, stats: dec, countMs } = await countFile(flags.input, normalizer ?? { cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false }, io);
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
    default: throw new UsageError(`unknown tokenizer command "${sub ?? ''}"; available: train, stats`);
  }
}
