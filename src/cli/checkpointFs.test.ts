// Checkpoints on disk (src/cli/checkpointFs.ts) and `--resume` of both commands:
// - saving keeps the last two, leaves no temporary file, and a write that fails half-way (an injected writer throwing
//   ENOSPC, as a full disk or quota does) is a FileError that leaves the previous checkpoint valid and loadable;
// - loading skips a newest checkpoint that does not decode (a cut file) and takes the one before;
// - a real `vocabkd distill` run killed with SIGKILL right after a checkpoint resumes with `--resume DIR`, finishes, and
//   its metrics.jsonl holds every step exactly once with the losses of an uninterrupted run (compared exactly: both
//   runs use the CPU backend, which is deterministic, and JSON numbers round-trip);
// - `vocabkd pretrain --resume DIR/checkpoints/step-3.ckpt --out OTHER` continues a run with the same losses.
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, vocabkd } from '../testing/cli.ts';
import { writeTinyTeacher } from '../testing/tinyTeacher.ts';
import { makeRunCheckpoint, type RunCheckpoint } from '../train/checkpoint.ts';
import { listCheckpoints, loadCheckpoint, restoreMetrics, saveCheckpoint } from './checkpointFs.ts';

const dir = mkdtempSync(join(tmpdir(), 'vkd-ckpt-'));

const fake = (step: number): RunCheckpoint => makeRunCheckpoint('distill', {
  step, weights: [{ shape: [3], data: Float32Array.from([step, 2, 3]) }], optimizer: { t: step, m: [new Float32Array(3)], v: [new Float32Array(3)] },
}, { recipe: { r: 1 }, tokenizers: {}, keys: ['w'], data: { rng: step }, points: [{ step, loss: 1 / step, elapsedMs: step }], extra: {} });

describe('saveCheckpoint / loadCheckpoint', () => {
  it('keeps the last two checkpoints and no temporary file', () => {
    const out = join(dir, 'keep');
    for (const s of [2, 4, 6]) saveCheckpoint(out, fake(s));
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(['step-4.ckpt', 'step-6.ckpt']);
    expect(loadCheckpoint(out).checkpoint.step).toBe(6);
  });

  it('a write that fails half-way (disk full) is a FileError; the previous checkpoint stays valid and loadable', () => {
    const out = join(dir, 'disk-full');
    saveCheckpoint(out, fake(3));
    const diskFull = (fd: number, bytes: Uint8Array) => {
      writeSync(fd, bytes, 0, bytes.length >> 1);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    expect(() => saveCheckpoint(out, fake(6), { write: diskFull })).toThrow(/checkpoint .*step-6\.ckpt cannot be written: the disk is full/);
    expect(readdirSync(join(out, 'checkpoints'))).toEqual(['step-3.ckpt']);
    const back = loadCheckpoint(out).checkpoint;
    expect(back.step).toBe(3);
    expect(Array.from(back.loop.weights[0].data)).toEqual([3, 2, 3]);
  });

  it('a newest checkpoint that does not decode (cut by a crash outside our writer) is skipped and named', () => {
    const out = join(dir, 'cut');
    saveCheckpoint(out, fake(2));
    const { path } = saveCheckpoint(out, fake(4));
    writeFileSync(path, readFileSync(path).subarray(0, 100));
    const r = loadCheckpoint(out);
    expect(r.checkpoint.step).toBe(2);
    expect(r.skipped[0]).toMatch(/step-4\.ckpt .*truncated or corrupt/);
    expect(() => loadCheckpoint(join(dir, 'none'))).toThrow(/no checkpoint/);
  });

  it('restoreMetrics cuts metrics.jsonl back to the checkpoint (a later line and a cut last line go)', () => {
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(path, '{"step":1}\n{"step":2}\n{"step":3}\n{"st');
    restoreMetrics(path, [{ step: 1 }, { step: 2 }]);
    expect(readFileSync(path, 'utf8')).toBe('{"step":1}\n{"step":2}\n');
  });
});

const jsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const curve = (ps: Record<string, number>[]) => ps.map(({ step, loss, gradNorm, kl, mlm, lr, evalWordAcc }) => ({ step, loss, gradNorm, kl, mlm, lr, evalWordAcc }));

/** Starts `vocabkd ARGS` and SIGKILLs it as soon as stderr reports a checkpoint. */
function killAfterCheckpoint(...args: string[]): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/bin.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/checkpoint at step \d+:/.test(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stderr }));
  });
}

