/**
 * Student construction: its MlmConfig from the recipe's StudentSpec, and its initial weights.
 *
 * - 'scratch': `createMlm(config, seed)` (BERT init; GLMD's students, B.2).
 * - 'teacher' (methods §A.3 item 6, checklist 16): with k = floor(Lt / Ls), student layer ℓ is the element-wise mean of
 *   teacher layers k·ℓ … k·ℓ+k−1 (every weight of the block: kernels, biases, LayerNorms). When Ls does not divide Lt
 *   the top Lt − k·Ls teacher layers are left out (12 → 5 uses layers 0–9): the paper's tiny students divide evenly,
 *   and this keeps every student layer an average of the same number of consecutive teacher layers. Every weight is
 *   then cut to its leading block: first Hs rows / columns, first Is FFN units (our kernels are [in, out], so a [H, I]
 *   kernel keeps [0:Hs, 0:Is]). Word-embedding row u = the mean of the teacher rows of every teacher token v whose
 *   σ(v) contains u (each v counted once), cut to Hs dims; the output bias `cls.predictions.bias` is averaged the same
 *   way. Student rows that no σ(v) contains keep their random init (`studentRowSources` lists the sources: the empty
 *   lists are those rows). `sigma` null means the same vocabulary: rows are copied (Vs ≤ Vt). Position, token-type,
 *   LayerNorm and MLM-transform weights are cut; position rows beyond the teacher's keep their random init, and a
 *   teacher without a token-type table gives zero type rows (what the teacher adds: nothing).
 * - 'fvt' (Fast Vocabulary Transfer, Gee et al. 2022): the body as in 'teacher'; the word row (and output bias) of a
 *   student token is the mean over the teacher pieces of its string (with repeats): a word-initial token is encoded
 *   by the whole teacher tokenizer (normalizer, pre-tokenizer, WordPiece); a `##x` token is split as a continuation
 *   (every piece `##`-prefixed, after the teacher's normalizer) when the teacher has such pieces, else `x` is encoded
 *   as a word. Student special tokens copy the teacher row of the same string. A token the teacher cannot split gets
 *   the teacher's [UNK] row (as FVT does); a token with no pieces at all (it normalizes away) keeps its random init.
 * Does not: factorised embeddings with 'teacher' / 'fvt' (the teacher has no [V, E] table); GLMD's rank-ordered rows.
 * Teacher weights are read with `await v.data()` (no sync reads), so `initStudent` is async.
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig, type MlmConfig } from '../models/config.ts';
import { createMlm, paramShapes, type MlmModel } from '../models/mlm.ts';
import { normalize } from '../tokenizers/normalizer.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import type { SigmaMap } from '../alignment/index.ts';
import type { StudentSpec } from './types.ts';

export class StudentInitError extends Error {
  override name = 'StudentInitError';
}

/**
 * The student's MlmConfig: sizes from the spec, 2 token types (so the student exports as a plain BertForMaskedLM),
 * LayerNorm epsilon and init range from the teacher when given (else BERT's). `padTokenId` is the [PAD] id of the
 * student's own vocabulary (the run passes it: GLMD's rank order puts [PAD] after [CLS] and [SEP]); without it, the
 * teacher's when the vocabulary is the teacher's (same size), else 0 (a new student vocabulary starts with [PAD], item 1).
 */
export function studentConfig(spec: StudentSpec, vocabSize: number, maxPositions: number, teacher?: MlmConfig, padTokenId?: number): MlmConfig {
  return makeConfig({
    vocabSize,
    hiddenSize: spec.hiddenSize,
    numLayers: spec.numLayers,
    numHeads: spec.numHeads,
    intermediateSize: spec.intermediateSize,
    maxPositions,
    layerNormEps: teacher?.layerNormEps ?? 1e-12,
    initRange: teacher?.initRange ?? 0.02,
    typeVocabSize: 2,
    padTokenId: padTokenId ?? (teacher && teacher.vocabSize === vocabSize ? teacher.padTokenId : 0),
    ...(spec.embeddingSize !== undefined ? { embeddingSize: spec.embeddingSize } : {}),
  });
}

