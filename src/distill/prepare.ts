/**
 * A distillation's preparation, host-neutral: everything before the first step (run.ts is the loop).
 *
 * Set-up (each phase reported through onPhase): the student tokenizer (our WordPiece trained on the training texts,
 * unless given; glmd / kd-full use the teacher's), σ (Reduce, or 'teacher' init), C, the GLMD vocabulary (teacher
 * token counts over the training texts, teacher embedding similarity), the data (batches.ts), the student
 * (student.ts). Its positions are the teacher's; a recipe.seqLen beyond them is a DistillSetupError before anything
 * starts.
 *
 * `prepareDistillVocab` is the vocabulary side alone (export-run's bundle writer streams a corpus through it);
 * `prepareDistill` adds the data and the initialised student. Every phase starts after a macrotask, so a host's stop
 * message is seen (DistillStoppedError: nothing was trained).
 */
import type { MlmConfig } from '../models/config.ts';
import { countParams, type MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { trainTokenizer, DEFAULT_TOKENIZER_TRAIN } from '../tokenizers/trainTokenizer.ts';
import { bertTokenizer } from '../tokenizers/hfJson.ts';
import { WordPieceModel } from '../tokenizers/wordpiece.ts';
import { DEFAULT_NORMALIZER } from '../tokenizers/normalizer.ts';
import type { RunControl } from '../train/loop.ts';
import { splitHeldOut } from '../data/heldout.ts';
import { buildGlmdVocab, buildSigma, sharedVocab, type GlmdVocab, type SigmaMap } from '../alignment/index.ts';
import { tokenCounts } from './mlmSelect.ts';
import { isReduce } from './distillLoss.ts';
import { initStudent, studentConfig } from './student.ts';
import { prepareDistillData, type DistillData } from './batches.ts';
import { prepareWordEval, type WordEvalSet } from './evaluate.ts';
import type { Method, Recipe } from './types.ts';

export class DistillSetupError extends Error {
  override name = 'DistillSetupError';
}

/** A stop requested while the run was still preparing (tokenizer, σ, data, student): nothing was trained. */
export class DistillStoppedError extends Error {
  override name = 'DistillStoppedError';
}

export interface DistillSetup {
  teacher: MlmModel;
  teacherTokenizer: Tokenizer;
  texts: string[];
  /** Else trained by our WordPiece trainer on the training texts with recipe.student.vocabSize. */
  studentTokenizer?: Tokenizer;
}

export interface DistillInfo {
  method: Method;
  teacherParams: number;
  studentParams: number;
  studentVocab: number;
  sharedVocab?: number;
  sigmaUnmapped?: number;
  glmdK?: number;
  trainSequences: number;
  heldoutSequences: number;
  studentConfig: MlmConfig;
}

/** The preparation's progress: each phase (student tokenizer, σ, C, GLMD vocabulary, data, student) as done / total. */
export interface PhaseHooks {
  onPhase?(phase: string, done: number, total: number): void;
}

const ownVocabulary = (m: Method) => m !== 'glmd' && m !== 'kd-full';
/** Resolves after one macrotask, so that a host's queued messages (stop, pause) are delivered first (used by the loop too). */
export const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));

export interface PreparedDistill {
  studentTokenizer: Tokenizer;
  sigma: SigmaMap | null;
  glmd: GlmdVocab | null;
  data: DistillData;
  student: MlmModel;
  info: DistillInfo;
  evalSet: WordEvalSet | null;
}

/** The vocabulary side of a run's preparation: what the data and the student are built from (export-run reuses it). */
export interface DistillVocab {
  /** The tokenizer the data is encoded with (the student's own; the teacher's for glmd / kd-full). */
  dataTokenizer: Tokenizer;
  /** The student's own tokenizer (glmd: a WordPiece over the K kept tokens in rank order). */
  studentTokenizer: Tokenizer;
  sigma: SigmaMap | null;
  glmd: GlmdVocab | null;
  /** |C| for reduce / match. */
  shared?: number;
  config: MlmConfig;
}

type Phase = (name: string) => Promise<void>;
type PhaseProgress = (name: string, done: number, total: number) => void;

/** Each phase starts after a macrotask (so a host's stop message is delivered) and only if no stop was requested. */
function phases(hooks: PhaseHooks, control?: Pick<RunControl, 'stopped'>): { phase: Phase; progress: PhaseProgress } {
  return {
    phase: async (name) => {
      await macrotask();
      if (control?.stopped) throw new DistillStoppedError(`stopped while preparing (before the ${name} phase): nothing was trained`);
      hooks.onPhase?.(name, 0, 1);
    },
    progress: (name, done, total) => hooks.onPhase?.(name, done, total),
  };
}

