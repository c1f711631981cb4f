/**
 * Everything the training worker holds, in one object: the backend, the device queue, the run slot (with the active
 * run's control), the loaded teacher, the latest pretraining checkpoint (with its tokenizer), the latest distilled
 * student, the latest distillation's student snapshots (and, while it runs, its step lane) and the corpus cache. trainer.worker.ts creates the one instance; runs.ts and requests.ts read and write it.
 * Also here: the reads both runs and requests share (a corpus, a distillation's set-up).
 */
import type { BackendName } from '../backend/names.ts';
import type { ImportedHfModel } from '../models/hfFolder.ts';
import type { MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import type { Checkpoint } from '../train/mlmRun.ts';
import type { RunControl } from '../train/loop.ts';
import type { DistillSetup } from '../distill/run.ts';
import type { SnapshotStore } from '../distill/snapshots.ts';
import type { AlignedContext } from '../distill/disagreement.ts';
import { formatOf } from '../data/corpusFormats.ts';
import { corpusDocuments, corpusNotes, newReport, streamChunks } from '../data/validate.ts';
import { DataError } from '../data/mlmBatches.ts';
import { fromTokenizerJson } from '../tokenizers/hfJson.ts';
import { createDeviceQueue, type DeviceQueue } from './deviceQueue.ts';
import { createRunSlot, type RunRef, type RunSlot } from './runSlot.ts';
import type { StepLane } from './stepLane.ts';
import type { CorpusSource, RunId } from './protocol.ts';

export class TeacherMissingError extends Error {
  override name = 'TeacherMissingError';
}

/** The active run: its id and kind, and the control its loop polls (pause / resume / stop). */
export type ActiveRun = RunRef & { control: RunControl & { pause(): void; resume(): void; stop(): void } };

export interface WorkerState {
  backend: BackendName | null;
  queue: DeviceQueue;
  slot: RunSlot<ActiveRun>;
  /** The model the Models tab loaded: the distillations' teacher and fill-mask's model. */
  teacher: (ImportedHfModel & { name: string }) | null;
  /** The latest pretraining checkpoint (weights and tokenizer), for export. */
  checkpoint: Checkpoint | null;
  /** The latest finished distillation's student (its weights stay in the worker until the next one replaces them). */
  student: { runId: RunId; model: MlmModel; tokenizer: Tokenizer } | null;
  /** Embedded corpora by URL (fetched once). */
  corpora: Map<string, string>;
  /**
   * The latest distillation's student snapshots (issue 12 item 3) with the run's alignment tables: set when its
   * preparation is over, freed when the next distillation's is.
   */
  snapshots: { runId: RunId; store: SnapshotStore; context: AlignedContext } | null;
  /** While a distillation runs: the lane its step boundaries drain (the disagreement requests go there). */
  lane: StepLane | null;
}

export function createWorkerState(): WorkerState {
  return { backend: null, queue: createDeviceQueue(), slot: createRunSlot<ActiveRun>(), teacher: null, checkpoint: null, student: null, corpora: new Map(), snapshots: null, lane: null };
}

/** In-page training keeps the corpus in memory: larger corpora should be trained from the CLI. */
const MAX_CORPUS_BYTES = 100 * 1024 * 1024;

/**
 * A corpus as text, one document per line (an embedded one by URL, cached; a dropped file in any corpus format, read
 * through the one validation layer, data/validate.ts: a binary file is a BinaryCorpusError, invalid UTF-8 is counted,
 * long lines are cut, CSV / TSV columns are named). What was done to a dropped file goes to `onNote`, one sentence each.
 */
export async function loadCorpus(state: WorkerState, src: CorpusSource, onNote: (note: string) => void = () => {}): Promise<string> {
  if (src.kind === 'url') {
    const cached = state.corpora.get(src.url);
    if (cached !== undefined) return cached;
    const res = await fetch(src.url);
    if (!res.ok) throw new Error(`could not load the corpus ${src.name}: HTTP ${res.status}`);
    const text = await res.text();
    state.corpora.set(src.url, text);
    return text;
  }
  const { file } = src;
  if (file.size > MAX_CORPUS_BYTES) {
    throw new DataError(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB; in-page training holds the corpus in memory and accepts up to ${MAX_CORPUS_BYTES / 2 ** 20} MB (train on larger corpora with the command line, vocabkd pretrain)`);
  }
  const report = newReport(file.name, formatOf(file.name));
  const docs: string[] = [];
  for await (const d of corpusDocuments(streamChunks(file.stream()), report.format, report)) docs.push(d);
  corpusNotes(report).forEach(onNote);
  return docs.join('\n');
}

/** A distillation's set-up: the loaded teacher (none: TeacherMissingError), the texts, the given student tokenizer. */
export function distillSetup(state: WorkerState, texts: string[], studentTokenizerJson?: string): DistillSetup {
  const t = state.teacher;
  if (!t) {
    throw new TeacherMissingError('no teacher is loaded: load one in the Models tab (the shipped teacher loads at start unless the page was opened with ?teacher=none)');
  }
  return { teacher: t.model, teacherTokenizer: t.tokenizer, texts, ...(studentTokenizerJson ? { studentTokenizer: fromTokenizerJson(studentTokenizerJson) } : {}) };
}
