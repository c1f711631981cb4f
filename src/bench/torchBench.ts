/**
 * The PyTorch side of `vocabkd bench train --torch`: runs torch_train_bench.py (the same model, step and shapes) with
 * Debian's /usr/bin/python3 in a child process, after our steps (never at the same time), and returns its JSON line.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchConfigName } from './trainBench.ts';
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

const SCRIPT = fileURLToPath(new URL('./torch_train_bench.py', import.meta.url));

export function torchTrainBench(config: BenchConfigName, threads: number, steps: number, warmup: number, python = process.env.VOCABKD_PYTHON ?? '/usr/bin/python3'): TorchTrainResult {
  let out: string;
  try {
    out = execFileSync(python, [SCRIPT, '--config', config, '--threads', String(threads), '--steps', String(steps), '--warmup', String(warmup)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BenchInputError(`--torch: ${python} ${SCRIPT} failed (PyTorch installed? apt-get install python3-torch): ${(err.stderr || err.message).trim().split('\n').pop()}`);
  }
  const r = JSON.parse(out.trim().split('\n').pop()!) as TorchTrainResult & { bench: string };
  return { torch: r.torch, threads: r.threads, params: r.params, medianMsPerStep: r.medianMsPerStep, minMsPerStep: r.minMsPerStep, maxMsPerStep: r.maxMsPerStep, tokensPerSec: r.tokensPerSec };
}
