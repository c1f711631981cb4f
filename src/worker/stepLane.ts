/**
 * The step lane: how device work reaches the device while a distillation holds the device queue. A run is one job of
 * the queue (deviceQueue.ts) from start to end, so a request queued behind it would wait for the whole run; the
 * disagreement heatmap and the aligned fill-mask probe (issue 12 item 3) must work during a run. The run opens a lane
 * and runs the lane's jobs at its step boundaries (`drain`, between two optimizer steps, outside every tf.tidy): the
 * device still does one thing at a time, in order. While the run is paused it is `park`ed at a boundary and a job
 * runs as soon as it comes; `unpark` waits for the job in flight before the next step. `close` (the run's end) runs
 * what is left; later jobs go to the device queue again (the worker checks `open`). A failing job rejects only
 * itself. Pure: no tf, no worker globals.
 */
export interface StepLane {
  /** True until `close` has run every job: until then, jobs go here. */
  readonly open: boolean;
  /** Queues `job` for the run's next step boundary (or runs it now, after any in flight, while the run is parked). */
  run<T>(job: () => T | Promise<T>): Promise<T>;
  /** At a step boundary: runs every queued job (and any queued meanwhile), in order. */
  drain(): Promise<void>;
  /** The run waits at a boundary (paused): jobs run as they come. */
  park(): void;
  /** The run goes on: resolves when the job in flight (if any) has finished. */
  unpark(): Promise<void>;
  /** The run has ended: runs what is left, then closes the lane. */
  close(): Promise<void>;
}

export function createStepLane(): StepLane {
  let queue: (() => Promise<void>)[] = [];
  let parked = false;
  let open = true;
  let chain: Promise<void> = Promise.resolve(); // jobs started while parked, one after the other
  const runAll = async () => {
    while (queue.length) await queue.shift()!();
    await chain;
    if (queue.length) await runAll(); // queued while the parked chain finished
  };
  return {
    get open() {
      return open;
    },
    run<T>(job: () => T | Promise<T>) {
      return new Promise<T>((resolve, reject) => {
        const wrapped = () => Promise.resolve().then(job).then(resolve, reject);
        if (parked) chain = chain.then(wrapped);
        else queue.push(wrapped);
      });
    },
    drain: runAll,
    park() {
      parked = true;
      const q = queue;
      queue = [];
      for (const j of q) chain = chain.then(j);
    },
    async unpark() {
      parked = false;
      await chain;
    },
    async close() {
      parked = false;
      await runAll();
      open = false;
    },
  };
}

/** What a run polls (train/loop.ts's RunControl), structurally. */
interface Control {
  readonly stopped: boolean;
  readonly paused: boolean;
  waitWhilePaused(): Promise<void>;
}

/** The control a run polls, seen through `lane`: every step boundary drains the lane, and a pause parks it. */
export function laneControl(control: Control, lane: StepLane): Control {
  return {
    get stopped() {
      return control.stopped;
    },
    get paused() {
      return control.paused;
    },
    async waitWhilePaused() {
      await lane.drain();
      if (!control.paused || control.stopped) return;
      lane.park();
      try {
        await control.waitWhilePaused();
      } finally {
        await lane.unpark();
      }
      await lane.drain();
    },
  };
}
