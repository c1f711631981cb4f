/**
 * The workbench store: one zustand store with slices — backend status and page errors (here), runs of both kinds
 * (runs.ts), the Distill tab's cost estimate (here), the loaded teacher (models.ts) and the Tokenizers tab
 * (tokenizers.ts), the shown tab, the Alignment tab (alignment.ts) and the Distill tab's disagreement view
 * (disagreement.ts). Components read it with selectors only (`useWorkbench(s => …)`, `useShallow` for objects); every
 * write goes through `actions` (synchronous state changes). The worker I/O lives in src/worker/ and reaches the store
 * through `storeSink` (the actions the training client calls); requests go through src/app/.
 */
import { create } from 'zustand';
import type { BackendName } from '../backend/names.ts';
import type { ParityVerdict } from '../backend/parity.ts';
import type { ClientSink } from '../worker/trainerClient.ts';
import type { FromTokenizerWorker, JobId, ModelSummary, RunId, RunKind, RunMessage, RunRequest } from '../worker/protocol.ts';
import type { FillMaskResult } from '../models/fillMask.ts';
import type { TokenizerTrainOptions } from '../tokenizers/trainTokenizer.ts';
import { initialRuns, patchRun, runCrashed, runCreated, runMessage, runRefused, setTabError, toggleShown, type RunsState } from './runs.ts';
import { initialModels, modelsReducers as models, type ModelsState } from './models.ts';
import { initialTokenizers, tokenizersReducers as tokenizers, type TokenizersState } from './tokenizers.ts';
import { alignmentReducers as alignment, initialAlignment, type AlignLens, type AlignmentState } from './alignment.ts';
import type { FromAlignmentWorker } from '../worker/protocol.ts';
import { disagreementReducers as disagreement, initialDisagreement, type DisagreementState, type Shown } from './disagreement.ts';
import type { AlignedFillMaskResult, DisagreementResult } from '../distill/disagreement.ts';
import type { TaskSpec } from '../eval/tasks.ts';

/**
 * A benchmark task the user gave the page (the Distill tab's task form): its validated spec and its files' contents,
 * keyed by the paths the spec's train / test resolve to against `file` (the task file's name).
 */
export interface UserTask {
  id: string;
  spec: TaskSpec;
  file: string;
  files: Record<string, string>;
  /** e.g. "sequence · 1,200 train / 300 test lines · text → label". */
  summary: string;
}

export interface BackendStatus {
  phase: 'probing' | 'ready' | 'failed';
  trying: BackendName | null;
  name: BackendName | null;
  adapter: string;
  parity: ParityVerdict | null;
  initMs: number;
  /** Why this backend runs (forced, first in order, or measured against a software adapter). */
  reason: string;
  notices: string[];
  error: string | null;
}

/** The Distill tab's cost estimate (a 3-step probe of the recipe in the worker). */
export interface CostEstimate {
  /** The recipe JSON the probe ran (the panel marks the estimate stale when the form differs). */
  recipeJson: string;
  steps: number;
  msPerStep: number;
  params: number;
  bytes: number;
}

export interface WorkbenchState extends RunsState {
  backend: BackendStatus;
  /** Errors that are not tied to a field: a crashed worker, a bad ?backend=. */
  errors: string[];
  probe: { busy: boolean; result: CostEstimate | null };
  models: ModelsState;
  tokenizers: TokenizersState;
  /** The tab shown (App.tsx's tab keys); another tab can open one (the Alignment tab's links). */
  tab: string;
  alignment: AlignmentState;
  /** The Distill tab's "where the student disagrees" (student snapshots, heatmap, aligned fill-mask probe). */
  disagreement: DisagreementState;
  /** Benchmark tasks the user gave the page (beside the embedded ones), by id. */
  userTasks: UserTask[];
  /** Runs that can continue from a checkpoint (a crashed worker, a lost device, a reload): app/resume.ts. */
  resumable: Resumable[];
}

/** A run that stopped without ending (crash, lost device, reload) and has a checkpoint to continue from. */
export interface Resumable {
  /** This session's run id, or the history entry's id after a reload. */
  key: string;
  kind: RunKind;
  name: string;
  step: number;
  why: 'crash' | 'device' | 'reload';
  /** Set while its resume is being started (the button waits). */
  busy?: boolean;
  /** What stands in the way (a corpus file to give again, a failed resume). */
  note?: string;
}

