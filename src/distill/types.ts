/**
 * Shared types of the distillation engine (issue 5). methods.md is the specification; item numbers below refer to
 * its checklist (Part C). Plain data only (no tf): batches, the recipe, metric points. The alignment tables (σ, C,
 * t2s groups, Match pairs, the GLMD vocabulary) and their types live in src/alignment/.
 *
 * Modules:
 * - `mlmSelect.ts`  batch-level MLM target selection with count^0.7 smoothing, 80/10/10 (item 5) [no tf]
 * - `losses.ts`     KL with T² (13, 19, 29–30), Reduce rows / Reduce ∩ / Reduce-map (6–10),
 *                   Match KL (12), GLMD KL (19–20, 26), soft CE (21), hidden MSE (15)           [tf]
 * - `student.ts`    student construction: scratch, from the teacher (16), FVT                     [tf]
 * - `recipe.ts`     the recipe (defaults from the papers) and its validator                        [no tf]
 * - `batches.ts`    corpus → length-bucketed DistillBatch for each method                          [no tf]
 * - `distillLoss.ts` the per-method loss of a prepared run: teacher rows, restricted decoders, group sums [tf]
 * - `run.ts`        the training loop shared by the worker and the CLI                             [tf]
 * - `evaluate.ts`   masked-word accuracy over whole-word masks                                     [tf]
 */

import type { TrainPoint } from '../train/loop.ts';

/** Distillation methods. `mlm-only` and `kd-full` are the baselines. */
export type Method = 'reduce' | 'reduce-map' | 'match' | 'glmd' | 'mlm-only' | 'kd-full';
export const METHODS: readonly Method[] = ['reduce', 'reduce-map', 'match', 'glmd', 'mlm-only', 'kd-full'];

/**
 * One distillation batch in plain arrays, row-major [B, T] with padding = the tokenizer's [PAD] id and mask 0.
 * Which parts are present depends on the method.
 */
export interface DistillBatch {
  batchSize: number;
  /** Teacher input, never masked (item 4). [B, Tt]. */
  teacher?: { ids: Int32Array; mask: Int32Array; seqLen: number };
  /** Student's own tokenization, MLM-masked (item 5). [B, Ts]. */
  student: { ids: Int32Array; mask: Int32Array; seqLen: number; mlmPositions: Int32Array; mlmLabels: Int32Array };
  /** Reduce: t2s input, never masked, [B, Tr], and the KL rows: for each non-pad teacher position (flat b*Tt + i, item 7) its group of flat t2s positions. */
  t2s?: { ids: Int32Array; mask: Int32Array; seqLen: number; rowTeacherPos: Int32Array; groupStart: Int32Array; groupPos: Int32Array };
  /** Match: flat teacher positions and flat student positions, the k-th with the k-th (item 11). */
  match?: { teacherPos: Int32Array; studentPos: Int32Array };
  /**
   * GLMD and kd-full (one tokenization for both models): the non-pad flat positions of the shared sequence. For GLMD
   * the student ids are already remapped through the rank lookup; for kd-full they equal the teacher's.
   */
  glmd?: { positions: Int32Array };
  /** Counters for the report (dropped / truncated sequences, Match batches without a pair, …). */
  stats: BatchStats;
}

export interface BatchStats {
  sequences: number;
  /** Reduce: t2s sequences longer than the student's positions that were truncated. */
  t2sTruncated: number;
  /** Reduce: sequence pairs dropped (t2s ≥ 512, or > 50 % [UNK]). */
  dropped: number;
  /** Match: number of pairs in this batch. */
  matchPairs: number;
}

/** Loss weights (item 14: 2.0·KL + 0.5·MLM, + 0.1·MSE when enabled). */
export interface LossWeights {
  kl: number;
  mlm: number;
  mse: number;
}

/** How a student is initialised (A.3 item 6 / checklist 16, FVT, or random). */
export type StudentInit = 'scratch' | 'teacher' | 'fvt';

export interface StudentSpec {
  /** Student vocabulary size (a WordPiece trained by our trainer on the distillation corpus; item 1). Ignored for glmd / kd-full. */
  vocabSize: number;
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  intermediateSize: number;
  init: StudentInit;
  /** GLMD "+al": factorised embedding width (absent = none). */
  embeddingSize?: number;
}

