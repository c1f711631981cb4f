/**
 * Tokenizer-lab state: the running job, the trained tokenizer (as tokenizer.json text: plain data, rebuilt into a
 * Tokenizer where it is shown), its what-if curve, the chosen student size, an optional imported teacher tokenizer.
 */
import { create } from 'zustand';
import type { WhatIfPoint } from '../tokenizers/whatif.ts';
import type { TokenizerTrainOptions } from '../tokenizers/trainTokenizer.ts';
import type { FromTokenizerWorker, JobId, TokenizerJobStats } from '../worker/protocol.ts';

export interface TokenizerLabState {
  job: { jobId: JobId; phase: string; fraction: number | null; detail: string } | null;
  trained: { json: string; whatIf: WhatIfPoint[]; stats: TokenizerJobStats; options: TokenizerTrainOptions } | null;
  studentSize: number | null;
  teacher: { name: string; json: string } | null;
  error: string | null;
}

export const initialTokenizerLab: TokenizerLabState = { job: null, trained: null, studentSize: null, teacher: null, error: null };

export const useTokenizerLab = create<TokenizerLabState>()(() => initialTokenizerLab);

const set = useTokenizerLab.setState;
const get = useTokenizerLab.getState;
let pendingOptions: TokenizerTrainOptions | null = null;

export const tokenizerLabActions = {
  jobStarted(jobId: JobId, options: TokenizerTrainOptions) {
    pendingOptions = options;
    set({ job: { jobId, phase: 'starting', fraction: 0, detail: '' }, error: null });
  },
  setStudentSize: (studentSize: number) => set({ studentSize }),
  setTeacher: (teacher: TokenizerLabState['teacher']) => set({ teacher, error: null }),
  setError: (error: string | null) => set({ error }),
  /** Worker events; messages of any job but the current one are dropped. */
  onWorkerMessage(m: FromTokenizerWorker) {
    const job = get().job;
    if (!job || job.jobId !== m.jobId) return;
    switch (m.type) {
      case 'progress': return set({ job: { ...job, phase: m.phase, fraction: m.fraction, detail: m.detail } });
      case 'done': {
        const options = pendingOptions!;
        // Default student: a quarter of the trained vocabulary (never below specials + alphabet).
        const studentSize = Math.min(m.stats.vocabSize, Math.max(m.stats.baseSize, Math.round(m.stats.vocabSize / 4)));
        return set({ job: null, trained: { json: m.tokenizerJson, whatIf: m.whatIf, stats: m.stats, options }, studentSize });
      }
      case 'cancelled': return set({ job: null });
      case 'error': return set({ job: null, error: `${m.code}: ${m.message}` });
    }
  },
};
