/// <reference lib="webworker" />
/**
 * Tokenizer jobs off the main thread: stream the corpus (embedded asset or dropped file, any size: only word counts
 * are kept), train the vocabulary, compute the what-if curve, and send back the tokenizer.json. One job at a time;
 * a new `train` cancels the previous one.
 */
import { decodeUtf8Stream } from '../tokenizers/train/utf8.ts';
import { documents, formatOf, lines } from '../data/corpusFormats.ts';
import { trainTokenizer } from '../tokenizers/trainTokenizer.ts';
import { toTokenizerJson } from '../tokenizers/hfJson.ts';
import { whatIf } from '../tokenizers/whatif.ts';
import { TrainingCancelled } from '../tokenizers/train/errors.ts';
import type { FromTokenizerWorker, JobId, ToTokenizerWorker } from './protocol.ts';

const post = (m: FromTokenizerWorker) => self.postMessage(m);
let current: { jobId: JobId; abort: AbortController } | null = null;

async function* bytesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

async function train(msg: Extract<ToTokenizerWorker, { type: 'train' }>): Promise<void> {
  current?.abort.abort();
  const abort = new AbortController();
  const job = { jobId: msg.jobId, abort };
  current = job;
  const t0 = performance.now();
  const { jobId, corpus, options, student } = msg;
  try {
    let stream: ReadableStream<Uint8Array>;
    let total = 0;
    let name: string;
    if (corpus.kind === 'url') {
      post({ type: 'progress', jobId, phase: 'reading', fraction: null, detail: corpus.name });
      const res = await fetch(corpus.url);
      if (!res.ok || !res.body) throw new Error(`could not load ${corpus.name}: HTTP ${res.status}`);
      total = Number(res.headers.get('content-length')) || 0;
      stream = res.body;
      name = corpus.name;
    } else {
      stream = corpus.file.stream();
      total = corpus.file.size;
      name = corpus.file.name;
    }
    const format = corpus.kind === 'file' ? formatOf(corpus.file.name) : 'txt';
    const decode = { bytes: 0, invalidReplacements: 0 };
    const trained = await trainTokenizer(documents(lines(decodeUtf8Stream(bytesOf(stream), decode)), format), options, {
      signal: abort.signal,
      countFraction: () => (total ? Math.min(1, decode.bytes / total) : null),
      onProgress: (p) => post({ type: 'progress', jobId, ...p }),
    });
    post({ type: 'progress', jobId, phase: 'what-if', fraction: null, detail: 'metrics at smaller sizes' });
    const wi = whatIf(trained.tokenizer.vocab, trained.counts, {
      hiddenSize: student.hiddenSize,
      bodyParams: student.bodyParams,
      merges: options.algo === 'bpe' ? trained.train.merges : undefined,
    });
    if (abort.signal.aborted) throw new TrainingCancelled();
    post({
      type: 'done', jobId, tokenizerJson: toTokenizerJson(trained.tokenizer, false), whatIf: wi.points,
      stats: {
        corpus: name, bytes: decode.bytes, invalidUtf8: decode.invalidReplacements, documents: trained.stats.documents,
        wordOccurrences: trained.stats.wordOccurrences, distinctWords: trained.stats.distinctWords, alphabet: trained.train.alphabet.length,
        droppedChars: trained.train.droppedChars, baseSize: trained.train.baseSize, vocabSize: trained.tokenizer.vocabSize, stoppedBy: trained.train.stoppedBy, ms: performance.now() - t0,
      },
    });
  } catch (e) {
    const err = e as Error;
    if (err instanceof TrainingCancelled) post({ type: 'cancelled', jobId });
    else post({ type: 'error', jobId, code: err.name || 'Error', message: err.message ?? String(e) });
  } finally {
    if (current === job) current = null;
  }
}

self.onmessage = (ev: MessageEvent<ToTokenizerWorker>) => {
  const msg = ev.data;
  if (msg.type === 'train') void train(msg);
  else if (msg.type === 'cancel' && current?.jobId === msg.jobId) current.abort.abort();
};
