/**
 * `vocabkd model info PATH [--vocab-size N]` (issue 4 §7): reads an HF config.json (PATH is a model folder holding one,
 * or the file itself; no weights are read and no TF.js backend is started) and prints JSON: our config, whether HF's
 * BertForMaskedLM can load it, parameter counts by part, embedding and vocabulary shares, and MB at fp32 / fp16
 * (weights) and for fp32 Adam training. `--vocab-size` prices the same shape with another vocabulary.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, intFlag, parseArgs } from './args.ts';
import { ConfigError, type MlmConfig } from '../models/config.ts';
import { fromBertConfigJson, hfCompatibility } from '../models/hfConfig.ts';
import { countParamsByPart, memoryEstimate, toMB } from '../models/params.ts';
import { MAX_HEADER_BYTES, readSafetensorsHeader, SafetensorsError } from '../models/safetensors.ts';
import { fsError } from './files.ts';

export const MODEL_INFO_HELP = `  vocabkd model info PATH [--vocab-size N]
      PATH: a model folder with config.json (its model.safetensors, if any, must be whole: the header is checked
      against the file's size), or a config.json. Prints JSON: the config, parameters by part
      (embeddings / body / head: masked LM with a tied decoder, no pooler; the BertModel-with-pooler total beside it),
      embedding and vocabulary shares, MB at fp32 and fp16 and for fp32 Adam training. --vocab-size N replaces
      vocab_size (prices a student vocabulary on the same shape).
`;

/** The first `n` bytes of a file. */
function head(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * A folder's model.safetensors, if any, must be whole: its header is read (not its tensors) and checked against the
 * file's size, so a 0-byte or truncated file (a killed export) is a SafetensorsError naming the file.
 */
export function checkWeightsFile(dir: string): void {
  const file = join(dir, 'model.safetensors');
  if (!existsSync(file)) return;
  try {
    const size = statSync(file).size;
    const first = head(file, 8);
    const n = first.length === 8 ? new DataView(first.buffer).getUint32(0, true) : 0;
    readSafetensorsHeader(head(file, Math.min(size, 8 + n, 8 + MAX_HEADER_BYTES)), { fileSize: size });
  } catch (e) {
    if (e instanceof SafetensorsError) throw new SafetensorsError(`${file}: ${e.message} (truncated or not a safetensors file; export the model again)`);
    throw fsError(e, file, 'weights file');
  }
}

/** PATH (folder or file) → the config.json text and the file it came from. */
function readConfigText(path: string): { file: string; text: string } {
  if (!existsSync(path)) throw new UsageError(`model path not found: ${path}`);
  const file = statSync(path).isDirectory() ? join(path, 'config.json') : path;
  if (!existsSync(file)) throw new UsageError(`no config.json in the folder ${path}`);
  if (file !== path) checkWeightsFile(path);
  return { file, text: readFileSync(file, 'utf8') };
}

export interface ModelInfo {
  file: string;
  config: MlmConfig;
  vocabSizeOverride?: { configJson: unknown; used: number };
  hf: ReturnType<typeof hfCompatibility>;
  params: ReturnType<typeof countParamsByPart>;
  bertModelWithPooler: number;
  memoryMB: { fp32: number; fp16: number; trainingFp32: number };
}

export function modelInfo(path: string, vocabSize?: number): ModelInfo {
  const { file, text } = readConfigText(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const config = fromBertConfigJson(json, vocabSize);
  const params = countParamsByPart(config);
  const mem = memoryEstimate(params.total);
  const { vocabSize: V, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, typeVocabSize, embeddingSize, layerNormEps, initRange, padTokenId } = config;
  return {
    file,
    config: { vocabSize: V, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, typeVocabSize, ...(embeddingSize !== undefined ? { embeddingSize } : {}), layerNormEps, initRange, padTokenId },
    ...(vocabSize !== undefined ? { vocabSizeOverride: { configJson: (json as Record<string, unknown>).vocab_size, used: vocabSize } } : {}),
    hf: hfCompatibility(config),
    params,
    bertModelWithPooler: countParamsByPart(config, { withPooler: true, withMlmHead: false }).total,
    memoryMB: { fp32: toMB(mem.weightsFp32), fp16: toMB(mem.weightsFp16), trainingFp32: toMB(mem.trainingFp32) },
  };
}

export function modelInfoCommand(argv: string[]): void {
  const { positionals, flags } = parseArgs(argv, ['vocab-size']);
  if (positionals.length !== 1) throw new UsageError(`model info needs exactly one PATH (a model folder or a config.json), got ${positionals.length}`);
  let vocabSize: number | undefined;
  if (flags['vocab-size'] !== undefined) {
    vocabSize = intFlag(flags, 'vocab-size', 0);
    if (vocabSize < 1) throw new UsageError(`--vocab-size must be ≥ 1, got ${vocabSize}`);
  }
  process.stdout.write(JSON.stringify(modelInfo(positionals[0], vocabSize), null, 2) + '\n');
}
