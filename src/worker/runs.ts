/**
 * A run in the training worker, either kind, on one path: `startRun` claims the run slot (the one start guard: a
 * second start of either kind is answered run-rejected naming the active run), queues the run on the device queue and
 * reports it with run-* messages (status, info, batched points, phases, warnings, checkpoints, done, errors) the same
 * way for both kinds. A kind only supplies its body: what it validates, reads and trains (`pretrain`, `distill`).
 */
import { assertNoDeviceErrors, lostDeviceError } from '../backend/browser.ts';
import { fromTokenizerJson } from '../tokenizers/hfJson.ts';
import { splitDocuments } from '../data/corpus.ts';
import { createRunControl, runMlm } from '../train/mlmRun.ts';
import { validateRunConfig } from '../train/runConfig.ts';
import { DistillStoppedError, runDistill } from '../distill/run.ts';
import { recipeWarnings, requireStudentTokenizer, validateRecipe } from '../distill/recipe.ts';
import { createSnapshotStore, type SnapshotList } from '../distill/snapshots.ts';
import { alignedContext, heldOutSample } from '../distill/disagreement.ts';
import { createStepLane, laneControl } from './stepLane.ts';
import { createRunBench } from '../eval/runBench.ts';
import { checkpointFromBytes, checkpointToBytes, CheckpointError, type RunCheckpoint } from '../train/checkpoint.ts';
import type { MetricPoint, PretrainCheckpoint } from '../train/mlmRun.ts';
import type { DistillCheckpoint } from '../distill/run.ts';
import type { DistillPoint } from '../distill/types.ts';
import { taskLocator, teacherCache } from './bench.ts';
import { distillSetup, loadCorpus, type ActiveRun, type WorkerState } from './workerState.ts';
import {
  PHASE_FLUSH_MS, pointBatcher,
  type CorpusSource, type FromWorker, type RunEvent, type RunKind, type RunKinds, type RunMessage, type RunOutcome, type RunState, type ToWorker,
} from './protocol.ts';
import type { BenchPoint, BenchReference } from '../eval/live.ts';

/** Names a corpus in the teacher-score cache. */
const corpusKey = (c: CorpusSource) => (c.kind === 'url' ? c.url : `file:${c.file.name}:${c.file.size}:${c.file.lastModified}`);

type Start = Extract<ToWorker, { type: 'run-start' }>;
type StartOf<K extends RunKind> = Extract<Start, { kind: K }>;
type Post = (m: FromWorker, transfer?: Transferable[]) => void;

/** A checkpoint's bytes from the page, checked for its kind (CheckpointError: truncated, another version or kind). */
function resumeCheckpoint<C extends RunCheckpoint>(bytes: ArrayBuffer | undefined, kind: 'pretrain' | 'distill'): C | undefined {
  if (!bytes) return undefined;
  const c = checkpointFromBytes(new Uint8Array(bytes));
  if (c.kind !== kind) throw new CheckpointError(`this is a ${c.kind} checkpoint; a ${kind} run cannot resume from it`, 'kind');
  return c as C;
}

/** The run state as transferable bytes. */
async function checkpointBytes(capture: () => Promise<RunCheckpoint>): Promise<ArrayBuffer> {
  const b = checkpointToBytes(await capture());
  return (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer) as ArrayBuffer;
}

/** What a body reports through: the same for both kinds. */
interface RunHooks<K extends RunKind> {
  control: ActiveRun['control'];
  /** 'running' is not sent while the run is paused. */
  status(state: RunState): void;
  info(info: RunKinds[K]['info']): void;
  point(p: RunKinds[K]['point']): void;
  phase(phase: string, done: number, total: number): void;
  warning(message: string): void;
  /** A checkpoint: its step and, for resuming, the run state's bytes (transferred). */
  checkpoint(step: number, data?: ArrayBuffer): void;
  /** A resumed run: the checkpoint's step and its points (sent before the first new point). */
  resumed(step: number, points: RunKinds[K]['point'][]): void;
  /** The student snapshots now kept (distillations), and a held-out text of the corpus. */
  snapshots(list: SnapshotList, sample: string): void;
  /** After a step: a WebGPU device error stops the run, named (an invalid pipeline computes garbage silently). */
  step(step: number): void;
  /** Distillations' benchmark scores: the teacher's reference once, then a point per evaluation. */
  benchReference(reference: BenchReference): void;
  bench(point: BenchPoint): void;
}

