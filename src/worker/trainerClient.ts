/**
 * Main-thread side of the worker protocol. Boots a backend (CPU reference probe in its own worker, then each candidate
 * in a fresh training worker until one initialises and passes parity), starts/pauses/resumes/stops runs (MLM or
 * distillation, one at a time; distillation runIds start with `distill-` and their messages go to the distill sink),
 * drops stale messages, and turns a crashed worker into an error event (the next start spawns a new worker).
 * React never sees a Worker: the store subscribes through `ClientSink`.
 */
import { BACKEND_ORDER, candidateBackends, type BackendName } from '../backend/names.ts';
import type { ParityProbe, ParityVerdict } from '../backend/parity.ts';
import type { MlmRunConfig } from '../train/runConfig.ts';
import type { Recipe } from '../distill/types.ts';
import type {
  CorpusSource, DebugOptions, DistillFromWorker, DistillReply, DistillRequest, FromParityWorker, FromWorker, ModelReply, ModelRequest, RunId, ToWorker,
} from './protocol.ts';

export interface ClientSink {
  backendTrying(b: BackendName): void;
  backendReady(b: BackendName, adapter: string, parity: ParityVerdict, initMs: number, reason: string): void;
  backendNotice(text: string): void;
  backendFailed(reason: string): void;
  runMessage(m: RunMessage): void;
  runCreated(runId: RunId, config: MlmRunConfig): void;
  distillCreated(runId: RunId, recipe: Recipe): void;
  distillMessage(m: DistillRunMessage): void;
  workerCrashed(runId: RunId | null, message: string): void;
}

export interface TrainerClient {
  boot(requested?: BackendName): Promise<void>;
  /** Returns the new run's id, or null when a run is already active (never two loops). */
  start(config: MlmRunConfig, inputs?: { corpus?: CorpusSource; tokenizerJson?: string }): Promise<RunId | null>;
  /** A distillation run with the teacher loaded in the worker; null when a run is already active. */
  startDistill(recipe: Recipe, corpus?: CorpusSource): Promise<RunId | null>;
  pause(): void;
  resume(): void;
  stop(): void;
  /** A model or distill request (load, fill-mask, export, probe): resolves with the worker's reply, rejects on a worker error. */
  request(msg: DistributiveOmit<ModelRequest | DistillRequest, 'requestId'>): Promise<ModelReply | DistillReply>;
  dispose(): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const INIT_TIMEOUT_MS = 120_000;

const newTrainerWorker = () => new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module' });

function cpuReference(): Promise<ParityProbe> {
  const w = new Worker(new URL('./parity.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<ParityProbe>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the CPU reference probe timed out')), INIT_TIMEOUT_MS);
    w.onmessage = (ev: MessageEvent<FromParityWorker>) => {
      clearTimeout(t);
      if (ev.data.type === 'reference') resolve(ev.data.probe);
      else reject(new Error(ev.data.message));
    };
    w.onerror = (ev) => { clearTimeout(t); reject(new Error(ev.message || 'the CPU reference worker crashed')); };
  }).finally(() => w.terminate());
}

/** Messages shared by both kinds of run. */
type SharedRunMessage = Extract<FromWorker, { type: 'status' | 'checkpoint' | 'error' | 'rejected' }> & { runId: RunId };

/** Messages that belong to an MLM run (everything but the init replies, request replies and distillation messages). */
export type RunMessage = Exclude<FromWorker, { type: 'ready' | 'init-failed' } | DistillFromWorker> & { runId: RunId };

/** Messages that belong to a distillation run. */
export type DistillRunMessage = DistillFromWorker | SharedRunMessage;

export const isDistillRun = (runId: RunId) => runId.startsWith('distill-');

type InitReply = Extract<FromWorker, { type: 'ready' | 'init-failed' }>;
type ReadyReply = Extract<FromWorker, { type: 'ready' }>;

