// Checks runMlm (src/train/mlmRun.ts) end to end on CPU with preset 'micro' and a synthetic corpus built here:
// metric points per logged step, falling loss, evaluation points, stop and pause/resume control, no tensor leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRunControl, runMlm, type MetricPoint, type RunInfo, type RunOutcome } from './mlmRun.ts';
import { validateRunConfig, type MlmRunConfig } from './runConfig.ts';
import { lrAt } from './schedule.ts';
import { countParams } from '../models/mlm.ts';
import { makeConfig, presetConfig } from '../models/config.ts';
import { trainTokenizer } from '../tokenizers/trainTokenizer.ts';
import { createRng } from '../data/rng.ts';
import { DataError } from '../data/mlmBatches.ts';

/** 200 lines from a tiny grammar (≈25 word types): learnable, so the masked-token loss must fall quickly. */
function syntheticCorpus(): string {
  const rng = createRng(123);
  const pick = (xs: string[]) => xs[rng.int(xs.length)];
  const adj = ['big', 'small', 'red', 'old', 'quiet'];
  const noun = ['whale', 'ship', 'sailor', 'harbour', 'captain', 'rope'];
  const verb = ['sees', 'pulls', 'follows', 'finds'];
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) lines.push(`the ${pick(adj)} ${pick(noun)} ${pick(verb)} the ${pick(noun)} at sea .`);
  return lines.join('\n');
}
const corpus = syntheticCorpus();

interface Recorded {
  outcome: RunOutcome;
  points: MetricPoint[];
  steps: number[];
  info?: RunInfo;
  tensorsBefore: number;
  tensorsAfter: number;
}

