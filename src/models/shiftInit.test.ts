// Shift-head initialisation (src/models/shiftInit.ts) against its Python reference tools/teacher/shift_init.py: the
// deterministic tensors (positions, layer-0 queries and keys, the gain) equal the script's, run at test time with
// Debian's PyTorch when it is installed; and the property that matters, always: at init, layer-0 heads 0–3 put most
// of their attention on the tokens at offsets −1, +1, −2, +2 of random input, which BERT's plain init does not.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeConfig, type MlmConfig } from './config.ts';
import { createMlm, type MlmModel } from './mlm.ts';
import { gatherRows, layerNorm, linear } from './layers.ts';
import { applyShiftHeadInit, checkShiftInit, shiftHeadInit, shiftInitKeys, ShiftInitError, SHIFT_OFFSETS } from './shiftInit.ts';
import { createRng } from '../data/rng.ts';
import { createRunControl, runMlm, type MetricPoint, type PretrainCheckpoint } from '../train/mlmRun.ts';
import { validateRunConfig, type MlmRunConfig } from '../train/runConfig.ts';

const cfg: MlmConfig = makeConfig({ vocabSize: 50, hiddenSize: 64, numLayers: 1, numHeads: 4, intermediateSize: 64, maxPositions: 32 });
const P = 16; // head size = position dimensions

const PYTHON = '/usr/bin/python3';
const hasTorch = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
})();

interface PyRef {
  info: { gain: number; position_pair_amplitude: number; offsets: number[] };
  pos: number[][];
  q: number[][];
  k: number[][];
  wordFirst: number;
  types: number;
  mass: number[];
}

/** Runs shift_init.py on `cfg` (seed 0) and reads back what the comparison needs (HF layout: [out, in]). */
function pythonReference(): PyRef {
  const script = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(resolve('tools/teacher'))})
