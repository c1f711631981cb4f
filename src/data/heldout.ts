/**
 * The one held-out rule of every run (pretraining, distillation, the shipped teachers' trainer): the text at index
 * i (0-based, one document per non-empty line) is held out when i % 20 == 19, i.e. every 20th line. Deterministic,
 * spread over the whole corpus (not its tail), and the same lines whatever the run kind, so a student distilled
 * from a teacher trained here is never scored on text the teacher saw.
 */
export const HELDOUT_EVERY = 20;

export function isHeldOut(index: number): boolean {
  return index % HELDOUT_EVERY === HELDOUT_EVERY - 1;
}

/** Splits items by the held-out rule, keeping their order. */
export function splitHeldOut<T>(items: readonly T[]): { train: T[]; heldout: T[] } {
  const train: T[] = [];
  const heldout: T[] = [];
  items.forEach((x, i) => (isHeldOut(i) ? heldout : train).push(x));
  return { train, heldout };
}
