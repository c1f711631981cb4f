// One source of explanations (issue 12 item 4): every distillation method has a title and exactly two sentences,
// every term the tabs mark has a tooltip text.
import { describe, expect, it } from 'vitest';
import { METHODS } from '../distill/types.ts';
import { METHOD_TEXT, sentences, TERMS, type TermId } from './glossary.ts';

describe('glossary', () => {
  it('every method has a title and a two-sentence explanation', () => {
    expect(Object.keys(METHOD_TEXT).sort()).toEqual([...METHODS].sort());
    for (const m of METHODS) {
      expect(METHOD_TEXT[m].title.length, m).toBeGreaterThan(2);
      expect(sentences(METHOD_TEXT[m].text), m).toHaveLength(2);
    }
  });

  it('KL, T², σ, C, STRR, fertility and the loss weights have tooltips', () => {
    const required: TermId[] = ['KL', 'T', 'T2', 'sigma', 'C', 'STRR', 'fertility', 'weights', 'wKL', 'wMLM', 'wMSE'];
    for (const id of required) {
      expect(TERMS[id].label, id).not.toBe('');
      expect(TERMS[id].text.length, id).toBeGreaterThan(40);
    }
    expect(TERMS.T2.label).toBe('T²');
    expect(TERMS.sigma.label).toBe('σ');
  });

  it('sentences() splits after . ! ? followed by a space', () => {
    expect(sentences('One. Two! Three?')).toEqual(['One.', 'Two!', 'Three?']);
    expect(sentences('σ(t₁)‖…‖σ(tₙ) is one sentence.')).toHaveLength(1);
    expect(sentences('')).toEqual([]);
  });
});
