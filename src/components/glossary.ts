/**
 * The one source of the page's explanations (issue 12 item 4): two sentences per distillation method (the Alignment
 * tab's lens panel and the Distill tab's method select show the same text) and a tooltip per term (KL, T², σ, C,
 * STRR, fertility, the loss weights …) for the <Term> component. Written for a student in a lecture, without the papers.
 */
import type { Method } from '../distill/types.ts';

export interface MethodText { title: string; text: string }

export const METHOD_TEXT: Record<Method, MethodText> = {
  reduce: {
    title: 'Reduce (Reduce ∩)',
    text: 'The student reads the text as σ(t₁)‖…‖σ(tₙ): every teacher token is replaced by the student pieces that spell it, one group Gᵢ per teacher token. '
      + "For each teacher token the student's logits over its group are summed, and KL pulls that prediction towards the teacher's, over the shared tokens C only.",
  },
  'reduce-map': {
    title: 'Reduce-map',
    text: 'The student reads the same σ groups as in Reduce, one group per teacher token. '
      + "Instead of keeping only the shared tokens C, every teacher entry is scored through its student pieces (their sum or log-sum-exp), so KL compares the predictions over the teacher's whole mapped vocabulary.",
  },
  match: {
    title: 'Match',
    text: 'Teacher and student tokens that are the same string are paired greedily from left to right, and tokens without a partner are skipped (the search can jump ahead to a later copy of the string). '
      + "Only the pairs are distilled: at each pair KL pulls the student's prediction towards the teacher's, over the shared tokens C.",
  },
  glmd: {
    title: 'GLMD',
    text: "The student keeps the teacher's K most frequent tokens, and every removed token is replaced by the kept token whose teacher embedding is most similar. "
      + 'Both models then read the same sequence, and KL compares them at every position over the K kept tokens, with a high temperature and no hard labels.',
  },
  'mlm-only': {
    title: 'MLM only (no distillation)',
    text: 'The baseline without a teacher: the student learns masked-language modelling on its own vocabulary and nothing else. '
      + 'Every distillation method is compared with this curve, so the gap between them is what the teacher adds.',
  },
  'kd-full': {
    title: 'kd-full (DistilBERT-style)',
    text: "The student keeps the teacher's whole vocabulary, so both models read exactly the same tokens and no alignment is needed. "
      + 'KL compares them at every position over the full vocabulary: what distillation gives when the vocabulary does not change.',
  },
};

export type TermId = 'KL' | 'T' | 'T2' | 'sigma' | 'C' | 'STRR' | 'fertility' | 'weights' | 'wKL' | 'wMLM' | 'wMSE' | 'UNK' | 'MLM' | 'agreement' | 'PLL' | 'probe' | 'majority';

export interface TermText { label: string; text: string }

export const TERMS: Record<TermId, TermText> = {
  KL: { label: 'KL', text: "KL divergence: how far the student's predicted distribution over tokens is from the teacher's (0 when they agree). It is the distillation loss." },
  T: { label: 'T', text: "Temperature T: both models' logits are divided by T before KL, which softens the distributions so that the teacher's second choices count too." },
  T2: { label: 'T²', text: 'The KL term is multiplied by T² (temperature squared) so that its gradients keep the same size whatever the temperature.' },
  sigma: { label: 'σ', text: 'σ (sigma) maps a teacher token to the student pieces that spell it: the student tokenizer applied to the teacher token\'s string (e.g. «whaling» → whal ##ing).' },
  C: { label: 'C', text: "C, the shared vocabulary: token strings that both the teacher's and the student's vocabularies contain. Reduce and Match compare predictions over C only." },
  STRR: { label: 'STRR', text: 'STRR (single-token retention rate): the share of words that the tokenizer keeps as one whole token. Higher means fewer words are split.' },
  fertility: { label: 'fertility', text: 'Fertility: tokens per word. 1.0 means every word is one token; a smaller vocabulary splits more and raises it.' },
  weights: { label: 'loss weights', text: 'The loss is a weighted sum: KL weight × KL + MLM weight × MLM (+ MSE weight × hidden-state MSE). The papers use 2.0 × KL + 0.5 × MLM.' },
  wKL: { label: 'KL weight', text: 'KL weight: how much the distillation term (KL to the teacher, × T²) counts in the total loss.' },
  wMLM: { label: 'MLM weight', text: "MLM weight: how much the student's own masked-language-model loss (guessing hidden tokens from the true text) counts in the total loss." },
  wMSE: { label: 'MSE weight', text: "MSE weight: how much the mean squared error between the student's and the teacher's hidden states counts (0 = off)." },
  UNK: { label: '[UNK]', text: '[UNK], the unknown token: what a tokenizer emits for a word it cannot spell with its vocabulary. Its meaning is lost.' },
  MLM: { label: 'MLM', text: 'MLM, masked-language modelling: some tokens are hidden and the model learns to guess them from the rest of the text.' },
  agreement: { label: 'agreement', text: "Teacher–student agreement: on the same hidden words (the same character spans for both vocabularies), the share where the student's top guess spells the same word as the teacher's." },
  PLL: { label: 'PLL', text: 'Pseudo-log-likelihood per word: each word is hidden in turn (its pieces left to right) and the model scores it; the mean log-probability in nats. Closer to 0 is better.' },
  probe: { label: 'probe', text: "A probe: a small classifier trained on the model's frozen hidden states for a task (part-of-speech tags, spam). It measures what the features already encode, without changing the model." },
  majority: { label: 'majority class', text: "The majority-class floor: the score of always answering the training split's most frequent label. A model's score is only worth something above it." },
};

/** Splits a text into sentences (a sentence ends with . ! or ? followed by a space or the end). */
export function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/).map((s) => s.trim()).filter(Boolean);
}
