/**
 * Named errors and option validation for the vocabulary trainers (issue 3 "Bad input"): every rejected option or
 * corpus gets its own error name so the CLI prints `error: <Name>: …` and the worker can forward `code = name`.
 * The ranges (vocabulary 500–60,000, minimum frequency ≥ 1, coverage in (0, 1]) come from issue 3.
 */

export const MIN_VOCAB_SIZE = 500;
export const MAX_VOCAB_SIZE = 60_000;

/** An option outside its documented range (vocabulary size, minimum frequency, character coverage). */
export class TrainerOptionError extends Error {
  override name = 'TrainerOptionError';
}

/** The requested vocabulary cannot even hold the specials and the alphabet of this corpus. */
export class VocabTooSmallError extends Error {
  override name = 'VocabTooSmallError';
  constructor(readonly requested: number, readonly minimum: number, detail: string) {
    super(`vocabulary size ${requested} is below the minimum for this corpus, ${minimum} (${detail}); ` +
      `use a vocabulary size ≥ ${minimum} or a lower character coverage`);
  }
}

/** No words to learn from: an empty corpus, or one made only of whitespace / control characters. */
export class EmptyCorpusError extends Error {
  override name = 'EmptyCorpusError';
}

/** Thrown by a trainer whose AbortSignal fired; nothing partial is returned. */
export class TrainingCancelled extends Error {
  override name = 'TrainingCancelled';
  constructor() { super('training was cancelled'); }
}

export interface CommonTrainOptions {
  vocabSize: number;
  minFrequency: number;
  characterCoverage: number;
}

export function validateTrainOptions(o: CommonTrainOptions): void {
  const { vocabSize, minFrequency, characterCoverage } = o;
  if (!Number.isInteger(vocabSize) || vocabSize < MIN_VOCAB_SIZE || vocabSize > MAX_VOCAB_SIZE) {
    throw new TrainerOptionError(`vocabulary size must be an integer from ${MIN_VOCAB_SIZE} to ${MAX_VOCAB_SIZE.toLocaleString('en-US')}, got ${vocabSize}`);
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 1) {
    throw new TrainerOptionError(`minimum frequency must be an integer ≥ 1, got ${minFrequency}`);
  }
  if (!(characterCoverage > 0 && characterCoverage <= 1)) {
    throw new TrainerOptionError(`character coverage must be in (0, 1], got ${characterCoverage}`);
  }
}
