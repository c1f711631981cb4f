/**
 * The tokenizers slice, pure: the running vocabulary job, the student's vocabulary (trained on the tab, with its
 * what-if curve and stats, or imported), the student's size (a prefix of that vocabulary: the whole of it by default),
 * an imported teacher tokenizer, the tab's error. The student this describes is the one the Train tab's MLM run and a
 * Distill recipe with studentTokenizer 'tokenizers-tab' use (app/tokenizers.ts cuts it). Tokenizers travel as
 * tokenizer.json text (plain data); the panel rebuilds them where it shows them.
 */
import type { WhatIfPoint } from '../tokenizers/whatif.ts';
import type { TokenizerTrainOptions } from '../tokenizers/trainTokenizer.ts';
import type { FromTokenizerWorker, JobId, TokenizerJobStats } from '../worker/protocol.ts';

export interface TokenizerVocabulary {
  /** tokenizer.json text. */
  json: string;
  /** The corpus it was trained on, or the imported file's name. */
  name: string;
  /** Entries. */
  size: number;
  /** Trained here: the what-if curve, the job's stats and options; imported: none. */
  trained: { whatIf: WhatIfPoint[]; stats: TokenizerJobStats; options: TokenizerTrainOptions } | null;
}

export interface TokenizersState {
  /** The running job; `input`: the corpus it reads (an embedded corpus's title or a dropped file's name). */
  job: { jobId: JobId; phase: string; fraction: number | null; detail: string; options: TokenizerTrainOptions; input: string } | null;
  vocabulary: TokenizerVocabulary | null;
  /** Entries of the student: a prefix of the vocabulary. */
  studentSize: number | null;
  /** An imported teacher tokenizer; else the tab's teacher is the loaded teacher's, else the vocabulary itself. */
  teacher: { name: string; json: string } | null;
  error: string | null;
  /** The input the error is about (the failed job's corpus, the refused file), when it is about one. */
  errorInput: string | null;
}

export const initialTokenizers: TokenizersState = { job: null, vocabulary: null, studentSize: null, teacher: null, error: null, errorInput: null };

export const tokenizersReducers = {
  jobStarted: (jobId: JobId, options: TokenizerTrainOptions, input: string): Partial<TokenizersState> => ({ job: { jobId, phase: 'starting', fraction: 0, detail: '', options, input }, error: null, errorInput: null }),
  /** Worker events; messages of any job but the current one are dropped. A finished job's vocabulary is the whole student. */
  workerMessage(s: TokenizersState, m: FromTokenizerWorker): Partial<TokenizersState> {
    const job = s.job;
    if (!job || job.jobId !== m.jobId) return {};
    switch (m.type) {
      case 'progress': return { job: { ...job, phase: m.phase, fraction: m.fraction, detail: m.detail } };
      case 'done': {
        const trained = { whatIf: m.whatIf, stats: m.stats, options: job.options };
        return { job: null, vocabulary: { json: m.tokenizerJson, name: m.stats.corpus, size: m.stats.vocabSize, trained }, studentSize: m.stats.vocabSize };
      }
      case 'cancelled': return { job: null };
      case 'error': return { job: null, error: `${m.code}: ${m.message}`, errorInput: job.input };
    }
  },
  crashed: (s: TokenizersState, message: string): Partial<TokenizersState> => ({ job: null, error: `The tokenizer worker crashed: ${message}`, errorInput: s.job?.input ?? null }),
  vocabularyImported: (name: string, json: string, size: number): Partial<TokenizersState> => ({ vocabulary: { json, name, size, trained: null }, studentSize: size, error: null, errorInput: null }),
  setStudentSize: (studentSize: number): Partial<TokenizersState> => ({ studentSize }),
  setTeacher: (teacher: TokenizersState['teacher']): Partial<TokenizersState> => ({ teacher, error: null, errorInput: null }),
  setError: (error: string | null, input: string | null = null): Partial<TokenizersState> => ({ error, errorInput: error === null ? null : input }),
};

/**
 * Why the vocabulary on screen is not the result of what the tab shows now (null: it is), so that a result never stands
 * unmarked beside an error about another input (issue 17 §6): a job is training another one; an error produced
 * nothing; the corpus selected now (`selected`: its title or file name) is not the one it was trained on.
 */
export function staleVocabulary(t: TokenizersState, selected: string | null): string | null {
  const v = t.vocabulary;
  if (!v) return null;
  const earlier = `the vocabulary below is the earlier one, ${v.trained ? 'trained on' : 'imported from'} ${v.name}`;
  if (t.job) return `training on ${t.job.input}: ${earlier}, until this job finishes`;
  if (t.error) return `${t.errorInput ? `the error above is about ${t.errorInput} and` : 'the error above'} produced nothing: ${earlier}`;
  if (v.trained && selected !== null && selected !== v.name) return `${earlier}, not on the corpus selected now (${selected}): press Train vocabulary to train on it`;
  return null;
}
