// Checks the one held-out rule (src/data/heldout.ts): index i is held out iff i % 20 == 19, order kept.
import { describe, expect, it } from 'vitest';
import { HELDOUT_EVERY, isHeldOut, splitHeldOut } from './heldout.ts';

describe('held-out rule', () => {
  it('holds out indices 19, 39, 59, … and nothing else', () => {
    expect(HELDOUT_EVERY).toBe(20);
    const held = Array.from({ length: 100 }, (_, i) => i).filter(isHeldOut);
    expect(held).toEqual([19, 39, 59, 79, 99]);
  });

  it('splitHeldOut keeps the order of both parts and loses nothing', () => {
    const items = Array.from({ length: 41 }, (_, i) => `t${i}`);
    const { train, heldout } = splitHeldOut(items);
    expect(heldout).toEqual(['t19', 't39']);
    expect(train).toHaveLength(39);
    expect(train[18]).toBe('t18');
    expect(train[19]).toBe('t20');
    expect([...train, ...heldout].sort()).toEqual([...items].sort());
  });
});
