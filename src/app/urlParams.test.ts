// ?threads= (issue 16: the page's WASM thread count) and the options around it, read from a query string.
import { describe, expect, it } from 'vitest';
import { readPageOptions } from './urlParams.ts';

describe('readPageOptions ?threads=', () => {
  it('reads a whole number ≥ 1; absent means every core but one (no option)', () => {
    expect(readPageOptions('?threads=2').threads).toBe(2);
    expect(readPageOptions('?backend=wasm').threads).toBeUndefined();
    expect(readPageOptions('?threads=1&steps=5')).toMatchObject({ threads: 1, run: { steps: 5 }, errors: [] });
  });
  it('names a bad value and ignores it', () => {
    for (const bad of ['0', '-1', '1.5', 'many', '']) {
      const o = readPageOptions(`?threads=${bad}`);
      expect(o.threads).toBeUndefined();
      expect(o.errors).toEqual([`?threads=: "${bad}" is not a whole number ≥ 1. Using every core but one.`]);
    }
  });
});
