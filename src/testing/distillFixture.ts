/**
 * The tiny distillation fixture shared by the run tests: 60 seeded texts over a 19-word Moby-Dick vocabulary, a
 * teacher WordPiece (≤ 500 entries) trained on them, a character-level student vocabulary with a few whole words,
 * an untrained 2 × 16 teacher, and a 1 × 8 student recipe of any method. CPU backend; call `loadDistillFixture` in
 * beforeAll and `dispose` in afterAll.
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig } from '../models/config.ts';
import { createMlm, type MlmModel } from '../models/mlm.ts';
import { createRng } from '../data/rng.ts';
import { trainTokenizer, DEFAULT_TOKENIZER_TRAIN } from '../tokenizers/trainTokenizer.ts';
import { bertTokenizer, SPECIALS } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { defaultRecipe } from '../distill/recipe.ts';
import type { DistillSetup } from '../distill/run.ts';
import type { Method, Recipe } from '../distill/types.ts';

const WORDS = 'the white whale swims and ship sails to sea captain Ahab hunts harpooner Queequeg Ishmael strange voyage , .'.split(' ');
const rng = createRng(5);
export const TEXTS = Array.from({ length: 60 }, () => Array.from({ length: 4 + rng.int(20) }, () => WORDS[rng.int(WORDS.length)]).join(' '));

export interface DistillFixture {
  teacherTok: Tokenizer;
  studentTok: Tokenizer;
  teacher: MlmModel;
  setup(): DistillSetup;
  dispose(): void;
}

export async function loadDistillFixture(): Promise<DistillFixture> {
  await tf.setBackend('cpu');
  const teacherTok = (await trainTokenizer(TEXTS, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 500, minFrequency: 1 })).tokenizer;
  const chars = [...new Set(TEXTS.join('').replace(/ /g, ''))].sort();
  const studentTok = bertTokenizer(new WordPieceModel([...SPECIALS, ...chars, ...chars.map((c) => `##${c}`), 'the', 'wh', '##ale', 'sh', '##ip', 'sea']), DEFAULT_NORMALIZER);
  const teacher = createMlm(makeConfig({ vocabSize: teacherTok.vocabSize, hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32, maxPositions: 48 }), 7);
  return {
    teacherTok, studentTok, teacher,
    setup: () => ({ teacher, teacherTokenizer: teacherTok, texts: TEXTS, studentTokenizer: studentTok }),
    dispose: () => teacher.dispose(),
  };
}

/** A 1-layer, 8-wide student recipe of `method` on 4 × 24 batches (override anything with `over`). */
export function tinyRecipe(method: Method, over: Partial<Recipe> = {}): Recipe {
  return {
    ...defaultRecipe(method),
    student: { ...defaultRecipe(method).student, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 },
    steps: 4, batchSize: 4, seqLen: 24, logEvery: 1, evalEvery: 0, checkpointEvery: 0, warmupFrac: 0.25,
    ...over,
  };
}
