/**
 * Shift-head initialisation: a plain BERT whose first layer starts with "previous / next token" attention heads. The
 * TypeScript port of `tools/teacher/shift_init.py` (the initialisation of the shipped teachers); `shiftInit.test.ts`
 * compares it with that script.
 *
 * Why: from BERT's plain N(0, 0.02) initialisation a small post-LN BERT on a small corpus stalls for thousands of steps
 * on the bag-of-words plateau (it predicts tokens that occur somewhere in the window, ignoring order). Heads that attend
 * to fixed neighbours are what it must discover to leave it, so this initialisation builds them in. Only initial values
 * change: the keys, shapes and the exported folder stay a plain `BertForMaskedLM`, and training may change everything.
 *
 * Construction (hidden H, head size d = H / heads, P = d position dimensions = hidden dimensions 0 … P−1, F = P / 2):
 * - position row i: pairs (sin w_f i, cos w_f i), w_f = π (f + ½) / F, in dimensions 0 … P−1, zero elsewhere; the sum
 *   Σ_f cos(w_f D) is P/2 at D = 0 and exactly 0 at every other integer |D| < P, so p_i · p_j singles out i = j. The
 *   rows repeat with period 2P: a run's windows must be at most 2P long (`positionsUsed`);
 * - word embeddings: the first P dimensions zeroed (the rest keep N(0, std)), so at the start positions sit apart;
 * - token-type rows zeroed;
 * - layer 0, head h < min(heads, offsets) with offset o_h (−1, +1, −2, +2): key = the position dimensions × gain, query =
 *   the position dimensions rotated by o_h steps (pair f by the angle w_f o_h) × gain, so the score q_i · k_j / √d peaks
 *   (at `peakLogit`) where j = i + o_h; value = a random orthonormal projection of the word dimensions, the attention
 *   output writes the head back into the word dimensions through another random orthonormal map (× valueGain).
 * Everything else keeps BERT's initialisation. No TF.js in `shiftHeadInit` (plain arrays in our layout: dense kernels
 * [in, out], the transpose of PyTorch's [out, in]).
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmConfig } from './config.ts';
import type { MlmModel } from './mlm.ts';
import { createRng, type Rng } from '../data/rng.ts';

export class ShiftInitError extends Error {
  override name = 'ShiftInitError';
}

export interface ShiftInitOptions {
  /** Offsets of heads 0, 1, … of layer 0 (default −1, +1, −2, +2, as the Python script). */
  offsets?: readonly number[];
  /** The attention logit at the target position (default 10). */
  peakLogit?: number;
  valueGain?: number;
  /** Seeds the orthonormal value / output maps. */
  seed?: number;
  /** The longest window the run feeds (default: every position row); must be ≤ 2P. */
  positionsUsed?: number;
}

export interface ShiftInitInfo {
  gain: number;
  positionPairAmplitude: number;
  offsets: number[];
  peakLogit: number;
  positionDims: number;
}

export const SHIFT_OFFSETS = [-1, 1, -2, 2] as const;

const WORD = 'bert.embeddings.word_embeddings.weight';
const POS = 'bert.embeddings.position_embeddings.weight';
const TYPES = 'bert.embeddings.token_type_embeddings.weight';
const ATT = 'bert.encoder.layer.0.attention';
/** The keys `shiftHeadInit` reads and rewrites. */
export function shiftInitKeys(c: MlmConfig): string[] {
  return [WORD, POS, ...(c.typeVocabSize > 0 ? [TYPES] : []),
    ...['self.query', 'self.key', 'self.value', 'output.dense'].flatMap((k) => [`${ATT}.${k}.weight`, `${ATT}.${k}.bias`])];
}

/** Throws ShiftInitError when the shape cannot hold shift heads (names the field and what it needs). */
export function checkShiftInit(c: MlmConfig, positionsUsed = c.maxPositions): void {
  const d = c.hiddenSize / c.numHeads;
  if (c.embeddingSize !== undefined) throw new ShiftInitError(`shift-head init needs unfactorised embeddings (embeddingSize ${c.embeddingSize} < hidden ${c.hiddenSize}); use --init plain`);
  if (d % 2 !== 0) throw new ShiftInitError(`shift-head init needs an even head size; hidden ${c.hiddenSize} / ${c.numHeads} heads = ${d}`);
  if (c.numHeads < 2) throw new ShiftInitError(`shift-head init needs at least 2 heads (the position dimensions take one head's width ${d} of hidden ${c.hiddenSize})`);
  if (positionsUsed > 2 * d) throw new ShiftInitError(`shift-head init: windows of ${positionsUsed} positions exceed the position kernel's period 2·${d} = ${2 * d} (head size ${d}); use fewer positions, a larger head size, or init plain`);
}

/** Columns of a random normal [m, n] matrix, orthonormalised (modified Gram–Schmidt): q[i * n + j], m ≥ n. */
function orthonormal(rng: Rng, m: number, n: number): Float64Array {
  const q = new Float64Array(m * n);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[i * n + j] * q[i * n + k];
      for (let i = 0; i < m; i++) q[i * n + j] -= dot * q[i * n + k];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) q[i * n + j] /= norm;
  }
  return q;
}

