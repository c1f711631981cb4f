/**
 * At most one update per `ms`, the last value always delivered (issue 16 item 4: charts render at most 4 times a second,
 * and the chart a run ends on shows its last point). `throttler` is pure (clock and timer injected, tested);
 * `useThrottled` is the hook the live charts read their data through.
 */
import { useEffect, useRef, useState } from 'react';

export interface Timer { set(f: () => void, ms: number): unknown; clear(handle: unknown): void }
const realTimer: Timer = { set: (f, ms) => setTimeout(f, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };

export interface Throttle<T> {
  /** A new value: delivered now when the last delivery is `ms` old, else once it is (the latest value pushed by then). */
  push(v: T): void;
  cancel(): void;
}

export function throttler<T>(ms: number, emit: (v: T) => void, clock: () => number = () => performance.now(), timer: Timer = realTimer): Throttle<T> {
  let last = -Infinity;
  let handle: unknown = null;
  let pending: { v: T } | null = null;
  const flush = () => {
    handle = null;
    if (!pending) return;
    const { v } = pending;
    pending = null;
    last = clock();
    emit(v);
  };
  return {
    push(v) {
      const t = clock();
      if (handle === null && t - last >= ms) {
        last = t;
        emit(v);
        return;
      }
      pending = { v };
      if (handle === null) handle = timer.set(flush, Math.max(0, ms - (t - last)));
    },
    cancel() {
      if (handle !== null) timer.clear(handle);
      handle = null;
      pending = null;
    },
  };
}

/** `value`, updated at most once per `ms` (the first value at once, the last one always). */
export function useThrottled<T>(value: T, ms = 250): T {
  const [shown, setShown] = useState(value);
  const t = useRef<Throttle<T> | null>(null);
  useEffect(() => {
    t.current ??= throttler<T>(ms, (v) => setShown(() => v));
    t.current.push(value);
  }, [value, ms]);
  useEffect(() => () => { t.current?.cancel(); t.current = null; }, []);
  return shown;
}
