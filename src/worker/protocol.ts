/**
 * The one message protocol between the UI (main thread) and the workers: discriminated unions both ways, the only
 * contract between them. Only plain numbers, strings and arrays cross the boundary: never tensors.
 *
 * Runs: one family for both kinds. `run-start {runId, kind, …}` in; `run-*` messages out, every one carrying its
 * `runId` and `kind` (the kind is never parsed out of the runId); `run-control` pauses / resumes / stops the active run.
 * What differs by kind is only the payload of `run-info`, `run-points` and `run-done` (`RunKinds`). Requests (model
 * load, fill-mask, export, the cost probe) get one reply each, matched by `requestId`.
 */
import type { BackendName } from '../backend/names.ts';
import type { ParityProbe, ParityVerdict } from '../backend/parity.ts';
import type { MetricPoint, RunInfo } from '../train/mlmRun.ts';
import type { MlmRunConfig } from '../train/runConfig.ts';
import type { TokenizerTrainOptions } from '../tokenizers/trainTokenizer.ts';
import type { WhatIfPoint } from '../tokenizers/whatif.ts';
import type { MlmConfig } from '../models/config.ts';
import type { FillMaskResult } from '../models/fillMask.ts';
import type { DistillPoint, Recipe } from '../distill/types.ts';
import type { DistillInfo, DistillSummary } from '../distill/run.ts';
import type { SnapshotList } from '../distill/snapshots.ts';
import type { AlignedFillMaskResult, DisagreementResult } from '../distill/disagreement.ts';
import type { AlignView, CorpusView, GlmdView, VocabView } from '../alignment/mapView.ts';
import type { BenchPoint, BenchReference } from '../eval/live.ts';
import type { BundleManifest } from '../distill/bundle.ts';

export type RunId = string;
export type RunKind = 'pretrain' | 'distill';
export const RUN_KINDS: readonly RunKind[] = ['pretrain', 'distill'];
export type RunState = 'starting' | 'running' | 'paused' | 'stopped' | 'done' | 'error';
/** A run in one of these states is over: its slot is free. */
export const isFinished = (state: RunState): boolean => state === 'done' || state === 'stopped' || state === 'error';

/** Test-only fault injection, reachable from the page with ?crashAt=N and ?parityFault=<backend>. */
export interface DebugOptions {
  /** Throw an uncaught error inside the worker after this step (simulates a worker crash). */
  crashAtStep?: number;
  /** Perturb this backend's parity probe so its self-test fails (exercises the fallback path). */
  parityFault?: BackendName;
}

/** Where a model comes from: an HF folder served by the app (the shipped teacher) or files the user dropped. */
export type ModelSource = { kind: 'url'; base: string; name: string } | { kind: 'files'; files: File[]; name: string };

/** A loaded model as the UI sees it: plain numbers and strings. */
export interface ModelSummary {
  name: string;
  config: MlmConfig;
  vocabSize: number;
  tokenizerSize: number;
  warnings: string[];
  loadMs: number;
}

/** What a run of each kind starts from. A student tokenizer travels as tokenizer.json text (the worker builds it). */
export type RunRequest =
  | {
      kind: 'pretrain'; config: MlmRunConfig; corpus: CorpusSource;
      /** The Tokenizers tab's student; absent: the run trains a WordPiece of the preset's size on the corpus. */
      tokenizerJson?: string;
      /** A checkpoint's bytes (train/checkpoint.ts) of this run: it continues after the checkpoint's step. */
      resumeFrom?: ArrayBuffer;
    }
  | {
      kind: 'distill'; recipe: Recipe; corpus: CorpusSource;
      /** The Tokenizers tab's student, for a recipe with studentTokenizer 'tokenizers-tab'. */
      studentTokenizerJson?: string;
      /** Where each of recipe.benchmarks.tasks is read: an embedded task's URL, or the files the user gave the page. */
      tasks?: TaskSource[];
      /** A checkpoint's bytes (train/checkpoint.ts) of this run: it continues after the checkpoint's step. */
      resumeFrom?: ArrayBuffer;
    };

/**
 * A benchmark task as the worker reads it: `file` is the task file's URL (embedded) or name (given files), and the
 * given files' contents are keyed by the paths `loadTask` resolves against it.
 */
