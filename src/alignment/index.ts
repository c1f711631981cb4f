/**
 * Alignment between a teacher and a student vocabulary (methods.md §A.3–A.5 and §B.4; checklist items as there):
 * pure TypeScript on plain arrays, no tf, so it runs on the main thread, in the worker, in Node and in the tests.
 * Used by distillation (distill/batches.ts and distill/run.ts build the per-run tables and per-sequence alignment
 * here; distill/losses.ts and distill/distillLoss.ts turn them into tensors).
 *
 * - `sigma.ts`     σ: every teacher entry → student pieces (item 2); the shared vocabulary C (item 4); the student's
 *                  special ids (item 1)
 * - `align.ts`     t2s sequences and their groups G_i (item 3), whole-group truncation; Match pairs (items 11–12);
 *                  the groups / pairs of a batch as flat positions (item 7)
 * - `glmdVocab.ts` GLMD vocabulary compression: K, protected tokens, rank order, replacements rep(v), the id → row
 *                  lookup (items 22–26); the nearest kept token is an argmax over teacher embedding rows passed as a
 *                  plain Float32Array (the caller reads the table off the device)
 * - `textMap.ts`   the alignment map of one text (issue 12): links between teacher and student tokens whose spans
 *                  overlap (components, kinds 1:1 / 1:n / n:1 / n:m), the Reduce / Match / GLMD lenses, counters;
 *                  what differs between two tokenizer pipelines
 * - `vocabMap.ts`  the vocabulary map over teacher entries (σ split, C, counts, GLMD), the vocabulary-loss ranking,
 *                  the σ split-length histogram, corpus counts with example contexts
 * - `maskSpan.ts`  the aligned fill-mask probe's span rule: the tokens of a tokenization that a character span masks,
 *                  the span of a clicked token's word (issue 12 item 3)
 * - `types.ts`     SigmaMap, SharedVocab, SpecialIds, T2s, MatchPairs
 */
export { buildSigma, checkStudentSpecials, sharedVocab, sigmaTokens, StudentVocabError } from './sigma.ts';
export { AlignmentError, batchGroups, batchPairs, fitGroups, matchPairs, t2sSequence } from './align.ts';
export { buildGlmdVocab, GlmdVocabError, keptSize, type GlmdVocab } from './glmdVocab.ts';
export {
  alignCounters, alignmentContext, alignText, glmdLens, kindOf, LINK_KINDS, linkLayout, matchLens, reduceLens, sharedMask, TextMapError, tokenizerDifferences,
} from './textMap.ts';
export type {
  AlignCounters, AlignmentContext, GlmdLens, IdTokenRow, Link, LinkKind, LinkLayout, MatchLens, PipelineParts, ReduceLens, TextAlignment, TokenRow,
} from './textMap.ts';
export { corpusTokenStats, splitLengthHistogram, vocabularyLoss, vocabularyMap, vocabularyRow } from './vocabMap.ts';
export type { TokenContext, VocabularyLossEntry, VocabularyMap, VocabularyRow } from './vocabMap.ts';
export { checkSpan, maskedRange, spanPositions, SpanError, wordSpan, type SpanRow } from './maskSpan.ts';
export type { MatchPairs, SharedVocab, SigmaMap, SpecialIds, T2s } from './types.ts';