async function record(cfg: Partial<MlmRunConfig>, onStep?: (step: number, control: ReturnType<typeof createRunControl>, rec: Recorded) => void): Promise<Recorded> {
  const control = createRunControl();
  const rec: Recorded = { outcome: 'done', points: [], steps: [], tensorsBefore: tf.memory().numTensors, tensorsAfter: -1 };
  rec.outcome = await runMlm(corpus, validateRunConfig({ preset: 'micro', evalEvery: 0, ...cfg }), control, {
    onInfo: (i) => (rec.info = i),
    onPoint: (p) => rec.points.push(p),
    onStep: (s) => {
      rec.steps.push(s);
      onStep?.(s, control, rec);
    },
  });
  rec.tensorsAfter = tf.memory().numTensors;
  return rec;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('runMlm, 40 steps of preset micro', () => {
  let run: Recorded;
  const cfg = { steps: 40, seed: 3, lr: 2e-3, warmupSteps: 5, evalEvery: 20 };
  beforeAll(async () => {
    run = await record(cfg);
  });

  it("ends 'done' with one point per step 1..40 and onStep for every step", () => {
    expect(run.outcome).toBe('done');
    expect(run.points.map((p) => p.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(run.steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('reports the model and data sizes once, before training: the vocabulary is a WordPiece of our trainer on the training lines', async () => {
    const { model, batchSize, seqLen } = presetConfig('micro');
    // The same WordPiece, trained here on the lines the run trains on (every 20th held out), at the preset's size.
    const lines = corpus.split('\n').filter((_, i) => i % 20 !== 19);
    const { tokenizer } = await trainTokenizer(lines, { algo: 'wordpiece', vocabSize: 500, minFrequency: 1, characterCoverage: 1, lowercase: false, stripAccents: false });
    expect(tokenizer.vocabSize).toBeLessThan(500); // ≈ 25 word types: the trainer runs out of merges
    expect(run.info).toMatchObject({ params: countParams(makeConfig({ ...model, vocabSize: tokenizer.vocabSize })), vocabSize: tokenizer.vocabSize, batchSize, seqLen });
    expect(run.info!.trainTokens + run.info!.validationTokens).toBe(200 * 9); // every word a whole token
    expect(run.info!.validationTokens).toBe(10 * 9); // every 20th of 200 lines, 9 words each
  });

  it('loss trends down: mean of the last 5 points < mean of the first 5 (and starts near ln V, uniform guessing)', () => {
    const losses = run.points.map((p) => p.loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(Math.abs(losses[0] - Math.log(run.info!.vocabSize))).toBeLessThan(0.5);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) - 0.5);
  });

  it('each point carries the scheduled lr, a positive grad norm and consistent throughput', () => {
    for (const p of run.points) {
      expect(p.lr).toBeCloseTo(lrAt(p.step - 1, { peak: 2e-3, warmupSteps: 5, totalSteps: 40, floorRatio: 0.1 }), 12);
      expect(p.gradNorm).toBeGreaterThan(0);
      expect(p.msPerStep).toBeGreaterThan(0);
      expect(p.tokensPerSec).toBeCloseTo((4 * 16 * 1000) / p.msPerStep, 6);
    }
  });

  it('validation loss/accuracy appear exactly at steps 20 and 40, accuracy in [0, 1], and val loss falls', () => {
    const withVal = run.points.filter((p) => p.valLoss !== undefined);
    expect(withVal.map((p) => p.step)).toEqual([20, 40]);
    for (const p of withVal) {
      expect(p.valAccuracy).toBeGreaterThanOrEqual(0);
      expect(p.valAccuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(p.valLoss)).toBe(true);
    }
    expect(withVal[1].valLoss!).toBeLessThan(withVal[0].valLoss!);
  });

  it('leaves tf.memory().numTensors as it found it', () => {
    expect(run.tensorsAfter).toBe(run.tensorsBefore);
  });
});

describe('runMlm logging and control', () => {
  it('logEvery 7 over 40 steps logs 7, 14, 21, 28, 35 and the last step', async () => {
    const r = await record({ steps: 40, logEvery: 7 });
    expect(r.outcome).toBe('done');
    expect(r.points.map((p) => p.step)).toEqual([7, 14, 21, 28, 35, 40]);
    expect(r.tensorsAfter).toBe(r.tensorsBefore);
  });

  it("stop() after step 5 ends 'stopped' with points 1..5 and nothing after", async () => {
    const r = await record({ steps: 40 }, (step, control) => {
      if (step === 5) control.stop();
    });
    expect(r.outcome).toBe('stopped');
    expect(r.points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    expect(r.steps).toEqual([1, 2, 3, 4, 5]);
    expect(r.tensorsAfter).toBe(r.tensorsBefore);
  });

  it('pause() at step 3 holds the loop (no steps, no points) until resume(), then finishes all steps', async () => {
    let atResume: { steps: number; points: number } | undefined;
    const r = await record({ steps: 8 }, (step, control, rec) => {
      if (step !== 3) return;
      control.pause();
      setTimeout(() => {
        atResume = { steps: rec.steps.length, points: rec.points.length };
        control.resume();
      }, 100);
    });
    expect(atResume).toEqual({ steps: 3, points: 3 });
    expect(r.outcome).toBe('done');
    expect(r.steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.tensorsAfter).toBe(r.tensorsBefore);
  });

  it("stop() while paused wakes the loop and ends 'stopped' without another step", async () => {
    const r = await record({ steps: 8 }, (step, control) => {
      if (step !== 2) return;
      control.pause();
      setTimeout(() => control.stop(), 20);
    });
    expect(r.outcome).toBe('stopped');
    expect(r.steps).toEqual([1, 2]);
    expect(r.tensorsAfter).toBe(r.tensorsBefore);
  });

  it('a validation split shorter than one window fails only when evaluation is on (DataError), not with evalEvery 0', async () => {
    // 10 lines of 8 words: the held-out last line has 8 tokens < one window of seqLen − 2 = 14.
    const short = Array.from({ length: 10 }, (_, i) => `the whale number ${i} sees the ship now`).join('\n');
    const control = createRunControl();
    const points: MetricPoint[] = [];
    const before = tf.memory().numTensors;
    await expect(runMlm(short, validateRunConfig({ steps: 2, evalEvery: 0 }), control, { onPoint: (p) => points.push(p) })).resolves.toBe('done');
    expect(points.map((p) => p.step)).toEqual([1, 2]);
    await expect(runMlm(short, validateRunConfig({ steps: 2, evalEvery: 1 }), control, { onPoint: () => {} })).rejects.toThrow(DataError);
    await expect(runMlm(short, validateRunConfig({ steps: 2, evalEvery: 1 }), control, { onPoint: () => {} })).rejects.toThrow(/held-out validation split .* set evalEvery to 0/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same seed reproduces the same losses exactly', async () => {
    const [a, b] = [await record({ steps: 3, seed: 9 }), await record({ steps: 3, seed: 9 })];
    expect(b.points.map((p) => p.loss)).toEqual(a.points.map((p) => p.loss));
  });
});

describe('runMlm with a real tokenizer (stage 0: pretraining a teacher) and checkpoints', () => {
  it('trains on a WordPiece tokenizer of our trainer, with its vocabulary size, and snapshots weights', async () => {
    const { trainTokenizer } = await import('../tokenizers/trainTokenizer.ts');
    const text = Array.from({ length: 120 }, (_, i) => `the whale number ${i % 17} swims in the sea and the ship follows it`).join('\n');
    const { tokenizer } = await trainTokenizer(text.split('\n'), { algo: 'wordpiece', vocabSize: 500, minFrequency: 1, characterCoverage: 1, lowercase: false, stripAccents: false });
    const checkpoints: { step: number; vocab: number; keys: number; finite: boolean }[] = [];
    const infos: number[] = [];
    const points: MetricPoint[] = [];
    const outcome = await runMlm(text, validateRunConfig({ steps: 12, evalEvery: 0, checkpointEvery: 5 }), createRunControl(), {
      onInfo: (i) => infos.push(i.vocabSize),
      onPoint: (p) => points.push(p),
      onCheckpoint: (c) => checkpoints.push({
        step: c.step, vocab: c.config.vocabSize, keys: Object.keys(c.weights).length,
        finite: Object.values(c.weights).every((w) => w.data.every(Number.isFinite) && w.data.length === w.shape.reduce((a, b) => a * b, 1)),
      }),
    }, { tokenizer });
    expect(outcome).toBe('done');
    expect(infos).toEqual([tokenizer.vocabSize]);
    expect(checkpoints.map((c) => c.step)).toEqual([5, 10, 12]);
    expect(checkpoints.every((c) => c.vocab === tokenizer.vocabSize && c.finite && c.keys > 10)).toBe(true);
    expect(points[points.length - 1].loss).toBeLessThan(points[0].loss);
  });

  it('a tokenizer without [MASK] is a DataError naming it', async () => {
    const { bertTokenizer } = await import('../tokenizers/hfJson.ts');
    const { WordPieceModel } = await import('../tokenizers/wordpiece.ts');
    const { DEFAULT_NORMALIZER } = await import('../tokenizers/normalizer.ts');
    const tok = bertTokenizer(new WordPieceModel(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', '##a']), DEFAULT_NORMALIZER);
    await expect(runMlm('a a\na a a', validateRunConfig({ steps: 1, evalEvery: 0 }), createRunControl(), { onPoint: () => {} }, { tokenizer: tok })).rejects.toThrow(/lacks \[MASK\]/);
  });
});