from bert import BertForMaskedLM
from shift_init import shift_head_init
torch.manual_seed(0)
c = dict(vocab_size=${cfg.vocabSize}, hidden_size=${cfg.hiddenSize}, num_hidden_layers=1, num_attention_heads=${cfg.numHeads},
         intermediate_size=${cfg.intermediateSize}, max_position_embeddings=${cfg.maxPositions}, type_vocab_size=2,
         layer_norm_eps=1e-12, initializer_range=0.02, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
m = BertForMaskedLM(c).eval()
info = shift_head_init(m, seed=0)
e, a = m.bert.embeddings, m.bert.encoder.layer[0].attention.self
ids = torch.randint(5, c["vocab_size"], (8, c["max_position_embeddings"]))
with torch.no_grad():
    x = e(ids)
    q, k = a.split(a.query(x)), a.split(a.key(x))
    p = (q @ k.transpose(-1, -2) / a.head_dim ** 0.5).softmax(-1)  # [B, heads, T, T]
T = c["max_position_embeddings"]
mass = []
for h, o in enumerate(info["offsets"]):
    rows = [i for i in range(T) if 0 <= i + o < T]
    mass.append(float(sum(p[:, h, i, i + o].mean() for i in rows) / len(rows)))
print(json.dumps(dict(info=info, pos=e.position_embeddings.weight.tolist(), q=a.query.weight.tolist(), k=a.key.weight.tolist(),
                      wordFirst=float(e.word_embeddings.weight[:, :${P}].abs().max()), types=float(e.token_type_embeddings.weight.abs().max()), mass=mass)))
`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8', timeout: 120_000 })) as PyRef;
}

/** Mean attention probability of layer-0 head h on position i + offsets[h], over random input (B × T). */
async function offsetMass(model: MlmModel, seed = 3): Promise<number[]> {
  const c = model.config;
  const T = c.maxPositions;
  const B = 8;
  const rng = createRng(seed);
  const ids = Int32Array.from({ length: B * T }, () => 5 + rng.int(c.vocabSize - 5));
  const d = c.hiddenSize / c.numHeads;
  const p = model.params as Record<string, tf.Variable>;
  const probs = tf.tidy(() => {
    const words = gatherRows(p['bert.embeddings.word_embeddings.weight'] as tf.Tensor2D, tf.tensor1d(ids, 'int32'));
    const pos = (p['bert.embeddings.position_embeddings.weight'] as tf.Tensor2D).add(p['bert.embeddings.token_type_embeddings.weight'].slice([0, 0], [1, c.hiddenSize]));
    const x = layerNorm(words.reshape([B, T, c.hiddenSize]).add(pos).reshape([B * T, c.hiddenSize]) as tf.Tensor2D,
      p['bert.embeddings.LayerNorm.weight'] as tf.Tensor1D, p['bert.embeddings.LayerNorm.bias'] as tf.Tensor1D, c.layerNormEps);
    const heads = (n: string) => linear(x, p[`bert.encoder.layer.0.attention.self.${n}.weight`] as tf.Tensor2D, p[`bert.encoder.layer.0.attention.self.${n}.bias`] as tf.Tensor1D)
      .reshape([B, T, c.numHeads, d]).transpose([0, 2, 1, 3]);
    return tf.softmax(tf.matMul(heads('query'), heads('key'), false, true).div(Math.sqrt(d))); // [B, heads, T, T]
  });
  const v = await probs.data();
  probs.dispose();
  return SHIFT_OFFSETS.slice(0, c.numHeads).map((o, h) => {
    let s = 0;
    let n = 0;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < T; i++) {
        if (i + o < 0 || i + o >= T) continue;
        s += v[((b * c.numHeads + h) * T + i) * T + i + o];
        n++;
      }
    }
    return s / n;
  });
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);

describe('shift-head init', () => {
  it.skipIf(!hasTorch)('equals tools/teacher/shift_init.py on the deterministic tensors, and both attend to the offsets', async () => {
    const ref = pythonReference();
    const values = new Map(shiftInitKeys(cfg).map((k) => [k, new Float32Array(tf.util.sizeFromShape(k.endsWith('bias') ? [cfg.hiddenSize] : k.includes('position') ? [cfg.maxPositions, cfg.hiddenSize] : k.includes('word') ? [cfg.vocabSize, cfg.hiddenSize] : k.includes('token_type') ? [2, cfg.hiddenSize] : [cfg.hiddenSize, cfg.hiddenSize])).fill(0.5)]));
    const info = shiftHeadInit(values, cfg, { seed: 0 });
    expect(near(info.gain, ref.info.gain)).toBe(true);
    expect(near(info.positionPairAmplitude, ref.info.position_pair_amplitude)).toBe(true);
    expect(info.offsets).toEqual(ref.info.offsets);
    const H = cfg.hiddenSize;
    const pos = values.get('bert.embeddings.position_embeddings.weight')!;
    const bad: string[] = [];
    ref.pos.forEach((row, t) => row.forEach((x, c) => { if (!near(pos[t * H + c], x)) bad.push(`pos[${t}][${c}] ${pos[t * H + c]} vs ${x}`); }));
    for (const [name, w] of [['query', ref.q], ['key', ref.k]] as const) {
      const ours = values.get(`bert.encoder.layer.0.attention.self.${name}.weight`)!;
      // PyTorch [out, in] ↔ ours [in, out]; heads 0..3 cover every output column here (4 heads, 4 offsets)
      w.forEach((row, out) => row.forEach((x, inp) => { if (!near(ours[inp * H + out], x)) bad.push(`${name}[${out}][${inp}] ${ours[inp * H + out]} vs ${x}`); }));
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(ref.wordFirst).toBe(0);
    expect(ref.types).toBe(0);
    expect(Math.max(...values.get('bert.embeddings.word_embeddings.weight')!.filter((_, i) => i % H < P).map(Math.abs))).toBe(0);
    ref.mass.forEach((m) => expect(m).toBeGreaterThan(0.5));
  }, 180_000);

  it('puts most attention of layer-0 heads 0–3 on offsets −1, +1, −2, +2 at init; plain init does not', async () => {
    const plain = createMlm(cfg, 7);
    const shift = createMlm(cfg, 7);
    try {
      const info = await applyShiftHeadInit(shift, { seed: 7 });
      expect(info.offsets).toEqual([-1, 1, -2, 2]);
      const ms = await offsetMass(shift);
      const mp = await offsetMass(plain);
      ms.forEach((m) => expect(m).toBeGreaterThan(0.5));
      mp.forEach((m) => expect(m).toBeLessThan(0.1)); // about 1 / T
      // value and output maps are orthonormal on the word dimensions
      const v = await shift.params['bert.encoder.layer.0.attention.self.value.weight'].data();
      let dot = 0;
      for (let i = 0; i < cfg.hiddenSize; i++) dot += v[i * cfg.hiddenSize + 0] * v[i * cfg.hiddenSize + 0];
      expect(dot).toBeCloseTo(1, 4);
      // same keys and shapes: the model (and its export) is a plain BertForMaskedLM
      expect(Object.keys(shift.params)).toEqual(Object.keys(plain.params));
    } finally {
      plain.dispose();
      shift.dispose();
    }
  });

  it('keeps the tensor count flat', async () => {
    const m = createMlm(cfg, 1);
    const before = tf.memory().numTensors;
    await applyShiftHeadInit(m, { seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('refuses shapes that cannot hold shift heads, naming what they need', () => {
    const base = { vocabSize: 50, numLayers: 1, intermediateSize: 64, maxPositions: 32 };
    expect(() => checkShiftInit(makeConfig({ ...base, hiddenSize: 64, numHeads: 1 }))).toThrow(ShiftInitError);
    expect(() => checkShiftInit(makeConfig({ ...base, hiddenSize: 60, numHeads: 4 }))).toThrow(/even head size.*15/);
    expect(() => checkShiftInit(makeConfig({ ...base, hiddenSize: 64, numHeads: 4 }), 33)).toThrow(/33 positions exceed .* 2·16 = 32/);
    expect(() => checkShiftInit(makeConfig({ ...base, hiddenSize: 64, numHeads: 4, embeddingSize: 32 }))).toThrow(/unfactorised/);
    expect(() => checkShiftInit(makeConfig({ ...base, hiddenSize: 64, numHeads: 4 }), 32)).not.toThrow();
  });

  it('runMlm: init shift (the default) and plain start from different weights; a checkpoint without init (older runs) still resumes', async () => {
    const text = Array.from({ length: 120 }, (_, i) => `the whale number ${i % 17} swims in the sea and the ship ${i % 5} follows it`).join('\n');
    const run = async (cfg: MlmRunConfig, resumeFrom?: PretrainCheckpoint) => {
      const points: MetricPoint[] = [];
      let last: PretrainCheckpoint | null = null;
      await runMlm(text, cfg, createRunControl(), { onPoint: (p) => points.push(p), onCheckpoint: async (_c, capture) => { last = await capture(); } }, { resumeFrom });
      return { points, last: last as PretrainCheckpoint | null };
    };
    const base = { preset: 'micro' as const, steps: 2, seed: 4, evalEvery: 0, checkpointEvery: 1 };
    const shift = await run(validateRunConfig(base));
    const plain = await run(validateRunConfig({ ...base, init: 'plain' }));
    expect(validateRunConfig(base).init).toBe('shift');
    expect(shift.points[0].loss).not.toBe(plain.points[0].loss);
    expect(shift.last!.keys).toEqual(plain.last!.keys); // the same BertForMaskedLM parameters
    const old = { ...plain.last!, step: 1, recipe: { ...plain.last!.recipe, config: { ...plain.last!.recipe.config, init: undefined } } } as unknown as PretrainCheckpoint;
    const resumed = await run(validateRunConfig({ ...base, steps: 2 }), { ...old, step: 2 });
    expect(resumed.points).toEqual([]); // nothing left after step 2: resumable, not refused for the missing init
    await expect(run(validateRunConfig({ ...base, init: 'shift', preset: 'micro' }), { ...old, recipe: { ...old.recipe, config: { ...old.recipe.config, lr: 1 } } })).rejects.toThrow(/config\.lr differs/);
  });
});
