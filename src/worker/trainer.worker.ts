/// <reference lib="webworker" />
/**
 * The training worker: owns TF.js and everything on the device. One backend per worker (chosen by the first `init`),
 * one state object (workerState.ts), one device queue that serialises every piece of GPU work (runs of either kind,
 * model load, fill-mask, export, the cost probe; initialisation and its parity probe happen before the queue opens;
 * while a distillation runs, the disagreement requests run at its step boundaries instead: stepLane.ts),
 * one active run (runSlot.ts: a second start of either kind is refused naming the active run). Runs: runs.ts;
 * requests: requests.ts.
 */
import { initBrowserBackend, loseDevice, takeDeviceErrors } from '../backend/browser.ts';
import { compareParity, runParityProbe, type ParityProbe } from '../backend/parity.ts';
import { createWorkerState } from './workerState.ts';
import { controlRun, startRun } from './runs.ts';
import { handleRequest, runsBetweenSteps } from './requests.ts';
import { stopBundleExport } from './bundleExport.ts';
import { requestRefusal } from './runSlot.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

const post = (m: FromWorker, transfer: Transferable[] = []) => self.postMessage(m, transfer);
const state = createWorkerState();
/** The CPU reference probe: in `init`, or a moment later in `parity-reference` (computed in parallel with this worker's start). */
let giveReference: (r: ParityProbe) => void = () => {};
const reference = new Promise<ParityProbe>((resolve) => (giveReference = resolve));

async function init(msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  const t0 = performance.now();
  if (msg.reference) giveReference(msg.reference);
  try {
    const { adapter, software } = await initBrowserBackend(msg.backend, msg.threads);
    const probe = await runParityProbe();
    probe.deviceErrors = takeDeviceErrors();
    if (msg.debug?.parityFault === msg.backend) probe.loss *= 1.05;
    state.backend = msg.backend;
    state.queue.open();
    post({ type: 'ready', backend: msg.backend, adapter, software, stepMs: probe.stepMs, parity: compareParity(probe, await reference), initMs: performance.now() - t0 });
  } catch (e) {
    post({ type: 'init-failed', backend: msg.backend, reason: (e as Error).message ?? String(e) });
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'init': return void init(msg);
    case 'parity-reference': return giveReference(msg.reference);
    case 'run-start': return startRun(state, msg, post);
    case 'run-control': return controlRun(state, msg, post);
    case 'debug-lose-device': return void loseDevice();
    case 'export-bundle-stop': return stopBundleExport(msg.requestId);
    default: {
      const refused = requestRefusal(state.slot.active, msg.type);
      if (refused) return post({ type: 'request-error', requestId: msg.requestId, ...refused });
      const job = () => handleRequest(state, msg, post);
      // During a distillation its step boundaries serve the snapshot requests (stepLane.ts); the rest waits in the queue.
      void (state.lane?.open && runsBetweenSteps(msg.type) ? state.lane.run(job) : state.queue.run(job));
    }
  }
};
