/**
 * The PyTorch side of `vocabkd bench train --torch` and `vocabkd bench matmul --torch`: runs torch_train_bench.py (the
 * same model, step and shapes) or torch_matmul_bench.py (the same products) with Debian's /usr/bin/python3 in a child
 * process, after our steps (never at the same time), and returns its JSON line. PyTorch runs at 1 thread and at N
 * threads (`torchThreadCounts`): on a small machine one thread is often the faster (OpenBLAS and the intra-op pool
 * compete with each other and with the machine's other work), and the fair comparison is the better of the two.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchConfigName } from './trainBench.ts';
import type { MatmulShape } from './matmulBench.ts';
import { BenchInputError } from './tokenizerBench.ts';

export interface TorchTrainResult {
  torch: string;
  threads: number;
  params: number;
  medianMsPerStep: number;
  minMsPerStep: number;
  maxMsPerStep: number;
  tokensPerSec: number;
}

export interface TorchMatmulResult {
  torch: string;
  threads: number;
  results: { name: string; medianMs: number; bestMs: number; gflops: number; medianGflops: number }[];
}

const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));
const defaultPython = () => process.env.VOCABKD_PYTHON ?? '/usr/bin/python3';

function runPython(python: string, file: string, args: string[]): string {
  const path = script(file);
  try {
    const out = execFileSync(python, [path, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 2 ** 20 });
    return out.trim().split('\n').pop()!;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BenchInputError(`--torch: ${python} ${path} failed (PyTorch installed? apt-get install python3-torch): ${(err.stderr || err.message).trim().split('\n').pop()}`);
  }
}

/** The PyTorch thread counts to measure: 1 and n (just 1 when n is 1). */
export const torchThreadCounts = (n: number): number[] => (n > 1 ? [1, n] : [1]);

export function torchTrainBench(config: BenchConfigName, threads: number, steps: number, warmup: number, python = defaultPython()): TorchTrainResult {
  const r = JSON.parse(runPython(python, 'torch_train_bench.py', ['--config', config, '--threads', String(threads), '--steps', String(steps), '--warmup', String(warmup)])) as TorchTrainResult & { bench: string };
  return { torch: r.torch, threads: r.threads, params: r.params, medianMsPerStep: r.medianMsPerStep, minMsPerStep: r.minMsPerStep, maxMsPerStep: r.maxMsPerStep, tokensPerSec: r.tokensPerSec };
}

export function torchMatmulBench(shapes: MatmulShape[], threads: number, reps: number, python = defaultPython()): TorchMatmulResult {
  const r = JSON.parse(runPython(python, 'torch_matmul_bench.py', ['--threads', String(threads), '--reps', String(reps), '--shapes', JSON.stringify(shapes)])) as TorchMatmulResult & { bench: string };
  return { torch: r.torch, threads: r.threads, results: r.results };
}

/** The faster of several PyTorch runs (by tokens/s) and a sentence saying what the ratio is taken against. */
export function fasterTorch(runs: TorchTrainResult[]): { best: TorchTrainResult; against: string } {
  const best = runs.reduce((a, b) => (b.tokensPerSec > a.tokensPerSec ? b : a));
  const threads = runs.map((r) => `${r.threads} thread${r.threads === 1 ? '' : 's'} ${r.tokensPerSec} tokens/s`).join(', ');
  return { best, against: `the faster PyTorch run (${threads}): ${best.threads} thread${best.threads === 1 ? '' : 's'}` };
}