export interface Recipe {
  method: Method;
  /** Softmax temperature of the KL term (Reduce/Match 2, GLMD 15). */
  temperature: number;
  weights: LossWeights;
  /** Reduce: how the piece logits of one teacher token combine (item 6). 'mean' divides by m (documented choice). */
  reduceGroup: 'sum' | 'mean';
  /** Reduce-map: score of a teacher entry from its pieces (item 9). */
  reduceMapScore: 'sum' | 'logsumexp';
  /** Match: restrict the search to the current word (documented variant; the paper's search is unbounded). */
  matchWordBounded: boolean;
  /** GLMD: kept fraction r of the vocabulary (item 22). */
  glmdKeepRatio: number;
  /** GLMD: extra protected tokens (label words) beyond the specials (item 23). */
  glmdProtected: string[];
  /** GLMD: divide the KL by all positions (original, B·n) or by non-pad positions (item 20). */
  glmdDivideBy: 'all' | 'non-pad';
  student: StudentSpec;
  steps: number;
  batchSize: number;
  /** Maximum sequence length (teacher side; the student's positions must hold the t2s sequences). */
  seqLen: number;
  lr: number;
  warmupFrac: number;
  decay: 'cosine' | 'linear' | 'constant';
  /** Final learning rate as a fraction of the peak (cosine / linear). */
  minLrFrac: number;
  weightDecay: number;
  clipNorm: number;
  /** Micro-batches per optimizer step. */
  accumulation: number;
  seed: number;
  logEvery: number;
  /** Evaluate (masked-word accuracy on held-out text) every N steps; 0 = only at the end. */
  evalEvery: number;
  /** Independent whole-word maskings of every held-out sequence in that evaluation (fixed from the seed). */
  evalMaskings: number;
  checkpointEvery: number;
  /** MLM masking probability of the student's own tokenization. */
  maskProb: number;
  /**
   * Exponent of the MLM target weights max(count, 1)^p (item 5). 0.7 is methods.md's (Paper A's code); DistilBERT and
   * XLM use −0.7, which favours rare tokens; 0 picks positions uniformly.
   */
  mlmSmoothing: number;
  /**
   * Where the student's own vocabulary comes from (reduce, reduce-map, match, mlm-only): 'train' trains a WordPiece
   * of student.vocabSize on the corpus; 'tokenizers-tab' is the student tokenizer of the page's Tokenizers tab
   * (student.vocabSize is then ignored). glmd and kd-full fix the vocabulary themselves: 'train' only.
   */
  studentTokenizer: StudentTokenizerSource;
  /** The benchmark scores taken at every evaluation point (issue 13; src/eval/live.ts). */
  benchmarks: BenchmarkSpec;
}

/**
 * Which scores a run takes at its evaluation points (every evalEvery steps and the last step): the intrinsic metrics on
 * the corpus's held-out texts (whole-word masked accuracy, teacher–student agreement, PLL per word) and downstream
 * tasks scored by a probe on the student's frozen features. The teacher is scored once; the student at each point
 * unless that would push the share of the run's time spent scoring above `maxShare` (the last point is always scored).
 */
export interface BenchmarkSpec {
  /** Downstream tasks: an embedded task's id (en-pos, en-spam), a task file the page was given, or (CLI) a task-file path. */
  tasks: string[];
  /** Score the intrinsic metrics on the held-out texts. */
  intrinsic: boolean;
  /** Held-out texts the intrinsic metrics read (the first N). */
  maxTexts: number;
  /** Cap on the share of the run's wall time spent scoring, in (0, 0.9]. */
  maxShare: number;
  probe: 'linear' | 'finetune';
  /** Training / test examples of each task (sentences for token tasks): the first N. */
  maxTrain: number;
  maxTest: number;
}

export type StudentTokenizerSource = 'train' | 'tokenizers-tab';
export const STUDENT_TOKENIZER_SOURCES: readonly StudentTokenizerSource[] = ['train', 'tokenizers-tab'];

/**
 * One logged point (one JSON line of metrics.jsonl): the training loop's `TrainPoint` (step, loss, lr, gradNorm,
 * msPerStep, tokensPerSec, elapsedMs) with the loss terms and the held-out numbers as extra fields.
 */
export type DistillPoint = TrainPoint & {
  kl?: number;
  mlm?: number;
  mse?: number;
  /** Held-out masked-word accuracy over whole-word masks, when evaluated at this step. */
  evalWordAcc?: number;
  /** Held-out MLM loss on the student's tokenization, when evaluated. */
  evalLoss?: number;
};