/** For every student row u < vocabSize: the teacher ids v whose σ(v) contains u, each once, ascending. */
export function studentRowSources(sigma: SigmaMap, vocabSize: number): number[][] {
  const sources: number[][] = Array.from({ length: vocabSize }, () => []);
  sigma.pieces.forEach((pieces, v) => {
    if (!pieces) return;
    for (const u of new Set(pieces)) {
      if (!(u >= 0 && u < vocabSize)) throw new StudentInitError(`σ of teacher id ${v} holds student id ${u}, outside the student vocabulary of ${vocabSize}; build σ against this student's vocabulary`);
      sources[u].push(v);
    }
  });
  return sources;
}

export interface InitStudentOptions {
  spec: StudentSpec;
  config: MlmConfig;
  seed: number;
  teacher?: MlmModel;
  /** 'teacher' init: σ over the teacher vocabulary; null (or absent) = the student has the teacher's vocabulary. */
  sigma?: SigmaMap | null;
  teacherTokenizer?: Tokenizer;
  studentTokenizer?: Tokenizer;
  /** Called after each parameter is written: (done, total) parameters. */
  onProgress?: (done: number, total: number) => void;
}

export async function initStudent(opts: InitStudentOptions): Promise<MlmModel> {
  const { spec, config, seed } = opts;
  const model = createMlm(config, seed);
  if (spec.init === 'scratch') return model;
  try {
    const teacher = opts.teacher;
    if (!teacher) throw new StudentInitError(`student init "${spec.init}" needs the teacher model`);
    checkShapes(config, teacher.config);
    const sources = spec.init === 'teacher' ? sigmaSources(opts.sigma ?? null, config.vocabSize, teacher.config.vocabSize) : fvtSources(opts, config.vocabSize, teacher.config.vocabSize);
    await copyFromTeacher(model, teacher, sources, opts.onProgress);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

function checkShapes(s: MlmConfig, t: MlmConfig): void {
  if (s.embeddingSize !== undefined || t.embeddingSize !== undefined) {
    throw new StudentInitError(`student init from the teacher needs unfactorised embeddings on both sides (student embeddingSize ${s.embeddingSize ?? 'none'}, teacher ${t.embeddingSize ?? 'none'}); use init "scratch"`);
  }
  const too = (what: string, a: number, b: number) => {
    if (a > b) throw new StudentInitError(`student ${what} ${a} exceeds the teacher's ${b}: weights can only be cut to a leading block`);
  };
  too('numLayers', s.numLayers, t.numLayers);
  too('hiddenSize', s.hiddenSize, t.hiddenSize);
  too('intermediateSize', s.intermediateSize, t.intermediateSize);
}

function sigmaSources(sigma: SigmaMap | null, vs: number, vt: number): number[][] {
  if (sigma) {
    if (sigma.pieces.length > vt) throw new StudentInitError(`σ covers ${sigma.pieces.length} teacher ids but the teacher has ${vt} rows`);
    return studentRowSources(sigma, vs);
  }
  if (vs > vt) throw new StudentInitError(`σ is null (same vocabulary) but the student has ${vs} rows and the teacher ${vt}`);
  return Array.from({ length: vs }, (_, u) => [u]);
}

/** Greedy longest-match split of `word` with every piece `##`-prefixed; null when some part matches nothing. */
function continuationPieces(index: ReadonlyMap<string, number>, prefix: string, word: string): number[] | null {
  const cps = Array.from(word);
  const out: number[] = [];
  for (let s = 0; s < cps.length; ) {
    let e = cps.length;
    for (; e > s; e--) {
      const id = index.get(prefix + cps.slice(s, e).join(''));
      if (id !== undefined) { out.push(id); break; }
    }
    if (e === s) return null;
    s = e;
  }
  return out;
}

function fvtSources(opts: InitStudentOptions, vs: number, vt: number): number[][] {
  const { teacherTokenizer: tt, studentTokenizer: st } = opts;
  if (!tt || !st) throw new StudentInitError('student init "fvt" needs both the teacher and the student tokenizer');
  const specials = new Set(st.parts.addedTokens.filter((a) => a.special).map((a) => a.content));
  const m = tt.parts.model;
  const prefix = m.kind === 'wordpiece' ? m.options.continuingSubwordPrefix : null;
  const encode = (s: string) => tt.encode(s, { addSpecialTokens: false }).ids;
  const sources = st.vocab.slice(0, vs).map((tok): number[] => {
    if (specials.has(tok)) {
      const id = tt.tokenToId(tok);
      return id === undefined ? [] : [id];
    }
    if (prefix === null || !tok.startsWith(prefix)) return encode(tok);
    const bare = tok.slice(prefix.length);
    const norm = tt.parts.normalizer ? normalize(bare, tt.parts.normalizer).normalized : bare;
    return (norm && continuationPieces(m.index, prefix, norm)) || encode(bare);
  });
  while (sources.length < vs) sources.push([]);
  for (const ids of sources) {
    const bad = ids.find((v) => v >= vt);
    if (bad !== undefined) throw new StudentInitError(`the teacher tokenizer gives id ${bad}, outside the teacher model's ${vt} rows`);
  }
  return sources;
}

/** Leading block of a row-major [rows, cols] array as [r, c]. */
function block(src: Float32Array, cols: number, r: number, c: number, dst: Float32Array = new Float32Array(r * c)): Float32Array {
  for (let i = 0; i < r; i++) dst.set(src.subarray(i * cols, i * cols + c), i * c);
  return dst;
}

const layerOf = (key: string) => /^bert\.encoder\.layer\.(\d+)\.(.+)$/.exec(key);

async function copyFromTeacher(model: MlmModel, teacher: MlmModel, sources: number[][], onProgress?: (done: number, total: number) => void): Promise<void> {
  const s = model.config;
  const t = teacher.config;
  const tShapes = new Map(paramShapes(t));
  const k = Math.floor(t.numLayers / s.numLayers);
  const read = async (key: string) => (await teacher.params[key].data()) as Float32Array;
  const shapes = paramShapes(s);
  for (const [n, [key, shape]] of shapes.entries()) {
    const [r, c] = shape.length === 2 ? shape : [1, shape[0]];
    let values: Float32Array;
    const layer = layerOf(key);
    if (layer) {
      // mean over teacher layers k·ℓ … k·ℓ+k−1, each cut to the leading [r, c] block
      const first = Number(layer[1]) * k;
      const tKey = (j: number) => `bert.encoder.layer.${first + j}.${layer[2]}`;
      const cols = (tShapes.get(tKey(0))!).at(-1)!;
      values = new Float32Array(r * c);
      for (let j = 0; j < k; j++) {
        const b = block(await read(tKey(j)), cols, r, c);
        for (let i = 0; i < b.length; i++) values[i] += b[i] / k;
      }
    } else if (key === 'bert.embeddings.word_embeddings.weight' || key === 'cls.predictions.bias') {
      values = ((await model.params[key].data()) as Float32Array).slice(); // random init: kept on rows without a source
      const src = await read(key);
      const w = shape.length === 2 ? c : 1;
      const tw = shape.length === 2 ? t.hiddenSize : 1;
      sources.forEach((ids, u) => {
        if (!ids.length) return;
        const row = new Float64Array(w);
        for (const v of ids) for (let d = 0; d < w; d++) row[d] += src[v * tw + d];
        for (let d = 0; d < w; d++) values[u * w + d] = row[d] / ids.length;
      });
    } else if (key === 'bert.embeddings.token_type_embeddings.weight' && t.typeVocabSize === 0) {
      values = new Float32Array(r * c);
    } else {
      // positions, token types, embedding LayerNorm, MLM transform: leading block; extra rows keep their random init
      const tShape = tShapes.get(key)!;
      const tCols = tShape.at(-1)!;
      const tRows = tShape.length === 2 ? tShape[0] : 1;
      values = ((await model.params[key].data()) as Float32Array).slice();
      block(await read(key), tCols, Math.min(r, tRows), c, values);
    }
    tf.tidy(() => model.params[key].assign(tf.tensor(values, shape, 'float32')));
    onProgress?.(n + 1, shapes.length);
  }
}