/** The sinusoidal frequencies w_f = π (f + ½) / F. */
export function shiftFrequencies(F: number): number[] {
  return Array.from({ length: F }, (_, f) => (Math.PI * (f + 0.5)) / F);
}

function writePositions(pos: Float32Array, c: MlmConfig, freqs: number[], amp: number): void {
  const H = c.hiddenSize;
  pos.fill(0);
  for (let t = 0; t < c.maxPositions; t++) {
    freqs.forEach((w, f) => {
      pos[t * H + 2 * f] = amp * Math.sin(w * t);
      pos[t * H + 2 * f + 1] = amp * Math.cos(w * t);
    });
  }
}

/** Head h of layer 0: query, key, value and output columns / rows (our [in, out] layout). */
function writeHead(v: Map<string, Float32Array>, c: MlmConfig, h: number, off: number, gain: number, freqs: number[], rng: Rng, valueGain: number): void {
  const H = c.hiddenSize;
  const d = H / c.numHeads;
  const P = d;
  const [q, k, val, o] = ['self.query', 'self.key', 'self.value', 'output.dense'].map((n) => v.get(`${ATT}.${n}.weight`)!);
  for (const n of ['self.query', 'self.key', 'self.value']) v.get(`${ATT}.${n}.bias`)!.fill(0, h * d, (h + 1) * d);
  for (let i = 0; i < H; i++) for (let r = 0; r < d; r++) { q[i * H + h * d + r] = 0; k[i * H + h * d + r] = 0; val[i * H + h * d + r] = 0; }
  o.fill(0, h * d * H, (h + 1) * d * H); // HF o.weight[:, rows] = 0: our rows h·d … of the [in, out] kernel
  for (let r = 0; r < P; r++) k[r * H + h * d + r] = gain;
  freqs.forEach((w, f) => {
    const th = w * off;
    const cs = Math.cos(th) * gain;
    const sn = Math.sin(th) * gain;
    const s = 2 * f;
    const cc = 2 * f + 1;
    // PyTorch rows (outputs) s, cc; columns (inputs) s, cc → ours W[in][out]
    q[s * H + h * d + s] = cs; q[cc * H + h * d + s] = sn;
    q[s * H + h * d + cc] = -sn; q[cc * H + h * d + cc] = cs;
  });
  const wd = H - P;
  const vin = orthonormal(rng, wd, d);
  for (let m = 0; m < wd; m++) for (let r = 0; r < d; r++) val[(P + m) * H + h * d + r] = vin[m * d + r];
  const vout = orthonormal(rng, wd, d);
  for (let m = 0; m < wd; m++) for (let r = 0; r < d; r++) o[(h * d + r) * H + P + m] = vout[m * d + r] * valueGain;
}

/**
 * Rewrites, in place, the initial values of `shiftInitKeys(config)` in `values` (our layout, BERT-initialised) into
 * shift heads. Throws ShiftInitError (checkShiftInit) before changing anything.
 */
export function shiftHeadInit(values: Map<string, Float32Array>, c: MlmConfig, opts: ShiftInitOptions = {}): ShiftInitInfo {
  checkShiftInit(c, opts.positionsUsed);
  const missing = shiftInitKeys(c).filter((k) => !values.has(k));
  if (missing.length) throw new ShiftInitError(`shift-head init needs ${missing.join(', ')}`);
  const { offsets = SHIFT_OFFSETS, peakLogit = 10, valueGain = 1, seed = 0 } = opts;
  const H = c.hiddenSize;
  const d = H / c.numHeads;
  const P = d;
  const F = P / 2;
  const std = c.initRange;
  const word = values.get(WORD)!;
  for (let row = 0; row < c.vocabSize; row++) word.fill(0, row * H, row * H + P);
  const wordEnergy = (H - P) * std * std;
  const amp = Math.sqrt(wordEnergy / F);
  const freqs = shiftFrequencies(F);
  writePositions(values.get(POS)!, c, freqs, amp);
  if (c.typeVocabSize > 0) values.get(TYPES)!.fill(0);
  const a = amp / Math.sqrt((2 * wordEnergy) / H); // a (sin, cos) pair's norm after the embedding LayerNorm
  const gain = Math.sqrt((peakLogit * Math.sqrt(d)) / (a * a * F));
  const rng = createRng(seed);
  const used = offsets.slice(0, c.numHeads);
  used.forEach((off, h) => writeHead(values, c, h, off, gain, freqs, rng, valueGain));
  return { gain, positionPairAmplitude: amp, offsets: [...used], peakLogit, positionDims: P };
}

/** shiftHeadInit on a model's variables (read with await data(), written back with assign; no tensor kept). */
export async function applyShiftHeadInit(model: MlmModel, opts: ShiftInitOptions = {}): Promise<ShiftInitInfo> {
  checkShiftInit(model.config, opts.positionsUsed);
  const keys = shiftInitKeys(model.config);
  const values = new Map<string, Float32Array>();
  for (const k of keys) values.set(k, Float32Array.from(await model.params[k].data()));
  const info = shiftHeadInit(values, model.config, opts);
  for (const k of keys) {
    const v = model.params[k];
    tf.tidy(() => v.assign(tf.tensor(values.get(k)!, v.shape, 'float32')));
  }
  return info;
}
