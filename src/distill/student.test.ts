// Checks src/distill/student.ts on CPU: the student config, scratch init, init from the teacher (item 16: averaged
// and truncated layers, σ-averaged word rows and output bias, cut embeddings) against a float64 reference written
// with explicit loops over every key, FVT on a hand-built tiny teacher, every error message, and tensor hygiene.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, makeConfig, type MlmConfig } from '../models/config.ts';
import { createMlm, paramShapes, type MlmModel } from '../models/mlm.ts';
import { fromVocabTxt } from '../tokenizers/hfJson.ts';
import { uniformArray } from '../testing/reference.ts';
import { initStudent, studentConfig, StudentInitError, studentRowSources } from './student.ts';
import type { SigmaMap } from '../alignment/index.ts';
import type { StudentSpec } from './types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Weights = Map<string, Float32Array>;

const spec = (over: Partial<StudentSpec> = {}): StudentSpec => ({ vocabSize: 7, numLayers: 3, hiddenSize: 8, numHeads: 2, intermediateSize: 12, init: 'teacher', ...over });
const teacherConfig = (over: Partial<MlmConfig> = {}) =>
  makeConfig({ vocabSize: 9, hiddenSize: 16, numLayers: 12, numHeads: 4, intermediateSize: 32, maxPositions: 8, ...over });

/** A teacher whose every weight (LayerNorms and biases included) is a distinct seeded value. */
function randomTeacher(config: MlmConfig, seed = 7): MlmModel {
  const m = createMlm(config, seed);
  paramShapes(config).forEach(([k, shape], i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    tf.tidy(() => m.params[k].assign(tf.tensor(uniformArray(seed * 1000 + i, n), shape)));
  });
  return m;
}

async function weightsOf(m: MlmModel): Promise<Weights> {
  const out: Weights = new Map();
  for (const [k] of paramShapes(m.config)) out.set(k, ((await m.params[k].data()) as Float32Array).slice());
  return out;
}

/**
 * Float64 reference for 'teacher' / 'fvt' init, one explicit loop per kind of key. `sources[u]` lists the teacher ids
 * averaged into student row u (empty = scratch row); `scratch` is createMlm(student, seed).
 */
function reference(tw: Weights, tc: MlmConfig, sc: MlmConfig, sources: number[][], scratch: Weights): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  const k = Math.floor(tc.numLayers / sc.numLayers);
  const tShape = new Map(paramShapes(tc));
  for (const [key, shape] of paramShapes(sc)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float64Array(n);
    const m = /^bert\.encoder\.layer\.(\d+)\.(.+)$/.exec(key);
    const rows = shape.length === 2 ? shape[0] : 1;
    const cols = shape.at(-1)!;
    if (m) {
      const tCols = tShape.get(key)!.at(-1)!;
      for (let l = Number(m[1]) * k; l < Number(m[1]) * k + k; l++) {
        const t = tw.get(`bert.encoder.layer.${l}.${m[2]}`)!;
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * cols + j] += t[i * tCols + j] / k;
      }
    } else if (key === 'bert.embeddings.word_embeddings.weight' || key === 'cls.predictions.bias') {
      const t = tw.get(key)!;
      const tCols = shape.length === 2 ? tc.hiddenSize : 1;
      const w = shape.length === 2 ? cols : 1;
      for (let u = 0; u < sources.length; u++) {
        for (let d = 0; d < w; d++) {
          if (!sources[u].length) v[u * w + d] = scratch.get(key)![u * w + d];
          else for (const id of sources[u]) v[u * w + d] += t[id * tCols + d] / sources[u].length;
        }
      }
    } else if (key === 'bert.embeddings.token_type_embeddings.weight' && tc.typeVocabSize === 0) {
      // zeros
    } else {
      const t = tw.get(key)!;
      const tRows = tShape.get(key)!.length === 2 ? tShape.get(key)![0] : 1;
      const tCols = tShape.get(key)!.at(-1)!;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * cols + j] = i < tRows ? t[i * tCols + j] : scratch.get(key)![i * cols + j];
    }
    out.set(key, v);
  }
  return out;
}