export type TaskSource = { id: string; kind: 'url'; file: string } | { id: string; kind: 'files'; file: string; files: Record<string, string> };

/** What a run of each kind reports: its info, its points (the loop's TrainPoint with extra fields), its summary. */
export interface RunKinds {
  pretrain: { info: RunInfo; point: MetricPoint; summary: null };
  distill: { info: DistillInfo; point: DistillPoint; summary: DistillSummary };
}

/** How a run ended ('diverged': the weights are the last good checkpoint). */
export type RunOutcome = 'done' | 'stopped' | 'diverged';

/** The run-* messages out of the worker, for a run of kind K. */
export type RunEvent<K extends RunKind = RunKind> =
  | { type: 'run-status'; state: RunState; message?: string }
  /** The start was refused (another run is active, no backend): `reason` names the active run. */
  | { type: 'run-rejected'; reason: string }
  /** A named engine error (RecipeError, RunConfigError, DataError, TeacherMissingError, DeviceError, …). */
  | { type: 'run-error'; code: string; message: string }
  | { type: 'run-info'; info: RunKinds[K]['info'] }
  /** Batched: at most one message every METRICS_FLUSH_MS. */
  | { type: 'run-points'; points: RunKinds[K]['point'][] }
  /** Preparation progress (tokenizer, σ, C, GLMD vocabulary, data, student): at most every PHASE_FLUSH_MS per phase. */
  | { type: 'run-phase'; phase: string; done: number; total: number }
  | { type: 'run-warning'; message: string }
  /**
   * A weight snapshot was taken (exportable); `data`: the whole run state as checkpoint bytes (train/checkpoint.ts),
   * as a Blob made in the worker (the page keeps and stores it without a main-thread copy), what the page keeps to
   * resume the run after a reload, a crash or a lost GPU device.
   */
  | { type: 'run-checkpoint'; step: number; data?: Blob }
  /** A resumed run: the checkpoint's step and the points logged before it (the curves continue). */
  | { type: 'run-resumed'; step: number; points: RunKinds[K]['point'][] }
  /**
   * Distillations: the student snapshots the worker now keeps for the disagreement view (issue 12 item 3; the latest
   * distillation's only), after each evaluation and at the end; `sample` is a held-out text of the run's corpus.
   */
  | { type: 'run-snapshots'; snapshots: SnapshotList; sample: string }
  /** Distillations with benchmarks (issue 13 item 5): the teacher's scores and the floors, once, before the first point. */
  | { type: 'run-bench-reference'; reference: BenchReference }
  /** The student's scores at an evaluation point (or why the point was skipped). */
  | { type: 'run-bench'; point: BenchPoint }
  /** Before the final run-status of a run that trained: its outcome and summary. */
  | { type: 'run-done'; outcome: RunOutcome; summary: RunKinds[K]['summary'] };

/** A run-* message as it crosses the boundary: the event with its run's id and kind. */
export type RunMessage = { [K in RunKind]: RunEvent<K> & { runId: RunId; kind: K } }[RunKind];

/** Requests: one reply each, matched by requestId. `model-export` 'student' is the latest distilled student. */
export type WorkerRequest =
  | { type: 'model-load'; requestId: string; source: ModelSource }
  | { type: 'fill-mask'; requestId: string; text: string; top: number; /** default the loaded teacher */ target?: 'teacher' | 'checkpoint' }
  | { type: 'model-export'; requestId: string; what: 'teacher' | 'checkpoint' | 'student' }
  /** A 3-step cost probe of the recipe (ms/step, parameters, bytes); refused while a run is active. */
  | { type: 'distill-probe'; requestId: string; recipe: Recipe; corpus: CorpusSource; studentTokenizerJson?: string }
  /** The loaded teacher's word-embedding table (for the Alignment tab's GLMD columns; bytes transferred). */
  | { type: 'teacher-embeddings'; requestId: string }
  /**
   * Where the student disagrees (issue 12 item 3), on a snapshot (`step`) of the distillation `runId`: the heatmap of a
   * text, and the aligned fill-mask probe of a character span. During that run they run at its next step boundary.
   */
  | { type: 'disagreement'; requestId: string; runId: RunId; step: number; text: string }
  | { type: 'aligned-fill-mask'; requestId: string; runId: RunId; step: number; text: string; start: number; end: number; top: number }
  /**
   * "Export for PyTorch" (issue 18): the bundle of `vocabkd export-run` (distill/bundleWriter.ts) from the recipe, the
   * loaded teacher and the corpus (streamed); its files come back one by one as `bundle-file`, with `bundle-progress`,
   * then `bundle-done`; `export-bundle-stop` ends it with request-error BundleStoppedError.
   */
  | { type: 'export-bundle'; requestId: string; recipe: Recipe; corpus: CorpusSource; studentTokenizerJson?: string; shardSize?: number; window?: number };

