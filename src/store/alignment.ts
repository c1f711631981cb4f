/**
 * The alignment slice, pure (issue 12 items 1–2, the Alignment tab): where the map's teacher and student come from,
 * the text, the lens, the corpus of the vocabulary map, and what the alignment worker sent back (the pair with its
 * vocabulary columns, the drawable map of the latest text, corpus statistics, GLMD columns). Replies of an older pair
 * or request are dropped. Requests: app/alignment.ts.
 */
import type { AlignView, CorpusView, GlmdView, VocabView } from '../alignment/mapView.ts';
import type { AlignTokenizerInfo, FromAlignmentWorker, TokenizerText } from '../worker/protocol.ts';

export type AlignLens = 'links' | 'reduce' | 'match' | 'glmd';
export const ALIGN_LENSES: readonly AlignLens[] = ['links', 'reduce', 'match', 'glmd'];
/** The loaded teacher's tokenizer, the Tokenizers tab's teacher (imported, else its whole vocabulary), or a file dropped here. */
export type TeacherSource = 'loaded' | 'tokenizers-tab' | 'file';
/** The Tokenizers tab's student (cut to its size), the latest distilled student, or a file dropped here. */
export type StudentSource = 'tokenizers-tab' | 'distilled' | 'file';

export interface Job<R> {
  requestId: string;
  status: 'running' | 'ready' | 'error';
  phase: string;
  done: number;
  total: number;
  result: R | null;
  error: string | null;
  ms: number;
}

export interface AlignmentState {
  teacherSource: TeacherSource;
  studentSource: StudentSource;
  teacherFile: TokenizerText | null;
  studentFile: TokenizerText | null;
  /** The latest distilled student's tokenizer.json (fetched through the student export), with its run. */
  distilled: (TokenizerText & { runId: string }) | null;
  /** An embedded corpus id, or 'file'. */
  corpusId: string;
  corpusFile: File | null;
  text: string;
  lens: AlignLens;
  pair: {
    pairId: string;
    status: 'building' | 'ready' | 'error';
    teacher: AlignTokenizerInfo | null;
    student: AlignTokenizerInfo | null;
    differences: string[];
    vocab: VocabView | null;
    error: string | null;
    ms: number;
  } | null;
  /** The map of the latest text (`pending`: a newer text is being aligned). */
  view: { requestId: string; view: AlignView; ms: number } | null;
  pending: string | null;
  corpus: Job<CorpusView> | null;
  glmd: Job<GlmdView> | null;
  /** Why there is no map (no student yet, a file that is not a tokenizer, …). */
  error: string | null;
}

export const DEFAULT_ALIGN_TEXT = 'Call me Ishmael. Some years ago—never mind how long precisely—I thought I would sail about a little and see the watery part of the world.';

export const initialAlignment: AlignmentState = {
  teacherSource: 'loaded', studentSource: 'tokenizers-tab', teacherFile: null, studentFile: null, distilled: null, corpusId: 'moby-dick', corpusFile: null,
  text: DEFAULT_ALIGN_TEXT, lens: 'links', pair: null, view: null, pending: null, corpus: null, glmd: null, error: null,
};

const job = <R>(requestId: string, phase: string): Job<R> => ({ requestId, status: 'running', phase, done: 0, total: 1, result: null, error: null, ms: 0 });
const named = (code: string, message: string) => `${code}: ${message}`;

export const alignmentReducers = {
  setSources: (p: Partial<Pick<AlignmentState, 'teacherSource' | 'studentSource' | 'teacherFile' | 'studentFile' | 'distilled'>>): Partial<AlignmentState> => ({ ...p, error: null }),
  setCorpus: (corpusId: string, corpusFile: File | null): Partial<AlignmentState> => ({ corpusId, corpusFile }),
  setText: (text: string): Partial<AlignmentState> => ({ text }),
  setLens: (lens: AlignLens): Partial<AlignmentState> => ({ lens }),
  setError: (error: string | null): Partial<AlignmentState> => ({ error }),
  /** A new pair: everything computed for the previous one goes. */
  pairStarted: (pairId: string): Partial<AlignmentState> => ({
    pair: { pairId, status: 'building', teacher: null, student: null, differences: [], vocab: null, error: null, ms: 0 }, view: null, pending: null, corpus: null, glmd: null, error: null,
  }),
  textStarted: (requestId: string): Partial<AlignmentState> => ({ pending: requestId }),
  corpusStarted: (requestId: string): Partial<AlignmentState> => ({ corpus: job(requestId, 'starting') }),
  glmdStarted: (requestId: string, phase: string): Partial<AlignmentState> => ({ glmd: job(requestId, phase) }),
  glmdFailed: (s: AlignmentState, requestId: string, error: string): Partial<AlignmentState> =>
    (s.glmd?.requestId === requestId ? { glmd: { ...s.glmd, status: 'error', error } } : {}),
  crashed: (s: AlignmentState, message: string): Partial<AlignmentState> => ({
    error: `The alignment worker crashed: ${message}`, pending: null, pair: s.pair ? { ...s.pair, status: 'error', error: message } : null,
  }),

  /** Worker replies; those of an older pair or request are dropped. */
  workerMessage(s: AlignmentState, m: FromAlignmentWorker): Partial<AlignmentState> {
    const pairId = s.pair?.pairId;
    switch (m.type) {
      case 'align-pair-ready':
        if (m.pairId !== pairId) return {};
        return { pair: { pairId: m.pairId, status: 'ready', teacher: m.teacher, student: m.student, differences: m.differences, vocab: m.vocab, error: null, ms: m.ms } };
      case 'align-text-result':
        if (m.pairId !== pairId || m.requestId !== s.pending) return {};
        return { view: { requestId: m.requestId, view: m.view, ms: m.ms }, pending: null };
      case 'align-corpus-result':
        if (m.pairId !== pairId || s.corpus?.requestId !== m.requestId) return {};
        return { corpus: { ...s.corpus, status: 'ready', result: m.stats, ms: m.ms, phase: 'done', done: 1, total: 1 } };
      case 'align-glmd-result':
        if (m.pairId !== pairId || s.glmd?.requestId !== m.requestId) return {};
        return { glmd: { ...s.glmd, status: 'ready', result: m.glmd, ms: m.ms, phase: 'done', done: 1, total: 1 } };
      case 'align-progress':
        if (s.corpus?.requestId === m.requestId) return { corpus: { ...s.corpus, phase: m.phase, done: m.done, total: m.total } };
        if (s.glmd?.requestId === m.requestId) return { glmd: { ...s.glmd, phase: m.phase, done: m.done, total: m.total } };
        return {};
      case 'align-sample-result':
        return {}; // the app layer puts the sample into the text
      case 'align-error': {
        const error = named(m.code, m.message);
        if (m.requestId === null) {
          if (m.pairId !== pairId || !s.pair) return {};
          const side = m.side ? `the ${m.side} tokenizer: ` : '';
          return { pair: { ...s.pair, status: 'error', error }, error: `${side}${error}` };
        }
        if (m.requestId === s.pending) return { pending: null, error };
        if (s.corpus?.requestId === m.requestId) return { corpus: { ...s.corpus, status: 'error', error } };
        if (s.glmd?.requestId === m.requestId) return { glmd: { ...s.glmd, status: 'error', error } };
        return {};
      }
    }
  },
};
