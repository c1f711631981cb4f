/**
 * A tiny teacher HF folder and corpus on disk for the CLI run tests: 80 seeded texts over a 19-word Moby-Dick
 * vocabulary, a WordPiece (≤ 500 entries) trained on them, an untrained 1 × 16 teacher. Needs a TF.js backend set.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeConfig } from '../models/config.ts';
import { createMlm } from '../models/mlm.ts';
import { exportHfFolder } from '../models/hfFolder.ts';
import { createRng } from '../data/rng.ts';
import { trainTokenizer, DEFAULT_TOKENIZER_TRAIN } from '../tokenizers/trainTokenizer.ts';
import { writeHfFolderFiles } from '../cli/hfFolderFs.ts';

const WORDS = 'the white whale swims and ship sails to sea captain Ahab hunts harpooner Queequeg Ishmael strange voyage , .'.split(' ');

/** Writes DIR/teacher/ and DIR/corpus.txt; returns their paths. */
export async function writeTinyTeacher(dir: string): Promise<{ teacher: string; corpus: string }> {
  const rng = createRng(3);
  const texts = Array.from({ length: 80 }, () => Array.from({ length: 4 + rng.int(20) }, () => WORDS[rng.int(WORDS.length)]).join(' '));
  const corpus = join(dir, 'corpus.txt');
  writeFileSync(corpus, texts.join('\n') + '\n');
  const tok = (await trainTokenizer(texts, { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 500, minFrequency: 1 })).tokenizer;
  const model = createMlm(makeConfig({ vocabSize: tok.vocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, maxPositions: 32 }), 1);
  const teacher = join(dir, 'teacher');
  await writeHfFolderFiles(teacher, (await exportHfFolder(model, tok)).files);
  model.dispose();
  return { teacher, corpus };
}
