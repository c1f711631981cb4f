/**
 * Main-thread side of the worker protocol. Boots a backend (CPU reference probe in its own worker, then each candidate
 * in a fresh training worker until one initialises and passes parity), starts runs of either kind through one `start`
 * (the one start guard, runSlot.ts: a second start while a run is active is refused, naming the active run, through
 * `sink.runRefused`), pauses / resumes / stops the active run, sends requests, drops stale run messages, and turns a
 * crashed worker into an error event (the next start spawns a new worker). React never sees a Worker: the store
 * subscribes through `ClientSink`.
 */
import { BACKEND_ORDER, candidateBackends, type BackendName } from '../backend/names.ts';
import type { ParityProbe, ParityVerdict } from '../backend/parity.ts';
import { createRunSlot, type RunRef } from './runSlot.ts';
import {
  isFinished,
  type CorpusSource, type DebugOptions, type FromParityWorker, type FromWorker, type RunId, type RunKind, type RunMessage, type RunRequest,
  type ToWorker, type WorkerReply, type WorkerRequest,
} from './protocol.ts';

export interface ClientSink {
  backendTrying(b: BackendName): void;
  backendReady(b: BackendName, adapter: string, parity: ParityVerdict, initMs: number, reason: string): void;
  backendNotice(text: string): void;
  backendFailed(reason: string): void;
  /** A run was started (before any of its messages). */
  runCreated(runId: RunId, request: RunRequest): void;
  /** A run-* message of the active run. */
  runMessage(m: RunMessage): void;
  /** A start refused before it reached the worker (a run is active: the reason names it; or no backend). */
  runRefused(kind: RunKind, reason: string): void;
  workerCrashed(runId: RunId | null, message: string): void;
  /**
   * The GPU device was lost during `runId` (DeviceLostError): the client dropped that worker and re-initialised on the
   * next backend that passes the self-test (`next`; null: none did). The page resumes the run from its checkpoint.
   */
  deviceLost(runId: RunId | null, lost: BackendName, next: BackendName | null): void;
}

/** A start: the run's request, the corpus defaulting to the page's embedded one. */
export type StartRequest = DistributiveOmit<RunRequest, 'corpus'> & { corpus?: CorpusSource };

