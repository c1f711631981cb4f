/**
 * `vocabkd model fill-mask DIR --text "… [MASK] …" [--top 5]` and `vocabkd pretrain --corpus FILE --tokenizer
 * tokenizer.json --config config.json --steps N --out DIR` (issue 4 §7): the page's fill-mask and stage-0
 * pretraining, on Node's WASM/CPU backend, reading and writing HF folders through the same import/export code.
 */
import { UsageError, intFlag, numFlag, parseArgs } from './args.ts';
import { checkOutFolder } from './atomic.ts';
import { readCorpus, readInputText } from './files.ts';
import { checkConfigVocab } from './inputChecks.ts';
import { initNodeBackend } from '../backend/node.ts';
import { loadHfFolder, writeHfFolderFiles } from './hfFolderFs.ts';
import { fillMask } from '../models/fillMask.ts';
import { fromBertConfigJson } from '../models/hfConfig.ts';
import { exportHfFolder, modelFromWeights, tokenizerSize } from '../models/hfFolder.ts';
import { fromTokenizerJson, fromVocabTxt } from '../tokenizers/hfJson.ts';
import { validateRunConfig } from '../train/runConfig.ts';
import { createRunControl, runMlm, type Checkpoint } from '../train/mlmRun.ts';

export const MODEL_HELP = `  vocabkd model fill-mask DIR --text "Call me [MASK]." [--top 5] [--backend wasm|cpu]
      Loads an HF BERT folder and prints, for each [MASK], the top tokens with ids and probabilities (JSON).
  vocabkd pretrain --corpus FILE --tokenizer tokenizer.json|vocab.txt --config config.json --steps N --out DIR
                   [--seq-len 128] [--batch-size 16] [--lr 5e-4] [--seed 1] [--eval-every 100] [--backend wasm|cpu]
                   [--overwrite]
      Stage 0: masked-LM pretraining of a teacher; JSON lines of metrics; writes the model as an HF folder to DIR,
      atomically (DIR must be empty or absent; --overwrite replaces it whole). config.json's vocab_size must be at
      least the tokenizer's size.
`;

const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

function requireFlags(flags: Record<string, string>, names: string[], cmd: string): void {
  for (const f of names) if (flags[f] === undefined) throw new UsageError(`${cmd} needs --${f}`);
}

export async function fillMaskCommand(argv: string[]): Promise<void> {
  const { positionals, flags } = parseArgs(argv, ['text', 'top', 'backend']);
  const dir = positionals[0];
  if (!dir) throw new UsageError('model fill-mask needs a model folder: vocabkd model fill-mask DIR --text "… [MASK] …"');
  requireFlags(flags, ['text'], 'model fill-mask');
  await initNodeBackend(flags.backend ?? 'wasm');
  const m = await loadHfFolder(dir);
  try {
    for (const w of m.warnings) process.stderr.write(`warning: ${w}\n`);
    const results = await fillMask(m.model, m.tokenizer, flags.text, intFlag(flags, 'top', 5));
    process.stdout.write(JSON.stringify({ model: dir, text: flags.text, masks: results }, null, 2) + '\n');
  } finally {
    m.model.dispose();
  }
}

export async function pretrainCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ['corpus', 'tokenizer', 'config', 'steps', 'out', 'seq-len', 'batch-size', 'lr', 'seed', 'eval-every', 'backend'], ['overwrite']);
  requireFlags(flags, ['corpus', 'tokenizer', 'config', 'steps', 'out'], 'pretrain');
  const overwrite = flags.overwrite === 'true';
  checkOutFolder(flags.out, overwrite);
  const tokText = readInputText(flags.tokenizer, '--tokenizer');
  const tokenizer = flags.tokenizer.endsWith('.txt') ? fromVocabTxt(tokText) : fromTokenizerJson(tokText);
  let configJson: unknown;
  const configText = readInputText(flags.config, '--config');
  try { configJson = JSON.parse(configText); } catch (e) { throw new UsageError(`${flags.config} is not valid JSON: ${(e as Error).message}`); }
  const model = fromBertConfigJson(configJson);
  checkConfigVocab(configJson, tokenizerSize(tokenizer), { config: flags.config, tokenizer: flags.tokenizer }, (m) => process.stderr.write(m));
  const { docs } = await readCorpus(flags.corpus, '--corpus', (m) => process.stderr.write(m));
  const cfg = validateRunConfig({
    steps: intFlag(flags, 'steps', 100), lr: numFlag(flags, 'lr', 5e-4), seed: intFlag(flags, 'seed', 1),
    evalEvery: intFlag(flags, 'eval-every', 100), warmupSteps: Math.min(100, Math.ceil(intFlag(flags, 'steps', 100) / 10)), checkpointEvery: 0,
  });
  const backend = await initNodeBackend(flags.backend ?? 'wasm');
  const control = createRunControl();
  process.once('SIGINT', () => control.stop());
  let last: Checkpoint | null = null;
  const t0 = performance.now();
  const outcome = await runMlm(docs.join('\n'), cfg, control, {
    onInfo: (info) => out({ event: 'info', backend, ...info }),
    onPoint: (p) => out({ event: 'metrics', ...p }),
    onCheckpoint: (c) => (last = c),
  }, { tokenizer, model, seqLen: intFlag(flags, 'seq-len', Math.min(128, model.maxPositions)), batchSize: intFlag(flags, 'batch-size', 16) });
  const cp = last as Checkpoint | null;
  if (!cp) throw new UsageError('no step was trained, nothing to write');
  const trained = modelFromWeights(cp.config, new Map(Object.entries(cp.weights).map(([k, w]) => [k, w.data])));
  try {
    const { files, notes } = await exportHfFolder(trained, tokenizer, { metadata: { step: String(cp.step) } });
    const paths = await writeHfFolderFiles(flags.out, files, { overwrite });
    out({ event: outcome, steps: cp.step, seconds: (performance.now() - t0) / 1000, out: flags.out, files: paths, notes });
  } finally {
    trained.dispose();
  }
}
