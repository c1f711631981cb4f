/**
 * Requests inside the training worker, one reply each: load an HF folder (the shipped teacher by URL, or dropped files)
 * through the one import path, fill-mask with the loaded model, export the teacher / the latest pretraining checkpoint
 * / the latest distilled student as an HF folder (bytes transferred), the distillation cost probe, and the disagreement
 * heatmap / aligned fill-mask probe on a distillation's student snapshot (issue 12 item 3). The worker queues each on
 * the device queue after `requestRefusal` (runSlot.ts) let it through, except that the snapshot requests go to the
 * running distillation's step lane (`runsBetweenSteps`); every failure is request-error.
 */
import * as tf from '@tensorflow/tfjs';
import { exportHfFolder, hfFolderFiles, modelFromWeights, parseHfFolder, tokenizerSize, type HfFile } from '../models/hfFolder.ts';
import { checkBackendLimits, type BackendLimits } from '../models/limits.ts';
import { checkBlobsFit, PAGE_IMPORT_LIMITS } from '../models/loadPlan.ts';
import { fillMask } from '../models/fillMask.ts';
import { fromTokenizerJson, toTokenizerJson } from '../tokenizers/hfJson.ts';
import { splitDocuments } from '../data/corpus.ts';
import { probeDistill } from '../distill/run.ts';
import { requireStudentTokenizer, validateRecipe } from '../distill/recipe.ts';
import { alignedFillMask, disagreement } from '../distill/disagreement.ts';
import { SnapshotError } from '../distill/snapshots.ts';
import { distillSetup, loadCorpus, type WorkerState } from './workerState.ts';
import { exportBundle } from './bundleExport.ts';
import type { ModelSource, RunId, WorkerReply, WorkerRequest } from './protocol.ts';

type Post = (m: WorkerReply, transfer?: Transferable[]) => void;

const HF_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt'];

