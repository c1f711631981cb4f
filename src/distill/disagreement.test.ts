// Where the student disagrees (disagreement.ts; issue 12 item 3) on tiny models on CPU: the row maths by hand
// (KL(p ‖ q) of two 2-column rows) and against a float64 loop; identical teacher and student give KL 0 and full
// top-1 agreement for every method's alignment; each method's heatmap against an independent float64 forward
// (testing/mlmReference.ts) with the rows and columns the method defines (Reduce ∩: t2s group sums over C, Reduce-map:
// logsumexp over σ(v) on the mapped entries, Match: pairs over C, GLMD: the rank lookup over the K kept tokens,
// kd-full: the full vocabulary; mlm-only through Reduce ∩); long texts in chunks with offsets into the whole text; the
// aligned fill-mask probe against the same reference; named refusals; no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../models/config.ts';
import { createMlm, type MlmModel } from '../models/mlm.ts';
import { bertTokenizer, SPECIALS } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { buildSigma, matchPairs, sharedVocab, t2sSequence, type GlmdVocab } from '../alignment/index.ts';
import { referenceLogits, type Weights64 } from '../testing/mlmReference.ts';
import { alignedContext, alignedFillMask, disagreement, DisagreementError, heldOutSample, rowDisagreement, type AlignedContext } from './disagreement.ts';
import type { Method } from './types.ts';

const tokenizer = (entries: string[]) => bertTokenizer(new WordPieceModel([...SPECIALS, ...entries]), DEFAULT_NORMALIZER);
const WORDS = ['the', 'white', 'whale', 'swims', 'and', 'ship', 'sails', 'to', 'sea', 'captain', 'ahab', 'hunts', ',', '.'];
const CHARS = [...new Set(WORDS.join(''))].sort();
const TEXT = 'the white whale swims, and captain ahab hunts the whale.';

let tt: Tokenizer;
let st: Tokenizer;
let teacher: MlmModel;
let student: MlmModel;
let glmdStudent: MlmModel;
let glmd: GlmdVocab;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tt = tokenizer(['the', 'white', 'wh', '##ale', 'sw', '##ims', 'and', 'ship', 'sails', 'to', 'sea', 'captain', 'ahab', 'hunts', ',', '.']);
  st = tokenizer(['the', 'wh', '##ale', '##ite', 'sh', '##ip', 'sea', ...CHARS, ...CHARS.map((c) => `##${c}`)]);
  const cfg = (V: number, maxPositions = 64) => makeConfig({ vocabSize: V, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions, initRange: 0.4 });
  // Random biases too (createMlm starts them at 0), so that the decoder bias and Reduce's |Gᵢ|·bias matter.
  const model = (V: number, seed: number) => {
    const m = createMlm(cfg(V), seed);
    Object.entries(m.params).forEach(([k, v], i) => {
      if (k.endsWith('.bias')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', seed * 100 + i)));
    });
    return m;
  };
  teacher = model(tt.vocabSize, 7);
  student = model(st.vocabSize, 8);
  // GLMD: keep K = V − 4 teacher rows in a shuffled rank order (specials first); each removed id reads a kept one.
  const V = tt.vocabSize;
  const order = [0, 1, 2, 3, 4, ...Array.from({ length: V - 5 }, (_, i) => V - 1 - i)];
  const K = V - 4;
  const rankToId = Int32Array.from(order.slice(0, K));
  const lookup = new Int32Array(V);
  order.forEach((id, r) => (lookup[id] = r < K ? r : 5 + (r % 3)));
  glmd = { K, rankToId, lookup, replacement: Int32Array.from(lookup, (r) => rankToId[r]) };
  glmdStudent = model(K, 9);
});
afterAll(() => tf.dispose([teacher, student, glmdStudent].flatMap((m) => m.variables)));