export interface TrainerClient {
  boot(requested?: BackendName): Promise<void>;
  /** Starts a run of either kind; null (and `sink.runRefused` with the reason) when a run is active or no backend is ready. */
  start(request: StartRequest): Promise<RunId | null>;
  pause(): void;
  resume(): void;
  stop(): void;
  /** Test hook: makes the worker destroy its WebGPU device (a device loss, as the page would meet it). */
  loseDevice(): void;
  /** A request (load, fill-mask, export, cost probe): resolves with the worker's reply, rejects on request-error or a crash. */
  request(msg: DistributiveOmit<WorkerRequest, 'requestId'>, opts?: RequestOptions): Promise<WorkerReply>;
  dispose(): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a request sends before its reply (export-bundle: its progress and its files). */
export type RequestEvent = Extract<WorkerReply, { type: 'bundle-progress' | 'bundle-file' }>;
export interface RequestOptions {
  onEvent?(e: RequestEvent): void;
  /** Aborted: the worker is asked to stop the request (export-bundle; it then replies request-error BundleStoppedError). */
  signal?: AbortSignal;
}

const INIT_TIMEOUT_MS = 120_000;

/** A start-up mark (`vocabkd:<name>`) for bench:page's breakdown of the time to the first loss point. */
export const mark = (name: string) => globalThis.performance?.mark?.(`vocabkd:${name}`);

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

type InitReply = Extract<FromWorker, { type: 'ready' | 'init-failed' }>;
type ReadyReply = Extract<FromWorker, { type: 'ready' }>;

/**
 * Sends `init` at once: `reference` is the CPU probe when known, else the promise of it (the worker starts its backend
 * and runs its own probe meanwhile; the reference follows in `parity-reference`). A failed reference fails the init.
 */
function initWorker(w: Worker, backend: BackendName, reference: ParityProbe | Promise<ParityProbe>, debug: DebugOptions, threads?: number): Promise<InitReply> {
  return new Promise<InitReply>((resolve) => {
    const t = setTimeout(() => resolve({ type: 'init-failed', backend, reason: `no answer within ${INIT_TIMEOUT_MS / 1000} s` }), INIT_TIMEOUT_MS);
    w.onmessage = (ev: MessageEvent<FromWorker>) => {
      if (ev.data.type === 'ready' || ev.data.type === 'init-failed') { clearTimeout(t); resolve(ev.data); }
    };
    w.onerror = (ev) => { clearTimeout(t); resolve({ type: 'init-failed', backend, reason: ev.message || 'the worker crashed while initialising' }); };
    const known = reference instanceof Promise ? null : reference;
    w.postMessage({ type: 'init', backend, reference: known, debug, threads } satisfies ToWorker);
    if (reference instanceof Promise) {
      reference.then(
        (r) => w.postMessage({ type: 'parity-reference', reference: r } satisfies ToWorker),
        (e: unknown) => { clearTimeout(t); resolve({ type: 'init-failed', backend, reason: `the CPU reference for the parity self-test failed: ${(e as Error).message}` }); },
      );
    }
  });
}

/** `threads`: the page's ?threads= for a WASM backend (absent: every core but one). */
export function createTrainerClient(sink: ClientSink, defaultCorpus: CorpusSource, debug: DebugOptions = {}, threads?: number): TrainerClient {
  let worker: Worker | null = null;
  let backend: BackendName | null = null;
  let reference: ParityProbe | null = null;
  /** The CPU reference while it is computed (in parallel with the first candidate's start). */
  let referenceReady: Promise<ParityProbe> | null = null;
  let referenceError: string | null = null;
  const slot = createRunSlot<RunRef>();
  let runCounter = 0;
  let booting: Promise<void> | null = null;
  let requestCounter = 0;
  const pending = new Map<string, { resolve(r: WorkerReply): void; reject(e: Error): void; onEvent?: RequestOptions['onEvent'] }>();

  const attach = (w: Worker) => {
    w.onmessage = (ev: MessageEvent<FromWorker>) => {
      const m = ev.data;
      if ('requestId' in m) {
        const p = pending.get(m.requestId);
        if (m.type === 'bundle-progress' || m.type === 'bundle-file') return void p?.onEvent?.(m);
        pending.delete(m.requestId);
        if (m.type === 'request-error') p?.reject(Object.assign(new Error(m.message), { name: m.code }));
        else p?.resolve(m);
        return;
      }
      if (m.type === 'ready' || m.type === 'init-failed') return; // init replies are read by initWorker
      if (m.runId !== slot.active?.runId) return; // stale: from a run that is no longer current
      if (m.type === 'run-rejected' || (m.type === 'run-status' && isFinished(m.state))) slot.release(m.runId);
      sink.runMessage(m);
      if (m.type === 'run-error' && m.code === 'DeviceLostError') void recover(w, m);
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      const runId = slot.active?.runId ?? null;
      if (runId) slot.release(runId);
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
    mark('backend-ready');
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
      const reply = await initWorker(w, b, reference ?? referenceReady!, debug, threads);
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
      if (referenceError) return false; // nothing can pass without the reference: boot says why, once
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

  const lost = new Set<BackendName>();
  /** A lost device: drop the worker, re-initialise on the next backend that passes (never a lost one), tell the sink. */
  const recover = async (w: Worker, m: RunMessage) => {
    if (worker !== w || !backend) return;
    const { runId, kind } = m;
    const gone = backend;
    lost.add(gone);
    w.terminate(); // before the run's last status: the run ends here
    worker = null;
    slot.release(runId);
    sink.runMessage({ type: 'run-status', runId, kind, state: 'error', message: `the ${gone} device was lost` } as RunMessage);
    for (const p of pending.values()) p.reject(new Error('the GPU device was lost'));
    pending.clear();
    sink.backendNotice(`the ${gone} device was lost during ${runId}: re-initialising on the next backend that passes the self-test`);
    const ok = await tryBackends(candidateBackends().filter((b) => !lost.has(b)));
    if (!ok) sink.backendFailed(`the ${gone} device was lost and no other backend passed the self-test`);
    sink.deviceLost(runId, gone, ok ? backend : null);
  };

  const control = (action: 'pause' | 'resume' | 'stop') => {
    const a = slot.active;
    if (a) worker?.postMessage({ type: 'run-control', runId: a.runId, kind: a.kind, action } satisfies ToWorker);
  };

  return {
    boot(requested) {
      booting ??= (async () => {
        mark('boot');
        referenceReady = cpuReference().then((r) => { mark('reference'); reference = r; return r; });
        referenceReady.catch((e: unknown) => { referenceError = `the CPU reference for the parity self-test failed: ${(e as Error).message}`; });
        const ok = await tryBackends(candidateBackends(requested), requested);
        if (referenceError) sink.backendFailed(referenceError);
        else if (!ok) sink.backendFailed('no backend initialised and passed the parity self-test');
      })();
      return booting;
    },
    /** Claims the one run slot (refused: the reason names the active run) and makes sure a worker exists (after a crash: a fresh one on the same backend). */
    async start(request) {
      await booting;
      const run: RunRef = { runId: `run-${runCounter + 1}`, kind: request.kind };
      const refusal = slot.claim(run, !!backend && !!reference);
      if (refusal) {
        sink.runRefused(request.kind, refusal);
        return null;
      }
      runCounter++;
      const full = { ...request, corpus: request.corpus ?? defaultCorpus } as RunRequest;
      sink.runCreated(run.runId, full);
      if (!worker && !(await tryBackends(candidateBackends(backend!), backend!))) {
        slot.release(run.runId);
        sink.backendFailed('no backend could be re-initialised after the crash');
        return null;
      }
      mark(`${run.runId}-start`);
      worker!.postMessage({ type: 'run-start', runId: run.runId, ...full, debug: { ...debug } } satisfies ToWorker);
      debug.crashAtStep = undefined; // an injected crash happens once, so the run after it can succeed
      return run.runId;
    },
    loseDevice: () => worker?.postMessage({ type: 'debug-lose-device' } satisfies ToWorker),
    pause: () => control('pause'),
    resume: () => control('resume'),
    stop: () => control('stop'),
    async request(msg, opts = {}) {
      await booting;
      if (!worker && backend && !(await tryBackends(candidateBackends(backend), backend))) throw new Error('no backend could be re-initialised');
      if (!worker) throw new Error('no backend is ready');
      const requestId = `req-${++requestCounter}`;
      const reply = new Promise<WorkerReply>((resolve, reject) => pending.set(requestId, { resolve, reject, onEvent: opts.onEvent }));
      const w = worker;
      opts.signal?.addEventListener('abort', () => { if (pending.has(requestId)) w.postMessage({ type: 'export-bundle-stop', requestId } satisfies ToWorker); }, { once: true });
      w.postMessage({ ...msg, requestId } as WorkerRequest);
      return reply;
    },
    dispose: () => { worker?.terminate(); worker = null; },
  };
}
