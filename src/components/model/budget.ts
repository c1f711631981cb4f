/**
 * The parameter budget's models and ratios, pure (the Models tab's panel draws them): the papers' examples with the
 * counting conventions that reproduce methods.md (params.test.ts), and the compression of every student against the
 * teacher, params(teacher) / params(student) — Paper A's 17.1× (rubert-base → tiny with 30,522 tokens) and 49× (5,000
 * tokens) are two students of one teacher, so each student gets its own ratio (not only the last one).
 */
import { makeConfig, type MlmConfig } from '../../models/config.ts';
import { countParamsByPart } from '../../models/params.ts';

export interface ParamBreakdown {
  name: string;
  embeddings: number;
  body: number;
  head: number;
}

export const totalParams = (b: ParamBreakdown): number => b.embeddings + b.body + b.head;

/** The first model is the teacher; every other one gets params(teacher) / params(it). */
export function budgetRatios(models: ParamBreakdown[]): { name: string; ratio: number }[] {
  if (models.length < 2) return [];
  const teacher = totalParams(models[0]);
  return models.slice(1).map((m) => ({ name: m.name, ratio: teacher / totalParams(m) }));
}

/** methods.md §A.2: the paper's teacher (BertModel with pooler) and its tiny students (MLM head, tied decoder; the exact counts include a 2-row token-type table). */
const RUBERT = makeConfig({ vocabSize: 119_547, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512 });
const tiny = (vocabSize: number) => makeConfig({ vocabSize, hiddenSize: 264, numLayers: 3, numHeads: 12, intermediateSize: 792, maxPositions: 512, typeVocabSize: 2 });

/** methods.md §B.2, BERT-shaped (512 positions, 2 token types, MLM head, tied): GLM-base and its 6 × 768 students. */
const glmdBert = (vocabSize: number, numLayers: number, embeddingSize?: number) =>
  makeConfig({ vocabSize, hiddenSize: 768, numLayers, numHeads: 12, intermediateSize: 3072, maxPositions: 512, embeddingSize });

export function breakdown(name: string, c: MlmConfig, withPooler = false, withMlmHead = true): ParamBreakdown {
  const p = countParamsByPart(c, { withPooler, withMlmHead });
  return { name, embeddings: p.embeddings.total, body: p.body.total + p.pooler, head: p.head.total };
}

/** Kolesnikova et al.: rubert-base → the tiny students with 30,522 and 5,000 tokens. */
export const paperExample = (): ParamBreakdown[] => [breakdown('rubert-base (teacher)', RUBERT, true, false), breakdown('tiny, 30,522 vocab', tiny(30_522)), breakdown('tiny, 5,000 vocab', tiny(5000))];

/** GLMD (Tan et al.), BERT-shaped: GLM-base → the 6 × 768 students. */
export const glmdExample = (): ParamBreakdown[] => [
  breakdown('GLM-base 12×768', glmdBert(30_592, 12)), breakdown('GLMD-vc 6×768', glmdBert(30_592, 6)), breakdown('GLMD 50 % vocab', glmdBert(15_360, 6)), breakdown('GLMD+al E 384', glmdBert(15_360, 6, 384)),
];
