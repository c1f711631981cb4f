/**
 * The models slice, pure: the teacher loaded in the worker (its summary and its tokenizer.json; the weights stay in the
 * worker), load status, the last fill-mask results. Reducers return the slice's next fields; requests: app/models.ts.
 */
import type { FillMaskResult } from '../models/fillMask.ts';
import type { ModelSummary } from '../worker/protocol.ts';

export interface ModelsState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** While loading: what (the shipped teacher's name, the imported folder's), so the tab says it. */
  loading: string | null;
  teacher: ModelSummary | null;
  /** The loaded teacher's tokenizer (tokenizer.json text): the Tokenizers tab's teacher by default. */
  teacherTokenizerJson: string | null;
  error: string | null;
  fillMask: { text: string; results: FillMaskResult[] } | null;
  busy: boolean;
}

export const initialModels: ModelsState = { status: 'idle', loading: null, teacher: null, teacherTokenizerJson: null, error: null, fillMask: null, busy: false };

export const modelsReducers = {
  loadStarted: (name = 'a teacher'): Partial<ModelsState> => ({ status: 'loading', loading: name, error: null }),
  loaded: (teacher: ModelSummary, teacherTokenizerJson: string): Partial<ModelsState> => ({ status: 'ready', loading: null, teacher, teacherTokenizerJson, fillMask: null }),
  /** A failed import leaves the previous teacher in place (nothing half-loaded). */
  loadFailed: (s: ModelsState, error: string): Partial<ModelsState> => ({ status: s.teacher ? 'ready' : 'error', loading: null, error }),
  fillMaskStarted: (): Partial<ModelsState> => ({ busy: true, error: null }),
  fillMaskDone: (text: string, results: FillMaskResult[]): Partial<ModelsState> => ({ busy: false, fillMask: { text, results } }),
  /** The earlier results go: they never stand beside an error about another text. */
  fillMaskFailed: (error: string): Partial<ModelsState> => ({ busy: false, error, fillMask: null }),
  setError: (error: string | null): Partial<ModelsState> => ({ error }),
};
