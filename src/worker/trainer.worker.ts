/// <reference lib="webworker" />
/**
 * The training worker: owns TF.js, the model and the optimizer. One backend per worker (chosen by the first `init`);
 * one run at a time, MLM or distillation (a second start is rejected, never a second loop). Metric points are batched
 * and flushed at most every METRICS_FLUSH_MS. The distillation side lives in distillOps.ts.
 */
import { assertNoDeviceErrors, initBrowserBackend, takeDeviceErrors } from '../backend/browser.ts';
import { compareParity, runParityProbe } from '../backend/parity.ts';
import type { BackendName } from '../backend/names.ts';
import { handleModelRequest } from './modelOps.ts';
import { distillRun, handleDistillRequest } from './distillOps.ts';
import { createRunControl, runMlm, type Checkpoint, type MetricPoint } from '../train/mlmRun.ts';
import { fromTokenizerJson } from '../tokenizers/hfJson.ts';
import { documents, formatOf, lines } from '../data/corpusFormats.ts';
import { DataError } from '../data/mlmBatches.ts';
import { validateRunConfig } from '../train/runConfig.ts';
import { pointBatcher, type CorpusSource, type FromWorker, type RunId, type ToWorker } from './protocol.ts';

const post = (m: FromWorker) => self.postMessage(m);
let backend: BackendName | null = null;
let markReady: () => void = () => {};
const ready = new Promise<void>((r) => (markReady = r));
let modelQueue: Promise<void> = Promise.resolve();
let active: { runId: RunId; control: ReturnType<typeof createRunControl>; distill: boolean } | null = null;
const corpusCache = new Map<string, string>();
/** The latest weight snapshot of the latest run (with its tokenizer), for export. */
const latest: { checkpoint: Checkpoint | null; tokenizerJson: string | null } = { checkpoint: null, tokenizerJson: null };

async function init(msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  const t0 = performance.now();
  try {
    const { adapter, software } = await initBrowserBackend(msg.backend);
    const probe = await runParityProbe();
    probe.deviceErrors = takeDeviceErrors();
    if (msg.debug?.parityFault === msg.backend) probe.loss *= 1.05;
    backend = msg.backend;
    markReady();
    post({ type: 'ready', backend: msg.backend, adapter, software, stepMs: probe.stepMs, parity: compareParity(probe, msg.reference), initMs: performance.now() - t0 });
  } catch (e) {
    post({ type: 'init-failed', backend: msg.backend, reason: (e as Error).message ?? String(e) });
  }
}

/** In-page MLM training keeps the token stream in memory: larger corpora should be trained from the CLI. */
const MAX_CORPUS_BYTES = 100 * 1024 * 1024;