/** The active backend's limits, read from the live backend (WebGPU device limits, WebGL texture size). */
function backendLimits(): BackendLimits {
  const backend = tf.getBackend();
  if (backend === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device;
    return { backend, maxBufferBytes: device?.limits?.maxStorageBufferBindingSize };
  }
  if (backend === 'webgl') return { backend, maxTextureSize: tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE') };
  return { backend };
}

async function readSource(src: ModelSource): Promise<HfFile[]> {
  if (src.kind === 'files') {
    const wanted = hfFolderFiles(src.files.map((f) => ({ file: f, name: f.webkitRelativePath || f.name }))).map((x) => x.file);
    return Promise.all(wanted.map(async (f) => ({ name: f.webkitRelativePath || f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  }
  const out: HfFile[] = [];
  for (const name of HF_FILES) {
    const res = await fetch(new URL(name, src.base).href);
    if (res.ok) out.push({ name, bytes: new Uint8Array(await res.arrayBuffer()) });
    else if (name !== 'vocab.txt') throw new Error(`could not load ${src.name}/${name}: HTTP ${res.status}`);
  }
  return out;
}

/** Fill-mask with the latest pretraining checkpoint: built for the request, disposed after it. */
async function fillMaskCheckpoint(state: WorkerState, text: string, top: number) {
  const cp = state.checkpoint;
  if (!cp) throw new Error('no checkpoint yet: train in the Train MLM tab first');
  const model = modelFromWeights(cp.config, new Map(Object.entries(cp.weights).map(([k, w]) => [k, w.data])));
  try {
    return await fillMask(model, fromTokenizerJson(cp.tokenizerJson), text, top);
  } finally {
    model.dispose();
  }
}

/** The model an export names, built for the export and disposed after it when it is not the worker's own. */
async function exportFolder(state: WorkerState, what: 'teacher' | 'checkpoint' | 'student') {
  if (what === 'teacher') {
    if (!state.teacher) throw new Error('no model is loaded yet');
    return exportHfFolder(state.teacher.model, state.teacher.tokenizer);
  }
  if (what === 'student') {
    const s = state.student;
    if (!s) throw new Error('no distilled student yet: finish (or stop) a run in the Distill tab first');
    return exportHfFolder(s.model, s.tokenizer, { metadata: { run: s.runId } });
  }
  const cp = state.checkpoint;
  if (!cp) throw new Error('no checkpoint yet: train in the Train MLM tab first');
  const model = modelFromWeights(cp.config, new Map(Object.entries(cp.weights).map(([k, w]) => [k, w.data])));
  try {
    return await exportHfFolder(model, fromTokenizerJson(cp.tokenizerJson), { metadata: { step: String(cp.step) } });
  } finally {
    model.dispose();
  }
}

/** Requests that look at a distillation's student snapshots: during that run they run at its step boundaries (stepLane.ts). */
export const runsBetweenSteps = (type: WorkerRequest['type']): boolean => type === 'disagreement' || type === 'aligned-fill-mask';

/** The kept snapshot of `step` of the distillation `runId` with its run's tables; a SnapshotError says why not. */
function snapshotOf(state: WorkerState, runId: RunId, step: number) {
  const s = state.snapshots;
  if (!s) throw new SnapshotError('no student snapshots yet: they are taken at the evaluation points of a distillation');
  if (s.runId !== runId) throw new SnapshotError(`the worker keeps the snapshots of the latest distillation only (${s.runId}), not those of ${runId}`);
  if (state.teacher?.model !== s.context.teacher) throw new SnapshotError(`the teacher was replaced after ${runId}: its snapshots cannot be compared with the new one`);
  const model = s.store.get(step);
  if (!model) throw new SnapshotError(`${runId} keeps no snapshot of step ${step} (kept: ${s.store.list().steps.join(', ') || 'none yet'})`);
  return { context: s.context, model };
}

export async function handleRequest(state: WorkerState, msg: WorkerRequest, post: Post): Promise<void> {
  const { requestId } = msg;
  try {
    switch (msg.type) {
      case 'model-load': {
        const t0 = performance.now();
        // dropped files are priced from config.json and the headers before they are read (loadPlan.ts)
        if (msg.source.kind === 'files') await checkBlobsFit(msg.source.files, { ...backendLimits(), ...PAGE_IMPORT_LIMITS });
        const parsed = parseHfFolder(await readSource(msg.source));
        checkBackendLimits(parsed.config, backendLimits());
        // All variables or none; the parsed Float32Arrays are not kept once they are in variables.
        const model = modelFromWeights(parsed.config, parsed.weights);
        state.teacher?.model.dispose();
        state.snapshots?.store.dispose(); // compared with the old teacher only
        state.snapshots = null;
        state.teacher = { config: parsed.config, tokenizer: parsed.tokenizer, warnings: parsed.warnings, model, name: msg.source.name };
        const c = parsed.config;
        const summary = { name: msg.source.name, config: c, vocabSize: c.vocabSize, tokenizerSize: tokenizerSize(parsed.tokenizer), warnings: parsed.warnings, loadMs: performance.now() - t0 };
        return post({ type: 'model-loaded', requestId, summary, tokenizerJson: toTokenizerJson(parsed.tokenizer, false) });
      }
      case 'fill-mask': {
        if (msg.target === 'checkpoint') return post({ type: 'fill-mask-result', requestId, results: await fillMaskCheckpoint(state, msg.text, msg.top) });
        if (!state.teacher) throw new Error('no model is loaded yet');
        return post({ type: 'fill-mask-result', requestId, results: await fillMask(state.teacher.model, state.teacher.tokenizer, msg.text, msg.top) });
      }
      case 'model-export': {
        const exported = await exportFolder(state, msg.what);
        const files = exported.files.map((f) => ({ name: f.name, bytes: f.bytes.slice().buffer as ArrayBuffer }));
        return post({ type: 'model-files', requestId, files, notes: exported.notes }, files.map((f) => f.bytes));
      }
      case 'distill-probe': {
        const recipe = validateRecipe(msg.recipe);
        requireStudentTokenizer(recipe, msg.studentTokenizerJson !== undefined);
        const texts = splitDocuments(await loadCorpus(state, msg.corpus));
        const r = await probeDistill(distillSetup(state, texts, recipe.studentTokenizer === 'tokenizers-tab' ? msg.studentTokenizerJson : undefined), recipe, 3);
        return post({ type: 'distill-probe-result', requestId, msPerStep: r.msPerStep, params: r.params, bytes: r.bytes });
      }
      case 'disagreement': {
        const { context, model } = snapshotOf(state, msg.runId, msg.step);
        const result = await disagreement(context, model, msg.text);
        return post({ type: 'disagreement-result', requestId, runId: msg.runId, step: msg.step, text: msg.text, result });
      }
      case 'aligned-fill-mask': {
        const { context, model } = snapshotOf(state, msg.runId, msg.step);
        const result = await alignedFillMask(context, model, msg.text, msg.start, msg.end, msg.top);
        return post({ type: 'aligned-fill-mask-result', requestId, runId: msg.runId, step: msg.step, text: msg.text, result });
      }
      case 'export-bundle': return await exportBundle(state, msg, post);
      case 'teacher-embeddings': {
        if (!state.teacher) throw new Error('no model is loaded yet');
        const c = state.teacher.config;
        const data = ((await state.teacher.model.params['bert.embeddings.word_embeddings.weight'].data()) as Float32Array).slice();
        return post({ type: 'teacher-embeddings-result', requestId, vocabSize: c.vocabSize, hidden: c.embeddingSize ?? c.hiddenSize, data: data.buffer as ArrayBuffer }, [data.buffer as ArrayBuffer]);
      }
    }
  } catch (e) {
    const err = e as Error;
    post({ type: 'request-error', requestId, code: err.name || 'Error', message: err.message ?? String(e) });
  }
}
