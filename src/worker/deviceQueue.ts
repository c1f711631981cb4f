/**
 * The training worker's one device queue: every piece of GPU work (a run of either kind, model load, fill-mask,
 * export, the cost probe) runs as one job, one at a time, in the order it was queued, and only once the queue is
 * opened (the backend initialised and its parity probe passed; initialisation is the only device work before that).
 * A failing job rejects its own promise and never blocks the next. Pure: no tf, no worker globals.
 */
export interface DeviceQueue {
  /** Queues `job` behind everything queued before it; settles with the job's result or error. */
  run<T>(job: () => T | Promise<T>): Promise<T>;
  /** Lets queued jobs start (once; later calls do nothing). */
  open(): void;
  /** Jobs queued or running. */
  readonly pending: number;
}

export function createDeviceQueue(): DeviceQueue {
  let open!: () => void;
  let tail: Promise<unknown> = new Promise<void>((resolve) => (open = resolve));
  let pending = 0;
  return {
    run<T>(job: () => T | Promise<T>): Promise<T> {
      pending++;
      const result = tail.then(job).finally(() => pending--);
      tail = result.catch(() => undefined);
      return result;
    },
    open: () => open(),
    get pending() {
      return pending;
    },
  };
}
