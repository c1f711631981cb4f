/**
 * Exit codes (README "Reliability"): 0 success; 2 for every input or usage error (a bad flag, file, corpus, recipe,
 * config, tokenizer or model folder: the user can fix the input); 1 for runtime failures (a backend that cannot start,
 * a diverged run, a device error, anything unexpected). Errors are classified by name, so no engine module is imported.
 */
import { FileError, fsError } from './files.ts';

export const INPUT_ERRORS: ReadonlySet<string> = new Set([
  'UsageError', 'FileError', 'OutputError', 'RecipeError', 'TaskError', 'RunConfigError', 'ConfigError',
  'CorpusFormatError', 'BinaryCorpusError', 'DataError', 'DistillDataError', 'DistillSetupError', 'EmptyCorpusError',
  'VocabTooSmallError', 'TrainerOptionError', 'TokenizerFormatError', 'TokenizerModelError', 'HfFolderError',
  'SafetensorsError', 'NonFiniteWeightError', 'SpecialTokenMismatchError', 'FillMaskError', 'BenchInputError',
  'PrefixSizeError', 'WhatIfError', 'StudentVocabError', 'IntrinsicError', 'CheckpointError', 'RunFileError',
  'ShiftInitError', 'ModelTooLargeError', 'VocabEncodingError', 'ThreadsError',
]);

/** A Node file-system error that escaped the commands' own checks, named after its path. */
function named(e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  if (err instanceof Error && err.code && typeof err.path === 'string') return fsError(err, err.path);
  return err instanceof Error ? err : new Error(String(e));
}

/** The error as the CLI reports it, and its exit code. */
export function classify(e: unknown): { error: Error; code: 1 | 2 } {
  const error = named(e);
  return { error, code: error instanceof FileError || INPUT_ERRORS.has(error.name) ? 2 : 1 };
}
