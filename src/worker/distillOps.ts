/**
 * Distillation inside the training worker: a run (`distill-start`) with the teacher the Models tab loaded, a 3-step
 * cost probe, and the latest student's export as an HF folder. Points are batched like the MLM run's (at most one
 * message every METRICS_FLUSH_MS); phase progress at most every PHASE_FLUSH_MS per phase.
 * Not here: the loop and the losses (src/distill/run.ts), message dispatch and pause/stop (trainer.worker.ts).
 */
import { assertNoDeviceErrors } from '../backend/browser.ts';
import { DistillStoppedError, probeDistill, runDistill, type DistillSetup } from '../distill/run.ts';
import { validateRecipe } from '../distill/recipe.ts';
import type { DistillPoint } from '../distill/types.ts';
import { splitDocuments } from '../data/corpus.ts';
import { exportHfFolder } from '../models/hfFolder.ts';
import type { MlmModel } from '../models/mlm.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import type { RunControl } from '../train/mlmRun.ts';
import { loadedModel } from './modelOps.ts';
import { pointBatcher, type CorpusSource, type DistillRequest, type FromWorker, type RunId, type ToWorker } from './protocol.ts';

export class TeacherMissingError extends Error {
  override name = 'TeacherMissingError';
}

const PHASE_FLUSH_MS = 100;

type Post = (m: FromWorker, transfer?: Transferable[]) => void;

/** The student of the latest finished run (its weights stay in the worker until the next run replaces them). */
let latestStudent: { runId: RunId; model: MlmModel; tokenizer: Tokenizer } | null = null;

function setupFor(texts: string[]): DistillSetup {
  const t = loadedModel();
  if (!t) {
    throw new TeacherMissingError('no teacher is loaded: load one in the Models tab (the shipped teacher loads at start unless the page was opened with ?teacher=none)');
  }
  return { teacher: t.model, teacherTokenizer: t.tokenizer, texts };
}

/** One distillation run, start to `distill-done` and a final `status`; every failure becomes `error` + status 'error'. */
export async function distillRun(
  msg: Extract<ToWorker, { type: 'distill-start' }>,
  control: RunControl,
  loadCorpus: (src: CorpusSource) => Promise<string>,
  post: Post,
): Promise<void> {
  const { runId } = msg;
  const points = pointBatcher<DistillPoint>((batch) => post({ type: 'distill-metrics', runId, points: batch }));
  const phaseSent = new Map<string, number>();
  try {
    const recipe = validateRecipe(msg.recipe);
    post({ type: 'status', runId, state: 'starting' });
    const setup = setupFor(splitDocuments(await loadCorpus(msg.corpus)));
    const result = await runDistill(setup, recipe, control, {
      // Info comes once, when preparation (the phases) is over and training begins.
      onInfo: (info) => {
        post({ type: 'distill-info', runId, info });
        if (!control.paused) post({ type: 'status', runId, state: 'running' });
      },
      onPhase: (phase, done, total) => {
        const now = performance.now();
        if (done < total && now - (phaseSent.get(phase) ?? -Infinity) < PHASE_FLUSH_MS) return;
        phaseSent.set(phase, now);
        post({ type: 'distill-phase', runId, phase, done, total });
      },
      onPoint: (p) => {
        assertNoDeviceErrors(); // an invalid GPU pipeline computes garbage silently: stop the run, named
        points.push(p);
      },
      onCheckpoint: (step) => post({ type: 'checkpoint', runId, step }),
      onWarning: (message) => post({ type: 'distill-warning', runId, message }),
    });
    points.flush();
    latestStudent?.model.dispose();
    latestStudent = { runId, model: result.student, tokenizer: result.studentTokenizer };
    post({ type: 'distill-done', runId, outcome: result.outcome, summary: result.summary });
    if (result.outcome === 'diverged') post({ type: 'status', runId, state: 'stopped', message: 'diverged: the student is the last good checkpoint' });
    else post({ type: 'status', runId, state: result.outcome });
  } catch (e) {
    points.flush();
    if (e instanceof DistillStoppedError) { // a stop during preparation: no student, nothing to report as an error
      post({ type: 'status', runId, state: 'stopped', message: e.message });
      return;
    }
    const err = e as Error;
    post({ type: 'error', runId, code: err.name || 'Error', message: err.message ?? String(e) });
    post({ type: 'status', runId, state: 'error', message: `${err.name || 'Error'}: ${err.message ?? String(e)}` });
  }
}

/** `distill-probe` (3 steps of the recipe: ms/step, parameters, bytes) and `distill-export` (the latest student). */
export async function handleDistillRequest(msg: DistillRequest, loadCorpus: (src: CorpusSource) => Promise<string>, post: Post): Promise<void> {
  const { requestId } = msg;
  try {
    if (msg.type === 'distill-probe') {
      const recipe = validateRecipe(msg.recipe);
      const r = await probeDistill(setupFor(splitDocuments(await loadCorpus(msg.corpus))), recipe, 3);
      post({ type: 'distill-probe-result', requestId, msPerStep: r.msPerStep, params: r.params, bytes: r.bytes });
    } else {
      if (!latestStudent) throw new Error('no distilled student yet: finish (or stop) a run in the Distill tab first');
      const exported = await exportHfFolder(latestStudent.model, latestStudent.tokenizer, { metadata: { run: latestStudent.runId } });
      const files = exported.files.map((f) => ({ name: f.name, bytes: f.bytes.slice().buffer as ArrayBuffer }));
      post({ type: 'model-files', requestId, files, notes: exported.notes }, files.map((f) => f.bytes));
    }
  } catch (e) {
    const err = e as Error;
    post({ type: 'model-error', requestId, code: err.name || 'Error', message: err.message ?? String(e) });
  }
}
