/**
 * `vocabkd` command line: the same engine as the worker, on Node's WASM or CPU backend. Results go to stdout as JSON;
 * errors go to stderr as one line `error: <Name>: <message>` with exit code 2 (input or usage: exitCodes.ts) or 1
 * (runtime failures). `--help` (or -h) after any command prints that command's help with an example (help.ts).
 */
import { UsageError, checkBackendFlag, parseArgs, intFlag, numFlag, threadsFlag } from './args.ts';
import { classify } from './exitCodes.ts';
import { commandHelp, isHelpFlag } from './help.ts';
import { readCorpus } from './files.ts';
import { initNodeBackend, nodeBackendInfo } from '../backend/node.ts';
import { fasterTorch, torchThreadCounts, torchTrainBench } from '../bench/torchBench.ts';
import { validateRunConfig } from '../train/runConfig.ts';
import { createRunControl, runMlm } from '../train/mlmRun.ts';
import { benchTrain, type BenchConfigName } from '../bench/trainBench.ts';
import { embeddedCorpusPath } from './assets.ts';
import { tokenizerCommand, TOKENIZER_HELP } from './tokenizerCli.ts';
import { benchTokenizer } from '../bench/tokenizerBench.ts';
import { modelInfoCommand, MODEL_INFO_HELP } from './modelInfo.ts';
import { fillMaskCommand, pretrainCommand, MODEL_HELP } from './modelCli.ts';
import { benchDistillCommand, distillCommand, DISTILL_HELP } from './distillCli.ts';
import { benchMatmulCommand } from './benchCli.ts';
import { alignCommand, ALIGN_HELP } from './alignCli.ts';
import { evalCommand, EVAL_HELP } from './evalCli.ts';
import { exportRunCommand, EXPORT_RUN_HELP } from './exportRunCli.ts';

const HELP = `vocabkd — VocabKD Workbench engine in Node

  vocabkd train-mlm [--steps 50] [--backend wasm|cpu] [--preset micro|tiny|medium] [--lr 2e-3] [--seed 1]
                    [--log-every 1] [--eval-every 25] [--corpus FILE]
      Trains the masked LM on the embedded Moby-Dick slice (or FILE, one document per line);
      prints one JSON object per logged step, then {"event":"done",...}.
  vocabkd bench train [--backend wasm|cpu] [--config tiny|medium] [--steps 10] [--warmup 3] [--threads N]
                      [--torch] [--torch-threads N]
      Times training steps; prints one JSON object (threads, median ms/step, tokens/s, top kernels, peak memory).
      --threads: WASM threads (default: every core). --torch: the same step in PyTorch (Debian's /usr/bin/python3,
      src/bench/torch_train_bench.py) at 1 thread and at N (--torch-threads, default the WASM threads), measured in
      the same run, and the tokens/s ratio against the faster of the two.
  vocabkd bench matmul [--backend wasm|cpu] [--config tiny|medium] [--reps 20] [--threads N] [--torch] [--torch-threads N]
      The CPU ceiling: times the step's own products (projections, feed-forward, weight gradient, vocabulary head,
      attention slices) and prints GFLOP/s for each; --torch: the same products in PyTorch (1 and N threads) and the
      ratio against the faster.
  vocabkd bench tokenizer [--input FILE] [--vocab-size 30000] [--repeat 1]
      Trains our WordPiece vocabulary on FILE (default: the offline builds' Russian prose corpus when it is beside the
      project, else the embedded Russian prose) and, in the same run, the
      \`tokenizers\` package's Rust trainer on the same text; prints both times, our phases and the ratio.
${TOKENIZER_HELP}${MODEL_INFO_HELP}${MODEL_HELP}${DISTILL_HELP}${EXPORT_RUN_HELP}${ALIGN_HELP}${EVAL_HELP}`;

async function trainMlm(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ['steps', 'backend', 'preset', 'lr', 'seed', 'log-every', 'eval-every', 'corpus']);
  const cfg = validateRunConfig({
    steps: intFlag(flags, 'steps', 50),
    preset: (flags.preset ?? 'micro') as never,
    lr: numFlag(flags, 'lr', 2e-3),
    seed: intFlag(flags, 'seed', 1),
    logEvery: intFlag(flags, 'log-every', 1),
    evalEvery: intFlag(flags, 'eval-every', 25),
  });
  const backend = await initNodeBackend(flags.backend ?? 'wasm');
  const { docs } = await readCorpus(flags.corpus ?? embeddedCorpusPath(), '--corpus', (m) => process.stderr.write(m));
  const text = docs.join('\n');
  const control = createRunControl();
  process.once('SIGINT', () => control.stop());
  const t0 = performance.now();
  const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  const outcome = await runMlm(text, cfg, control, {
    onInfo: (info) => out({ event: 'info', backend, ...info, config: cfg }),
    onPoint: (p) => out({ event: 'metrics', ...p }),
  });
  out({ event: outcome, seconds: (performance.now() - t0) / 1000 });
}

