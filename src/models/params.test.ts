// Parameter counts and memory (src/models/params.ts): the golden table of methods.md §A.2 / checklist 17 and §B.2 /
// checklist 27, agreement with the model's own parameter list, and the vocabulary-independent part used by the what-if.
//
// Counting conventions that reproduce methods.md:
// - rubert-base teacher: HF BertModel with its pooler, no MLM head, 2 token types → 177,853,440.
// - tiny students: masked LM with the MLM head and a tied decoder. methods.md's exact 10,395,426 / 3,632,096 need
//   2 × 264 = 528 token-type parameters, i.e. a BERT-shaped student with type_vocab_size 2. Without token types (what
//   §A.2's prose says, and the DistilBERT layout of the released -v1 model) the counts are 528 lower: 10,394,898 /
//   3,631,568. Both round to the cards' 10.4 M / 3.6 M and give the same ratios 17.11 and 48.97.
// - GLMD students: GLM's own layout (glmParams); our counter's BERT-shaped equivalents are listed beside them.
import { describe, expect, it } from 'vitest';
import { makeConfig, presetConfig, PRESET_NAMES, type MlmConfig } from './config.ts';
import { countParams } from './mlm.ts';
import { countParamsByPart, glmParams, memoryEstimate, toMB, vocabIndependentParams, type CountOptions } from './params.ts';

const bert = (V: number, L: number, H: number, I: number, typeVocabSize: number, embeddingSize?: number): MlmConfig =>
  makeConfig({ vocabSize: V, numLayers: L, hiddenSize: H, numHeads: 12, intermediateSize: I, maxPositions: 512, typeVocabSize, embeddingSize });
const TEACHER: CountOptions = { withPooler: true, withMlmHead: false };
const MLM: CountOptions = { withMlmHead: true, tiedDecoder: true };
const M = (n: number) => Math.round(n / 1e5) / 10; // millions to 0.1 M

describe('golden table: methods.md §A.2 and checklist 17', () => {
  const rows: [string, MlmConfig, CountOptions, number][] = [
    ['rubert-base teacher (BertModel + pooler)', bert(119_547, 12, 768, 3072, 2), TEACHER, 177_853_440],
    ['tiny v1, V 30,522, 2 token types (methods.md exact)', bert(30_522, 3, 264, 792, 2), MLM, 10_395_426],
    ['tiny 5k, V 5,000, 2 token types (methods.md exact)', bert(5_000, 3, 264, 792, 2), MLM, 3_632_096],
    ['tiny v1, V 30,522, no token types (DistilBERT)', bert(30_522, 3, 264, 792, 0), MLM, 10_394_898],
    ['tiny 5k, V 5,000, no token types (DistilBERT)', bert(5_000, 3, 264, 792, 0), MLM, 3_631_568],
  ];
  it.each(rows.map(([name, cfg, opts, expected]) => ({ name, cfg, opts, expected })))('$name = $expected', ({ cfg, opts, expected }) => {
    expect(countParamsByPart(cfg, opts).total).toBe(expected);
  });

  it('the parts of the teacher and the 30K student, by hand', () => {
    const t = countParamsByPart(rows[0][1], TEACHER);
    expect(t.embeddings).toEqual({ word: 91_812_096, position: 393_216, tokenType: 1_536, layerNorm: 1_536, projection: 0, total: 92_208_384 });
    expect(t.body).toEqual({ perLayer: 7_087_872, layers: 12, total: 85_054_464 });
    expect(t.head.total).toBe(0);
    expect(t.pooler).toBe(590_592);
    const s = countParamsByPart(rows[1][1], MLM);
    expect(s.embeddings.total).toBe(8_057_808 + 135_168 + 528 + 528);
    expect(s.body.total).toBe(3 * 700_128);
    expect(s.head).toEqual({ transform: 69_960, layerNorm: 528, projection: 0, outputBias: 30_522, decoder: 0, total: 101_010 });
    expect(s.vocabDependent).toBe(30_522 * 264 + 30_522);
    expect(s.embeddingShare).toBeCloseTo(8_194_032 / 10_395_426, 12);
    expect(s.vocabShare).toBeCloseTo(0.7781, 4); // the vocabulary is 78 % of the tiny student
  });

  it('ratios: exact 17.11 and 48.97 (with or without token types); the cards\' rounded 177.9/10.4 = 17.1, 177.9/3.6 = 49.4', () => {
    const r = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    expect(r(177_853_440, 10_395_426)).toBe(17.11);
    expect(r(177_853_440, 3_632_096)).toBe(48.97);
    expect(r(177_853_440, 10_394_898)).toBe(17.11);
    expect(r(177_853_440, 3_631_568)).toBe(48.97);
    expect(Math.round((177.9 / 10.4) * 10) / 10).toBe(17.1);
    expect(Math.round((177.9 / 3.6) * 10) / 10).toBe(49.4);
    for (const [, cfg, opts] of rows) expect([177.9, 10.4, 3.6]).toContain(M(countParamsByPart(cfg, opts).total));
  });

  it('the full-vocabulary distilrubert students: small 2×768 = 107.1 M (ratio 1.66), base 6×768 = 135.4 M', () => {
    expect(M(countParamsByPart(bert(119_547, 2, 768, 3072, 2), MLM).total)).toBe(107.1);
    expect(M(countParamsByPart(bert(119_547, 6, 768, 3072, 2), MLM).total)).toBe(135.4);
    expect(Math.round((177.9 / 107.1) * 100) / 100).toBe(1.66);
  });
});

