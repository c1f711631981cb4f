// HF folder interchange. A tiny random BERT is written here as an HF folder in PyTorch's own layout (keys and
// [out, in] nn.Linear weights listed by hand, not taken from paramShapes), imported through the product path, and its
// logits compared with a plain float64 BERT written in this file (token types, post-LN, padding mask, exact erf GELU,
// tied decoder). Then: export → re-import identity, F16/BF16 storage, every key-mapping variant and every bad input.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportHfFolder, HfFolderError, hfFolderFiles, importHfFolder, isHfFolderFile, modelFromWeights, parseHfFolder, tokenizerSize, type HfFile } from './hfFolder.ts';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, NonFiniteWeightError, readSafetensors, SafetensorsError, writeSafetensors, type WritableDtype } from './safetensors.ts';
import { createMlm, encode, mlmLogits, type MlmModel } from './mlm.ts';
import { ConfigError, makeConfig } from './config.ts';
import { bertTokenizer, toTokenizerJson, toVocabTxt, TokenizerFormatError } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { BpeModel } from '../tokenizers/bpe.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// ---- the tiny BERT, as PyTorch would save it ----------------------------------------------------------------------

const V = 50;
const H = 16;
const LAYERS = 2;
const HEADS = 2;
const FFN = 24;
const POS = 16;
const TYPES = 2;
const EPS = 1e-12;

const BASE_CONFIG = {
  architectures: ['BertForMaskedLM'],
  model_type: 'bert',
  vocab_size: V,
  hidden_size: H,
  num_hidden_layers: LAYERS,
  num_attention_heads: HEADS,
  intermediate_size: FFN,
  hidden_act: 'gelu',
  max_position_embeddings: POS,
  type_vocab_size: TYPES,
  layer_norm_eps: EPS,
  initializer_range: 0.02,
  pad_token_id: 0,
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  transformers_version: '4.44.0',
};

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: V - 5 }, (_, i) => `w${i}`)];
const TOKENIZER = bertTokenizer(new WordPieceModel(VOCAB), DEFAULT_NORMALIZER);

type HfTensor = { shape: number[]; data: Float32Array };

/** Seeded values (mulberry32 + Box–Muller), independent of the engine's init. */
function randn(seed: number, n: number, std: number, mean = 0): Float32Array {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return Float32Array.from({ length: n }, () => mean + std * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

/** Every BertForMaskedLM tensor in HF layout (nn.Linear weight = [out, in]), random including LayerNorms and biases. */
function hfTensors(v = V, seed = 1): Map<string, HfTensor> {
  const m = new Map<string, HfTensor>();
  let s = seed * 1000;
  const put = (k: string, shape: number[], std: number, mean = 0) => m.set(k, { shape, data: randn(s++, shape.reduce((a, b) => a * b, 1), std, mean) });
  const linear = (k: string, out: number, inp: number) => {
    put(`${k}.weight`, [out, inp], 0.25);
    put(`${k}.bias`, [out], 0.1);
  };
  const norm = (k: string) => {
    put(`${k}.weight`, [H], 0.1, 1);
    put(`${k}.bias`, [H], 0.1);
  };
  put('bert.embeddings.word_embeddings.weight', [v, H], 1);
  put('bert.embeddings.position_embeddings.weight', [POS, H], 0.5);
  put('bert.embeddings.token_type_embeddings.weight', [TYPES, H], 0.5);
  norm('bert.embeddings.LayerNorm');
  for (let i = 0; i < LAYERS; i++) {
    const p = `bert.encoder.layer.${i}`;
    linear(`${p}.attention.self.query`, H, H);
    linear(`${p}.attention.self.key`, H, H);
    linear(`${p}.attention.self.value`, H, H);
    linear(`${p}.attention.output.dense`, H, H);
    norm(`${p}.attention.output.LayerNorm`);
    linear(`${p}.intermediate.dense`, FFN, H);
    linear(`${p}.output.dense`, H, FFN);
    norm(`${p}.output.LayerNorm`);
  }
  linear('cls.predictions.transform.dense', H, H);
  norm('cls.predictions.transform.LayerNorm');
  put('cls.predictions.bias', [v], 0.1);
  return m;
}

const enc = (o: unknown) => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o));

function folder(opts: { config?: object; tensors?: Map<string, HfTensor> | Iterable<[string, HfTensor & { dtype?: WritableDtype }]>; dtype?: WritableDtype; tokenizer?: Tokenizer } = {}): HfFile[] {
  return [
    { name: 'config.json', bytes: enc(opts.config ?? BASE_CONFIG) },
    { name: 'model.safetensors', bytes: writeSafetensors(opts.tensors ?? hfTensors(), { dtype: opts.dtype, metadata: { format: 'pt' } }) },
    { name: 'tokenizer.json', bytes: enc(toTokenizerJson(opts.tokenizer ?? TOKENIZER)) },
  ];
}

