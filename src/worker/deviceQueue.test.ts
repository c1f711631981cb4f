// Checks the worker's device queue (src/worker/deviceQueue.ts): nothing starts before the queue opens, jobs run one at
// a time in queue order, a failing job rejects only its own promise, results come back to their callers.
import { describe, expect, it } from 'vitest';
import { createDeviceQueue } from './deviceQueue.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('createDeviceQueue', () => {
  it('holds every job until it is opened, then runs them in order, one at a time', async () => {
    const q = createDeviceQueue();
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string, ms: number) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = [q.run(job('run', 20)), q.run(job('fill-mask', 1)), q.run(job('export', 5))];
    await tick();
    expect(log).toEqual([]);
    expect(q.pending).toBe(3);
    q.open();
    expect(await Promise.all(results)).toEqual(['run', 'fill-mask', 'export']);
    expect(log).toEqual(['start run', 'end run', 'start fill-mask', 'end fill-mask', 'start export', 'end export']);
    expect(maxRunning).toBe(1);
    expect(q.pending).toBe(0);
  });

  it('a failing job rejects its own promise only; the next job still runs; synchronous jobs and throws too', async () => {
    const q = createDeviceQueue();
    q.open();
    const failed = q.run(async () => { throw new Error('model load failed'); });
    const thrown = q.run(() => { throw new TypeError('sync'); });
    const next = q.run(() => 42);
    await expect(failed).rejects.toThrow('model load failed');
    await expect(thrown).rejects.toThrow(TypeError);
    expect(await next).toBe(42);
  });

  it('a job queued while another runs waits for it (a fill-mask during a run starts after the run)', async () => {
    const q = createDeviceQueue();
    q.open();
    let release!: () => void;
    const order: string[] = [];
    const run = q.run(() => new Promise<void>((r) => (release = r)).then(() => order.push('run')));
    await tick();
    const fill = q.run(() => order.push('fill-mask'));
    await tick();
    expect(order).toEqual([]);
    release();
    await Promise.all([run, fill]);
    expect(order).toEqual(['run', 'fill-mask']);
  });
});
