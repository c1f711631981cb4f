/**
 * The learning-rate schedule of every run (pretraining and distillation), a pure function of the 0-based step
 * (nanoGPT's get_lr): linear warm-up to `peak`, then cosine (default), linear or no decay to `floorRatio · peak`.
 */
export type LrDecay = 'cosine' | 'linear' | 'constant';

export interface LrSchedule {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  /** Final learning rate as a fraction of `peak`. */
  floorRatio: number;
  /** Shape after warm-up (default cosine). */
  decay?: LrDecay;
}

export function lrAt(step: number, s: LrSchedule): number {
  if (step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  if (s.decay === 'constant') return s.peak;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  const floor = s.peak * s.floorRatio;
  if (s.decay === 'linear') return s.peak - (s.peak - floor) * progress;
  return floor + 0.5 * (s.peak - floor) * (1 + Math.cos(Math.PI * progress));
}
