/**
 * Word counts of a UTF-8 text file on disk (Node only: node:fs), streamed in 1 MiB chunks through the same decoder and
 * counter as the page's trainer; shared by `vocabkd tokenizer stats` and `vocabkd bench tokenizer`. The caller checks
 * that the file exists (the CLI turns a missing file into a usage error); invalid UTF-8 is replaced and reported once
 * through `onWarning`.
 */
import { createReadStream } from 'node:fs';
import { countWordsStream, WordCounter } from './countWords.ts';
import { decodeUtf8Stream, type DecodeStats } from './utf8.ts';
import type { BertNormalizerOptions } from '../normalizer.ts';

export async function countFile(path: string, normalizer: BertNormalizerOptions, onWarning?: (message: string) => void) {
  const stats: DecodeStats = { bytes: 0, invalidReplacements: 0 };
  const counter = new WordCounter(normalizer);
  const t0 = performance.now();
  const { counts } = await countWordsStream(decodeUtf8Stream(createReadStream(path, { highWaterMark: 1 << 20 }), stats), counter);
  if (stats.invalidReplacements > 0) onWarning?.(`warning: ${path}: ${stats.invalidReplacements} invalid UTF-8 sequences replaced by U+FFFD\n`);
  return { counts, counter, stats, countMs: performance.now() - t0 };
}
