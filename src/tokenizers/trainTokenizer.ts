/**
 * From documents to a ready BERT-style tokenizer, host-neutral (the tokenizer worker and the CLI both call it):
 * streamed word counting → WordPiece or BPE trainer → specials, [CLS]/[SEP], WordPiece decoder. Progress and
 * cancellation go through `hooks`; nothing partial is returned on cancel or error.
 */
import { countWordsStream, WordCounter } from './train/countWords.ts';
import { trainBpe, trainWordPiece, type TrainResult } from './train/trainers.ts';
import { TrainingCancelled } from './train/errors.ts';
import { bertTokenizer } from './hfJson.ts';
import { WordPieceModel } from './wordpiece.ts';
import { BpeModel } from './bpe.ts';
import { DEFAULT_NORMALIZER, type BertNormalizerOptions } from './normalizer.ts';
import type { Tokenizer } from './tokenizer.ts';

export type TokenizerAlgo = 'wordpiece' | 'bpe';

export interface TokenizerTrainOptions {
  algo: TokenizerAlgo;
  vocabSize: number;
  minFrequency: number;
  /** Share of character occurrences the alphabet covers; the rarest characters beyond it become [UNK]. */
  characterCoverage: number;
  /** Lower-case every character: off by default. */
  lowercase: boolean;
  /** Strip accents (NFD, drop combining marks; turns «й» into «и»): off by default, independent of lowercase. */
  stripAccents: boolean;
}

export const DEFAULT_TOKENIZER_TRAIN: TokenizerTrainOptions = { algo: 'wordpiece', vocabSize: 8000, minFrequency: 2, characterCoverage: 1, lowercase: false, stripAccents: false };

export interface TokenizerTrainProgress {
  phase: 'counting' | 'training';
  /** 0–1 where known. */
  fraction: number | null;
  detail: string;
}

export interface TrainedTokenizer {
  tokenizer: Tokenizer;
  train: TrainResult;
  counts: Map<string, number>;
  stats: { documents: number; chars: number; wordOccurrences: number; distinctWords: number };
}

export function normalizerFor(o: Pick<TokenizerTrainOptions, 'lowercase' | 'stripAccents'>): BertNormalizerOptions {
  return { ...DEFAULT_NORMALIZER, lowercase: o.lowercase, stripAccents: o.stripAccents };
}

export async function trainTokenizer(
  documents: AsyncIterable<string> | Iterable<string>,
  o: TokenizerTrainOptions,
  hooks: { onProgress?(p: TokenizerTrainProgress): void; signal?: AbortSignal; countFraction?(): number | null } = {},
): Promise<TrainedTokenizer> {
  const normalizer = normalizerFor(o);
  const counter = new WordCounter(normalizer);
  let documentsSeen = 0;
  async function* withNewlines() {
    for await (const d of documents) {
      if (hooks.signal?.aborted) throw new TrainingCancelled();
      documentsSeen++;
      yield d + '\n';
    }
  }
  const { counts } = await countWordsStream(withNewlines(), counter, (p) =>
    hooks.onProgress?.({ phase: 'counting', fraction: hooks.countFraction?.() ?? null, detail: `${p.words.toLocaleString('en')} words, ${p.distinct.toLocaleString('en')} distinct` }),
  );
  const train = await (o.algo === 'bpe' ? trainBpe : trainWordPiece)(counts, {
    vocabSize: o.vocabSize,
    minFrequency: o.minFrequency,
    characterCoverage: o.characterCoverage,
    signal: hooks.signal,
    onProgress: (p) => hooks.onProgress?.({ phase: 'training', fraction: p.vocab / p.vocabSize, detail: `${p.vocab.toLocaleString('en')} / ${p.vocabSize.toLocaleString('en')} entries` }),
  });
  const model = o.algo === 'bpe' ? new BpeModel(train.vocab, train.merges) : new WordPieceModel(train.vocab);
  return {
    tokenizer: bertTokenizer(model, normalizer),
    train,
    counts,
    stats: { documents: documentsSeen, chars: counter.chars, wordOccurrences: counter.words, distinctWords: counts.size },
  };
}
