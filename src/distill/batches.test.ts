// Distillation data and batches (batches.ts) on two tokenizers trained here: held-out split, chunking, t2s groups,
// drops and truncation (item 3), unmasked teacher / t2s inputs (item 4), batch-level MLM counts (item 5), Reduce rows
// (item 7), Match pairs in flat positions (item 11), GLMD's shared corrupted input through the lookup (item 25),
// fixed bucket shapes and seeded determinism.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/rng.ts';
import { trainTokenizer, DEFAULT_TOKENIZER_TRAIN } from '../tokenizers/trainTokenizer.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { bertTokenizer, SPECIALS } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import { buildSigma, type GlmdVocab, type SigmaMap } from '../alignment/index.ts';
import { defaultRecipe } from './recipe.ts';
import { bucketLengths, chunkText, createDistillBatcher, prepareDistillData, HELDOUT_EVERY, type DistillData } from './batches.ts';
import type { DistillBatch, Method, Recipe } from './types.ts';

const WORDS = 'the white whale swims and ship sails to sea captain Ahab hunts harpooner Queequeg Ishmael strange voyage , .'.split(' ');
const rng = createRng(7);
const TEXTS = Array.from({ length: 80 }, (_, i) => Array.from({ length: 3 + rng.int(i === 5 ? 200 : 30) }, () => WORDS[rng.int(WORDS.length)]).join(' '));
TEXTS[5] = Array.from({ length: 160 }, (_, k) => WORDS[k % WORDS.length]).join(' '); // much longer than one chunk

let teacher: Tokenizer;
let student: Tokenizer;
let sigma: SigmaMap;

beforeAll(async () => {
  teacher = (await trainTokenizer(TEXTS, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 500, minFrequency: 1 })).tokenizer;
  // A smaller student: every character bare and as ##c, plus a few pieces (so σ splits most teacher words).
  const chars = [...new Set(TEXTS.join('').replace(/ /g, ''))].sort();
  const vocab = [...SPECIALS, ...chars, ...chars.map((c) => `##${c}`), 'the', 'wh', '##ale', 'sh', '##ip', 'sea', 'to'];
  student = bertTokenizer(new WordPieceModel(vocab), DEFAULT_NORMALIZER);
  sigma = buildSigma(teacher.vocab, student.vocab);
});

const recipeFor = (method: Method, over: Partial<Recipe> = {}): Recipe => ({ ...defaultRecipe(method), seqLen: 32, batchSize: 4, ...over });
const prepare = (method: Method, over: Partial<Recipe> = {}, extra: { glmd?: GlmdVocab; studentMaxPositions?: number } = {}) =>
  prepareDistillData({ texts: TEXTS, teacherTokenizer: teacher, studentTokenizer: student, recipe: recipeFor(method, over), sigma, glmd: extra.glmd, studentMaxPositions: extra.studentMaxPositions ?? 64 });
const row = (a: Int32Array, b: number, T: number, len: number) => Array.from(a.slice(b * T, b * T + len));
const nonPad = (m: Int32Array) => m.reduce((s, x) => s + x, 0);