const recipe = (method: Method, over: Partial<AlignedContext> = {}) => ({ method, reduceGroup: 'sum' as const, reduceMapScore: 'logsumexp' as const, matchWordBounded: false, ...over });
function ctxFor(method: Method, over: { studentTokenizer?: Tokenizer; reduceGroup?: 'sum' | 'mean'; reduceMapScore?: 'sum' | 'logsumexp' } = {}): AlignedContext {
  const s = over.studentTokenizer ?? st;
  return alignedContext({ studentTokenizer: s, sigma: null, glmd: method === 'glmd' ? glmd : null, data: {} }, teacher, tt, recipe(method, over));
}

// ---- float64 reference ------------------------------------------------------------------------------------------------

async function weights64(model: MlmModel): Promise<Weights64> {
  const w: Weights64 = {};
  for (const [k, v] of Object.entries(model.params)) w[k] = Float64Array.from(await v.data());
  return w;
}
/** Logits [T, V] of one sequence at every position. */
const refAll = (w: Weights64, m: MlmModel, ids: number[]) => referenceLogits(w, m.config, 1, ids.length, ids, ids.map(() => 1), ids.map((_, i) => i));
const logSoftmax = (x: ArrayLike<number>) => {
  const m = Math.max(...Array.from(x));
  const z = Math.log(Array.from(x).reduce((s, v) => s + Math.exp(v - m), 0)) + m;
  return Array.from(x, (v) => v - z);
};
const kl64 = (t: ArrayLike<number>, s: ArrayLike<number>) => {
  const lp = logSoftmax(t), lq = logSoftmax(s);
  return lp.reduce((acc, v, c) => acc + Math.exp(v) * (v - lq[c]), 0);
};
const argmax = (x: ArrayLike<number>) => Array.from(x).reduce((b, v, i, a) => (v > a[b] ? i : b), 0);
const pick = (row: ArrayLike<number>, cols: ArrayLike<number>) => Array.from(cols, (c) => row[c]);

/** Per teacher position: reference [teacher row, aligned student row] over the method's columns, or null (no row). */
async function referenceRows(method: Method, text: string, mode: 'sum' | 'mean' = 'sum', mapScore: 'sum' | 'logsumexp' = 'logsumexp'): Promise<{ rows: ([number[], number[]] | null)[]; names: (c: number) => string }> {
  const wt = await weights64(teacher);
  const te = tt.encode(text);
  const zt = refAll(wt, teacher, te.ids);
  const C = sharedVocab(tt.vocab, st.vocab);
  if (method === 'reduce' || method === 'reduce-map' || method === 'mlm-only') {
    const sigma = buildSigma(tt.vocab, st.vocab);
    const t2s = t2sSequence(te.ids, sigma, st.tokenToId('[UNK]')!);
    const zs = refAll(await weights64(student), student, t2s.ids);
    const groups = te.ids.map((_, i) => {
      const r = new Float64Array(st.vocabSize);
      for (let j = t2s.groupStart[i]; j < t2s.groupStart[i + 1]; j++) for (let v = 0; v < r.length; v++) r[v] += zs[j][v];
      const n = t2s.groupStart[i + 1] - t2s.groupStart[i];
      return mode === 'mean' ? r.map((x) => x / n) : r;
    });
    if (method !== 'reduce-map') return { rows: te.ids.map((_, i) => [pick(zt[i], C.teacherIds), pick(groups[i], C.studentIds)]), names: (c) => tt.vocab[C.teacherIds[c]] };
    const mapped = tt.vocab.map((_, v) => v).filter((v) => sigma.pieces[v]);
    const score = (r: Float64Array, v: number) => {
      const u = Array.from(sigma.pieces[v]!, (p) => r[p]);
      if (mapScore === 'sum') return u.reduce((a, b) => a + b, 0);
      const m = Math.max(...u);
      return m + Math.log(u.reduce((a, b) => a + Math.exp(b - m), 0));
    };
    return { rows: te.ids.map((_, i) => [pick(zt[i], mapped), mapped.map((v) => score(groups[i], v))]), names: (c) => tt.vocab[mapped[c]] };
  }
  if (method === 'match') {
    const se = st.encode(text);
    const p = matchPairs(te.tokens, se.tokens);
    const zs = refAll(await weights64(student), student, se.ids);
    const rows: ([number[], number[]] | null)[] = te.ids.map(() => null);
    p.teacherPos.forEach((i, k) => (rows[i] = [pick(zt[i], C.teacherIds), pick(zs[p.studentPos[k]], C.studentIds)]));
    return { rows, names: (c) => tt.vocab[C.teacherIds[c]] };
  }
  if (method === 'glmd') {
    const zs = refAll(await weights64(glmdStudent), glmdStudent, te.ids.map((id) => glmd.lookup[id]));
    return { rows: te.ids.map((_, i) => [pick(zt[i], glmd.rankToId), Array.from(zs[i])]), names: (c) => tt.vocab[glmd.rankToId[c]] };
  }
  throw new Error(`no reference for ${method}`);
}

