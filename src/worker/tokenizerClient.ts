/** Main-thread side of the tokenizer worker: one lazily created worker, jobs by id, events into the lab store. */
import type { FromTokenizerWorker, JobId, StudentShape, ToTokenizerWorker, CorpusSource } from './protocol.ts';
import type { TokenizerTrainOptions } from '../tokenizers/trainTokenizer.ts';

export interface TokenizerClient {
  train(corpus: CorpusSource, options: TokenizerTrainOptions, student: StudentShape): JobId;
  cancel(jobId: JobId): void;
}

export function createTokenizerClient(onMessage: (m: FromTokenizerWorker) => void, onCrash: (jobId: JobId | null, message: string) => void): TokenizerClient {
  let worker: Worker | null = null;
  let n = 0;
  let active: JobId | null = null;
  const get = () => {
    if (worker) return worker;
    const w = new Worker(new URL('./tokenizer.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (ev: MessageEvent<FromTokenizerWorker>) => onMessage(ev.data);
    w.onerror = (ev) => {
      ev.preventDefault();
      w.terminate();
      worker = null;
      onCrash(active, ev.message || 'the tokenizer worker crashed');
    };
    worker = w;
    return w;
  };
  const send = (m: ToTokenizerWorker) => get().postMessage(m);
  return {
    train(corpus, options, student) {
      const jobId = `tok-${++n}`;
      active = jobId;
      send({ type: 'train', jobId, corpus, options, student });
      return jobId;
    },
    cancel: (jobId) => send({ type: 'cancel', jobId }),
  };
}
