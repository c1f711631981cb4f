/** The TF.js-free parameter formula used by the tokenizer what-if agrees with the model's own parameter list. */
import { describe, expect, it } from 'vitest';
import { makeConfig, presetConfig, PRESET_NAMES, vocabIndependentParams } from './config.ts';
import { countParams } from './mlm.ts';

describe('vocabIndependentParams', () => {
  it('equals countParams − V·H − V for every preset and an odd config', () => {
    const configs = [...PRESET_NAMES.map((p) => presetConfig(p).model), makeConfig({ vocabSize: 777, hiddenSize: 24, numLayers: 3, numHeads: 3, intermediateSize: 50, maxPositions: 40 })];
    for (const c of configs) expect(vocabIndependentParams(c)).toBe(countParams(c) - c.vocabSize * c.hiddenSize - c.vocabSize);
  });
});
