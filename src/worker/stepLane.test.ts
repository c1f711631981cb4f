// The step lane (stepLane.ts): jobs wait for the run's next step boundary and run there in order; a paused run runs
// them as they come and does not step while one is in flight; close runs what is left and closes; a failing job
// rejects only itself; laneControl drains at every boundary of a real loop-like driver and parks while paused.
import { describe, expect, it } from 'vitest';
import { createStepLane, laneControl } from './stepLane.ts';
import { createRunControl } from '../train/loop.ts';

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('createStepLane', () => {
  it('jobs wait for drain (a step boundary) and run there in order; jobs queued by a job run in the same drain', async () => {
    const lane = createStepLane();
    const log: string[] = [];
    const a = lane.run(() => { log.push('a'); void lane.run(() => { log.push('c'); }); return 1; });
    const b = lane.run(async () => { await tick(); log.push('b'); return 2; });
    await tick();
    expect(log).toEqual([]); // nothing before the boundary
    await lane.drain();
    expect(log).toEqual(['a', 'b', 'c']);
    expect(await a).toBe(1);
    expect(await b).toBe(2);
  });

  it('a failing job rejects only itself', async () => {
    const lane = createStepLane();
    const bad = lane.run(() => { throw new Error('boom'); });
    const good = lane.run(() => 'ok');
    await lane.drain();
    await expect(bad).rejects.toThrow('boom');
    expect(await good).toBe('ok');
  });

  it('parked: queued jobs start at once, new ones as they come, one at a time; unpark waits for the one in flight', async () => {
    const lane = createStepLane();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    void lane.run(async () => { log.push('start 1'); await gate; log.push('end 1'); });
    lane.park();
    const second = lane.run(() => { log.push('2'); });
    await tick();
    expect(log).toEqual(['start 1']); // 2 waits for 1
    let unparked = false;
    const u = lane.unpark().then(() => (unparked = true));
    await tick();
    expect(unparked).toBe(false); // the step must not start while a job runs
    release();
    await u;
    await second;
    expect(log).toEqual(['start 1', 'end 1', '2']);
  });

  it('close runs what is left, then the lane is closed', async () => {
    const lane = createStepLane();
    const done: number[] = [];
    void lane.run(() => { done.push(1); });
    expect(lane.open).toBe(true);
    await lane.close();
    expect(done).toEqual([1]);
    expect(lane.open).toBe(false);
  });
});

describe('laneControl', () => {
  /** A loop like train/loop.ts's: wait while paused, stop, one synchronous step, yield. */
  async function loop(control: { stopped: boolean; waitWhilePaused(): Promise<void> }, steps: number, log: string[]) {
    for (let s = 1; s <= steps; s++) {
      await control.waitWhilePaused();
      if (control.stopped) return;
      log.push(`step ${s}`);
      await tick();
    }
  }

  it('each step boundary drains the lane; a paused run serves jobs and steps again only on resume', async () => {
    const c = createRunControl();
    const lane = createStepLane();
    const log: string[] = [];
    const wrapped = laneControl(c, lane);
    c.pause();
    const running = loop(wrapped, 3, log);
    await tick();
    expect(log).toEqual([]); // paused before the first step
    expect(await lane.run(() => { log.push('job while paused'); return 7; })).toBe(7);
    c.resume();
    await tick();
    await tick();
    void lane.run(() => { log.push('job between steps'); });
    await running;
    expect(log[0]).toBe('job while paused');
    expect(log.filter((l) => l.startsWith('step'))).toEqual(['step 1', 'step 2', 'step 3']);
    const j = log.indexOf('job between steps');
    expect(j).toBeGreaterThan(1);
    expect(log[j - 1]).toMatch(/^step/); // it ran at a boundary, between two steps
    expect(wrapped.stopped).toBe(false);
    c.stop();
    expect(wrapped.stopped).toBe(true);
    expect(wrapped.paused).toBe(false);
  });
});