async function expectMatchesReference(student: MlmModel, expected: Map<string, Float64Array>): Promise<void> {
  const shapes = paramShapes(student.config);
  expect(Object.keys(student.params).sort()).toEqual(shapes.map(([k]) => k).sort());
  for (const [key, shape] of shapes) {
    expect(student.params[key].shape, key).toEqual(shape);
    const got = (await student.params[key].data()) as Float32Array;
    const want = expected.get(key)!;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst, key).toBeLessThan(1e-6);
  }
}

// Hand-built σ over a 9-entry teacher vocabulary into a 7-entry student vocabulary.
const SIGMA: SigmaMap = {
  pieces: [[0], [1], [2], null, [3, 4], [3], [4, 4], [5, 1], null].map((p) => (p ? Int32Array.from(p) : null)),
  unmapped: 2,
  withUnk: 1,
  maxPieces: 2,
};
// Student row u ← the teacher ids whose σ contains u (v = 6 holds 4 twice and counts once); row 6 has none.
const SIGMA_SOURCES = [[0], [1, 7], [2], [4, 5], [4, 6], [7], []];

describe('studentConfig', () => {
  it('takes the spec sizes, 2 token types, the given positions, and the teacher\'s epsilon / init range', () => {
    const t = teacherConfig({ layerNormEps: 1e-5, initRange: 0.05, padTokenId: 3 });
    expect(studentConfig(spec({ numHeads: 4 }), 300, 96, t)).toEqual({
      vocabSize: 300, hiddenSize: 8, numLayers: 3, numHeads: 4, intermediateSize: 12, maxPositions: 96, layerNormEps: 1e-5, initRange: 0.05, typeVocabSize: 2, padTokenId: 0,
    });
    expect(studentConfig(spec(), 9, 8, t).padTokenId).toBe(3); // the teacher's vocabulary (kd-full)
    const plain = studentConfig(spec({ embeddingSize: 4 }), 300, 64);
    expect(plain).toMatchObject({ layerNormEps: 1e-12, initRange: 0.02, embeddingSize: 4, padTokenId: 0 });
    expect('embeddingSize' in studentConfig(spec(), 300, 64)).toBe(false);
    expect(() => studentConfig(spec({ hiddenSize: 10, numHeads: 4 }), 300, 64)).toThrow(ConfigError);
  });

  it('issue 19: an explicit [PAD] id of the student\'s own vocabulary wins (GLMD: [PAD] after [CLS] and [SEP])', () => {
    const t = teacherConfig({ padTokenId: 3 });
    expect(studentConfig(spec(), 9, 8, t, 2).padTokenId).toBe(2); // same size as the teacher, yet another order
    expect(studentConfig(spec(), 300, 8, t, 2).padTokenId).toBe(2);
    expect(() => studentConfig(spec(), 300, 8, t, 300)).toThrow(ConfigError);
  });
});

describe('initStudent: scratch', () => {
  it('equals createMlm(config, seed)', async () => {
    const config = studentConfig(spec({ init: 'scratch' }), 50, 16);
    const a = await initStudent({ spec: spec({ init: 'scratch' }), config, seed: 3 });
    const b = createMlm(config, 3);
    const [wa, wb] = [await weightsOf(a), await weightsOf(b)];
    for (const [k, v] of wb) expect(wa.get(k), k).toEqual(v);
    a.dispose();
    b.dispose();
  });
});

