// The charts' throttle (issue 16 item 4): at most one delivery per 250 ms, the last value never lost.
import { describe, expect, it } from 'vitest';
import { throttler, type Timer } from './throttle.ts';

/** A hand-driven clock and timer: `advance(ms)` moves time and fires what is due. */
function fakeTime() {
  let now = 0;
  const due: { at: number; f: () => void; id: number }[] = [];
  let ids = 0;
  const timer: Timer = {
    set: (f, ms) => { const id = ++ids; due.push({ at: now + ms, f, id }); return id; },
    clear: (h) => { const i = due.findIndex((d) => d.id === h); if (i >= 0) due.splice(i, 1); },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      due.sort((a, b) => a.at - b.at);
      if (!due.length || due[0].at > end) break;
      const d = due.shift()!;
      now = d.at;
      d.f();
    }
    now = end;
  };
  return { clock: () => now, timer, advance, pending: () => due.length };
}

describe('throttler', () => {
  it('delivers the first value at once, then at most one per 250 ms, and always the last one', () => {
    const t = fakeTime();
    const got: [number, number][] = [];
    const th = throttler<number>(250, (v) => got.push([t.clock(), v]), t.clock, t.timer);
    th.push(1); // t=0: at once
    t.advance(100); th.push(2); // held
    t.advance(50); th.push(3); // replaces 2
    t.advance(99); expect(got).toEqual([[0, 1]]);
    t.advance(1); // t=250: the latest held value
    expect(got).toEqual([[0, 1], [250, 3]]);
    t.advance(300); th.push(4); // t=550, 300 ms after the last delivery: at once
    expect(got.at(-1)).toEqual([550, 4]);
    expect(t.pending()).toBe(0);
  });
  it('a burst of 40 values over one second is 5 deliveries ending with the last value', () => {
    const t = fakeTime();
    const got: number[] = [];
    const th = throttler<number>(250, (v) => got.push(v), t.clock, t.timer);
    for (let i = 1; i <= 40; i++) { th.push(i); t.advance(25); }
    t.advance(1000);
    expect(got).toEqual([1, 10, 20, 30, 40]); // at t = 0, 250, 500, 750 (what was pushed before each) and 1000
  });
  it('cancel drops the held value', () => {
    const t = fakeTime();
    const got: number[] = [];
    const th = throttler<number>(250, (v) => got.push(v), t.clock, t.timer);
    th.push(1); th.push(2); th.cancel();
    t.advance(1000);
    expect(got).toEqual([1]);
  });
});