export const initialState: WorkbenchState = {
  backend: { phase: 'probing', trying: null, name: null, adapter: '', parity: null, initMs: 0, reason: '', notices: [], error: null },
  errors: [],
  ...initialRuns,
  probe: { busy: false, result: null },
  models: initialModels,
  tokenizers: initialTokenizers,
  tab: 'train',
  alignment: initialAlignment,
  disagreement: initialDisagreement,
  userTasks: [],
  resumable: [],
};

export const useWorkbench = create<WorkbenchState>()(() => initialState);

const set = useWorkbench.setState;
const setBackend = (patch: (b: BackendStatus) => Partial<BackendStatus>) => set((s) => ({ backend: { ...s.backend, ...patch(s.backend) } }));
const setModels = (patch: (m: ModelsState) => Partial<ModelsState>) => set((s) => ({ models: { ...s.models, ...patch(s.models) } }));
const setAlignment = (patch: (a: AlignmentState) => Partial<AlignmentState>) => set((s) => ({ alignment: { ...s.alignment, ...patch(s.alignment) } }));
const setDisagreement = (patch: (d: DisagreementState) => Partial<DisagreementState>) => set((s) => ({ disagreement: { ...s.disagreement, ...patch(s.disagreement) } }));
const setTokenizers = (patch: (t: TokenizersState) => Partial<TokenizersState>) => set((s) => ({ tokenizers: { ...s.tokenizers, ...patch(s.tokenizers) } }));