describe('initStudent: from the teacher (item 16)', () => {
  it('item 16: layer-0 query = mean of teacher layers 0–3 query weights, top-left block; layer 2 FFN from layers 8–11', async () => {
    const teacher = randomTeacher(teacherConfig());
    const config = studentConfig(spec(), 7, 8, teacher.config);
    const student = await initStudent({ spec: spec(), config, seed: 1, teacher, sigma: SIGMA });
    const tw = await weightsOf(teacher);
    const q = (await student.params['bert.encoder.layer.0.attention.self.query.weight'].data()) as Float32Array;
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        let sum = 0;
        for (let l = 0; l < 4; l++) sum += tw.get(`bert.encoder.layer.${l}.attention.self.query.weight`)![i * 16 + j];
        expect(q[i * 8 + j]).toBeCloseTo(sum / 4, 6);
      }
    }
    const ffn = (await student.params['bert.encoder.layer.2.intermediate.dense.weight'].data()) as Float32Array; // [Hs, Is] = [8, 12] of [16, 32]
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 12; j++) {
        let sum = 0;
        for (let l = 8; l < 12; l++) sum += tw.get(`bert.encoder.layer.${l}.intermediate.dense.weight`)![i * 32 + j];
        expect(ffn[i * 12 + j]).toBeCloseTo(sum / 4, 6);
      }
    }
    student.dispose();
    teacher.dispose();
  });

  it('item 16: σ-averaged word rows and output bias on a hand-built σ; uncovered rows keep their random init', async () => {
    expect(studentRowSources(SIGMA, 7)).toEqual(SIGMA_SOURCES);
    const teacher = randomTeacher(teacherConfig());
    const config = studentConfig(spec(), 7, 8, teacher.config);
    const student = await initStudent({ spec: spec(), config, seed: 1, teacher, sigma: SIGMA });
    const tw = await weightsOf(teacher);
    const scratch = createMlm(config, 1);
    const sw = await weightsOf(scratch);
    const word = (await student.params['bert.embeddings.word_embeddings.weight'].data()) as Float32Array;
    const bias = (await student.params['cls.predictions.bias'].data()) as Float32Array;
    const tWord = tw.get('bert.embeddings.word_embeddings.weight')!;
    const tBias = tw.get('cls.predictions.bias')!;
    // u = 3 ← teacher 4 and 5; u = 4 ← teacher 4 and 6 (6 once, though σ(6) = (4, 4))
    for (let d = 0; d < 8; d++) {
      expect(word[3 * 8 + d]).toBeCloseTo((tWord[4 * 16 + d] + tWord[5 * 16 + d]) / 2, 6);
      expect(word[4 * 8 + d]).toBeCloseTo((tWord[4 * 16 + d] + tWord[6 * 16 + d]) / 2, 6);
      expect(word[2 * 8 + d]).toBe(tWord[2 * 16 + d]);
      expect(word[6 * 8 + d]).toBe(sw.get('bert.embeddings.word_embeddings.weight')![6 * 8 + d]);
    }
    expect(bias[1]).toBeCloseTo((tBias[1] + tBias[7]) / 2, 6);
    expect(bias[5]).toBe(tBias[7]);
    expect(bias[6]).toBe(sw.get('cls.predictions.bias')![6]);
    scratch.dispose();
    student.dispose();
    teacher.dispose();
  });

  it('every key: shape and value equal the float64 reference (12 → 3 layers, more student positions than the teacher has)', async () => {
    const teacher = randomTeacher(teacherConfig());
    const config = studentConfig(spec(), 7, 12, teacher.config); // 12 positions > the teacher's 8: rows 8–11 stay random
    const before = tf.memory().numTensors;
    const student = await initStudent({ spec: spec(), config, seed: 5, teacher, sigma: SIGMA });
    expect(tf.memory().numTensors - before).toBe(paramShapes(config).length);
    const scratch = createMlm(config, 5);
    await expectMatchesReference(student, reference(await weightsOf(teacher), teacher.config, config, SIGMA_SOURCES, await weightsOf(scratch)));
    scratch.dispose();
    student.dispose();
    teacher.dispose();
  });

  it('Ls not dividing Lt: k = floor(5 / 2) = 2, layers 0–1 and 2–3, teacher layer 4 unused; no token types → zero rows; σ null copies rows', async () => {
    const teacher = randomTeacher(teacherConfig({ numLayers: 5, typeVocabSize: 0 }));
    const s = spec({ numLayers: 2, vocabSize: 6 });
    const config = studentConfig(s, 6, 8, teacher.config); // 6 of the teacher's 9 rows (a padded teacher vocabulary)
    const progress: [number, number][] = [];
    const student = await initStudent({ spec: s, config, seed: 2, teacher, sigma: null, onProgress: (d, t) => progress.push([d, t]) });
    const n = paramShapes(config).length;
    expect(progress).toEqual(Array.from({ length: n }, (_, i) => [i + 1, n]));
    const scratch = createMlm(config, 2);
    const same = [0, 1, 2, 3, 4, 5].map((u) => [u]);
    await expectMatchesReference(student, reference(await weightsOf(teacher), teacher.config, config, same, await weightsOf(scratch)));
    const types = (await student.params['bert.embeddings.token_type_embeddings.weight'].data()) as Float32Array;
    expect(Array.from(types).every((x) => x === 0)).toBe(true);
    scratch.dispose();
    student.dispose();
    teacher.dispose();
  });

  it('leaves the teacher unchanged and leaks no tensor', async () => {
    const teacher = randomTeacher(teacherConfig());
    const tw = await weightsOf(teacher);
    const before = tf.memory().numTensors;
    const student = await initStudent({ spec: spec(), config: studentConfig(spec(), 7, 8), seed: 1, teacher, sigma: SIGMA });
    student.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const after = await weightsOf(teacher);
    for (const [k, v] of tw) expect(after.get(k), k).toEqual(v);
    teacher.dispose();
  });

  it('errors name what to fix, and dispose the half-made student', async () => {
    const teacher = randomTeacher(teacherConfig());
    const before = tf.memory().numTensors;
    const fails = (s: StudentSpec, config: MlmConfig, extra: object) => initStudent({ spec: s, config, seed: 1, teacher, sigma: SIGMA, ...extra });
    const cfg = (s: StudentSpec, v = 7) => studentConfig(s, v, 8);
    await expect(fails(spec(), cfg(spec()), { teacher: undefined })).rejects.toThrow('student init "teacher" needs the teacher model');
    await expect(fails(spec({ hiddenSize: 32 }), cfg(spec({ hiddenSize: 32 })), {})).rejects.toThrow("student hiddenSize 32 exceeds the teacher's 16: weights can only be cut to a leading block");
    await expect(fails(spec({ numLayers: 13 }), cfg(spec({ numLayers: 13 })), {})).rejects.toThrow("student numLayers 13 exceeds the teacher's 12");
    await expect(fails(spec({ intermediateSize: 64 }), cfg(spec({ intermediateSize: 64 })), {})).rejects.toThrow("student intermediateSize 64 exceeds the teacher's 32");
    await expect(fails(spec({ embeddingSize: 4 }), cfg(spec({ embeddingSize: 4 })), {})).rejects.toThrow('student init from the teacher needs unfactorised embeddings on both sides (student embeddingSize 4, teacher none); use init "scratch"');
    const badSigma = { ...SIGMA, pieces: [...SIGMA.pieces.slice(0, 8), Int32Array.from([2, 7])] };
    await expect(fails(spec(), cfg(spec()), { sigma: badSigma })).rejects.toThrow('σ of teacher id 8 holds student id 7, outside the student vocabulary of 7; build σ against this student\'s vocabulary');
    await expect(fails(spec(), cfg(spec()), { sigma: { ...SIGMA, pieces: [...SIGMA.pieces, null] } })).rejects.toThrow('σ covers 10 teacher ids but the teacher has 9 rows');
    await expect(fails(spec(), cfg(spec(), 10), { sigma: null })).rejects.toThrow('σ is null (same vocabulary) but the student has 10 rows and the teacher 9');
    await expect(fails(spec({ init: 'fvt' }), cfg(spec()), {})).rejects.toThrow('student init "fvt" needs both the teacher and the student tokenizer');
    const err = await fails(spec(), cfg(spec()), { sigma: badSigma }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(StudentInitError);
    expect((err as Error).name).toBe('StudentInitError');
    expect(tf.memory().numTensors).toBe(before);
    teacher.dispose();
  });
});