function initWorker(w: Worker, backend: BackendName, reference: ParityProbe, debug: DebugOptions): Promise<InitReply> {
  return new Promise<InitReply>((resolve) => {
    const t = setTimeout(() => resolve({ type: 'init-failed', backend, reason: `no answer within ${INIT_TIMEOUT_MS / 1000} s` }), INIT_TIMEOUT_MS);
    w.onmessage = (ev: MessageEvent<FromWorker>) => {
      if (ev.data.type === 'ready' || ev.data.type === 'init-failed') { clearTimeout(t); resolve(ev.data); }
    };
    w.onerror = (ev) => { clearTimeout(t); resolve({ type: 'init-failed', backend, reason: ev.message || 'the worker crashed while initialising' }); };
    w.postMessage({ type: 'init', backend, reference, debug });
  });
}

export function createTrainerClient(sink: ClientSink, defaultCorpus: CorpusSource, debug: DebugOptions = {}): TrainerClient {
  let worker: Worker | null = null;
  let backend: BackendName | null = null;
  let reference: ParityProbe | null = null;
  let activeRunId: RunId | null = null;
  let runCounter = 0;
  let booting: Promise<void> | null = null;
  let requestCounter = 0;
  const pending = new Map<string, { resolve(r: ModelReply | DistillReply): void; reject(e: Error): void }>();

  const attach = (w: Worker) => {
    w.onmessage = (ev: MessageEvent<FromWorker>) => {
      const m = ev.data;
      if ('requestId' in m) {
        const p = pending.get(m.requestId);
        pending.delete(m.requestId);
        if (m.type === 'model-error') p?.reject(Object.assign(new Error(m.message), { name: m.code }));
        else p?.resolve(m);
        return;
      }
      if (!('runId' in m) || m.runId === undefined) {
        if (m.type === 'error') sink.workerCrashed(null, m.message);
        return;
      }
      if (m.runId !== activeRunId) return; // stale: from a run that is no longer current
      if (m.type === 'status' && ['done', 'stopped', 'error'].includes(m.state)) activeRunId = null;
      if (m.type === 'rejected') activeRunId = null;
      if (isDistillRun(m.runId)) sink.distillMessage(m as DistillRunMessage);
      else sink.runMessage(m as RunMessage);
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      const runId = activeRunId;
      activeRunId = null;
      w.terminate();
      if (worker === w) worker = null;
      for (const p of pending.values()) p.reject(new Error(`the training worker crashed: ${ev.message}`));
      pending.clear();
      sink.workerCrashed(runId, ev.message || 'the training worker crashed');
    };
  };

  const keep = (w: Worker, b: BackendName, reply: ReadyReply, reason: string) => {
    worker = w;
    backend = b;
    attach(w);
    sink.backendReady(b, reply.adapter, reply.parity, reply.initMs, reason);
  };

  /**
   * Tries candidates in order and keeps the first that initialises and passes the parity self-test, except that a GPU
   * backend on a software adapter is only parked: the next candidate that passes is measured against it (the parity
   * probe's warm optimiser step) and the faster one is kept. `forced` (a `?backend=` or a re-initialisation after a
   * crash) is kept as soon as it passes, software or not.
   */
  const tryBackends = async (candidates: BackendName[], forced?: BackendName): Promise<boolean> => {
    let parked: { w: Worker; b: BackendName; reply: ReadyReply } | null = null;
    const measured: string[] = [];
    for (const b of candidates) {
      sink.backendTrying(b);
      const w = newTrainerWorker();
      const reply = await initWorker(w, b, reference!, debug);
      if (reply.type === 'ready' && reply.parity.ok) {
        if (b === forced) {
          keep(w, b, reply, `forced (${b === backend ? 'the backend in use' : `?backend=${b}`})`);
          parked?.w.terminate();
          return true;
        }
        measured.push(`${b} ${reply.stepMs.toFixed(1)} ms${reply.software ? ' (software adapter)' : ''}`);
        if (reply.software) { // park the faster software GPU backend and look for a CPU path to measure it against
          if (!parked || reply.stepMs < parked.reply.stepMs) {
            parked?.w.terminate();
            parked = { w, b, reply };
          } else w.terminate();
          continue;
        }
        if (parked) {
          const [fast, slow] = parked.reply.stepMs < reply.stepMs ? [parked, { w, b, reply }] : [{ w, b, reply }, parked];
          slow.w.terminate();
          keep(fast.w, fast.b, fast.reply, `measured, a training-probe step takes ${measured.join(', ')}: ${fast.b} is the fastest`);
          return true;
        }
        keep(w, b, reply, `the first of ${BACKEND_ORDER.join(' → ')} that initialised and passed the training parity self-test`);
        return true;
      }
      w.terminate();
      sink.backendNotice(
        reply.type === 'init-failed'
          ? `${b} unavailable: ${reply.reason}`
          : `${b} failed the parity self-test (${reply.parity.worst}: loss/gradient rel. err ${reply.parity.maxRelErr.toExponential(1)}, update err ${reply.parity.maxUpdateErr.toExponential(1)} of Σ lr)`,
      );
    }
    if (parked) {
      keep(parked.w, parked.b, parked.reply, `${parked.b} runs on a software adapter, but no other backend passed`);
      return true;
    }
    return false;
  };

  /** Claims the one run slot and makes sure a worker exists (after a crash: a fresh one on the same backend). */
  const begin = async (kind: 'run' | 'distill', created: (runId: RunId) => void): Promise<RunId | null> => {
    await booting;
    if (activeRunId || !backend || !reference) return null;
    const runId = `${kind}-${++runCounter}`;
    activeRunId = runId;
    created(runId);
    if (!worker && !(await tryBackends(candidateBackends(backend), backend))) {
      activeRunId = null;
      sink.backendFailed('no backend could be re-initialised after the crash');
      return null;
    }
    return runId;
  };

  return {
    boot(requested) {
      booting ??= (async () => {
        try {
          reference = await cpuReference();
        } catch (e) {
          sink.backendFailed(`the CPU reference for the parity self-test failed: ${(e as Error).message}`);
          return;
        }
        if (!(await tryBackends(candidateBackends(requested), requested))) sink.backendFailed('no backend initialised and passed the parity self-test');
      })();
      return booting;
    },
    async start(config, inputs = {}) {
      const runId = await begin('run', (id) => sink.runCreated(id, config));
      if (!runId) return null;
      worker!.postMessage({ type: 'start', runId, config, corpus: inputs.corpus ?? defaultCorpus, tokenizerJson: inputs.tokenizerJson, debug: { ...debug } } satisfies ToWorker);
      debug.crashAtStep = undefined; // an injected crash happens once, so the run after it can succeed
      return runId;
    },
    async startDistill(recipe, corpus) {
      const runId = await begin('distill', (id) => sink.distillCreated(id, recipe));
      if (runId) worker!.postMessage({ type: 'distill-start', runId, recipe, corpus: corpus ?? defaultCorpus } satisfies ToWorker);
      return runId;
    },
    pause: () => activeRunId && worker?.postMessage({ type: 'pause', runId: activeRunId }),
    resume: () => activeRunId && worker?.postMessage({ type: 'resume', runId: activeRunId }),
    stop: () => activeRunId && worker?.postMessage({ type: 'stop', runId: activeRunId }),
    async request(msg) {
      await booting;
      if (!worker && backend && !(await tryBackends(candidateBackends(backend), backend))) throw new Error('no backend could be re-initialised');
      if (!worker) throw new Error('no backend is ready');
      const requestId = `req-${++requestCounter}`;
      const reply = new Promise<ModelReply | DistillReply>((resolve, reject) => pending.set(requestId, { resolve, reject }));
      worker.postMessage({ ...msg, requestId } as ModelRequest | DistillRequest);
      return reply;
    },
    dispose: () => { worker?.terminate(); worker = null; },
  };
}