/** Every write to the store. */
export const actions = {
  reset: () => set(initialState, true),
  addError: (e: string) => set((s) => ({ errors: [...s.errors, e] })),
  dismissErrors: () => set({ errors: [] }),

  // Backend (the training client's sink)
  backendTrying: (b: BackendName) => setBackend(() => ({ phase: 'probing', trying: b })),
  backendReady: (b: BackendName, adapter: string, parity: ParityVerdict, initMs: number, reason: string) =>
    setBackend(() => ({ phase: 'ready', trying: null, name: b, adapter, parity, initMs, reason })),
  backendNotice: (text: string) => setBackend((b) => ({ notices: [...b.notices, text] })),
  backendFailed: (reason: string) => setBackend(() => ({ phase: 'failed', trying: null, error: reason })),

  // Runs of both kinds (the training client's sink, and the tabs)
  runCreated: (runId: RunId, request: RunRequest) => set((s) => runCreated(s, runId, request)),
  runMessage: (m: RunMessage) => {
    if (m.type === 'run-snapshots') setDisagreement((d) => disagreement.snapshots(d, m.runId, m.snapshots, m.sample));
    set((s) => runMessage(s, m));
  },
  runRefused: (kind: RunKind, reason: string) => set((s) => runRefused(s, kind, reason)),
  workerCrashed: (runId: RunId | null, message: string) => {
    set((s) => runCrashed(s, runId, message));
    setDisagreement(disagreement.crashed); // the snapshots went with the worker
    actions.addError(`The training worker crashed: ${message}. The run can continue from its last checkpoint (Resume), or press Start to begin a new run.`);
  },
  setTabError: (kind: RunKind, error: string | null) => set((s) => setTabError(s, kind, error)),
  toggleShown: (runId: RunId) => set((s) => toggleShown(s, runId)),
  setProbe: (probe: WorkbenchState['probe']) => set({ probe }),

  // Where the student disagrees (the Distill tab; app/disagreement.ts sends the requests)
  setDisagreementText: (text: string) => setDisagreement(() => disagreement.setText(text)),
  setDisagreementStep: (step: number | null) => setDisagreement(() => disagreement.setStep(step)),
  disagreementStarted: (key: string) => setDisagreement((d) => disagreement.heatStarted(d, key)),
  disagreementDone: (key: string, shown: Shown<DisagreementResult>) => setDisagreement((d) => disagreement.heatDone(d, key, shown)),
  disagreementFailed: (key: string, error: string) => setDisagreement((d) => disagreement.heatFailed(d, key, error)),
  alignedProbeStarted: (key: string, span: [number, number]) => setDisagreement((d) => disagreement.probeStarted(d, key, span)),
  alignedProbeDone: (key: string, shown: Shown<AlignedFillMaskResult>) => setDisagreement((d) => disagreement.probeDone(d, key, shown)),
  alignedProbeFailed: (key: string, error: string) => setDisagreement((d) => disagreement.probeFailed(d, key, error)),

  // The loaded teacher
  modelLoadStarted: (name?: string) => setModels(() => models.loadStarted(name)),
  modelLoaded: (summary: ModelSummary, tokenizerJson: string) => setModels(() => models.loaded(summary, tokenizerJson)),
  modelLoadFailed: (error: string) => setModels((m) => models.loadFailed(m, error)),
  fillMaskStarted: () => setModels(models.fillMaskStarted),
  fillMaskDone: (text: string, results: FillMaskResult[]) => setModels(() => models.fillMaskDone(text, results)),
  fillMaskFailed: (error: string) => setModels(() => models.fillMaskFailed(error)),
  setModelError: (error: string | null) => setModels(() => models.setError(error)),

  // The Tokenizers tab
  tokenizerJobStarted: (jobId: JobId, options: TokenizerTrainOptions, input: string) => setTokenizers(() => tokenizers.jobStarted(jobId, options, input)),
  tokenizerMessage: (m: FromTokenizerWorker) => setTokenizers((t) => tokenizers.workerMessage(t, m)),
  tokenizerCrashed: (message: string) => setTokenizers((t) => tokenizers.crashed(t, message)),
  vocabularyImported: (name: string, json: string, size: number) => setTokenizers(() => tokenizers.vocabularyImported(name, json, size)),
  setStudentSize: (size: number) => setTokenizers(() => tokenizers.setStudentSize(size)),
  setTeacherTokenizer: (teacher: TokenizersState['teacher']) => setTokenizers(() => tokenizers.setTeacher(teacher)),
  setTokenizerError: (error: string | null, input: string | null = null) => setTokenizers(() => tokenizers.setError(error, input)),

  // Benchmark tasks given to the page (a task with the same id is replaced)
  userTaskAdded: (t: UserTask) => set((s) => ({ userTasks: [...s.userTasks.filter((x) => x.id !== t.id), t] })),
  userTaskRemoved: (id: string) => set((s) => ({ userTasks: s.userTasks.filter((x) => x.id !== id) })),

  // Runs that can resume (app/resume.ts)
  resumableSet: (r: Resumable) => set((s) => ({ resumable: [...s.resumable.filter((x) => x.key !== r.key), r] })),
  resumableRemoved: (key: string) => set((s) => ({ resumable: s.resumable.filter((x) => x.key !== key) })),
  deviceLost: (runId: RunId | null, lost: BackendName, next: BackendName | null) => {
    if (runId) set((s) => patchRun(s, runId, () => ({ message: `the ${lost} device was lost${next ? `; continuing on ${next} from the last checkpoint` : ' and no other backend passed'}` })));
  },

  // Tabs
  setTab: (tab: string) => set({ tab }),

  // The Alignment tab (app/alignment.ts sends the worker requests)
  setAlignmentSources: (p: Parameters<typeof alignment.setSources>[0]) => setAlignment(() => alignment.setSources(p)),
  setAlignmentCorpus: (corpusId: string, file: File | null) => setAlignment(() => alignment.setCorpus(corpusId, file)),
  setAlignmentText: (text: string) => setAlignment(() => alignment.setText(text)),
  setAlignmentLens: (lens: AlignLens) => setAlignment(() => alignment.setLens(lens)),
  setAlignmentError: (error: string | null) => setAlignment(() => alignment.setError(error)),
  alignmentPairStarted: (pairId: string) => setAlignment(() => alignment.pairStarted(pairId)),
  alignmentTextStarted: (requestId: string) => setAlignment(() => alignment.textStarted(requestId)),
  alignmentCorpusStarted: (requestId: string) => setAlignment(() => alignment.corpusStarted(requestId)),
  alignmentGlmdStarted: (requestId: string, phase: string) => setAlignment(() => alignment.glmdStarted(requestId, phase)),
  alignmentGlmdFailed: (requestId: string, error: string) => setAlignment((a) => alignment.glmdFailed(a, requestId, error)),
  alignmentMessage: (m: FromAlignmentWorker) => setAlignment((a) => alignment.workerMessage(a, m)),
  alignmentCrashed: (message: string) => setAlignment((a) => alignment.crashed(a, message)),
};

/** The store's side of the training client: every worker event is one action. */
export const storeSink: ClientSink = actions;