describe('prepareDistillData', () => {
  it('holds out every 20th text and chunks long texts at word starts so both encodings fit seqLen', () => {
    const d = prepare('match');
    expect(d.stats.heldoutTexts).toBe(Math.floor(TEXTS.length / HELDOUT_EVERY));
    const heldoutChunks = TEXTS.filter((_, i) => i % 20 === 19).flatMap((t) => chunkText(t, [teacher, student], 30));
    expect(d.heldout.map((s) => Array.from(s.ids))).toEqual(heldoutChunks.map((c) => student.encode(c).ids));
    const chunks = chunkText(TEXTS[5], [teacher, student], 30);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join(' ')).toBe(TEXTS[5]); // consecutive, nothing lost
    for (const c of chunks) for (const t of [teacher, student]) expect(t.encode(c).ids.length).toBeLessThanOrEqual(32);
    for (const e of d.train) {
      expect(e.teacher!.length).toBeLessThanOrEqual(32);
      expect(e.student.length).toBeLessThanOrEqual(32);
    }
  });

  it('every method with its own student vocabulary gets the same training and held-out student sequences', () => {
    // A character-level teacher: its sequences are the longer ones, so its length decides where texts are chunked.
    const chars = [...new Set(TEXTS.join('').replace(/ /g, ''))].sort();
    const charTeacher = bertTokenizer(new WordPieceModel([...SPECIALS, ...chars, ...chars.map((c) => `##${c}`)]), DEFAULT_NORMALIZER);
    const ids = (m: Method) => {
      const d = prepareDistillData({ texts: TEXTS, teacherTokenizer: charTeacher, studentTokenizer: student, recipe: recipeFor(m), sigma: buildSigma(charTeacher.vocab, student.vocab), studentMaxPositions: 512 });
      return [d.train.map((e) => Array.from(e.student)), d.heldout.map((e) => Array.from(e.ids))];
    };
    const base = ids('mlm-only');
    for (const m of ['reduce', 'match'] as const) expect(ids(m)).toEqual(base);
  });

  it('item 3: t2s = σ(t_1) ‖ … ‖ σ(t_n) with contiguous groups; longer than the student positions → whole groups kept, counted', () => {
    // σ("the") = 6 pieces makes t2s much longer than the student's own sequences.
    const the = teacher.tokenToId('the')!;
    const six = Int32Array.from(['t', '##h', '##e', '##t', '##h', '##e'], (t) => student.tokenToId(t)!);
    const sig = { ...sigma, pieces: sigma.pieces.map((p, v) => (v === the ? six : p)) };
    const d = prepareDistillData({ texts: TEXTS, teacherTokenizer: teacher, studentTokenizer: student, recipe: recipeFor('reduce'), sigma: sig, studentMaxPositions: 32 });
    let truncated = 0;
    for (const e of d.train) {
      const gs = Array.from(e.t2s!.groupStart);
      expect(gs[0]).toBe(0);
      expect(gs[gs.length - 1]).toBe(e.t2s!.ids.length);
      expect(e.t2s!.ids.length).toBeLessThanOrEqual(32);
      for (let i = 0; i + 1 < gs.length; i++) expect(Array.from(e.t2s!.ids.slice(gs[i], gs[i + 1]))).toEqual(Array.from(sig.pieces[e.teacher![i]]!));
      if (e.t2s!.truncated) {
        truncated++;
        expect(gs.length - 1).toBeLessThan(e.teacher!.length);
        const next = sig.pieces[e.teacher![gs.length - 1]]!.length; // the first group left out did not fit
        expect(e.t2s!.ids.length + next).toBeGreaterThan(32);
      } else expect(gs.length - 1).toBe(e.teacher!.length);
    }
    expect(truncated).toBe(d.stats.t2sTruncated);
    expect(truncated).toBeGreaterThan(0);
  });

  it('item 3: a t2s of ≥ 512 pieces or > 50 % [UNK] is dropped and counted', () => {
    // A σ that sends "whale" to 600 pieces and "Ahab" to [UNK]: texts with whale are too long, mostly-Ahab texts drop.
    const whale = teacher.tokenToId('whale')!;
    const ahab = teacher.tokenToId('Ahab')!;
    const unk = student.tokenToId('[UNK]')!;
    const pieces = sigma.pieces.map((p, v) => (v === whale ? new Int32Array(600).fill(student.tokenToId('w')!) : v === ahab ? Int32Array.of(unk) : p));
    const texts = ['the whale swims', 'Ahab Ahab Ahab Ahab the', 'the ship sails', 'Ahab the ship sails'];
    const d = prepareDistillData({ texts, teacherTokenizer: teacher, studentTokenizer: student, recipe: recipeFor('reduce'), sigma: { ...sigma, pieces }, studentMaxPositions: 64 });
    expect(d.stats.droppedLong).toBe(1);
    expect(d.stats.droppedUnk).toBe(1); // t2s [CLS] [UNK]×4 the [SEP]: 4 of 7 are [UNK]
    expect(d.train.map((e) => student.decode(e.student))).toEqual(['the ship sails', 'Ahab the ship sails']);
  });
});