async function loadCorpus(src: CorpusSource): Promise<string> {
  if (src.kind === 'url') {
    const cached = corpusCache.get(src.url);
    if (cached !== undefined) return cached;
    const res = await fetch(src.url);
    if (!res.ok) throw new Error(`could not load the corpus ${src.name}: HTTP ${res.status}`);
    const text = await res.text();
    corpusCache.set(src.url, text);
    return text;
  }
  const { file } = src;
  if (file.size > MAX_CORPUS_BYTES) {
    throw new DataError(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB; in-page training holds the corpus in memory and accepts up to ${MAX_CORPUS_BYTES / 2 ** 20} MB (use \`vocabkd pretrain\` for larger corpora)`);
  }
  const docs: string[] = [];
  for await (const d of documents(lines([await file.text()]), formatOf(file.name))) docs.push(d.replace(/\r?\n/g, ' '));
  return docs.join('\n');
}

async function start(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const { runId } = msg;
  if (!backend) return post({ type: 'rejected', runId, reason: 'the backend is not initialised yet' });
  if (active) return post({ type: 'rejected', runId, reason: `run ${active.runId} is still running` });
  const control = createRunControl();
  active = { runId, control, distill: false };
  const points = pointBatcher<MetricPoint>((batch) => post({ type: 'metrics', runId, points: batch }));
  try {
    const config = validateRunConfig(msg.config);
    post({ type: 'status', runId, state: 'starting' });
    const text = await loadCorpus(msg.corpus);
    const tokenizer = msg.tokenizerJson ? fromTokenizerJson(msg.tokenizerJson) : undefined;
    post({ type: 'status', runId, state: 'running' });
    const outcome = await runMlm(text, config, control, {
      onInfo: (info) => post({ type: 'info', runId, info }),
      onPoint: points.push,
      onCheckpoint: (c) => {
        latest.checkpoint = c;
        latest.tokenizerJson = c.tokenizerJson;
        post({ type: 'checkpoint', runId, step: c.step });
      },
      onStep: (step) => {
        assertNoDeviceErrors(); // an invalid GPU pipeline computes garbage silently: stop the run, named
        if (msg.debug?.crashAtStep === step) {
          setTimeout(() => { throw new Error(`injected worker crash after step ${step}`); });
          control.stop();
        }
      },
    }, { tokenizer });
    points.flush();
    if (msg.debug?.crashAtStep) return; // the injected crash reports itself through the worker's error event
    if (outcome === 'diverged') post({ type: 'status', runId, state: 'stopped', message: 'diverged: the loss or gradient norm was not finite; the weights are the last good checkpoint' });
    else post({ type: 'status', runId, state: outcome });
  } catch (e) {
    points.flush();
    const err = e as Error;
    post({ type: 'error', runId, code: err.name || 'Error', message: err.message ?? String(e) });
    post({ type: 'status', runId, state: 'error', message: err.message });
  } finally {
    active = null;
  }
}

/** A distillation run reads the loaded teacher from start to end; teacher loads wait for the queue (see onmessage). */
async function distillStart(msg: Extract<ToWorker, { type: 'distill-start' }>): Promise<void> {
  const { runId } = msg;
  if (!backend) return post({ type: 'rejected', runId, reason: 'the backend is not initialised yet' });
  if (active) return post({ type: 'rejected', runId, reason: `run ${active.runId} is still running` });
  const control = createRunControl();
  active = { runId, control, distill: true };
  try {
    await modelQueue; // a teacher load in flight (the shipped teacher at start) finishes first
    await distillRun(msg, control, loadCorpus, post);
  } finally {
    active = null;
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'model-load':
    case 'fill-mask':
    case 'model-export':
      if (msg.type === 'model-load' && active?.distill) {
        post({ type: 'model-error', requestId: msg.requestId, code: 'TeacherBusyError', message: `distillation run ${active.runId} is using the teacher: stop it before loading another model` });
        break;
      }
      // One at a time, after backend initialisation (the model lives on the chosen device; a later load wins).
      modelQueue = modelQueue.then(() => ready).then(() => handleModelRequest(msg, latest, (m, transfer) => self.postMessage(m, transfer ?? [])));
      break;
    case 'distill-probe':
    case 'distill-export':
      if (msg.type === 'distill-probe' && active) {
        post({ type: 'model-error', requestId: msg.requestId, code: 'RunActiveError', message: `run ${active.runId} is running: estimate the cost before starting, or stop the run` });
        break;
      }
      modelQueue = modelQueue.then(() => ready).then(() => handleDistillRequest(msg, loadCorpus, (m, transfer) => self.postMessage(m, transfer ?? [])));
      break;
    case 'init': void init(msg); break;
    case 'start': void start(msg); break;
    case 'distill-start': void distillStart(msg); break;
    case 'pause':
      if (active?.runId === msg.runId) { active.control.pause(); post({ type: 'status', runId: msg.runId, state: 'paused' }); }
      break;
    case 'resume':
      if (active?.runId === msg.runId) { active.control.resume(); post({ type: 'status', runId: msg.runId, state: 'running' }); }
      break;
    case 'stop':
      if (active?.runId === msg.runId) active.control.stop();
      break;
  }
};