/** The student tokenizer: the given one, else our WordPiece trained on the training texts (glmd / kd-full: the teacher's). */
async function studentTokenizerFor(setup: DistillSetup, recipe: Recipe, trainTexts: TextPass, ph: ReturnType<typeof phases>): Promise<Tokenizer> {
  const tt = setup.teacherTokenizer;
  if (!ownVocabulary(recipe.method)) return tt;
  if (setup.studentTokenizer) return setup.studentTokenizer;
  await ph.phase('student tokenizer');
  const n = tt.parts.normalizer ?? DEFAULT_NORMALIZER;
  const tok = (await trainTokenizer(trainTexts(), { ...DEFAULT_TOKENIZER_TRAIN, vocabSize: recipe.student.vocabSize, lowercase: n.lowercase, stripAccents: n.stripAccents === true }, {
    onProgress: (p) => ph.progress('student tokenizer', p.fraction ?? 0, 1),
  })).tokenizer;
  ph.progress('student tokenizer', 1, 1);
  return tok;
}

/** GLMD's kept vocabulary: teacher token counts over the training texts, protected tokens, teacher-embedding replacements. */
async function glmdVocabFor(setup: DistillSetup, recipe: Recipe, trainTexts: TextPass, ph: ReturnType<typeof phases>): Promise<GlmdVocab> {
  const { teacher, teacherTokenizer: tt } = setup;
  const tc = teacher.config;
  await ph.phase('GLMD vocabulary');
  const counts = new Float64Array(tc.vocabSize);
  let batch: number[][] = [];
  const add = () => { // streamed, 1,000 texts at a time (sums of integer counts are exact)
    const c = tokenCounts(batch, tc.vocabSize);
    for (let i = 0; i < c.length; i++) counts[i] += c[i];
    batch = [];
  };
  for await (const t of trainTexts()) {
    batch.push(tt.encode(t).ids);
    if (batch.length === 1000) add();
  }
  add();
  const protectedIds = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...recipe.glmdProtected].map((t) => {
    const id = tt.tokenToId(t);
    if (id === undefined) throw new DistillSetupError(`glmdProtected: "${t}" is not one token of the teacher's vocabulary (only single-token label words can be protected)`);
    return id;
  });
  const E = (await teacher.params['bert.embeddings.word_embeddings.weight'].data()) as Float32Array;
  const glmd = buildGlmdVocab({ counts, protectedIds: [...new Set(protectedIds)], ratio: recipe.glmdKeepRatio, teacherEmbeddings: E, hidden: tc.embeddingSize ?? tc.hiddenSize, onProgress: (d, t) => ph.progress('GLMD vocabulary', d, t) });
  ph.progress('GLMD vocabulary', 1, 1);
  return glmd;
}

/**
 * The training texts (the held-out ones left out), one pass per call: `prepareDistillVocab` reads them at most twice
 * (the student tokenizer's word counts, GLMD's teacher token counts), each pass streamed, so a corpus larger than memory
 * can be given as a stream (the bundle export, bundleWriter.ts); the default is `splitHeldOut(setup.texts).train`.
 */
export type TextPass = () => AsyncIterable<string> | Iterable<string>;