describe('createDistillBatcher', () => {
  const collect = (d: DistillData, r: Recipe, n: number) => {
    const b = createDistillBatcher(d, r);
    return Array.from({ length: n }, () => b.next());
  };

  it('item 4, 5, 7: teacher and t2s rows are unmasked; MLM targets = ceil(15 % of non-pad student tokens), no specials; one KL row per non-pad teacher token', () => {
    const r = recipeFor('reduce');
    const d = prepare('reduce');
    const specials = new Set(Object.values(d.studentSpecials));
    const byTeacher = new Map(d.train.map((e) => [e.teacher!.join(','), e]));
    for (const b of collect(d, r, 12)) {
      const B = b.batchSize;
      expect(B).toBe(4);
      const t = b.teacher!;
      const t2s = b.t2s!;
      let rows = 0;
      for (let i = 0; i < B; i++) {
        const len = nonPad(t.mask.slice(i * t.seqLen, (i + 1) * t.seqLen));
        const e = byTeacher.get(row(t.ids, i, t.seqLen, len).join(','));
        expect(e).toBeDefined(); // the teacher row is an unmasked training sequence
        expect(row(t2s.ids, i, t2s.seqLen, e!.t2s!.ids.length)).toEqual(Array.from(e!.t2s!.ids)); // t2s unmasked too
        rows += e!.t2s!.groupStart.length - 1;
      }
      expect(t2s.rowTeacherPos.length).toBe(rows);
      expect(rows).toBe(nonPad(t.mask)); // nothing truncated at 64 positions: every non-pad teacher token is a row
      for (const p of t2s.rowTeacherPos) expect(t.mask[p]).toBe(1);
      for (let g = 0; g < rows; g++) {
        const tp = t2s.rowTeacherPos[g];
        const tb = Math.floor(tp / t.seqLen);
        const ids = Array.from(t2s.groupPos.slice(t2s.groupStart[g], t2s.groupStart[g + 1]), (p) => {
          expect(Math.floor(p / t2s.seqLen)).toBe(tb); // the group lies in the same batch row
          return t2s.ids[p];
        });
        expect(ids).toEqual(Array.from(sigma.pieces[t.ids[tp]]!));
      }
      const s = b.student;
      expect(s.mlmPositions.length).toBe(Math.ceil(0.15 * nonPad(s.mask)));
      for (let k = 0; k < s.mlmPositions.length; k++) {
        expect(specials.has(s.mlmLabels[k])).toBe(false);
        expect(s.mask[s.mlmPositions[k]]).toBe(1);
      }
    }
  });

  it('item 11: Match pairs in flat positions join equal token strings, the k-th with the k-th', () => {
    const r = recipeFor('match');
    const d = prepare('match');
    let pairs = 0;
    for (const b of collect(d, r, 10)) {
      const { teacherPos, studentPos } = b.match!;
      expect(teacherPos.length).toBe(studentPos.length);
      expect(b.stats.matchPairs).toBe(teacherPos.length);
      pairs += teacherPos.length;
      // Student strings come from the unmasked ids: undo the MLM corruption at the target positions.
      const clean = b.student.ids.slice();
      b.student.mlmPositions.forEach((p, k) => (clean[p] = b.student.mlmLabels[k]));
      for (let k = 0; k < teacherPos.length; k++) {
        expect(teacher.vocab[b.teacher!.ids[teacherPos[k]]]).toBe(student.vocab[clean[studentPos[k]]]);
        if (k > 0 && Math.floor(teacherPos[k] / b.teacher!.seqLen) === Math.floor(teacherPos[k - 1] / b.teacher!.seqLen)) {
          expect(teacherPos[k]).toBeGreaterThan(teacherPos[k - 1]);
          expect(studentPos[k]).toBeGreaterThan(studentPos[k - 1]);
        }
      }
    }
    expect(pairs).toBeGreaterThan(0);
  });

  it('items 18, 25: GLMD teacher and student share ids, positions and mask (one corrupted sequence, no alignment path); student rows are lookup(teacher ids); masked positions carry the teacher id of the new row', () => {
    // A hand-made compression: keep ids 0–5 and the even ids; a removed (odd) id maps to the kept id before it.
    const V = teacher.vocabSize;
    const keptIds = Array.from({ length: V }, (_, i) => i).filter((i) => i < 6 || i % 2 === 0);
    const lookup = new Int32Array(V);
    const replacement = new Int32Array(V);
    const rank = new Map(keptIds.map((id, r) => [id, r]));
    for (let v = 0; v < V; v++) { replacement[v] = rank.has(v) ? v : v - 1; lookup[v] = rank.get(replacement[v])!; }
    const glmd: GlmdVocab = { K: keptIds.length, rankToId: Int32Array.from(keptIds), lookup, replacement };
    const r = recipeFor('glmd');
    const d = prepare('glmd', {}, { glmd });
    expect(d.studentVocabSize).toBe(glmd.K);
    for (const e of d.train) expect(Array.from(e.student)).toEqual(Array.from(e.teacher!, (id) => lookup[id]));
    for (const b of collect(d, r, 8)) {
      const t = b.teacher!;
      const s = b.student;
      expect(t.seqLen).toBe(s.seqLen);
      expect(Array.from(b.glmd!.positions)).toEqual([...s.mask.keys()].filter((p) => s.mask[p] === 1));
      const targets = new Set(s.mlmPositions);
      for (let p = 0; p < s.ids.length; p++) {
        if (!s.mask[p]) continue;
        if (!targets.has(p) || s.ids[p] === lookup[t.ids[p]]) expect(s.ids[p]).toBe(lookup[t.ids[p]]);
        if (s.ids[p] === d.studentSpecials.mask) expect(t.ids[p]).toBe(d.teacherSpecials.mask);
      }
      for (const label of s.mlmLabels) expect(label).toBeLessThan(glmd.K);
    }
  });

  it('item 5: mlmSmoothing is the exponent of max(count, 1): +0.7 favours frequent targets, −0.7 (DistilBERT) rare ones', () => {
    const meanCount = (p: number) => {
      const r = recipeFor('mlm-only', { mlmSmoothing: p });
      const d = prepare('mlm-only', { mlmSmoothing: p });
      let sum = 0, n = 0;
      for (const b of collect(d, r, 40)) for (const id of b.student.mlmLabels) { sum += d.counts[id]; n++; }
      return sum / n;
    };
    const freq = meanCount(0.7), flat = meanCount(0), rare = meanCount(-0.7);
    expect(freq).toBeGreaterThan(flat);
    expect(flat).toBeGreaterThan(rare);
  });

  it('pads each stream to at most four bucket lengths with a fixed batch size; the same seed gives the same batches', () => {
    const r = recipeFor('reduce');
    const d = prepare('reduce');
    const batches = collect(d, r, 40);
    const lens = (f: (b: DistillBatch) => number) => new Set(batches.map(f));
    expect([...lens((b) => b.student.seqLen)].every((T) => bucketLengths(d.maxLen.student).includes(T))).toBe(true);
    expect([...lens((b) => b.teacher!.seqLen)].every((T) => bucketLengths(d.maxLen.teacher).includes(T))).toBe(true);
    expect([...lens((b) => b.t2s!.seqLen)].every((T) => bucketLengths(d.maxLen.t2s).includes(T))).toBe(true);
    expect(bucketLengths(100)).toEqual([32, 56, 80, 104]);
    for (const b of batches) expect(b.student.ids.length).toBe(4 * b.student.seqLen);
    expect(collect(d, r, 40)).toEqual(batches);
    expect(collect(d, { ...r, seed: 43 }, 40)).not.toEqual(batches);
  });
});
