/**
 * Model requests handled inside the training worker (the one device owner): load an HF folder (the shipped teacher
 * by URL, or dropped files) through the same import path, fill-mask with the loaded model, and export the teacher or
 * the latest training checkpoint as an HF folder. Replies carry plain data; exported bytes are transferred.
 */
import * as tf from '@tensorflow/tfjs';
import { exportHfFolder, isHfFolderFile, modelFromWeights, parseHfFolder, tokenizerSize, type HfFile, type ImportedHfModel } from '../models/hfFolder.ts';
import { checkBackendLimits, type BackendLimits } from '../models/limits.ts';
import { fillMask } from '../models/fillMask.ts';
import { fromTokenizerJson } from '../tokenizers/hfJson.ts';
import type { Checkpoint } from '../train/mlmRun.ts';
import type { ModelReply, ModelRequest, ModelSource } from './protocol.ts';

const HF_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt'];

let loaded: (ImportedHfModel & { name: string }) | null = null;

/** The loaded teacher (distillation reads it; never dispose it from outside). */
export const loadedModel = () => loaded;

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
    const wanted = src.files.filter((f) => isHfFolderFile(f.name));
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

export async function handleModelRequest(
  msg: ModelRequest,
  latest: { checkpoint: Checkpoint | null; tokenizerJson: string | null },
  post: (m: ModelReply, transfer?: Transferable[]) => void,
): Promise<void> {
  const { requestId } = msg;
  try {
    if (msg.type === 'model-load') {
      const t0 = performance.now();
      const parsed = parseHfFolder(await readSource(msg.source));
      checkBackendLimits(parsed.config, backendLimits());
      // All variables or none; the parsed Float32Arrays are not kept once they are in variables.
      const imported: ImportedHfModel = { config: parsed.config, tokenizer: parsed.tokenizer, warnings: parsed.warnings, model: modelFromWeights(parsed.config, parsed.weights) };
      loaded?.model.dispose();
      loaded = { ...imported, name: msg.source.name };
      const c = imported.config;
      post({ type: 'model-loaded', requestId, summary: { name: msg.source.name, config: c, vocabSize: c.vocabSize, tokenizerSize: tokenizerSize(imported.tokenizer), warnings: imported.warnings, loadMs: performance.now() - t0 } });
    } else if (msg.type === 'fill-mask') {
      if (!loaded) throw new Error('no model is loaded yet');
      post({ type: 'fill-mask-result', requestId, results: await fillMask(loaded.model, loaded.tokenizer, msg.text, msg.top) });
    } else {
      let exported;
      if (msg.what === 'teacher') {
        if (!loaded) throw new Error('no model is loaded yet');
        exported = await exportHfFolder(loaded.model, loaded.tokenizer);
      } else {
        const cp = latest.checkpoint;
        if (!cp) throw new Error('no checkpoint yet: train in the Train MLM tab first');
        if (!latest.tokenizerJson) throw new Error('this checkpoint was trained with the placeholder word tokenizer, which has no HF form; train with a tokenizer from the Tokenizers tab to export');
        const weights = new Map(Object.entries(cp.weights).map(([k, w]) => [k, w.data]));
        const model = modelFromWeights(cp.config, weights);
        try {
          exported = await exportHfFolder(model, fromTokenizerJson(latest.tokenizerJson), { metadata: { step: String(cp.step) } });
        } finally {
          model.dispose();
        }
      }
      const files = exported.files.map((f) => ({ name: f.name, bytes: f.bytes.slice().buffer as ArrayBuffer }));
      post({ type: 'model-files', requestId, files, notes: exported.notes }, files.map((f) => f.bytes));
    }
  } catch (e) {
    const err = e as Error;
    post({ type: 'model-error', requestId, code: err.name || 'Error', message: err.message ?? String(e) });
  }
}