/** Rewrites a safetensors header (JSON object) in place of the old one; `extra` bytes are appended to the buffer. */
function rewriteHeader(bytes: Uint8Array, edit: (header: Record<string, Record<string, unknown>>, bufferLength: number) => void, extra = new Uint8Array(0)): Uint8Array {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const buffer = bytes.subarray(8 + n);
  edit(header, buffer.length);
  const h = enc(header);
  const out = new Uint8Array(8 + h.length + buffer.length + extra.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(buffer, 8 + h.length);
  out.set(extra, 8 + h.length + buffer.length);
  return out;
}

// ---- float64 reference --------------------------------------------------------------------------------------------

function erf(x: number): number {
  if (Math.abs(x) > 6) return Math.sign(x);
  // Maclaurin series: erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)).
  let term = x;
  let sum = x;
  for (let n = 1; n < 300; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
    if (Math.abs(term) < 1e-18) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const geluExact = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

type Mat = number[][];

function refLogits(w: Map<string, HfTensor>, ids: number[][], mask: number[][], types: number[][]): Mat[] {
  const get = (k: string) => Array.from(w.get(k)!.data);
  const row = (k: string, r: number) => get(k).slice(r * H, (r + 1) * H);
  const lin = (x: Mat, k: string): Mat => {
    const W = w.get(`${k}.weight`)!;
    const [out, inp] = W.shape;
    const b = get(`${k}.bias`);
    return x.map((xi) => Array.from({ length: out }, (_, o) => {
      let s = b[o];
      for (let j = 0; j < inp; j++) s += xi[j] * W.data[o * inp + j];
      return s;
    }));
  };
  const ln = (x: Mat, k: string): Mat => {
    const g = get(`${k}.weight`);
    const b = get(`${k}.bias`);
    return x.map((xi) => {
      const mean = xi.reduce((a, c) => a + c, 0) / xi.length;
      const vari = xi.reduce((a, c) => a + (c - mean) ** 2, 0) / xi.length;
      return xi.map((c, j) => ((c - mean) / Math.sqrt(vari + EPS)) * g[j] + b[j]);
    });
  };
  const add = (a: Mat, b: Mat): Mat => a.map((r, i) => r.map((c, j) => c + b[i][j]));
  const hs = H / HEADS;
  return ids.map((seq, bi) => {
    const T = seq.length;
    let x: Mat = seq.map((id, t) => {
      const we = row('bert.embeddings.word_embeddings.weight', id);
      const pe = row('bert.embeddings.position_embeddings.weight', t);
      const te = row('bert.embeddings.token_type_embeddings.weight', types[bi][t]);
      return we.map((c, j) => c + pe[j] + te[j]);
    });
    x = ln(x, 'bert.embeddings.LayerNorm');
    const keys = Array.from({ length: T }, (_, j) => j).filter((j) => mask[bi][j] === 1); // padded keys are left out
    for (let l = 0; l < LAYERS; l++) {
      const p = `bert.encoder.layer.${l}`;
      const q = lin(x, `${p}.attention.self.query`);
      const k = lin(x, `${p}.attention.self.key`);
      const v = lin(x, `${p}.attention.self.value`);
      const ctx: Mat = Array.from({ length: T }, () => new Array(H).fill(0));
      for (let h = 0; h < HEADS; h++) {
        for (let i = 0; i < T; i++) {
          const scores = keys.map((j) => {
            let s = 0;
            for (let d = 0; d < hs; d++) s += q[i][h * hs + d] * k[j][h * hs + d];
            return s / Math.sqrt(hs);
          });
          const mx = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - mx));
          const z = e.reduce((a, c) => a + c, 0);
          keys.forEach((j, n) => {
            for (let d = 0; d < hs; d++) ctx[i][h * hs + d] += (e[n] / z) * v[j][h * hs + d];
          });
        }
      }
      x = ln(add(x, lin(ctx, `${p}.attention.output.dense`)), `${p}.attention.output.LayerNorm`);
      const inner = lin(x, `${p}.intermediate.dense`).map((r) => r.map(geluExact));
      x = ln(add(x, lin(inner, `${p}.output.dense`)), `${p}.output.LayerNorm`);
    }
    const t = ln(lin(x, 'cls.predictions.transform.dense').map((r) => r.map(geluExact)), 'cls.predictions.transform.LayerNorm');
    const word = w.get('bert.embeddings.word_embeddings.weight')!;
    const vsize = word.shape[0];
    const bias = get('cls.predictions.bias');
    return t.map((ti) => Array.from({ length: vsize }, (_, o) => {
      let s = bias[o];
      for (let j = 0; j < H; j++) s += ti[j] * word.data[o * H + j];
      return s;
    }));
  });
}

// ---- our logits ---------------------------------------------------------------------------------------------------

// Row 0: 8 tokens, two segments. Row 1: 5 tokens + 3 padding, two segments.
const IDS = [
  [2, 17, 4, 33, 3, 9, 48, 3],
  [2, 21, 4, 3, 12, 0, 0, 0],
];
const MASK = [
  [1, 1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1, 0, 0, 0],
];
const TYPE_IDS = [
  [0, 0, 0, 0, 0, 1, 1, 1],
  [0, 0, 0, 0, 1, 0, 0, 0],
];

async function ourLogits(model: MlmModel, ids = IDS, mask = MASK, types: number[][] | null = TYPE_IDS): Promise<Float32Array> {
  const out = tf.tidy(() => {
    const t2 = (m: number[][]) => tf.tensor2d(m, [m.length, m[0].length], 'int32');
    const h = encode(model, t2(ids), t2(mask), types ? t2(types) : undefined);
    return mlmLogits(model, h);
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

function maxDiff(ours: Float32Array, ref: Mat[]): number {
  const flat = ref.flat(2);
  expect(ours.length).toBe(flat.length);
  let m = 0;
  for (let i = 0; i < flat.length; i++) m = Math.max(m, Math.abs(ours[i] - flat[i]));
  return m;
}

async function variablesOf(model: MlmModel): Promise<Map<string, Float32Array>> {
  const m = new Map<string, Float32Array>();
  for (const [k, v] of Object.entries(model.params)) m.set(k, Float32Array.from(await v.data()));
  return m;
}

/** Runs `fn`, expects a `cls` error whose message matches every fragment, and no TF.js tensor left behind. */
function expectImportError(files: HfFile[], cls: new (...a: never[]) => Error, ...fragments: (string | RegExp)[]): Error {
  const before = tf.memory().numTensors;
  let err: unknown;
  try {
    importHfFolder(files).model.dispose();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  for (const f of fragments) expect((err as Error).message, (err as Error).message).toMatch(f);
  expect(tf.memory().numTensors).toBe(before);
  return err as Error;
}

/**
 * Stated tolerances for half-precision storage, relative to the largest |logit|: F16 keeps 11 significant bits
 * (weights within 2^-12 relative), BF16 8 bits (2^-9); through 2 layers the logits drift by ~0.2 % (F16) and ~2 %
 * (BF16) of their scale on this model.
 */
const F16_TOLERANCE = 5e-3;
const BF16_TOLERANCE = 4e-2;

// ---- tests --------------------------------------------------------------------------------------------------------

describe('numerical reference: HF folder → our model vs a float64 BERT', () => {
  const weights = hfTensors();
  const ref = refLogits(weights, IDS, MASK, TYPE_IDS);
  /** Largest |logit| of the reference (≈ 15 here): half-precision storage errors scale with it. */
  const scale = Math.max(...ref.flat(2).map(Math.abs));
  let imported: ReturnType<typeof importHfFolder>;

  beforeAll(() => {
    imported = importHfFolder(folder({ tensors: weights }));
  });
  afterAll(() => imported.model.dispose());

  it('config, tokenizer and no warnings', () => {
    expect(imported.warnings).toEqual([]);
    expect(imported.config).toMatchObject({ vocabSize: V, hiddenSize: H, numLayers: LAYERS, numHeads: HEADS, intermediateSize: FFN, maxPositions: POS, typeVocabSize: TYPES });
    expect(imported.tokenizer.vocab).toEqual(VOCAB);
  });

  it('logits within 1e-4 of the float64 reference, padded row and token types included', async () => {
    const ours = await ourLogits(imported.model);
    const d = maxDiff(ours, ref);
    expect(d).toBeLessThan(1e-4);
    // The reference is not trivially small: logits spread over several units.
    expect(Math.max(...ref.flat(2).map(Math.abs))).toBeGreaterThan(3);
  });

  it('padding is masked: the padded row matches the same 5 tokens without padding', async () => {
    const padded = await ourLogits(imported.model);
    const alone = await ourLogits(imported.model, [IDS[1].slice(0, 5)], [[1, 1, 1, 1, 1]], [TYPE_IDS[1].slice(0, 5)]);
    const rowStart = 8 * V;
    let m = 0;
    for (let i = 0; i < 5 * V; i++) m = Math.max(m, Math.abs(padded[rowStart + i] - alone[i]));
    expect(m).toBeLessThan(1e-5);
    // …and the reference agrees with itself the same way (the mask changes the answer when ignored).
    const noMask = refLogits(weights, [IDS[1]], [[1, 1, 1, 1, 1, 1, 1, 1]], [TYPE_IDS[1]]);
    expect(Math.abs(noMask[0][0][5] - ref[1][0][5])).toBeGreaterThan(1e-3);
  });

  it('token types matter and default to 0', async () => {
    const zeros = IDS.map((r) => r.map(() => 0));
    const withZeros = await ourLogits(imported.model, IDS, MASK, zeros);
    const omitted = await ourLogits(imported.model, IDS, MASK, null);
    expect(maxDiff(omitted, refLogits(weights, IDS, MASK, zeros))).toBeLessThan(1e-4);
    expect(maxDiff(withZeros, refLogits(weights, IDS, MASK, zeros))).toBeLessThan(1e-4);
    expect(maxDiff(withZeros, ref)).toBeGreaterThan(1e-2);
  });

  it('export → re-import: bit-identical weights and identical logits; the export reproduces the HF tensors', async () => {
    const { files, notes } = await exportHfFolder(imported.model, imported.tokenizer);
    expect(notes).toEqual([]);
    expect(files.map((f) => f.name).sort()).toEqual(['config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const again = importHfFolder(files);
    try {
      expect(again.warnings).toEqual([]);
      expect(again.config).toEqual(imported.config);
      expect(await variablesOf(again.model)).toEqual(await variablesOf(imported.model));
      expect(await ourLogits(again.model)).toEqual(await ourLogits(imported.model));
    } finally {
      again.model.dispose();
    }
    const st = readSafetensors(files.find((f) => f.name === 'model.safetensors')!.bytes);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect([...st.tensors.keys()].sort()).toEqual([...weights.keys()].sort()); // HF keys, no decoder.weight
    for (const [k, t] of weights) expect(st.tensors.get(k), k).toEqual({ dtype: 'F32', shape: t.shape, data: t.data });
    // Deterministic bytes.
    const second = await exportHfFolder(imported.model, imported.tokenizer);
    expect(second.files).toEqual(files);
  });

  it('config.json, tokenizer files and vocab.txt of the export', async () => {
    const { files } = await exportHfFolder(imported.model, imported.tokenizer);
    const text = (n: string) => new TextDecoder().decode(files.find((f) => f.name === n)!.bytes);
    const cfg = JSON.parse(text('config.json'));
    expect(cfg).toMatchObject({ architectures: ['BertForMaskedLM'], model_type: 'bert', vocab_size: V, hidden_size: H, num_hidden_layers: LAYERS, num_attention_heads: HEADS, intermediate_size: FFN, max_position_embeddings: POS, type_vocab_size: TYPES, hidden_act: 'gelu', torch_dtype: 'float32' });
    expect(text('vocab.txt')).toBe(VOCAB.join('\n') + '\n');
    expect(JSON.parse(text('tokenizer_config.json'))).toMatchObject({ tokenizer_class: 'BertTokenizerFast', mask_token: '[MASK]', model_max_length: POS, do_lower_case: false });
    expect(JSON.parse(text('special_tokens_map.json'))).toEqual({ unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' });
  });

  it('F16 storage: exact against the reference on half-rounded weights, within 0.5 % of the logit scale of the float32 weights', async () => {
    const rounded = new Map([...weights].map(([k, t]) => [k, { shape: t.shape, data: f16ToF32(f32ToF16(t.data)) }]));
    const half = importHfFolder(folder({ tensors: weights, dtype: 'F16' }));
    try {
      const ours = await ourLogits(half.model);
      expect(maxDiff(ours, refLogits(rounded, IDS, MASK, TYPE_IDS))).toBeLessThan(1e-4);
      const loose = maxDiff(ours, ref);
      expect(loose).toBeLessThan(F16_TOLERANCE * scale);
      expect(loose).toBeGreaterThan(0);
    } finally {
      half.model.dispose();
    }
  });

  it('F16 and BF16 export round trips: weights equal the rounded originals', async () => {
    for (const dtype of ['F16', 'BF16'] as const) {
      const { files } = await exportHfFolder(imported.model, imported.tokenizer, { dtype });
      expect(JSON.parse(new TextDecoder().decode(files[0].bytes)).torch_dtype).toBe(dtype === 'F16' ? 'float16' : 'bfloat16');
      const st = readSafetensors(files.find((f) => f.name === 'model.safetensors')!.bytes);
      expect(st.tensors.get('cls.predictions.bias')!.dtype).toBe(dtype);
      const back = importHfFolder(files);
      try {
        const ours = await ourLogits(back.model);
        const orig = await variablesOf(imported.model);
        const rounded = new Map([...orig].map(([k, v]) => [k, dtype === 'F16' ? f16ToF32(f32ToF16(v)) : bf16ToF32(f32ToBf16(v))]));
        expect(await variablesOf(back.model)).toEqual(rounded);
        expect(maxDiff(ours, ref)).toBeLessThan((dtype === 'F16' ? F16_TOLERANCE : BF16_TOLERANCE) * scale);
      } finally {
        back.model.dispose();
      }
    }
  });
});

describe('key mapping', () => {
  const weights = hfTensors();
  let baseline: Float32Array;
  beforeAll(async () => {
    const m = importHfFolder(folder({ tensors: weights }));
    baseline = await ourLogits(m.model);
    m.model.dispose();
  });

  async function logitsOf(files: HfFile[]) {
    const m = importHfFolder(files);
    try {
      return { warnings: m.warnings, logits: await ourLogits(m.model) };
    } finally {
      m.model.dispose();
    }
  }

  it('bare BertModel keys, legacy LayerNorm gamma/beta and tied decoder copies load silently', async () => {
    const t = new Map<string, HfTensor>();
    for (const [k, v] of weights) {
      let key = k.replace(/^bert\./, '');
      key = key.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
      t.set(key, v);
    }
    t.set('cls.predictions.decoder.weight', weights.get('bert.embeddings.word_embeddings.weight')!);
    t.set('cls.predictions.decoder.bias', weights.get('cls.predictions.bias')!);
    const files = folder({ tensors: t });
    expect(readSafetensors(files[1].bytes).tensors.has('embeddings.LayerNorm.gamma')).toBe(true);
    const { warnings, logits } = await logitsOf(files);
    expect(warnings).toEqual([]);
    expect(logits).toEqual(baseline);
  });

  it('an int64 position_ids buffer is ignored silently', async () => {
    const files = folder({ tensors: weights });
    const ids = new BigInt64Array(POS).map((_, i) => BigInt(i));
    files[1] = {
      name: 'model.safetensors',
      bytes: rewriteHeader(files[1].bytes, (h, len) => { h['bert.embeddings.position_ids'] = { dtype: 'I64', shape: [1, POS], data_offsets: [len, len + 8 * POS] }; }, new Uint8Array(ids.buffer)),
    };
    expect(readSafetensors(files[1].bytes).tensors.get('bert.embeddings.position_ids')!.data).toEqual(ids);
    const { warnings, logits } = await logitsOf(files);
    expect(warnings).toEqual([]);
    expect(logits).toEqual(baseline);
  });

  it('pooler and next-sentence head are dropped with a warning; unknown keys are listed in a warning', async () => {
    const t = new Map(weights);
    t.set('bert.pooler.dense.weight', { shape: [H, H], data: new Float32Array(H * H) });
    t.set('bert.pooler.dense.bias', { shape: [H], data: new Float32Array(H) });
    t.set('cls.seq_relationship.weight', { shape: [2, H], data: new Float32Array(2 * H) });
    t.set('cls.seq_relationship.bias', { shape: [2], data: new Float32Array(2) });
    t.set('bert.encoder.layer.9.attention.self.query.weight', { shape: [H, H], data: new Float32Array(H * H) });
    t.set('classifier.weight', { shape: [3, H], data: new Float32Array(3 * H) });
    const { warnings, logits } = await logitsOf(folder({ tensors: t }));
    expect(logits).toEqual(baseline);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/dropped 4 tensors not used by a masked LM \(pooler \/ next-sentence head\): bert\.pooler\.dense\.bias, bert\.pooler\.dense\.weight, cls\.seq_relationship\.bias, cls\.seq_relationship\.weight/);
    expect(warnings[1]).toMatch(/dropped 2 unexpected tensors: bert\.encoder\.layer\.9\.attention\.self\.query\.weight, classifier\.weight/);
  });

  it('an untied decoder weight or a different decoder bias is a warning; the decoder stays tied', async () => {
    const t = new Map(weights);
    const word = weights.get('bert.embeddings.word_embeddings.weight')!;
    const other = Float32Array.from(word.data, (x, i) => (i === 7 ? x + 0.5 : x));
    t.set('cls.predictions.decoder.weight', { shape: word.shape, data: other });
    t.set('cls.predictions.decoder.bias', { shape: [V], data: new Float32Array(V) });
    const { warnings, logits } = await logitsOf(folder({ tensors: t }));
    expect(logits).toEqual(baseline);
    expect(warnings.join('\n')).toMatch(/"cls\.predictions\.decoder\.bias" differs from "cls\.predictions\.bias"/);
    expect(warnings.join('\n')).toMatch(/"cls\.predictions\.decoder\.weight" differs from the word embeddings \(max \|Δ\| 0\.500\): an untied decoder/);
  });

  it('only the decoder copy of the output bias: used as cls.predictions.bias', async () => {
    const t = new Map(weights);
    t.delete('cls.predictions.bias');
    t.set('cls.predictions.decoder.bias', weights.get('cls.predictions.bias')!);
    const { warnings, logits } = await logitsOf(folder({ tensors: t }));
    expect(warnings).toEqual([]);
    expect(logits).toEqual(baseline);
  });

  it('a sharded checkpoint (model.safetensors.index.json) loads; a path prefix on file names is ignored', async () => {
    const entries = [...weights];
    const a = new Map(entries.slice(0, 10));
    const b = new Map(entries.slice(10));
    const weightMap = Object.fromEntries([...[...a.keys()].map((k) => [k, 'model-00001-of-00002.safetensors']), ...[...b.keys()].map((k) => [k, 'model-00002-of-00002.safetensors'])]);
    const files: HfFile[] = [
      { name: 'm/config.json', bytes: enc(BASE_CONFIG) },
      { name: 'm/model.safetensors.index.json', bytes: enc({ metadata: {}, weight_map: weightMap }) },
      { name: 'm/model-00001-of-00002.safetensors', bytes: writeSafetensors(a) },
      { name: 'm/model-00002-of-00002.safetensors', bytes: writeSafetensors(b) },
      { name: 'm/tokenizer.json', bytes: enc(toTokenizerJson(TOKENIZER)) },
    ];
    expect((await logitsOf(files)).logits).toEqual(baseline);
    expectImportError(files.filter((f) => !f.name.endsWith('model-00002-of-00002.safetensors')), HfFolderError, /names shard not given: model-00002-of-00002\.safetensors/);
  });

  it('vocab.txt instead of tokenizer.json, with do_lower_case from tokenizer_config.json', () => {
    const vocabTxt = VOCAB.map((t) => (t.startsWith('w') ? t.toUpperCase() : t)).join('\n') + '\n';
    const base = folder({ tensors: weights }).slice(0, 2);
    const cased = importHfFolder([...base, { name: 'vocab.txt', bytes: enc(vocabTxt) }, { name: 'tokenizer_config.json', bytes: enc({ do_lower_case: false }) }]);
    expect(cased.tokenizer.parts.normalizer!.lowercase).toBe(false);
    expect(cased.tokenizer.encode('W3 w3').ids).toEqual([2, 8, 1, 3]);
    cased.model.dispose();
    const guessed = importHfFolder([...base, { name: 'vocab.txt', bytes: enc(vocabTxt) }]);
    expect(guessed.tokenizer.parts.normalizer!.lowercase).toBe(false); // upper-case entries: cased
    guessed.model.dispose();
  });

  it('isHfFolderFile picks the files an import reads', () => {
    expect(['config.json', 'a/b/model.safetensors', 'model-00001-of-00002.safetensors', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'model.safetensors.index.json'].every(isHfFolderFile)).toBe(true);
    expect(['pytorch_model.bin', 'README.md', 'tf_model.h5', 'special_tokens_map.json'].some(isHfFolderFile)).toBe(false);
  });
});

describe('vocabulary sizes', () => {
  it('a tokenizer smaller than vocab_size (padded vocabulary) loads with a warning naming both sizes', () => {
    const r = importHfFolder(folder({ config: { ...BASE_CONFIG, vocab_size: 56 }, tensors: hfTensors(56) }));
    expect(r.config.vocabSize).toBe(56);
    expect(r.warnings).toEqual([expect.stringMatching(/the tokenizer has 50 tokens, fewer than config\.json vocab_size 56 .*ids 50\.\.55 are never produced/)]);
    r.model.dispose();
  });

  it('a tokenizer larger than vocab_size is an error naming both sizes', () => {
    expectImportError(folder({ config: { ...BASE_CONFIG, vocab_size: 48 }, tensors: hfTensors(48) }), HfFolderError, /tokenizer has 50 tokens but config\.json vocab_size is 48/);
  });

  it('added tokens beyond the model vocabulary count (HF len(tokenizer))', () => {
    const tok = bertTokenizer(new WordPieceModel(VOCAB), DEFAULT_NORMALIZER);
    tok.parts.addedTokens.push({ id: 50, content: '<extra>', special: true });
    expect(tokenizerSize(tok)).toBe(51);
    expectImportError(folder({ tokenizer: tok }), HfFolderError, /tokenizer has 51 tokens but config\.json vocab_size is 50/);
  });
});

describe('bad input: named errors, nothing half-loaded', () => {
  it('a safetensors header length beyond the file', () => {
    const files = folder();
    const bad = files[1].bytes.slice();
    new DataView(bad.buffer).setUint32(0, bad.length, true);
    files[1] = { name: 'model.safetensors', bytes: bad };
    expectImportError(files, SafetensorsError, /header length \d+ runs past the end of the file/);
  });

  it('a safetensors header that is not JSON, or with overlapping offsets', () => {
    const files = folder();
    const bad = files[1].bytes.slice();
    bad[9] = 0x21; // '{"' → '{!'
    expectImportError([files[0], { name: 'model.safetensors', bytes: bad }, files[2]], SafetensorsError, /header is not valid JSON/);
    const overlapping = rewriteHeader(files[1].bytes, (h) => {
      const o = h['cls.predictions.bias'].data_offsets as number[];
      h['cls.predictions.bias'].data_offsets = [o[0] - 4, o[1] - 4];
    });
    expectImportError([files[0], { name: 'model.safetensors', bytes: overlapping }, files[2]], SafetensorsError, /tensor "cls\.predictions\.bias": data_offsets \[\d+, \d+\] overlap tensor/);
  });

  it('a tensor shape that disagrees with the config names the key and both shapes', () => {
    const t = hfTensors();
    const k = 'bert.encoder.layer.1.intermediate.dense.weight';
    t.set(k, { shape: [H, FFN], data: t.get(k)!.data }); // stored [in, out] instead of nn.Linear's [out, in]
    const err = expectImportError(folder({ tensors: t }), HfFolderError, `"${k}" has shape [16, 24] but the config needs [24, 16] ([out, in])`);
    expect(err.name).toBe('HfFolderError');
  });

  it('config intermediate_size disagreeing with the weights lists every affected key', () => {
    expectImportError(
      folder({ config: { ...BASE_CONFIG, intermediate_size: 32 } }),
      HfFolderError,
      /"bert\.encoder\.layer\.0\.intermediate\.dense\.weight" has shape \[24, 16\] but the config needs \[32, 16\]/,
      /"bert\.encoder\.layer\.0\.intermediate\.dense\.bias" has shape \[24\] but the config needs \[32\]/,
      /"bert\.encoder\.layer\.1\.output\.dense\.weight" has shape \[16, 24\] but the config needs \[16, 32\]/,
    );
  });

  it('missing keys are listed', () => {
    const t = hfTensors();
    t.delete('bert.encoder.layer.0.attention.self.key.bias');
    t.delete('bert.embeddings.token_type_embeddings.weight');
    expectImportError(folder({ tensors: t }), HfFolderError, /missing 2 tensors the config needs: bert\.embeddings\.token_type_embeddings\.weight, bert\.encoder\.layer\.0\.attention\.self\.key\.bias/);
  });

  it('a bare BertModel without the masked-LM head says so', () => {
    const t = new Map([...hfTensors()].filter(([k]) => !k.startsWith('cls.')).map(([k, v]) => [k.replace(/^bert\./, ''), v]));
    t.set('pooler.dense.weight', { shape: [H, H], data: new Float32Array(H * H) });
    t.set('pooler.dense.bias', { shape: [H], data: new Float32Array(H) });
    expectImportError(folder({ tensors: t }), HfFolderError, /missing 5 tensors .*cls\.predictions\.bias.*bare BertModel checkpoint without the masked-LM head/);
  });

  it('a weight stored as an integer dtype', () => {
    const files = folder();
    files[1] = { name: 'model.safetensors', bytes: rewriteHeader(files[1].bytes, (h) => { h['cls.predictions.bias'].dtype = 'I32'; }) };
    expectImportError(files, HfFolderError, /"cls\.predictions\.bias" has dtype I32; weights must be F32, F16, BF16 or F64/);
  });

  it('two file keys mapping to one of ours (gamma and weight)', () => {
    const t = hfTensors();
    t.set('bert.embeddings.LayerNorm.gamma', t.get('bert.embeddings.LayerNorm.weight')!);
    expectImportError(folder({ tensors: t }), HfFolderError, /"bert\.embeddings\.LayerNorm\.gamma" and "bert\.embeddings\.LayerNorm\.weight" both map to "bert\.embeddings\.LayerNorm\.weight"|"bert\.embeddings\.LayerNorm\.weight" and "bert\.embeddings\.LayerNorm\.gamma" both map/);
  });

  it('hidden size not divisible by heads, unsupported activation, config not JSON', () => {
    expectImportError(folder({ config: { ...BASE_CONFIG, num_attention_heads: 3 } }), ConfigError, /hidden_size \(16\) is not divisible by num_attention_heads \(3\)/);
    expectImportError(folder({ config: { ...BASE_CONFIG, hidden_act: 'relu' } }), ConfigError, /hidden_act "relu" is not supported/);
    const files = folder();
    files[0] = { name: 'config.json', bytes: enc('{"vocab_size": 50,') };
    expectImportError(files, HfFolderError, /config\.json is not valid JSON/);
  });

  it('missing files, pickle-only weights, duplicate names, a broken tokenizer', () => {
    const [cfg, st, tok] = folder();
    expectImportError([st, tok], HfFolderError, /no config\.json \(files given: model\.safetensors, tokenizer\.json\)/);
    expectImportError([cfg, tok], HfFolderError, /no weights: the folder needs model\.safetensors \(files given/);
    expectImportError([cfg, tok, { name: 'pytorch_model.bin', bytes: new Uint8Array(4) }], HfFolderError, /pytorch_model\.bin is a pickle/);
    expectImportError([cfg, st], HfFolderError, /no tokenizer: the folder needs tokenizer\.json or vocab\.txt/);
    expectImportError([cfg, st, tok, { name: 'other/config.json', bytes: cfg.bytes }], HfFolderError, /two files named config\.json/);
    expectImportError([cfg, st, { name: 'tokenizer.json', bytes: enc('{"model": {"type": "Unigram", "vocab": {}}}') }], TokenizerFormatError, /unsupported model type "Unigram"/);
  });

  it('two junk files are named (not "files given: none"); the folder\'s files are kept, the rest dropped', () => {
    const junk = [{ name: 'notes.pdf', bytes: new Uint8Array(3) }, { name: 'photo.png', bytes: new Uint8Array(3) }];
    expect(() => hfFolderFiles(junk)).toThrow(HfFolderError);
    expect(() => hfFolderFiles(junk)).toThrow('none of the files given is part of an HF folder (notes.pdf, photo.png): give config.json, model.safetensors and tokenizer.json or vocab.txt');
    const [cfg, st, tok] = folder();
    expect(hfFolderFiles([...junk, cfg, st, tok]).map((f) => f.name)).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    expect(hfFolderFiles([])).toEqual([]);
  });

  it('modelFromWeights checks every key and length before creating a variable', () => {
    const parsed = parseHfFolder(folder());
    const before = tf.memory().numTensors;
    const short = new Map(parsed.weights);
    short.set('cls.predictions.bias', new Float32Array(3));
    expect(() => modelFromWeights(parsed.config, short)).toThrow(/weights for "cls\.predictions\.bias" have 3 values; shape \[50\] needs 50/);
    const missing = new Map(parsed.weights);
    missing.delete('bert.embeddings.LayerNorm.bias');
    expect(() => modelFromWeights(parsed.config, missing)).toThrow(/weights missing for: bert\.embeddings\.LayerNorm\.bias/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('export of our own models', () => {
  it('typeVocabSize 0 exports as type_vocab_size 1 with a zero row; re-import gives identical logits', async () => {
    const model = createMlm(makeConfig({ vocabSize: V, hiddenSize: H, numLayers: 1, numHeads: 2, intermediateSize: FFN, maxPositions: POS, typeVocabSize: 0 }), 5);
    const { files, notes } = await exportHfFolder(model, TOKENIZER);
    expect(notes).toEqual([expect.stringMatching(/type_vocab_size 0 written as 1 with a zero token-type row/)]);
    const back = importHfFolder(files);
    expect(back.config.typeVocabSize).toBe(1);
    expect([...(await back.model.params['bert.embeddings.token_type_embeddings.weight'].data())]).toEqual(new Array(H).fill(0));
    expect(await ourLogits(back.model, IDS, MASK, null)).toEqual(await ourLogits(model, IDS, MASK, null));
    back.model.dispose();
    model.dispose();
  });

  it('a factorised model round-trips through our extension keys, noted as not loadable by HF', async () => {
    const model = createMlm(makeConfig({ vocabSize: V, hiddenSize: H, numLayers: 1, numHeads: 2, intermediateSize: FFN, maxPositions: POS, embeddingSize: 8 }), 6);
    const { files, notes } = await exportHfFolder(model, TOKENIZER);
    expect(notes.join('\n')).toMatch(/not loadable by HF BertForMaskedLM: factorised embeddings/);
    expect(JSON.parse(new TextDecoder().decode(files[0].bytes)).embedding_size).toBe(8);
    const back = importHfFolder(files);
    expect(back.warnings).toEqual([]);
    expect(await variablesOf(back.model)).toEqual(await variablesOf(model));
    expect(await ourLogits(back.model)).toEqual(await ourLogits(model));
    back.model.dispose();
    model.dispose();
  });

  it('a BPE tokenizer: tokenizer.json only, no vocab.txt (noted)', async () => {
    const bpeVocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'ab'];
    const bpe = bertTokenizer(new BpeModel(bpeVocab, [['a', 'b']], { unkToken: '[UNK]' }), DEFAULT_NORMALIZER);
    const model = createMlm(makeConfig({ vocabSize: bpeVocab.length, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 8, maxPositions: 8 }), 7);
    const { files, notes } = await exportHfFolder(model, bpe);
    expect(files.map((f) => f.name)).not.toContain('vocab.txt');
    expect(notes.join('\n')).toMatch(/vocab\.txt not written: the tokenizer is BPE/);
    const back = importHfFolder(files);
    expect(back.tokenizer.parts.model.kind).toBe('bpe');
    expect(back.tokenizer.encode('ab').ids).toEqual(bpe.encode('ab').ids);
    back.model.dispose();
    model.dispose();
  });

  it('refuses a tokenizer larger than the model vocabulary', async () => {
    const model = createMlm(makeConfig({ vocabSize: 40, hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 8, maxPositions: 8 }), 8);
    await expect(exportHfFolder(model, TOKENIZER)).rejects.toThrow(/the tokenizer has 50 tokens but the model's vocabulary is 40/);
    model.dispose();
  });
});

describe('refused at load (issue 17 §3, §4)', () => {
  it('a tensor with NaN or Infinity is a NonFiniteWeightError naming the tensor, the count and the first index', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const t = hfTensors();
      const q = t.get('bert.encoder.layer.0.attention.self.query.weight')!;
      const data = Float32Array.from(q.data);
      data[5] = bad;
      data[7] = bad;
      t.set('bert.encoder.layer.0.attention.self.query.weight', { ...q, data });
      expect(() => parseHfFolder(folder({ tensors: t }))).toThrow(NonFiniteWeightError);
      expect(() => parseHfFolder(folder({ tensors: t }))).toThrow(/tensor "bert\.encoder\.layer\.0\.attention\.self\.query\.weight" has 2 non-finite values .*first at flat index 5/);
    }
  });

  it('a vocab.txt (no tokenizer.json) shorter than vocab_size is an HfFolderError; a tokenizer.json one stays a warning', () => {
    const files = folder({ config: { ...BASE_CONFIG, vocab_size: 56 }, tensors: hfTensors(56) });
    const vocabOnly = [...files.filter((f) => f.name !== 'tokenizer.json'), { name: 'vocab.txt', bytes: new TextEncoder().encode(toVocabTxt(TOKENIZER)) }];
    expect(() => parseHfFolder(vocabOnly)).toThrow(/vocab\.txt has 50 entries but config\.json vocab_size is 56/);
    expect(parseHfFolder(files).warnings).toHaveLength(1);
  });
});
