// int() writes what toLocaleString('en') writes (the independent reference), without Intl.
import { describe, expect, it } from 'vitest';
import { int } from './format.ts';

describe('int', () => {
  it('groups thousands, by hand', () => {
    expect(int(0)).toBe('0');
    expect(int(999)).toBe('999');
    expect(int(1000)).toBe('1,000');
    expect(int(1234567)).toBe('1,234,567');
    expect(int(-1234)).toBe('-1,234');
    expect(int(1234.5678)).toBe('1,234.568');
    expect(int(0.5)).toBe('0.5');
    expect(int(Number.NaN)).toBe('NaN');
  });
  it("equals toLocaleString('en') on integers and decimals", () => {
    const xs = [1, 12, 123, 1234, 12345, 123456, 1234567, 10395426, 177853440, 2 ** 31, -42, -98765, 3.14159, 1000.1, 0.0004, 99999.9999, -0.0001];
    for (const x of xs) expect(int(x), String(x)).toBe(x.toLocaleString('en'));
  });
});
