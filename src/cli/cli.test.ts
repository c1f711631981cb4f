// Runs the real `vocabkd` entry (node src/cli/bin.mjs) as a child process: train-mlm's JSON-lines output, error exit
// codes and messages (bad backend, unknown option, bad config), and `bench train`'s JSON report.
import { describe, expect, it } from 'vitest';
import { errorLines, vocabkd } from '../testing/cli.ts';

describe('vocabkd train-mlm', () => {
  it('--steps 5 --backend wasm --eval-every 0 prints info, metrics for steps 1..5, then done, all as JSON lines', async () => {
    const r = await vocabkd('train-mlm', '--steps', '5', '--backend', 'wasm', '--eval-every', '0');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['info', 'metrics', 'metrics', 'metrics', 'metrics', 'metrics', 'done']);
    expect(events[0]).toMatchObject({ backend: 'wasm', params: 34_548, vocabSize: 500, batchSize: 4, seqLen: 16, config: { steps: 5, evalEvery: 0 } });
    const metrics = events.filter((e) => e.event === 'metrics');
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5]);
    for (const m of metrics) {
      expect(Number.isFinite(m.loss)).toBe(true);
      expect(m.loss).toBeGreaterThan(0);
      expect(m.valLoss).toBeUndefined(); // --eval-every 0
    }
    expect(metrics.map((m) => m.lr)).toEqual([1, 2, 3, 4, 5].map((s) => (2e-3 * s) / 10)); // default warmup 10
    expect(events[6].seconds).toBeGreaterThan(0);
  });

  it('--backend webgpu exits non-zero and names the valid Node backends on stderr', async () => {
    const r = await vocabkd('train-mlm', '--backend', 'webgpu', '--steps', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(errorLines(r.stderr)).toEqual(['error: BackendError: backend "webgpu" needs a browser; in Node use one of: wasm, cpu']);
  });

  it('an unknown option exits 2 (usage) naming the option', async () => {
    const r = await vocabkd('train-mlm', '--stpes', '5');
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(errorLines(r.stderr)[0]).toMatch(/^error: UsageError: unknown option --stpes; known: --steps /);
  });

  it('--steps 0 exits 2 (an input error) with a RunConfigError naming steps and its range; --steps abc exits 2', async () => {
    const bad = await vocabkd('train-mlm', '--steps', '0');
    expect(bad.code).toBe(2);
    expect(errorLines(bad.stderr)).toEqual(['error: RunConfigError: steps must be an integer in [1, 1000000]; got 0']);
    const nan = await vocabkd('train-mlm', '--steps', 'abc');
    expect(nan.code).toBe(2);
    expect(errorLines(nan.stderr)).toEqual(['error: UsageError: --steps must be an integer, got "abc"']);
  });
});

describe('vocabkd bench train', () => {
  it('--config tiny --backend wasm --steps 1 --warmup 1 prints one consistent JSON report', async () => {
    const r = await vocabkd('bench', 'train', '--config', 'tiny', '--backend', 'wasm', '--steps', '1', '--warmup', '1');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout); // exactly one JSON value: throws on trailing output
    expect(report).toMatchObject({
      bench: 'train', backend: 'wasm', config: 'tiny', steps: 1, warmup: 1, params: 938_016,
      shapes: { vocabSize: 4000, hiddenSize: 128, numLayers: 2, numHeads: 4, seqLen: 64, batchSize: 16 },
    });
    expect(report.medianMsPerStep).toBeGreaterThan(0);
    expect(report.cpuMsPerStep).toBeGreaterThan(0);
    const expected = (16 * 64 * 1000) / report.medianMsPerStep;
    expect(Math.abs(report.tokensPerSec - expected) / expected).toBeLessThan(0.01);
    expect(report.topKernels.length).toBeGreaterThan(0);
    expect(report.topKernels.length).toBeLessThanOrEqual(10);
    const ms = report.topKernels.map((k: { ms: number }) => k.ms);
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
    for (const k of report.topKernels) expect(k.kernel).not.toMatch(/^forward$|__op$/); // wrappers are not double-counted
    expect(report.tensorsBefore).toBe(report.tensorsAfter);
  });

  it('an unknown benchmark, --steps 0 or a negative --warmup exit 2 (no report with null timings)', async () => {
    const r = await vocabkd('bench', 'inference');
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual(['error: UsageError: unknown benchmark "inference"; available: train, tokenizer, distill, matmul']);
    const zero = await vocabkd('bench', 'train', '--backend', 'cpu', '--steps', '0');
    expect(zero.code).toBe(2);
    expect(zero.stdout).toBe('');
    expect(errorLines(zero.stderr)).toEqual(['error: UsageError: --steps must be ≥ 1, got 0']);
    const neg = await vocabkd('bench', 'train', '--backend', 'cpu', '--warmup', '-1');
    expect(neg.code).toBe(2);
    expect(errorLines(neg.stderr)).toEqual(['error: UsageError: --warmup must be ≥ 0, got -1']);
  });
});