type Body<K extends RunKind> = (state: WorkerState, msg: StartOf<K>, hooks: RunHooks<K>) => Promise<{ outcome: RunOutcome; summary: RunKinds[K]['summary'] }>;

/** Pretraining: the run config, the corpus, the given student tokenizer (else runMlm trains a WordPiece). */
const pretrain: Body<'pretrain'> = async (state, msg, h) => {
  const config = validateRunConfig(msg.config);
  const text = await loadCorpus(state, msg.corpus, h.warning);
  const tokenizer = msg.tokenizerJson ? fromTokenizerJson(msg.tokenizerJson) : undefined;
  const resumeFrom = resumeCheckpoint<PretrainCheckpoint>(msg.resumeFrom, 'pretrain');
  if (resumeFrom) h.resumed(resumeFrom.step, resumeFrom.points as unknown as MetricPoint[]);
  h.status('running');
  const outcome = await runMlm(text, config, h.control, {
    onInfo: h.info,
    onPoint: h.point,
    onStep: h.step,
    onCheckpoint: async (c, capture) => {
      state.checkpoint = c;
      h.checkpoint(c.step, await checkpointBytes(capture));
    },
  }, { tokenizer, resumeFrom });
  return { outcome, summary: null };
};

/**
 * Distillation: the recipe, the loaded teacher, the corpus, the Tokenizers tab's student when the recipe names it.
 * Student snapshots (issue 12 item 3): the run's alignment tables once prepared (replacing the previous run's
 * snapshots), a copy of the student at each evaluation point (at most SNAPSHOT_LIMIT, the oldest dropped) and the final
 * student, each reported as run-snapshots. While it runs, its step boundaries drain a step lane, where the worker
 * sends the disagreement requests (stepLane.ts); what is left there runs when the run ends. Benchmark scores
 * (bench.ts): the recipe's tasks are read before training; the student is scored after each snapshot is taken.
 */
const distill: Body<'distill'> = async (state, msg, h) => {
  const startedAt = performance.now();
  const recipe = validateRecipe(msg.recipe);
  requireStudentTokenizer(recipe, msg.studentTokenizerJson !== undefined);
  const texts = splitDocuments(await loadCorpus(state, msg.corpus, h.warning));
  const setup = distillSetup(state, texts, recipe.studentTokenizer === 'tokenizers-tab' ? msg.studentTokenizerJson : undefined);
  for (const w of recipeWarnings(recipe, { teacher: setup.teacherTokenizer.parts.normalizer, student: setup.studentTokenizer?.parts.normalizer ?? null })) h.warning(w);
  const resumeFrom = resumeCheckpoint<DistillCheckpoint>(msg.resumeFrom, 'distill');
  if (resumeFrom) h.resumed(resumeFrom.step, resumeFrom.points as unknown as DistillPoint[]);
  const bench = await createRunBench({
    recipe, texts, teacher: { model: setup.teacher, tokenizer: setup.teacherTokenizer }, cache: teacherCache(setup.teacher), corpusKey: corpusKey(msg.corpus), locate: taskLocator(msg.tasks ?? []), control: h.control, startedAt,
    hooks: { reference: h.benchReference, point: h.bench, warning: h.warning },
  });
  const store = createSnapshotStore();
  const sample = heldOutSample(texts);
  const lane = createStepLane();
  state.lane = lane;
  try {
    const result = await runDistill(setup, recipe, laneControl(h.control, lane), {
      onInfo: (info) => { // once, when preparation (the phases) is over and training begins
        h.info(info);
        h.status('running');
      },
      onPhase: h.phase,
      onPoint: (p) => {
        h.step(p.step);
        h.point(p);
      },
      onCheckpoint: async (step, capture) => h.checkpoint(step, await checkpointBytes(capture)),
      onWarning: h.warning,
      onPrepared: (p) => {
        state.snapshots?.store.dispose();
        state.snapshots = { runId: msg.runId, store, context: alignedContext(p, setup.teacher, setup.teacherTokenizer, recipe) };
        h.snapshots(store.list(), sample);
        bench?.prepared(p.studentTokenizer);
      },
      onEvaluated: async (step, student) => {
        store.take(step, student);
        h.snapshots(store.list(), sample);
        await bench?.evaluated(step, student);
      },
    }, { resumeFrom });
    store.takeFinal(result.summary.steps, result.student);
    h.snapshots(store.list(), sample);
    state.student?.model.dispose();
    state.student = { runId: msg.runId, model: result.student, tokenizer: result.studentTokenizer };
    return { outcome: result.outcome, summary: result.summary };
  } finally {
    await lane.close();
    if (state.lane === lane) state.lane = null;
    if (state.snapshots?.store !== store) store.dispose(); // never installed: the run failed while preparing
  }
};

