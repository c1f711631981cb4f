// Acceptance of issue 13 on the Russian UD-GSD fixture (UPOS, 300 training / 150 test sentences): a linear probe on
// a trained model scores clearly above the majority class and above the same probe on the model's own random
// initialisation (same shape, same seed). The shipped teacher is English-only (Cyrillic is [UNK]), so the test
// trains a small Russian masked LM itself: 300 steps of the one pretraining path (train/mlmRun.ts `runMlm`: our
// WordPiece of 2,000 entries on the committed Russian prose sample, 2 layers × 64, batches of 16 × 64, lr 2e-3,
// seed 1), about 30 s on one core of the 2-core machine; the probe takes about 2 s per model.
//
// Measured (WASM): trained 57.8 % accuracy / 0.420 macro-F1; its initialisation 55.0 % / 0.367; another random init
// (seed 2) 54.5 % / 0.370; majority class (NOUN) 25.8 %. 1,500 steps reach 61.1 %. A short run cannot leave the
// bag-of-words plateau, so the gap to the initialisation is small but deterministic; it is what fails when training
// collapses the last hidden state (an lr of 5e-3 at width 128 gave 37 %, below the untrained 59 %). The large
// trained-vs-untrained margin is asserted on English (acceptance-en.test.ts: 83 % vs 68 %).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../backend/node.ts';
import { makeConfig } from '../models/config.ts';
import { createMlm } from '../models/mlm.ts';
import { modelFromWeights } from '../models/hfFolder.ts';
import { fromTokenizerJson } from '../tokenizers/hfJson.ts';
import { createRunControl, runMlm, type Checkpoint } from '../train/mlmRun.ts';
import { validateRunConfig } from '../train/runConfig.ts';
import { russianProseLines } from '../testing/tokenizerFixtures.ts';
import { loadTask, parseTaskFile } from './tasks.ts';
import { prepareTask, scoreTask } from './probe.ts';

const UD = fileURLToPath(new URL('../testing/fixtures/ru/ud-gsd/task.json', import.meta.url));

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('acceptance: Russian UD-GSD UPOS, linear probe', () => {
  it('a small trained Russian MLM beats the majority class clearly and its own random initialisation', async () => {
    const cfg = validateRunConfig({ preset: 'tiny', steps: 300, lr: 2e-3, warmupSteps: 20, seed: 1, logEvery: 50, evalEvery: 0, checkpointEvery: 0, init: 'plain' }); // plain BERT init, as calibrated (heads of 16 dims are too small for shift heads over 64 positions)
    const shape = makeConfig({ vocabSize: 2000, hiddenSize: 64, numLayers: 2, numHeads: 4, intermediateSize: 256, maxPositions: 128 });
    let last: Checkpoint | undefined;
    const outcome = await runMlm(russianProseLines(11).join('\n'), cfg, createRunControl(), { onPoint: () => {}, onCheckpoint: (c) => { last = c; } }, { model: shape, seqLen: 64, batchSize: 16 });
    expect(outcome).toBe('done');
    const tokenizer = fromTokenizerJson(last!.tokenizerJson);
    const trained = modelFromWeights(last!.config, new Map(Object.entries(last!.weights).map(([k, v]) => [k, v.data])));
    const init = createMlm(last!.config, cfg.seed); // runMlm's own initialisation: same shape, same seed, no steps
    const data = await loadTask(parseTaskFile(readFileSync(UD, 'utf8'), UD), UD, (p) => readFileSync(p, 'utf8'));
    const p = prepareTask(tokenizer, trained.config, data);
    const t = await scoreTask(trained, p, { seed: 1 });
    const r = await scoreTask(init, p, { seed: 1 });
    trained.dispose();
    init.dispose();
    expect(t.test).toBeGreaterThan(2500); // words of 150 sentences
    expect(t.majorityLabel).toBe('NOUN');
    expect(t.unkRate).toBeLessThan(0.1);
    expect(t.accuracy).toBeGreaterThan(t.majorityAccuracy + 0.25);
    expect(t.accuracy).toBeGreaterThan(r.accuracy + 0.015);
    expect(t.macroF1).toBeGreaterThan(r.macroF1 + 0.03);
  }, 240_000); // ≈ 35 s alone; up to ≈ 105 s measured when the 2 cores are shared with other test files
});
