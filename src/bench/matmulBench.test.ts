// `vocabkd bench matmul` and the PyTorch comparison helpers: the step's product shapes by hand for the tiny config,
// the GFLOP/s formula, the JSON report of the real CLI (with --torch when Debian's PyTorch is installed), its bad flags,
// and that a comparison is taken against the faster PyTorch thread count and says so. No timed assertions.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gflops, stepShapes } from './matmulBench.ts';
import { fasterTorch, torchThreadCounts, type TorchTrainResult } from './torchBench.ts';
import { errorLines, vocabkd } from '../testing/cli.ts';

const hasTorch = existsSync('/usr/bin/python3') && existsSync('/usr/lib/python3/dist-packages/torch');

describe('the step products', () => {
  it('tiny: N = 16·64 = 1024 rows, H 128, I 512, V 4000, M = round(0.15·1024) = 154 head rows, 16·4 = 64 slices of [64, 32]', () => {
    expect(stepShapes('tiny').map(({ batch, m, k, n }) => [batch, m, k, n])).toEqual([
      [1, 1024, 128, 128], [1, 1024, 128, 512], [1, 1024, 512, 128], [1, 128, 1024, 512],
      [1, 154, 128, 4000], [1, 4000, 154, 128], [64, 64, 32, 64], [64, 64, 64, 32],
    ]);
    expect(stepShapes('medium')[6]).toMatchObject({ batch: 32 * 4, m: 128, k: 64, n: 128 });
  });

  it('GFLOP/s = 2·batch·m·k·n / time: [1024,128]·[128,512] in 4 ms is 33.6', () => {
    expect(gflops({ name: 'x', batch: 1, m: 1024, k: 128, n: 512 }, 4)).toBe(33.6);
    expect(gflops({ name: 'x', batch: 64, m: 64, k: 32, n: 64 }, 2)).toBe(8.4);
  });
});

describe('PyTorch at 1 and N threads', () => {
  const run = (threads: number, tokensPerSec: number): TorchTrainResult => ({ torch: '1.13', threads, params: 1, medianMsPerStep: 1, minMsPerStep: 1, maxMsPerStep: 1, tokensPerSec });
  it('measures 1 and N threads (just 1 on one core), and compares with the faster, naming it', () => {
    expect(torchThreadCounts(1)).toEqual([1]);
    expect(torchThreadCounts(2)).toEqual([1, 2]);
    const one = fasterTorch([run(1, 24000), run(2, 14000)]);
    expect(one.best.threads).toBe(1);
    expect(one.against).toBe('the faster PyTorch run (1 thread 24000 tokens/s, 2 threads 14000 tokens/s): 1 thread');
    expect(fasterTorch([run(1, 10), run(4, 30)]).best.threads).toBe(4);
  });
});

describe('vocabkd bench matmul', () => {
  it('prints one JSON report: every product with its GFLOP/s (and PyTorch\'s at 1 thread with --torch)', async () => {
    const args = ['bench', 'matmul', '--config', 'tiny', '--backend', 'wasm', '--threads', '1', '--reps', '1', ...(hasTorch ? ['--torch'] : [])];
    const r = await vocabkd(...args);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ bench: 'matmul', backend: 'wasm', threads: 1, config: 'tiny', reps: 1 });
    expect(report.products.map((p: { name: string }) => p.name)).toEqual(stepShapes('tiny').map((s) => s.name));
    for (const p of report.products) {
      expect(p.medianMs).toBeGreaterThanOrEqual(p.bestMs);
      expect(p.bestMs).toBeGreaterThan(0);
      expect(Math.abs(p.gflops - gflops(p, p.bestMs)) / p.gflops).toBeLessThan(0.05);
      expect(Math.abs(p.medianGflops - gflops(p, p.medianMs)) / p.medianGflops).toBeLessThan(0.05);
      if (!hasTorch) continue;
      expect(p.torch.map((t: { threads: number }) => t.threads)).toEqual([1]);
      expect(p.ratio).toBeCloseTo(p.gflops / p.torch[0].gflops, 1);
    }
    expect(report.total.gflops).toBeGreaterThan(0);
  }, 120_000);

  it('bad flags exit 2 with a named error and no report', async () => {
    for (const [flag, value, message] of [
      ['--reps', '0', '--reps must be ≥ 1, got 0'],
      ['--config', 'huge', '--config must be tiny or medium, got "huge"'],
      ['--torch-threads', '0', '--torch-threads must be ≥ 1, got 0'],
    ]) {
      const r = await vocabkd('bench', 'matmul', '--backend', 'cpu', flag, value);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(errorLines(r.stderr)).toEqual([`error: UsageError: ${message}`]);
    }
  }, 60_000);
});