/** Handles `run-start`: refused at once (run-rejected) or queued behind the device work before it. */
export function startRun(state: WorkerState, msg: Start, post: Post): void {
  const { runId, kind } = msg;
  const control = createRunControl();
  const refusal = state.slot.claim({ runId, kind, control }, state.backend !== null);
  if (refusal) return post({ type: 'run-rejected', runId, kind, reason: refusal });
  const job = msg.kind === 'pretrain' ? () => execute(state, msg, control, pretrain, post) : () => execute(state, msg, control, distill, post);
  void state.queue.run(job).finally(() => state.slot.release(runId));
}

/** Runs a body and reports it: every failure becomes run-error + run-status 'error'; nothing escapes. */
async function execute<K extends RunKind>(state: WorkerState, msg: StartOf<K>, control: ActiveRun['control'], body: Body<K>, post: Post): Promise<void> {
  const send = (ev: RunEvent<K>, transfer: Transferable[] = []) => post({ ...ev, runId: msg.runId, kind: msg.kind } as RunMessage, transfer);
  const points = pointBatcher<RunKinds[K]['point']>((batch) => send({ type: 'run-points', points: batch }));
  const phaseSent = new Map<string, number>();
  let crashed = false;
  try {
    send({ type: 'run-status', state: 'starting' });
    const { outcome, summary } = await body(state, msg, {
      control,
      status: (s) => { if (!(s === 'running' && control.paused)) send({ type: 'run-status', state: s }); },
      info: (info) => send({ type: 'run-info', info }),
      point: points.push,
      phase: (phase, done, total) => {
        const now = performance.now();
        if (done < total && now - (phaseSent.get(phase) ?? -Infinity) < PHASE_FLUSH_MS) return;
        phaseSent.set(phase, now);
        send({ type: 'run-phase', phase, done, total });
      },
      warning: (message) => send({ type: 'run-warning', message }),
      // A Blob made here: the page keeps it and stores it in IndexedDB without copying megabytes on its main thread.
      checkpoint: (step, data) => send({ type: 'run-checkpoint', step, ...(data ? { data: new Blob([data]) } : {}) }),
      resumed: (step, points) => send({ type: 'run-resumed', step, points }),
      snapshots: (snapshots, sample) => send({ type: 'run-snapshots', snapshots, sample }),
      benchReference: (reference) => send({ type: 'run-bench-reference', reference }),
      bench: (point) => send({ type: 'run-bench', point }),
      step: (step) => {
        assertNoDeviceErrors();
        if (msg.debug?.crashAtStep === step) { // test fault injection: an uncaught error, reported by the worker's error event
          crashed = true;
          setTimeout(() => { throw new Error(`injected worker crash after step ${step}`); });
          control.stop();
        }
      },
    });
    points.flush();
    if (crashed) return;
    send({ type: 'run-done', outcome, summary });
    if (outcome === 'diverged') send({ type: 'run-status', state: 'stopped', message: 'diverged: a loss or gradient norm was not finite; the weights are the last good checkpoint' });
    else send({ type: 'run-status', state: outcome });
  } catch (e) {
    points.flush();
    if (e instanceof DistillStoppedError) return send({ type: 'run-status', state: 'stopped', message: e.message }); // stopped while preparing: nothing trained
    const err = (await lostDeviceError()) ?? (e as Error);
    const code = err.name || 'Error';
    send({ type: 'run-error', code, message: err.message ?? String(e) });
    send({ type: 'run-status', state: 'error', message: `${code}: ${err.message ?? String(e)}` });
  }
}

/** Handles `run-control` for the active run (any other runId is stale and ignored). */
export function controlRun(state: WorkerState, msg: Extract<ToWorker, { type: 'run-control' }>, post: Post): void {
  const active = state.slot.active;
  if (active?.runId !== msg.runId) return;
  active.control[msg.action]();
  if (msg.action !== 'stop') post({ type: 'run-status', runId: active.runId, kind: active.kind, state: msg.action === 'pause' ? 'paused' : 'running' } as RunMessage);
}
