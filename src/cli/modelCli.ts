/**
 * `vocabkd model fill-mask DIR --text "… [MASK] …" [--top 5]` and `vocabkd pretrain --corpus FILE --tokenizer
 * tokenizer.json --config config.json --steps N --out DIR` (issue 4 §7): the page's fill-mask and stage-0
 * pretraining, on Node's WASM/CPU backend, reading and writing HF folders through the same import/export code.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
import { DEFAULT_RUN, INIT_KINDS, validateRunConfig, type InitKind, type MlmRunConfig } from '../train/runConfig.ts';
import { createRunControl, runMlm, type Checkpoint, type PretrainCheckpoint } from '../train/mlmRun.ts';
import { CHECKPOINT_DIR, checkpointSaver, openResume } from './checkpointFs.ts';

export const MODEL_HELP = `  vocabkd model fill-mask DIR --text "Call me [MASK]." [--top 5] [--backend wasm|cpu]
      Loads an HF BERT folder and prints, for each [MASK], the top tokens with ids and probabilities (JSON).
  vocabkd pretrain --corpus FILE --tokenizer tokenizer.json|vocab.txt --config config.json --steps N --out DIR
                   [--seq-len 128] [--batch-size 16] [--lr 5e-4] [--seed 1] [--eval-every 100] [--backend wasm|cpu]
                   [--overwrite] [--checkpoint-every 100] [--init shift|plain]
  vocabkd pretrain --resume DIR|DIR/checkpoints/step-N.ckpt [--out DIR] [--backend wasm|cpu]
      Stage 0: masked-LM pretraining of a teacher; JSON lines of metrics; writes the model as an HF folder to DIR,
      atomically (DIR must be empty or absent; --overwrite replaces it whole). config.json's vocab_size must be at
      least the tokenizer's size. Checkpoints: DIR/checkpoints/step-N.ckpt every N steps and at the end (the last
      two kept); --resume continues a killed or stopped run with its recorded corpus, tokenizer, config and flags.
      --init shift (default): layer 0 starts with four heads attending to the tokens at offsets -1, +1, -2, +2
      (gets past the bag-of-words plateau a small BERT sits on for thousands of steps; needs >= 2 heads of even
      size d and --seq-len <= 2d); --init plain: BERT's N(0, 0.02) everywhere. Only the initial values
      differ: the output is a plain BertForMaskedLM folder.
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

/** The tokenizer and model shape of a pretraining: from the flags; on --resume absent ones come from the checkpoint. */
function pretrainInputs(flags: Record<string, string>, resuming: boolean) {
  const tokText = flags.tokenizer !== undefined ? readInputText(flags.tokenizer, '--tokenizer') : null;
  const tokenizer = tokText === null ? undefined : flags.tokenizer.endsWith('.txt') ? fromVocabTxt(tokText) : fromTokenizerJson(tokText);
  if (flags.config === undefined) return { tokenizer, model: undefined };
  let configJson: unknown;
  const configText = readInputText(flags.config, '--config');
  try { configJson = JSON.parse(configText); } catch (e) { throw new UsageError(`${flags.config} is not valid JSON: ${(e as Error).message}`); }
  const model = fromBertConfigJson(configJson);
  if (tokenizer || !resuming) checkConfigVocab(configJson, tokenizerSize(tokenizer!), { config: flags.config, tokenizer: flags.tokenizer }, (m) => process.stderr.write(m));
  return { tokenizer, model };
}

function initFlag(flags: Record<string, string>, fallback: InitKind): InitKind {
  const v = flags.init ?? fallback;
  if (!INIT_KINDS.includes(v as InitKind)) throw new UsageError(`--init must be shift or plain; got "${v}"`);
  return v as InitKind;
}

/** The run config from the flags; on --resume absent flags take the checkpoint's values (given ones must agree). */
function pretrainConfig(flags: Record<string, string>, prev: MlmRunConfig | undefined): MlmRunConfig {
  const d = prev ?? { ...DEFAULT_RUN, steps: 100, lr: 5e-4, evalEvery: 100 };
  const steps = intFlag(flags, 'steps', d.steps);
  return validateRunConfig({
    steps, lr: numFlag(flags, 'lr', d.lr), seed: intFlag(flags, 'seed', d.seed), evalEvery: intFlag(flags, 'eval-every', d.evalEvery),
    warmupSteps: prev ? prev.warmupSteps : Math.min(100, Math.ceil(steps / 10)), checkpointEvery: intFlag(flags, 'checkpoint-every', d.checkpointEvery),
    init: initFlag(flags, prev ? prev.init ?? 'plain' : 'shift'),
  });
}

export async function pretrainCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, ['corpus', 'tokenizer', 'config', 'steps', 'out', 'seq-len', 'batch-size', 'lr', 'seed', 'eval-every', 'backend', 'resume', 'checkpoint-every', 'init'], ['overwrite']);
  const log = (m: string) => process.stderr.write(m + '\n');
  const resumed = flags.resume !== undefined ? openResume(flags.resume, flags.out, 'pretrain', log) : null;
  const prev = resumed?.checkpoint as PretrainCheckpoint | undefined;
  requireFlags(flags, prev ? [] : ['corpus', 'tokenizer', 'config', 'steps', 'out'], 'pretrain');
  const outDir = resumed?.out ?? flags.out;
  if (!resumed) {
    checkOutFolder(outDir, flags.overwrite === 'true');
    rmSync(join(outDir, CHECKPOINT_DIR), { recursive: true, force: true }); // --overwrite: the old run's checkpoints go now
  }
  const { tokenizer, model } = pretrainInputs(flags, !!prev);
  const corpusPath = flags.corpus ?? resumed!.host.corpus;
  const { docs } = await readCorpus(corpusPath, '--corpus', (m) => process.stderr.write(m));
  const cfg = pretrainConfig(flags, prev?.recipe.config);
  const backend = await initNodeBackend(flags.backend ?? 'wasm');
  const control = createRunControl();
  process.once('SIGINT', () => control.stop());
  let last: Checkpoint | null = null;
  const t0 = performance.now();
  const save = checkpointSaver(outDir, { corpus: resolve(corpusPath) }, log);
  const outcome = await runMlm(docs.join('\n'), cfg, control, {
    onInfo: (info) => out({ event: 'info', backend, ...info }),
    onPoint: (p) => out({ event: 'metrics', ...p }),
    onCheckpoint: async (c, capture) => { last = c; await save(capture); },
  }, {
    tokenizer, model, resumeFrom: prev,
    seqLen: flags['seq-len'] !== undefined || !prev ? intFlag(flags, 'seq-len', Math.min(128, model!.maxPositions)) : undefined,
    batchSize: flags['batch-size'] !== undefined || !prev ? intFlag(flags, 'batch-size', 16) : undefined,
  });
  const cp = last as Checkpoint | null;
  if (!cp) throw new UsageError('no step was trained, nothing to write');
  const trained = modelFromWeights(cp.config, new Map(Object.entries(cp.weights).map(([k, w]) => [k, w.data])));
  try {
    const { files, notes } = await exportHfFolder(trained, tokenizer ?? fromTokenizerJson(cp.tokenizerJson), { metadata: { step: String(cp.step) } });
    // The folder was checked (empty, --overwrite) or is the resumed run's: replaced whole, its checkpoints/ kept.
    const paths = await writeHfFolderFiles(outDir, files, { overwrite: true, keep: [CHECKPOINT_DIR] });
    out({ event: outcome, steps: cp.step, seconds: (performance.now() - t0) / 1000, out: outDir, files: paths, notes });
  } finally {
    trained.dispose();
  }
}