describe('GLMD students (methods.md §B.2, checklist 27): GLM conventions and the BERT-shaped equivalents', () => {
  // K = ceil(floor(0.5 · 30,524) / 128) · 128 = 15,360 (checklist 22); the full vocabulary is padded to 30,592.
  const glm = (V: number, E?: number) => glmParams({ vocabSize: V, hiddenSize: 768, numLayers: 6, embeddingSize: E });
  const ours = (V: number, E?: number) => countParamsByPart(bert(V, 6, 768, 3072, 2, E), MLM).total;
  const table: [string, number, number | undefined, number, number, number][] = [
    // name, V, E, GLM exact, GLM to 0.1 M, ours (BERT-shaped: 512 positions, 2 token types, MLM head, tied)
    ['GLMD-vc (full vocabulary)', 30_592, undefined, 66_811_392, 66.8, 67_040_896],
    ['GLMD (50 % vocabulary)', 15_360, undefined, 55_113_216, 55.1, 55_327_488],
    ['GLMD+al (50 %, E = 384)', 15_360, 384, 49_805_952, 49.8, 50_020_224],
  ];
  const named = table.map(([name, V, E, exact, rounded, bertShaped]) => ({ name, V, E, exact, rounded, bertShaped }));
  it.each(named)('$name: GLM $exact ($rounded M); BERT-shaped $bertShaped', ({ V, E, exact, rounded, bertShaped }) => {
    expect(glm(V, E).total).toBe(exact);
    expect(M(glm(V, E).total)).toBe(rounded);
    expect(ours(V, E)).toBe(bertShaped);
  });

  it('the difference is layout, not arithmetic: GLM adds a 513×768 block-position table, one position row and a final LayerNorm; BERT adds token types, an embedding LayerNorm and the MLM transform, LayerNorm and output bias', () => {
    const glmOnly = 513 * 768 + 768 + 2 * 768; // block positions, the 513th position row, final LayerNorm
    const bertOnly = (V: number) => 2 * 768 + 2 * 768 + (768 * 768 + 768) + 2 * 768 + V; // token types, emb LN, transform, LN, bias
    for (const [, V, E, exact, , bertShaped] of table) {
      expect(bertShaped - exact).toBe(bertOnly(V) - glmOnly);
      expect(glm(V, E).positions).toBe(2 * 513 * 768);
    }
    expect(glm(15_360, 384).projections).toBe(384 * 768 + 768 + 768 * 384 + 384);
  });
});

describe('countParamsByPart vs the model, options, memory', () => {
  const configs: MlmConfig[] = [
    ...PRESET_NAMES.map((p) => presetConfig(p).model),
    makeConfig({ vocabSize: 777, hiddenSize: 24, numLayers: 3, numHeads: 3, intermediateSize: 50, maxPositions: 40 }),
    makeConfig({ vocabSize: 777, hiddenSize: 24, numLayers: 2, numHeads: 3, intermediateSize: 50, maxPositions: 40, typeVocabSize: 0, embeddingSize: 8 }),
    makeConfig({ vocabSize: 300, hiddenSize: 32, numLayers: 1, numHeads: 4, typeVocabSize: 5, embeddingSize: 16 }),
  ];

  it('the default count (MLM head, tied decoder, no pooler) equals countParams of paramShapes; parts add up', () => {
    for (const c of configs) {
      const n = countParamsByPart(c);
      expect(n.total).toBe(countParams(c));
      expect(n.embeddings.total + n.body.total + n.head.total + n.pooler).toBe(n.total);
    }
  });

  it('options: no MLM head removes exactly the head; an untied decoder adds V×E; the pooler adds H²+H', () => {
    const c = configs[4];
    const base = countParamsByPart(c);
    expect(countParamsByPart(c, { withMlmHead: false }).total).toBe(base.total - base.head.total);
    expect(base.head.projection).toBe(24 * 8 + 8);
    expect(countParamsByPart(c, { tiedDecoder: false }).total).toBe(base.total + 777 * 8);
    expect(countParamsByPart(c, { withPooler: true }).total).toBe(base.total + 24 * 24 + 24);
  });

  it('vocabIndependentParams = total − V·E − V (E = hidden size unless factorised)', () => {
    for (const c of configs) expect(vocabIndependentParams(c)).toBe(countParams(c) - c.vocabSize * (c.embeddingSize ?? c.hiddenSize) - c.vocabSize);
  });

  it('memory: 4 / 2 bytes a weight, 16 for fp32 training (weights, gradients, Adam m and v); teacher 711.41 MB, tiny 41.58 MB', () => {
    expect(memoryEstimate(177_853_440)).toEqual({ params: 177_853_440, weightsFp32: 711_413_760, weightsFp16: 355_706_880, trainingFp32: 2_845_655_040 });
    expect(toMB(memoryEstimate(177_853_440).weightsFp32)).toBe(711.41);
    expect(toMB(memoryEstimate(10_395_426).weightsFp32)).toBe(41.58);
    expect(toMB(memoryEstimate(10_395_426).weightsFp16)).toBe(20.79);
  });
});
