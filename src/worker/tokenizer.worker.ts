/// <reference lib="webworker" />
/**
 * Tokenizer jobs off the main thread: stream the corpus (embedded asset or dropped file, any size: only word counts
 * are kept) through the one validation layer (data/validate.ts: binary files refused, invalid UTF-8 counted, long lines
 * cut, CSV / TSV columns named, all said in the stats' notes), train the vocabulary, compute the what-if curve, and
 * send back the tokenizer.json. One job at a time; a new `train` cancels the previous one.
 */
import { formatOf } from '../data/corpusFormats.ts';
import { corpusDocuments, corpusNotes, newReport, streamChunks } from '../data/validate.ts';
import { trainTokenizer } from '../tokenizers/trainTokenizer.ts';
import { toTokenizerJson } from '../tokenizers/hfJson.ts';
import { whatIf } from '../tokenizers/whatif.ts';
import { TrainingCancelled } from '../tokenizers/train/errors.ts';
import type { FromTokenizerWorker, JobId, ToTokenizerWorker } from './protocol.ts';

const post = (m: FromTokenizerWorker) => self.postMessage(m);
let current: { jobId: JobId; abort: AbortController } | null = null;

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
    const report = newReport(name, corpus.kind === 'file' ? formatOf(corpus.file.name) : 'txt');
    const trained = await trainTokenizer(corpusDocuments(streamChunks(stream), report.format, report), options, {
      signal: abort.signal,
      countFraction: () => (total ? Math.min(1, report.bytes / total) : null),
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
        corpus: name, bytes: report.bytes, invalidUtf8: report.invalidUtf8, notes: corpusNotes({ ...report, invalidUtf8: 0 }) /* the count has its own field */, documents: trained.stats.documents,
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