/** Progress of an export-bundle request: the writer's phase, and how much of the corpus has been read (this pass). */
export type BundleProgress = { phase: string; done: number; total: number; corpusBytes: number; corpusTotal: number | null };

export type WorkerReply =
  | { type: 'model-loaded'; requestId: string; summary: ModelSummary; tokenizerJson: string }
  | { type: 'fill-mask-result'; requestId: string; results: FillMaskResult[] }
  | { type: 'model-files'; requestId: string; files: { name: string; bytes: ArrayBuffer }[]; notes: string[] }
  | { type: 'distill-probe-result'; requestId: string; msPerStep: number; params: number; bytes: number }
  | { type: 'teacher-embeddings-result'; requestId: string; vocabSize: number; hidden: number; data: ArrayBuffer }
  | { type: 'disagreement-result'; requestId: string; runId: RunId; step: number; text: string; result: DisagreementResult }
  | { type: 'aligned-fill-mask-result'; requestId: string; runId: RunId; step: number; text: string; result: AlignedFillMaskResult }
  | { type: 'request-error'; requestId: string; code: string; message: string }
  /** An export-bundle request's events before its reply: progress, and each file of the bundle (bytes transferred). */
  | ({ type: 'bundle-progress'; requestId: string } & BundleProgress)
  | { type: 'bundle-file'; requestId: string; name: string; bytes: ArrayBuffer }
  | { type: 'bundle-done'; requestId: string; manifest: BundleManifest };

export type ToWorker =
  /**
   * threads: the page's ?threads= (WASM; absent: every core but one, backend/wasmThreads.ts planPageThreads).
   * reference: the CPU probe to compare with, or null while it is still being computed (the client starts the worker
   * and the CPU reference in parallel): then `parity-reference` brings it and the worker compares once both exist.
   */
  | { type: 'init'; backend: BackendName; reference: ParityProbe | null; debug?: DebugOptions; threads?: number }
  | { type: 'parity-reference'; reference: ParityProbe }
  | ({ type: 'run-start'; runId: RunId; debug?: DebugOptions } & RunRequest)
  | { type: 'run-control'; runId: RunId; kind: RunKind; action: 'pause' | 'resume' | 'stop' }
  /** Test hook (?deviceLossHook): destroys the WebGPU device, as a driver reset or a sleeping laptop would lose it. */
  | { type: 'debug-lose-device' }
  /** Stops the export-bundle request `requestId` (not queued: it reaches the export while it runs). */
  | { type: 'export-bundle-stop'; requestId: string }
  | WorkerRequest;

export type FromWorker =
  | {
      type: 'ready'; backend: BackendName; adapter: string; parity: ParityVerdict; initMs: number;
      /** A GPU backend on a software adapter (chosen by default only when it is faster than the CPU path). */
      software: boolean;
      /** The parity probe's warm optimiser step, ms: the backends' measured speed. */
      stepMs: number;
    }
  | { type: 'init-failed'; backend: BackendName; reason: string }
  | RunMessage
  | WorkerReply;

/** The CPU reference worker answers one message. */
export type FromParityWorker = { type: 'reference'; probe: ParityProbe } | { type: 'error'; message: string };

/** At most 4 metric messages a second. */
export const METRICS_FLUSH_MS = 250;
/** At most 10 phase messages a second per phase (the last of a phase always goes). */
export const PHASE_FLUSH_MS = 100;

