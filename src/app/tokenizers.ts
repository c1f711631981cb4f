/**
 * Tokenizers tab actions of the page: train a vocabulary in the tokenizer worker (or cancel), import a vocabulary as
 * the student's or a tokenizer as the teacher, and the student tokenizer the other tabs use: the tab's vocabulary cut
 * to the chosen student size (`prefixTokenizer`), as tokenizer.json text for the worker.
 */
import { tokenizerClient } from './client.ts';
import { actions, useWorkbench } from '../store/index.ts';
import type { TokenizersState } from '../store/tokenizers.ts';
import { fromTokenizerJson, fromVocabTxt, toTokenizerJson } from '../tokenizers/hfJson.ts';
import { prefixTokenizer } from '../tokenizers/prefix.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import type { TokenizerTrainOptions } from '../tokenizers/trainTokenizer.ts';
import type { CorpusSource, StudentShape } from '../worker/protocol.ts';

const message = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;

export function trainVocabulary(corpus: CorpusSource, options: TokenizerTrainOptions, student: StudentShape): void {
  actions.tokenizerJobStarted(tokenizerClient.train(corpus, options, student), options, corpusName(corpus));
}

/** The name a corpus goes by in the tab: an embedded corpus's title, a dropped file's name. */
export const corpusName = (corpus: CorpusSource): string => (corpus.kind === 'file' ? corpus.file.name : corpus.name);

export const cancelVocabulary = (jobId: string) => tokenizerClient.cancel(jobId);

/** A tokenizer.json or a vocab.txt (WordPiece), parsed (a bad file throws its named error). */
export const parseTokenizerFile = (name: string, text: string): Tokenizer => (name.endsWith('.txt') ? fromVocabTxt(text) : fromTokenizerJson(text));

/** Reads and validates a tokenizer file before keeping it: as the teacher of the tab's comparison, or as the student's vocabulary. */
export async function importTokenizer(file: File, as: 'teacher' | 'student'): Promise<void> {
  const text = await file.text();
  try {
    const tok = parseTokenizerFile(file.name, text);
    if (as === 'teacher') actions.setTeacherTokenizer({ name: file.name, json: text });
    else actions.vocabularyImported(file.name, toTokenizerJson(tok, false), tok.vocabSize);
  } catch (e) {
    actions.setTokenizerError(message(e), file.name);
  }
}

/** The student size the tab has chosen, within the vocabulary (null: no vocabulary). */
export const studentSizeOf = (t: TokenizersState): number | null => (t.vocabulary ? Math.min(t.studentSize ?? t.vocabulary.size, t.vocabulary.size) : null);

/** The tab's student tokenizer as tokenizer.json text (the vocabulary cut to the student size), or undefined when there is none. */
export function studentTokenizerJson(t: TokenizersState = useWorkbench.getState().tokenizers): string | undefined {
  const size = studentSizeOf(t);
  if (!t.vocabulary || size === null) return undefined;
  if (size === t.vocabulary.size) return t.vocabulary.json;
  return toTokenizerJson(prefixTokenizer(fromTokenizerJson(t.vocabulary.json), size), false);
}