describe('initStudent: FVT', () => {
  // Teacher specials in another order than the student's, so the copy goes by string, not by id.
  const TEACHER_VOCAB = ['[PAD]', '[CLS]', '[SEP]', '[UNK]', '[MASK]', 'he', '##llo', '##l', '##o', 'world', 'lo', 'x', '##y', ','];
  const STUDENT_VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', '##lo', 'world', '##xy', 'q', 'he,', '##zz'];
  // Expected teacher pieces per student row (rows 12–13 are beyond the student tokenizer: random init).
  const PIECES = [
    [0], [3], [1], [2], [4], // specials by string
    [5, 6], // hello → he ##llo
    [7, 8], // ##lo → continuation ##l ##o (not the word "lo")
    [9], // world: the same token
    [11, 12], // ##xy: no ##x in the teacher → the word "xy" → x ##y
    [3], // q → [UNK]
    [5, 13], // he, → pre-tokenized into he , (two pieces)
    [3], // ##zz → neither ##z nor z → [UNK]
    [], [],
  ];

  it('each student row = mean of the teacher rows of its pieces; specials copy; the body as in "teacher" init', async () => {
    const teacher = randomTeacher(teacherConfig({ vocabSize: TEACHER_VOCAB.length, numLayers: 4 }));
    const s = spec({ init: 'fvt', numLayers: 2 });
    const config = studentConfig(s, 14, 8, teacher.config);
    const opts = { spec: s, config, seed: 4, teacher, teacherTokenizer: fromVocabTxt(TEACHER_VOCAB.join('\n'), { lowercase: false }), studentTokenizer: fromVocabTxt(STUDENT_VOCAB.join('\n'), { lowercase: false }) };
    const student = await initStudent(opts);
    const scratch = createMlm(config, 4);
    await expectMatchesReference(student, reference(await weightsOf(teacher), teacher.config, config, PIECES, await weightsOf(scratch)));
    // a lower-casing teacher normalizes the student string first, continuation pieces included
    const lower = await initStudent({ ...opts, studentTokenizer: fromVocabTxt(STUDENT_VOCAB.map((t) => (t === 'hello' ? 'Hello' : t === '##lo' ? '##LO' : t)).join('\n'), { lowercase: false }), teacherTokenizer: fromVocabTxt(TEACHER_VOCAB.join('\n'), { lowercase: true }) });
    await expectMatchesReference(lower, reference(await weightsOf(teacher), teacher.config, config, PIECES, await weightsOf(scratch)));
    [student, lower, scratch, teacher].forEach((m) => m.dispose());
  });

  it('a teacher tokenizer id beyond the teacher model is an error', async () => {
    const teacher = randomTeacher(teacherConfig({ vocabSize: 10, numLayers: 2 }));
    const s = spec({ init: 'fvt', numLayers: 2 });
    const run = initStudent({
      spec: s, config: studentConfig(s, 12, 8), seed: 1, teacher,
      teacherTokenizer: fromVocabTxt(TEACHER_VOCAB.join('\n'), { lowercase: false }), studentTokenizer: fromVocabTxt(STUDENT_VOCAB.join('\n'), { lowercase: false }),
    });
    await expect(run).rejects.toThrow("the teacher tokenizer gives id 11, outside the teacher model's 10 rows");
    teacher.dispose();
  });
});
