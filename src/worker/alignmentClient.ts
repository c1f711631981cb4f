/** Main-thread side of the alignment worker: one lazily created worker, messages in order, replies to one callback. */
import type { FromAlignmentWorker, ToAlignmentWorker } from './protocol.ts';

export interface AlignmentClient {
  send(m: ToAlignmentWorker, transfer?: Transferable[]): void;
  /** Ends the worker (a pair being built or a GLMD job is dropped); the next send starts a new one. */
  restart(): void;
}

export function createAlignmentClient(onMessage: (m: FromAlignmentWorker) => void, onCrash: (message: string) => void): AlignmentClient {
  let worker: Worker | null = null;
  const get = () => {
    if (worker) return worker;
    const w = new Worker(new URL('./alignment.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (ev: MessageEvent<FromAlignmentWorker>) => onMessage(ev.data);
    w.onerror = (ev) => {
      ev.preventDefault();
      w.terminate();
      worker = null;
      onCrash(ev.message || 'the alignment worker crashed');
    };
    worker = w;
    return w;
  };
  return {
    send: (m, transfer = []) => get().postMessage(m, transfer),
    restart() { worker?.terminate(); worker = null; },
  };
}
