/**
 * Seeded pseudo-random numbers (mulberry32) so that data sampling and weight init are identical on every host
 * and every backend: the parity self-test and the unit tests rely on that. The whole state is one 32-bit integer
 * (`state()` / `setState()`): a run checkpoint (train/checkpoint.ts) saves it so a resumed run draws the same batches.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** The generator's whole state (an unsigned 32-bit integer): `setState(state())` replays the same numbers. */
  state(): number;
  setState(state: number): void;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      const u = Math.max(next(), 1e-12);
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    state: () => a,
    setState: (s) => {
      if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new RangeError(`an Rng state is an unsigned 32-bit integer; got ${s}`);
      a = s;
    },
  };
}

/** Fills a Float32Array with N(0, std²) values from `rng`. */
export function normalArray(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}