async function bench(argv: string[]): Promise<void> {
  const [what, ...rest] = argv;
  if (what === 'tokenizer') return benchTokenizerCommand(rest);
  if (what === 'distill') return benchDistillCommand(rest);
  if (what === 'matmul') return benchMatmulCommand(rest);
  if (what !== 'train') throw new UsageError(`unknown benchmark "${what ?? ''}"; available: train, tokenizer, distill, matmul`);
  const { flags } = parseArgs(rest, ['backend', 'config', 'steps', 'warmup', 'threads', 'torch-threads'], ['torch']);
  const config = (flags.config ?? 'tiny') as BenchConfigName;
  if (config !== 'tiny' && config !== 'medium') throw new UsageError(`--config must be tiny or medium, got "${config}"`);
  const steps = intFlag(flags, 'steps', 10);
  const warmup = intFlag(flags, 'warmup', 3);
  // 0 timed steps would print null medians with exit code 0.
  if (steps < 1) throw new UsageError(`--steps must be ≥ 1, got ${steps}`);
  if (warmup < 0) throw new UsageError(`--warmup must be ≥ 0, got ${warmup}`);
  const torchThreads = flags['torch-threads'] === undefined ? undefined : intFlag(flags, 'torch-threads', 1);
  if (torchThreads !== undefined && torchThreads < 1) throw new UsageError(`--torch-threads must be ≥ 1, got ${torchThreads}`);
  const backend = await initNodeBackend(flags.backend ?? 'wasm', { threads: threadsFlag(flags) });
  const info = nodeBackendInfo()!;
  const result = await benchTrain(config, { steps, warmup });
  const torchRuns = flags.torch === 'true' ? torchThreadCounts(torchThreads ?? info.threads).map((t) => torchTrainBench(config, t, steps, warmup)) : undefined;
  const faster = torchRuns ? fasterTorch(torchRuns) : undefined;
  const vsTorch = faster ? { tokensPerSecRatio: Math.round((result.tokensPerSec / faster.best.tokensPerSec) * 100) / 100, against: faster.against } : undefined;
  process.stdout.write(JSON.stringify({ bench: 'train', backend, threads: info.threads, runtime: info.description, ...result, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), torch: faster?.best, torchRuns, vsTorch }, null, 2) + '\n');
}

async function benchTokenizerCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ['input', 'vocab-size', 'repeat']);
  const repeat = intFlag(flags, 'repeat', 1);
  if (repeat < 1) throw new UsageError(`--repeat must be ≥ 1, got ${repeat}`);
  const result = await benchTokenizer({ input: flags.input, vocabSize: intFlag(flags, 'vocab-size', 30_000), repeat });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

async function model(argv: string[]): Promise<void> {
  const [what, ...rest] = argv;
  if (what === 'info') return modelInfoCommand(rest);
  if (what === 'fill-mask') return fillMaskCommand(rest);
  throw new UsageError(`unknown model command "${what ?? ''}"; available: info, fill-mask`);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd !== undefined && cmd !== 'help' && (isHelpFlag(cmd) || rest.some(isHelpFlag))) {
      process.stdout.write(commandHelp(HELP, argv) ?? HELP);
      return 0;
    }
    checkBackendFlag(rest);
    switch (cmd) {
      case 'train-mlm': await trainMlm(rest); return 0;
      case 'bench': await bench(rest); return 0;
      case 'tokenizer': await tokenizerCommand(rest); return 0;
      case 'model': await model(rest); return 0;
      case 'pretrain': await pretrainCommand(rest); return 0;
      case 'distill': await distillCommand(rest); return 0;
      case 'export-run': await exportRunCommand(rest); return 0;
      case 'align': await alignCommand(rest); return 0;
      case 'eval': await evalCommand(rest); return 0;
      case undefined: case '--help': case 'help': process.stdout.write(HELP); return 0;
      default: throw new UsageError(`unknown command "${cmd}"; run vocabkd --help`);
    }
  } catch (e) {
    const { error, code } = classify(e);
    process.stderr.write(`error: ${error.name}: ${error.message}\n`);
    return code;
  }
}