/** Collects points and sends them as one message at most every METRICS_FLUSH_MS; `flush()` sends what is left. */
export function pointBatcher<P>(send: (points: P[]) => void): { push(p: P): void; flush(): void } {
  let pending: P[] = [];
  let lastFlush = 0;
  const flush = () => {
    if (pending.length) send(pending);
    pending = [];
    lastFlush = performance.now();
  };
  return {
    push(p) {
      pending.push(p);
      if (performance.now() - lastFlush >= METRICS_FLUSH_MS) flush();
    },
    flush,
  };
}

/** Where a tokenizer job reads its corpus: an embedded asset (by URL) or a file the user dropped (streamed). */
export type CorpusSource = { kind: 'url'; url: string; name: string } | { kind: 'file'; file: File };

/** The student the what-if prices embeddings against. */
export interface StudentShape {
  hiddenSize: number;
  /** Parameters without the token embeddings. */
  bodyParams: number;
}

export type JobId = string;

export type ToTokenizerWorker =
  | { type: 'train'; jobId: JobId; corpus: CorpusSource; options: TokenizerTrainOptions; student: StudentShape }
  | { type: 'cancel'; jobId: JobId };

export interface TokenizerJobStats {
  corpus: string;
  bytes: number;
  invalidUtf8: number;
  /** What the validation layer did to the corpus (data/validate.ts `corpusNotes`): replacements, cut lines, columns. */
  notes: string[];
  documents: number;
  wordOccurrences: number;
  distinctWords: number;
  alphabet: number;
  droppedChars: number;
  baseSize: number;
  /** Entries actually trained (fewer than asked when the corpus runs out of merges). */
  vocabSize: number;
  stoppedBy: string;
  ms: number;
}

export type FromTokenizerWorker =
  | { type: 'progress'; jobId: JobId; phase: 'reading' | 'counting' | 'training' | 'what-if'; fraction: number | null; detail: string }
  | { type: 'done'; jobId: JobId; tokenizerJson: string; whatIf: WhatIfPoint[]; stats: TokenizerJobStats }
  | { type: 'cancelled'; jobId: JobId }
  | { type: 'error'; jobId: JobId; code: string; message: string };

// ---- the alignment worker (issue 12 items 1–2: the Alignment tab) ----------------------------------------------------

/** A tokenizer as its file's text: tokenizer.json, or vocab.txt when the name ends in .txt. */
export interface TokenizerText { name: string; text: string }

export interface AlignTokenizerInfo { name: string; size: number; lowercase: boolean }

/**
 * In: a teacher/student pair (σ, C and the vocabulary map are built once per pair, kept in the worker), then texts,
 * corpus statistics, a corpus sample, the GLMD columns (the teacher's embeddings come from the training worker).
 * Out: one reply per message, matched by pairId / requestId; the page drops replies of an older pair or request.
 */
export type ToAlignmentWorker =
  | { type: 'align-pair'; pairId: string; teacher: TokenizerText; student: TokenizerText }
  | { type: 'align-text'; requestId: string; pairId: string; text: string; limit?: number }
  | { type: 'align-corpus'; requestId: string; pairId: string; corpus: CorpusSource }
  | { type: 'align-sample'; requestId: string; corpus: CorpusSource; seed: number }
  | { type: 'align-glmd'; requestId: string; pairId: string; corpus: CorpusSource; embeddings: Float32Array; hidden: number; ratio: number };

export type FromAlignmentWorker =
  | { type: 'align-pair-ready'; pairId: string; teacher: AlignTokenizerInfo; student: AlignTokenizerInfo; differences: string[]; vocab: VocabView; ms: number }
  | { type: 'align-text-result'; requestId: string; pairId: string; view: AlignView; ms: number }
  | { type: 'align-corpus-result'; requestId: string; pairId: string; stats: CorpusView; ms: number }
  | { type: 'align-sample-result'; requestId: string; text: string; index: number; of: number }
  | { type: 'align-glmd-result'; requestId: string; pairId: string; glmd: GlmdView; ms: number }
  | { type: 'align-progress'; requestId: string; phase: string; done: number; total: number }
  /** A named error (TokenizerFormatError, StudentVocabError, …); `side` names the tokenizer that failed to load. */
  | { type: 'align-error'; requestId: string | null; pairId: string | null; code: string; message: string; side?: 'teacher' | 'student' };