describe('vocabkd distill / pretrain --resume', () => {
  let teacher: string;
  let corpus: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    ({ teacher, corpus } = await writeTinyTeacher(dir));
  });

  it('a distillation SIGKILLed after its first checkpoint resumes with --resume DIR and ends with the uninterrupted losses', async () => {
    const recipe = join(dir, 'recipe.json');
    writeFileSync(recipe, JSON.stringify({
      method: 'reduce', steps: 30, batchSize: 4, seqLen: 24, logEvery: 1, evalEvery: 10, checkpointEvery: 3,
      student: { vocabSize: 500, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 },
    }));
    const common = ['--recipe', recipe, '--teacher', teacher, '--corpus', corpus, '--backend', 'cpu'];
    const [full, killed] = [join(dir, 'full'), join(dir, 'killed')];
    const f = await vocabkd('distill', ...common, '--out', full);
    expect(f.code, f.stderr).toBe(0);
    const k = await killAfterCheckpoint('distill', ...common, '--out', killed);
    expect(k.signal).toBe('SIGKILL');
    const kept = listCheckpoints(join(killed, 'checkpoints'));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept[0].step).toBeLessThan(30);

    const r = await vocabkd('distill', '--resume', killed, '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    const from = Number(/resuming from step (\d+)/.exec(r.stderr)![1]);
    expect(from).toBe(kept[0].step);
    const points = jsonl(join(killed, 'metrics.jsonl'));
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(curve(points)).toEqual(curve(jsonl(join(full, 'metrics.jsonl'))));
    const [a, b] = [join(full, 'summary.json'), join(killed, 'summary.json')].map((p) => JSON.parse(readFileSync(p, 'utf8')));
    expect(b).toMatchObject({ outcome: 'done', steps: 30, finalEval: a.finalEval, counts: a.counts, evals: a.evals });
    expect(readdirSync(join(killed, 'checkpoints')).sort()).toEqual(['step-27.ckpt', 'step-30.ckpt']);
    expect(readFileSync(join(killed, 'student', 'model.safetensors'))).toEqual(readFileSync(join(full, 'student', 'model.safetensors')));
  }, 120_000);

  it('pretrain --resume FILE --out OTHER continues from step 3 with the same losses; another --lr is a CheckpointError (exit 2)', async () => {
    const tok = join(dir, 'tokenizer.json');
    expect((await vocabkd('tokenizer', 'train', '--vocab-size', '500', '--input', corpus, '--out', tok, '--min-frequency', '1')).code).toBe(0);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ vocab_size: 500, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 }));
    const out = join(dir, 'pre');
    const run = await vocabkd('pretrain', '--corpus', corpus, '--tokenizer', tok, '--config', config, '--steps', '6', '--out', out, '--seq-len', '16', '--batch-size', '4', '--eval-every', '3', '--checkpoint-every', '3', '--backend', 'cpu');
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'checkpoints'])); // the final folder swap kept checkpoints/
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(['step-3.ckpt', 'step-6.ckpt']);
    const metrics = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'metrics');
    const again = await vocabkd('pretrain', '--resume', join(out, 'checkpoints', 'step-3.ckpt'), '--out', join(dir, 'pre2'), '--backend', 'cpu');
    expect(again.code, again.stderr).toBe(0);
    expect(curve(metrics(again.stdout))).toEqual(curve(metrics(run.stdout).slice(3)));
    const wrong = await vocabkd('pretrain', '--resume', out, '--lr', '0.1', '--backend', 'cpu');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/error: CheckpointError: .*config\.lr differs/);
  }, 120_000);
});