// ---- tests ------------------------------------------------------------------------------------------------------------

describe('rowDisagreement: the per-row maths', () => {
  it('by hand: p = (1/4, 3/4) against q = (1/2, 1/2) gives KL = ¼·ln ½ + ¾·ln 1.5; the top-1s and their probabilities', async () => {
    const out = tf.tidy(() => {
      const d = rowDisagreement(tf.tensor2d([[0, Math.log(3)], [2, 1]]), tf.tensor2d([[0, 0], [1, 2]]));
      return [d.kl, d.teacherTop, d.studentTop, d.teacherP, d.studentP];
    });
    const [kl, tTop, sTop, tP, sP] = await Promise.all(out.map((x) => x.data()));
    tf.dispose(out);
    expect(kl[0]).toBeCloseTo(0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), 6);
    const e = Math.E;
    const p = [e / (e + 1), 1 / (e + 1)];
    expect(kl[1]).toBeCloseTo(p[0] * Math.log(p[0] / p[1]) + p[1] * Math.log(p[1] / p[0]), 6); // swapped logits
    expect(Array.from(tTop)).toEqual([1, 0]);
    expect(Array.from(sTop)).toEqual([0, 1]); // the first column on a tie
    expect(tP[0]).toBeCloseTo(0.75, 6);
    expect(sP[0]).toBeCloseTo(0.5, 6);
    expect(sP[1]).toBeCloseTo(p[0], 6);
  });

  it('against a float64 loop on random rows; identical rows give KL 0 and the same top-1', async () => {
    const [N, C] = [7, 13];
    const t = tf.randomNormal([N, C], 0, 2, 'float32', 1) as tf.Tensor2D;
    const s = tf.randomNormal([N, C], 0, 2, 'float32', 2) as tf.Tensor2D;
    const out = tf.tidy(() => {
      const a = rowDisagreement(t, s);
      const b = rowDisagreement(t, t);
      return [a.kl, a.teacherTop, a.studentTop, b.kl, b.teacherTop, b.studentTop];
    });
    const [kl, tTop, sTop, kl0, t0, s0] = await Promise.all(out.map((x) => x.data()));
    const [tv, sv] = [await t.data(), await s.data()];
    tf.dispose([...out, t, s]);
    for (let r = 0; r < N; r++) {
      const tr = tv.subarray(r * C, (r + 1) * C), sr = sv.subarray(r * C, (r + 1) * C);
      expect(Math.abs(kl[r] - kl64(tr, sr))).toBeLessThan(1e-5 + 1e-5 * kl64(tr, sr));
      expect(tTop[r]).toBe(argmax(tr));
      expect(sTop[r]).toBe(argmax(sr));
      expect(kl0[r]).toBe(0);
      expect(t0[r]).toBe(s0[r]);
    }
  });

  it('refuses rows of different shapes', () => {
    expect(() => tf.tidy(() => rowDisagreement(tf.zeros([2, 3]), tf.zeros([2, 4])))).toThrow(DisagreementError);
  });
});

