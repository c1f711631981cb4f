// Runs on the WASM backend in Node (threaded): the parity probe agrees with the same probe on CPU (computed in a child process),
// ScatterNd sums duplicate-index gradients, and training on a fixed batch lowers the loss (guards WASM op traps).
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { initNodeBackend, nodeBackendInfo } from './node.ts';
import { compareParity, runParityProbe, UPDATE_TOLERANCE, type ParityProbe } from './parity.ts';
import { gatherRows } from '../models/layers.ts';
import { createMlm } from '../models/mlm.ts';
import { makeConfig } from '../models/config.ts';
import { createBatcher } from '../data/mlmBatches.ts';
import { createRng } from '../data/rng.ts';
import { createMlmTrainer } from '../train/trainer.ts';
import { maxAbsDiff } from '../testing/reference.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Multi-threaded where the machine has 2+ cores (the threaded SIMD build: the path the CLI and the page take).
const THREADS = Math.min(2, availableParallelism());

beforeAll(async () => {
  expect(await initNodeBackend('wasm', { threads: THREADS })).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
  expect(nodeBackendInfo()?.threads).toBe(THREADS);
});

describe('parity probe: WASM vs CPU', () => {
  it('compareParity(wasm, cpu) is ok with maxRelErr < 1e-4', async () => {
    const cpuJson = execFileSync(process.execPath, ['--import', 'tsx', 'src/testing/cpuProbe.ts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const cpu = JSON.parse(cpuJson.trim().split('\n').pop()!) as ParityProbe;
    expect(cpu.backend).toBe('cpu');
    const wasm = await runParityProbe();
    expect(wasm.backend).toBe('wasm');
    expect(Object.keys(wasm.gradNorms)).toEqual(Object.keys(cpu.gradNorms));
    const verdict = compareParity(wasm, cpu);
    expect(verdict.ok, `worst: ${verdict.worst}`).toBe(true);
    expect(verdict.maxRelErr).toBeLessThan(1e-4);
    expect(verdict.maxUpdateErr, `worst: ${verdict.worst}`).toBeLessThan(UPDATE_TOLERANCE / 4);
  });
});

describe('WASM numerics', () => {
  it('gatherRows gradient sums duplicate indices on WASM (ScatterNd)', async () => {
    const table = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    const idx = tf.tensor1d([2, 0, 2, 2], 'int32');
    const w = tf.tensor2d([1, 10, 100, 1000, 0.5, 0.25, 2, 4], [4, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, idx), w)))(table);
    // row 0 ← upstream row 1; row 2 ← upstream rows 0, 2, 3; rows 1 and 3 untouched
    expect(maxAbsDiff(await g.data(), [100, 1000, 0, 0, 3.5, 14.25, 0, 0])).toBeLessThan(1e-6);
    tf.dispose([table, idx, w, g]);
  });

  it('20 steps on a fixed batch lower the loss to < 0.6 × the first (and no NaN)', async () => {
    const config = makeConfig({ vocabSize: 50, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 16 });
    const rng = createRng(3);
    const stream = Int32Array.from({ length: 400 }, () => 5 + rng.int(45));
    const batch = createBatcher(stream, { batchSize: 4, seqLen: 12, vocabSize: 50, seed: 3, maskProb: 0.2 }).next();
    const before = tf.memory().numTensors;
    const model = createMlm(config, 1);
    const trainer = createMlmTrainer(model, { schedule: { peak: 1e-2, warmupSteps: 0, totalSteps: 100, floorRatio: 1 }, clipNorm: 1 });
    const created = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = trainer.step(batch);
      losses.push((await r.loss.data())[0]);
      tf.dispose([r.loss, r.gradNorm]);
      if (i === 0) expect(tf.memory().numTensors).toBe(created + 2 * model.variables.length); // Adam's m and v slots
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[0]).toBeGreaterThan(3);
    expect(losses[19]).toBeLessThan(0.6 * losses[0]);
    trainer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
