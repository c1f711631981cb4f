/**
 * The one message protocol between the UI (main thread) and the workers. Discriminated unions both ways; every
 * run-scoped message carries its `runId`, and the client drops messages whose runId is not the active run's.
 * Only plain numbers, strings and arrays cross the boundary: never tensors.
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

export type RunId = string;
export type RunState = 'starting' | 'running' | 'paused' | 'stopped' | 'done' | 'error';

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

/** Model requests: one reply each, matched by requestId. */
export type ModelRequest =
  | { type: 'model-load'; requestId: string; source: ModelSource }
  | { type: 'fill-mask'; requestId: string; text: string; top: number }
  | { type: 'model-export'; requestId: string; what: 'teacher' | 'checkpoint' };

export type ModelReply =
  | { type: 'model-loaded'; requestId: string; summary: ModelSummary }
  | { type: 'fill-mask-result'; requestId: string; results: FillMaskResult[] }
  | { type: 'model-files'; requestId: string; files: { name: string; bytes: ArrayBuffer }[]; notes: string[] }
  | { type: 'model-error'; requestId: string; code: string; message: string };

/** Distillation requests (one reply each, matched by requestId): a 3-step cost probe, and the latest student as an HF folder (`model-files`). */
export type DistillRequest =
  | { type: 'distill-probe'; requestId: string; recipe: Recipe; corpus: CorpusSource }
  | { type: 'distill-export'; requestId: string };

export type DistillReply =
  | { type: 'distill-probe-result'; requestId: string; msPerStep: number; params: number; bytes: number };

/** How a distillation run ended: the engine's outcome ('diverged' keeps the last good checkpoint as the student). */
export type DistillOutcome = 'done' | 'stopped' | 'diverged';

/** Distillation run messages out of the worker (status / checkpoint / error are shared with the MLM run). */
export type DistillFromWorker =
  | { type: 'distill-info'; runId: RunId; info: DistillInfo }
  | { type: 'distill-phase'; runId: RunId; phase: string; done: number; total: number }
  | { type: 'distill-metrics'; runId: RunId; points: DistillPoint[] }
  | { type: 'distill-warning'; runId: RunId; message: string }
  | { type: 'distill-done'; runId: RunId; outcome: DistillOutcome; summary: DistillSummary };

export type ToWorker =
  | ModelRequest
  | DistillRequest
  | { type: 'distill-start'; runId: RunId; recipe: Recipe; corpus: CorpusSource }
  | { type: 'init'; backend: BackendName; reference: ParityProbe; debug?: DebugOptions }
  | { type: 'start'; runId: RunId; config: MlmRunConfig; corpus: CorpusSource; tokenizerJson?: string; debug?: DebugOptions }
  | { type: 'pause'; runId: RunId }
  | { type: 'resume'; runId: RunId }
  | { type: 'stop'; runId: RunId };

export type FromWorker =
  | ModelReply
  | DistillReply
  | DistillFromWorker
  | {
      type: 'ready'; backend: BackendName; adapter: string; parity: ParityVerdict; initMs: number;
      /** A GPU backend on a software adapter (chosen by default only when it is faster than the CPU path). */
      software: boolean;
      /** The parity probe's warm optimiser step, ms: the backends' measured speed. */
      stepMs: number;
    }
  | { type: 'init-failed'; backend: BackendName; reason: string }
  | { type: 'info'; runId: RunId; info: RunInfo }
  | { type: 'metrics'; runId: RunId; points: MetricPoint[] }
  | { type: 'status'; runId: RunId; state: RunState; message?: string }
  | { type: 'rejected'; runId: RunId; reason: string }
  | { type: 'checkpoint'; runId: RunId; step: number }
  | { type: 'error'; runId?: RunId; code: string; message: string };

/** The CPU reference worker answers one message. */
export type FromParityWorker = { type: 'reference'; probe: ParityProbe } | { type: 'error'; message: string };

/** At most 4 metric messages a second. */
export const METRICS_FLUSH_MS = 250;

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