describe('identical teacher and student: KL 0 and full agreement, for every alignment', () => {
  const same = (method: Method): [AlignedContext, MlmModel] => {
    if (method !== 'glmd') return [ctxFor(method, { studentTokenizer: tt }), teacher];
    // GLMD with nothing removed and the identity rank order: student row r = teacher id r.
    const V = tt.vocabSize;
    const id = Int32Array.from({ length: V }, (_, i) => i);
    return [alignedContext({ studentTokenizer: tt, sigma: null, glmd: { K: V, rankToId: id, lookup: id, replacement: id }, data: {} }, teacher, tt, recipe('glmd')), teacher];
  };
  for (const method of ['reduce', 'reduce-map', 'match', 'glmd', 'kd-full', 'mlm-only'] as Method[]) {
    it(method, async () => {
      const before = tf.memory().numTensors;
      const [ctx, model] = same(method);
      const r = await disagreement(ctx, model, TEXT);
      expect(r.tokens.map((t) => t.token)).toEqual(tt.encode(TEXT).tokens);
      for (const t of r.tokens) {
        expect(t.kl, `${t.token}`).not.toBeNull();
        expect(Math.abs(t.kl!), `${t.token}`).toBeLessThan(1e-6);
        expect(t.agree, `${t.token}`).toBe(true);
        expect(t.studentTop1).toBe(t.teacherTop1);
        expect(t.studentP!).toBeCloseTo(t.teacherP!, 5);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('each method against an independent float64 forward', () => {
  const cases: [Method, { reduceGroup?: 'sum' | 'mean'; reduceMapScore?: 'sum' | 'logsumexp' }][] = [
    ['reduce', {}], ['reduce', { reduceGroup: 'mean' }], ['reduce-map', {}], ['reduce-map', { reduceMapScore: 'sum' }], ['match', {}], ['glmd', {}], ['mlm-only', {}],
  ];
  for (const [method, over] of cases) {
    it(`${method} ${JSON.stringify(over)}`, async () => {
      const before = tf.memory().numTensors;
      const ctx = ctxFor(method, over);
      const model = method === 'glmd' ? glmdStudent : student;
      const r = await disagreement(ctx, model, TEXT);
      expect(tf.memory().numTensors).toBe(before);
      const ref = await referenceRows(method, TEXT, over.reduceGroup, over.reduceMapScore);
      expect(r.columns).toBe(method === 'reduce-map' ? 'mapped' : method === 'glmd' ? 'kept' : 'C');
      expect(r.columnCount).toBe(ref.rows.find((x) => x)![0].length);
      expect(r.tokens.length).toBe(ref.rows.length);
      let rows = 0;
      r.tokens.forEach((t, i) => {
        const row = ref.rows[i];
        if (!row) {
          expect(t.kl, `${t.token} has no aligned row`).toBeNull();
          expect(t.agree).toBeNull();
          return;
        }
        rows++;
        const want = kl64(row[0], row[1]);
        expect(Math.abs(t.kl! - want), `${t.token}: ${t.kl} vs ${want}`).toBeLessThan(2e-4 + 1e-3 * want);
        expect(t.teacherTop1).toBe(ref.names(argmax(row[0])));
        expect(t.studentTop1).toBe(ref.names(argmax(row[1])));
        expect(t.agree).toBe(argmax(row[0]) === argmax(row[1]));
      });
      expect(rows).toBeGreaterThan(2);
      expect(r.tokens.some((t) => t.kl! > 0.01)).toBe(true); // different models do disagree
      if (method === 'match') expect(ref.rows.some((x) => x === null)).toBe(true); // unpaired teacher tokens exist here
    });
  }

  it('kd-full: the same ids, the full vocabulary, against the reference', async () => {
    const kdStudent = createMlm(teacher.config, 11);
    const r = await disagreement(ctxFor('kd-full'), kdStudent, TEXT);
    const ids = tt.encode(TEXT).ids;
    const zt = refAll(await weights64(teacher), teacher, ids);
    const zs = refAll(await weights64(kdStudent), kdStudent, ids);
    expect(r.columns).toBe('full');
    expect(r.columnCount).toBe(tt.vocabSize);
    r.tokens.forEach((t, i) => {
      expect(Math.abs(t.kl! - kl64(zt[i], zs[i]))).toBeLessThan(2e-4 + 1e-3 * kl64(zt[i], zs[i]));
      expect(t.teacherTop1).toBe(tt.vocab[argmax(zt[i])]);
    });
    kdStudent.dispose();
  });
});

describe('the heatmap of a text', () => {
  it('a text longer than the positions is cut into chunks; offsets point into the whole text; word ids run on', async () => {
    const long = Array.from({ length: 4 }, () => TEXT).join(' '); // 4 × 34 student tokens > 62
    const before = tf.memory().numTensors;
    const r = await disagreement(ctxFor('reduce'), student, long);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.chunks).toBeGreaterThan(1);
    const words = r.tokens.filter((t) => !t.special);
    expect(words.length).toBe(tt.encode(long, { addSpecialTokens: false }).tokens.length);
    expect(r.tokens.filter((t) => t.special).length).toBe(2 * r.chunks); // [CLS] and [SEP] per chunk
    for (const t of words) expect(long.slice(t.offsets[0], t.offsets[1])).toBe(t.token.replace(/^##/, ''));
    for (let i = 1; i < words.length; i++) expect(words[i].offsets[0]).toBeGreaterThanOrEqual(words[i - 1].offsets[1]);
    const wordIds = words.map((t) => t.wordId!);
    expect(new Set(wordIds).size).toBe(long.split(/\s+|(?=[,.])/).filter(Boolean).length);
    for (let i = 1; i < wordIds.length; i++) expect(wordIds[i]).toBeGreaterThanOrEqual(wordIds[i - 1]);
    // Chunks run on their own: the first chunk's text alone gives the same tokens and numbers.
    const firstSep = r.tokens.findIndex((t) => t.token === '[SEP]');
    const one = await disagreement(ctxFor('reduce'), student, long.slice(0, r.tokens[firstSep - 1].offsets[1]));
    expect(one.chunks).toBe(1);
    expect(one.tokens.map((t) => t.token)).toEqual(r.tokens.slice(0, firstSep + 1).map((t) => t.token));
    one.tokens.forEach((t, i) => expect(t.kl).toBeCloseTo(r.tokens[i].kl!, 5));
  });

  it('empty text: no tokens, no chunks; a student of the wrong size is refused by name', async () => {
    expect(await disagreement(ctxFor('reduce'), student, '  ')).toMatchObject({ tokens: [], chunks: 0 });
    await expect(disagreement(ctxFor('reduce'), glmdStudent, TEXT)).rejects.toThrow(/vocabulary rows/);
  });
});

describe('the aligned fill-mask probe', () => {
  async function reference(model: MlmModel, ids: number[], pos: number, k: number) {
    const z = refAll(await weights64(model), model, ids)[pos];
    const lp = logSoftmax(z);
    return lp.map((v, id) => ({ id, p: Math.exp(v) })).sort((a, b) => b.p - a.p).slice(0, k);
  }

  it('«whale»: one teacher token, two student pieces masked; both top-k lists at the first masked position, against the reference', async () => {
    const before = tf.memory().numTensors;
    const [a, b] = [TEXT.indexOf('whale'), TEXT.indexOf('whale') + 5];
    const r = await alignedFillMask(ctxFor('reduce'), student, TEXT, a, b, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.span).toEqual([a, b]);
    expect(r.teacher.masked).toEqual([{ token: 'wh', offsets: [a, a + 2] }, { token: '##ale', offsets: [a + 2, b] }]);
    expect(r.student.masked).toEqual([{ token: 'wh', offsets: [a, a + 2] }, { token: '##ale', offsets: [a + 2, b] }]);
    expect(r.teacher.range).toEqual([a, b]);
    const te = tt.encode(TEXT), se = st.encode(TEXT);
    const tPos = te.offsets.findIndex((o) => o[0] === a);
    const sPos = se.offsets.findIndex((o) => o[0] === a);
    const mask = (ids: number[], from: number, n: number, m: number) => ids.map((id, i) => (i >= from && i < from + n ? m : id));
    const tr = await reference(teacher, mask(te.ids, tPos, 2, tt.tokenToId('[MASK]')!), tPos, 5);
    const sr = await reference(student, mask(se.ids, sPos, 2, st.tokenToId('[MASK]')!), sPos, 5);
    expect(r.teacher.candidates.map((c) => c.token)).toEqual(tr.map((x) => tt.vocab[x.id]));
    expect(r.student.candidates.map((c) => c.token)).toEqual(sr.map((x) => st.vocab[x.id]));
    r.teacher.candidates.forEach((c, j) => expect(c.probability).toBeCloseTo(tr[j].p, 5));
    r.student.candidates.forEach((c, j) => expect(c.probability).toBeCloseTo(sr[j].p, 5));
  });

  it('a partial span masks whole tokens; the sides cover different characters', async () => {
    const a = TEXT.indexOf('white');
    const r = await alignedFillMask(ctxFor('match'), student, TEXT, a + 3, a + 4, 3); // «t» of white
    expect(r.teacher.masked.map((m) => m.token)).toEqual(['white']);
    expect(r.teacher.range).toEqual([a, a + 5]);
    expect(r.student.masked.map((m) => m.token)).toEqual(['##ite']);
    expect(r.student.range).toEqual([a + 2, a + 5]);
    expect(r.student.candidates).toHaveLength(3);
  });

  it('GLMD masks the teacher positions on both sides and names the student rows by their teacher tokens', async () => {
    const a = TEXT.indexOf('captain');
    const r = await alignedFillMask(ctxFor('glmd'), glmdStudent, TEXT, a, a + 7, 4);
    expect(r.student.masked).toEqual(r.teacher.masked);
    const te = tt.encode(TEXT);
    const pos = te.offsets.findIndex((o) => o[0] === a);
    const ids = te.ids.map((id, i) => glmd.lookup[i === pos ? tt.tokenToId('[MASK]')! : id]);
    const sr = await reference(glmdStudent, ids, pos, 4);
    expect(r.student.candidates.map((c) => c.token)).toEqual(sr.map((x) => tt.vocab[glmd.rankToId[x.id]]));
  });

  it('named refusals: whitespace only, a bad span, a bad top', async () => {
    const ctx = ctxFor('reduce');
    await expect(alignedFillMask(ctx, student, TEXT, 3, 4, 5)).rejects.toThrow(/only whitespace/);
    await expect(alignedFillMask(ctx, student, TEXT, 4, 4, 5)).rejects.toThrow(/0 ≤ start < end/);
    await expect(alignedFillMask(ctx, student, TEXT, 0, 999, 5)).rejects.toThrow(/ends past the text/);
    await expect(alignedFillMask(ctx, student, TEXT, 0, 3, 0)).rejects.toThrow(DisagreementError);
  });
});

describe('heldOutSample', () => {
  it('the first held-out text of 60–300 characters, else the shortest held-out one', () => {
    const texts = Array.from({ length: 60 }, (_, i) => `text ${i} ${'x'.repeat(i === 39 ? 80 : i === 19 ? 400 : 10)}`);
    expect(heldOutSample(texts)).toBe(texts[39]);
    const short = Array.from({ length: 40 }, (_, i) => `t${i}`);
    expect(heldOutSample(short)).toBe('t19');
    expect(heldOutSample(['only one'])).toBe('only one');
  });
});