/** Tokenizer, σ, C, the GLMD vocabulary and the student's config: everything of the preparation but the data and the student. */
export async function prepareDistillVocab(
  setup: DistillSetup, recipe: Recipe, hooks: PhaseHooks = {}, control?: Pick<RunControl, 'stopped'>, trainTexts?: TextPass,
): Promise<DistillVocab> {
  const { teacher, teacherTokenizer: tt } = setup;
  const method = recipe.method;
  const tc = teacher.config;
  const ph = phases(hooks, control);
  if (recipe.seqLen > tc.maxPositions) {
    throw new DistillSetupError(`recipe.seqLen ${recipe.seqLen} exceeds the teacher's ${tc.maxPositions} positions (max_position_embeddings): set seqLen ≤ ${tc.maxPositions}`);
  }
  if (tt.vocabSize > tc.vocabSize) throw new DistillSetupError(`the teacher tokenizer has ${tt.vocabSize} tokens but the teacher model only ${tc.vocabSize} rows`);
  const train = trainTexts ?? (() => splitHeldOut(setup.texts).train);
  const studentTok = await studentTokenizerFor(setup, recipe, train, ph);
  const needsSigma = ownVocabulary(method) && (isReduce(method) || recipe.student.init === 'teacher');
  let sigma: SigmaMap | null = null;
  if (needsSigma) {
    await ph.phase('σ');
    sigma = buildSigma(tt.vocab, studentTok.vocab, (d, t) => ph.progress('σ', d, t));
    ph.progress('σ', 1, 1);
  }
  let shared: number | undefined;
  if (method === 'reduce' || method === 'match') {
    await ph.phase('C');
    shared = sharedVocab(tt.vocab, studentTok.vocab).teacherIds.length;
    if (shared === 0) throw new DistillSetupError('the teacher and student vocabularies share no token string (C is empty): Reduce ∩ and Match need shared tokens');
    ph.progress('C', 1, 1);
  }
  const glmd = method === 'glmd' ? await glmdVocabFor(setup, recipe, train, ph) : null;
  const vocabSize = method === 'glmd' ? glmd!.K : method === 'kd-full' ? tc.vocabSize : studentTok.vocabSize;
  // The exported GLMD student reads text with a WordPiece over its K kept tokens in rank order (a removed token is then
  // split into kept pieces instead of being replaced by rep(v), which only the teacher's tokenizer + lookup can do).
  const ownTok = method === 'glmd' ? bertTokenizer(new WordPieceModel(Array.from(glmd!.rankToId, (id) => tt.vocab[id])), tt.parts.normalizer ?? DEFAULT_NORMALIZER) : studentTok;
  // [PAD]'s id in the student's own vocabulary (GLMD's rank order puts it after [CLS] and [SEP]): config.json's pad_token_id.
  const studentPad = ownTok.tokenToId('[PAD]');
  if (studentPad === undefined) throw new DistillSetupError("the student's vocabulary has no [PAD] token");
  const config = studentConfig(recipe.student, vocabSize, tc.maxPositions, tc, studentPad);
  if (config.maxPositions < recipe.seqLen) throw new DistillSetupError(`the student's ${config.maxPositions} positions are fewer than recipe.seqLen ${recipe.seqLen}`);
  return { dataTokenizer: studentTok, studentTokenizer: ownTok, sigma, glmd, shared, config };
}

/** The run's initial student (recipe.student.init from the teacher, σ and the student tokenizer; seeded). */
export function initRunStudent(setup: DistillSetup, recipe: Recipe, v: DistillVocab, onProgress?: (done: number, total: number) => void): Promise<MlmModel> {
  return initStudent({
    spec: recipe.student, config: v.config, seed: recipe.seed, teacher: setup.teacher, sigma: recipe.method === 'kd-full' ? null : v.sigma,
    teacherTokenizer: setup.teacherTokenizer, studentTokenizer: v.studentTokenizer, onProgress,
  });
}

/** Everything before the first step: tokenizer, σ, C, GLMD vocabulary, data, evaluation set, the initialised student. */
export async function prepareDistill(
  setup: DistillSetup, recipe: Recipe, hooks: PhaseHooks = {}, control?: Pick<RunControl, 'stopped'>,
): Promise<PreparedDistill> {
  const { teacher, teacherTokenizer: tt } = setup;
  const method = recipe.method;
  const tc = teacher.config;
  const { phase, progress } = phases(hooks, control);
  const v = await prepareDistillVocab(setup, recipe, hooks, control);
  const { sigma, glmd, shared, config } = v;
  const vocabSize = config.vocabSize;
  const studentTok = v.studentTokenizer;
  await phase('data');
  const data = prepareDistillData({
    texts: setup.texts, teacherTokenizer: tt, studentTokenizer: v.dataTokenizer, recipe, sigma: sigma ?? undefined, glmd: glmd ?? undefined,
    studentMaxPositions: config.maxPositions, onProgress: (d, t) => progress('data', d, t),
  });
  const evalSet = data.heldout.length
    ? prepareWordEval(data.heldout, { maskId: data.studentSpecials.mask, padId: data.studentSpecials.pad, seed: recipe.seed + 1, batchSize: recipe.batchSize, maskings: recipe.evalMaskings })
    : null;
  await phase('student');
  const student = await initRunStudent(setup, recipe, v, (d, t) => progress('student', d, t));
  progress('student', 1, 1);
  const info: DistillInfo = {
    method, teacherParams: countParams(tc), studentParams: countParams(config), studentVocab: vocabSize, trainSequences: data.stats.sequences,
    heldoutSequences: data.stats.heldoutSequences, studentConfig: config,
    ...(shared !== undefined ? { sharedVocab: shared } : {}), ...(sigma ? { sigmaUnmapped: sigma.unmapped } : {}), ...(glmd ? { glmdK: glmd.K } : {}),
  };
  return { studentTokenizer: studentTok, sigma, glmd, data, student, info, evalSet };
}
