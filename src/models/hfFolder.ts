/**
 * Hugging Face BERT folders in and out: config.json + model.safetensors (or a sharded model.safetensors.index.json)
 * + tokenizer.json or vocab.txt. Pure engine code on bytes (`{name, bytes}` per file): the worker reads dropped
 * `File`s, the CLI reads the disk (src/cli/hfFolderFs.ts), the tests build folders in memory.
 *
 * Import is two-phase, so nothing is ever half-loaded: `parseHfFolder` decodes and checks everything into plain
 * Float32Arrays in our layout (no TF.js; the caller can price the model against a backend's limits first), and
 * `modelFromWeights` creates every tf.Variable at once (disposing the ones made if one fails). `importHfFolder` does
 * both.
 *
 * Key mapping (HF BertForMaskedLM state dict ⇄ our params; our keys are the HF keys):
 * - `bert.…` keys as they are; bare BertModel keys (`embeddings.…`, `encoder.…`, `pooler.…`) get the `bert.` prefix;
 * - legacy TF-era `LayerNorm.gamma` / `LayerNorm.beta` → `LayerNorm.weight` / `LayerNorm.bias`;
 * - nn.Linear weights (`isDenseKernel`) are [out, in] in HF and [in, out] here: transposed both ways; embedding tables,
 *   LayerNorm and biases are copied as they are;
 * - `cls.predictions.decoder.weight` is the tied word table: dropped silently when equal to the word embeddings, with a
 *   warning when not (the decoder stays tied); `cls.predictions.decoder.bias` likewise against `cls.predictions.bias`
 *   (used as that bias when the file has only the decoder's copy);
 * - `bert.pooler.*` and `cls.seq_relationship.*` (BertModel / BertForPreTraining extras) are dropped with a warning;
 *   `bert.embeddings.position_ids` (a buffer older checkpoints store) is dropped silently;
 * - anything else is unexpected: dropped, listed in a warning returned with the model.
 *
 * Vocabulary sizes: HF models often pad vocab_size beyond the tokenizer (e.g. to a multiple of 8 or 64), so a
 * tokenizer.json SMALLER than vocab_size is a warning (the extra rows are never fed in; their logits exist and should be
 * ignored); a vocab.txt (no tokenizer.json) shorter than vocab_size is an error (a vocab.txt lists every row: a shorter
 * one is truncated or another model's), and a tokenizer LARGER than vocab_size is an error (its top ids would index past
 * the embedding table). Every weight is checked once for NaN / Infinity (NonFiniteWeightError naming the tensor).
 *
 * Export writes config.json (`"architectures": ["BertForMaskedLM"]`, model_type "bert"), model.safetensors (HF layout,
 * HF keys, metadata format "pt", no decoder.weight since it is tied, `cls.predictions.bias`), tokenizer.json,
 * tokenizer_config.json + special_tokens_map.json (so `AutoTokenizer` and `pipeline("fill-mask")` find the specials),
 * and vocab.txt for WordPiece tokenizers only. Every special id those files state (config.json `pad_token_id`,
 * tokenizer_config.json `added_tokens_decoder`, tokenizer.json's added tokens and post-processor) is the id of that
 * token in the folder's own vocabulary: a vocabulary in another order (GLMD's students keep the teacher's frequency
 * order, so [PAD] is not id 0) gets its own ids, and a model whose `padTokenId` names another token is refused
 * (SpecialTokenMismatchError, no files) instead of exported with a wrong padding row (`checkFolderSpecials`).
 *
 * Import takes [PAD]'s id from the vocabulary too: a config.json whose pad_token_id names another token (or omits it
 * when [PAD] is not id 0) is corrected, with a warning.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlmConfig } from './config.ts';
import { fromBertConfigJson, hfCompatibility, toBertConfigJson } from './hfConfig.ts';
import { isDenseKernel, paramShapes, type MlmModel, type Params } from './mlm.ts';
import { assertFinite, readSafetensors, writeSafetensors, type ReadTensor, type WritableDtype } from './safetensors.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { fromTokenizerJson, fromVocabTxt, toTokenizerJson, toVocabTxt } from '../tokenizers/hfJson.ts';
import { checkFolderSpecials, SpecialTokenMismatchError, tokenizerFilesJson, tokenizerSpecials } from './hfSpecials.ts';

export { SpecialTokenMismatchError } from './hfSpecials.ts';

export class HfFolderError extends Error {
  override name = 'HfFolderError';
}

export interface HfFile {
  /** File name; a path prefix ("my-model/config.json", as a dropped folder gives) is ignored. */
  name: string;
  bytes: Uint8Array;
}

export interface ParsedHfFolder {
  config: MlmConfig;
  tokenizer: Tokenizer;
  /** Every parameter of `paramShapes(config)`, in our layout (dense kernels [in, out]). */
  weights: Map<string, Float32Array>;
  /** Keys dropped, tokenizer smaller than vocab_size, …: show them to the user. */
  warnings: string[];
}

export interface ImportedHfModel {
  config: MlmConfig;
  model: MlmModel;
  tokenizer: Tokenizer;
  warnings: string[];
}

/** Files an import reads; the UI can skip the rest of a dropped folder (pytorch_model.bin, …) without reading it. */
export function isHfFolderFile(name: string): boolean {
  const base = baseName(name);
  return ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'model.safetensors.index.json'].includes(base) || base.endsWith('.safetensors');
}

/**
 * The files of an HF folder among those given (a drop, a file picker); none among them is an HfFolderError naming what
 * was given (not "files given: none"), so two junk files are named.
 */
export function hfFolderFiles<T extends { name: string }>(given: T[]): T[] {
  const wanted = given.filter((f) => isHfFolderFile(f.name));
  if (given.length > 0 && wanted.length === 0) {
    throw new HfFolderError(`none of the files given is part of an HF folder (${list(given.map((f) => f.name))}): give config.json, model.safetensors and tokenizer.json or vocab.txt`);
  }
  return wanted;
}

const baseName = (name: string) => name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
const utf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function parseJson(file: HfFile, what: string): unknown {
  try {
    return JSON.parse(utf8(file.bytes));
  } catch (e) {
    throw new HfFolderError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Tokens the tokenizer can emit: its model vocabulary plus added tokens outside it (HF's `len(tokenizer)`). */
export function tokenizerSize(tok: Tokenizer): number {
  let n = tok.vocabSize;
  for (const a of tok.parts.addedTokens) n = Math.max(n, a.id + 1);
  return n;
}

/** [rows, cols] row-major → [cols, rows]. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c];
  }
  return out;
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** HF layout of one of our keys: dense kernels [in, out] → [out, in]. */
function hfShape(key: string, ours: number[]): number[] {
  return isDenseKernel(key) && ours.length === 2 ? [ours[1], ours[0]] : ours;
}

/** A file key → our key (bare BertModel prefix, legacy LayerNorm names). */
export function normalizeHfKey(key: string): string {
  let k = key;
  if (/^(embeddings|encoder|pooler)\./.test(k)) k = `bert.${k}`;
  k = k.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  return k;
}

const IGNORED_SILENTLY = new Set(['bert.embeddings.position_ids']);
const IGNORED_WITH_WARNING = [/^bert\.pooler\./, /^cls\.seq_relationship\./];
const DECODER_WEIGHT = 'cls.predictions.decoder.weight';
const DECODER_BIAS = 'cls.predictions.decoder.bias';
const WORD = 'bert.embeddings.word_embeddings.weight';
const OUT_BIAS = 'cls.predictions.bias';

function byName(files: HfFile[]): Map<string, HfFile> {
  const map = new Map<string, HfFile>();
  for (const f of files) {
    const base = baseName(f.name);
    const prev = map.get(base);
    if (prev) throw new HfFolderError(`two files named ${base}: "${prev.name}" and "${f.name}"; give one model folder at a time`);
    map.set(base, f);
  }
  return map;
}

/** A vocabulary file that is not UTF-8 (e.g. a Windows-1251 vocab.txt): every non-ASCII token would be garbage. */
export class VocabEncodingError extends HfFolderError {
  override name = 'VocabEncodingError';
}

/** Offset of the first byte that breaks UTF-8 (-1 when the bytes are valid UTF-8). */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/** The text of a vocabulary file, or VocabEncodingError naming the first bad byte, its line and a likely encoding. */
export function vocabText(file: HfFile, what: string): string {
  const at = firstInvalidUtf8(file.bytes);
  if (at < 0) return utf8(file.bytes);
  let line = 1;
  for (let i = 0; i < at; i++) if (file.bytes[i] === 0x0a) line++;
  const sample = new TextDecoder('windows-1251').decode(file.bytes.subarray(0, 65536));
  const cyr = (sample.match(/[\u0400-\u04ff]/g) ?? []).length; // of the non-ASCII characters, as Windows-1251 reads them
  const guess = cyr > 0.6 * [...sample].filter((ch) => ch.charCodeAt(0) > 0x7f).length ? ` It reads as Windows-1251 (cp1251) Cyrillic: convert it (iconv -f cp1251 -t utf-8 ${what}) and load again.` : '';
  throw new VocabEncodingError(`${what} is not UTF-8: byte 0x${file.bytes[at].toString(16).toUpperCase().padStart(2, '0')} at offset ${at} (line ${line}) cannot start or continue a UTF-8 character.${guess} Vocabulary files are read as UTF-8, as Hugging Face reads them.`);
}

function readTokenizer(files: Map<string, HfFile>): Tokenizer {
  const tj = files.get('tokenizer.json');
  if (tj) return fromTokenizerJson(vocabText(tj, 'tokenizer.json'));
  const vt = files.get('vocab.txt');
  if (vt) {
    let lowercase: boolean | undefined;
    const tc = files.get('tokenizer_config.json');
    if (tc) {
      const j = parseJson(tc, 'tokenizer_config.json');
      if (isObj(j) && typeof j.do_lower_case === 'boolean') lowercase = j.do_lower_case;
    }
    return fromVocabTxt(vocabText(vt, 'vocab.txt'), { lowercase });
  }
  throw new HfFolderError(`no tokenizer: the folder needs tokenizer.json or vocab.txt (files given: ${[...files.keys()].join(', ') || 'none'})`);
}

/** model.safetensors, or every shard a model.safetensors.index.json names; tensor names must be unique across shards. */
function readWeights(files: Map<string, HfFile>): Map<string, ReadTensor> {
  const single = files.get('model.safetensors');
  if (single) return readSafetensors(single.bytes).tensors;
  const index = files.get('model.safetensors.index.json');
  if (!index) {
    const hint = files.has('pytorch_model.bin') ? ' (pytorch_model.bin is a pickle, which is not read here: save the model with safe_serialization=True)' : '';
    throw new HfFolderError(`no weights: the folder needs model.safetensors${hint} (files given: ${[...files.keys()].join(', ') || 'none'})`);
  }
  const j = parseJson(index, 'model.safetensors.index.json');
  if (!isObj(j) || !isObj(j.weight_map)) throw new HfFolderError('model.safetensors.index.json has no "weight_map" object');
  const shards = [...new Set(Object.values(j.weight_map).map(String))];
  const missing = shards.filter((s) => !files.has(s));
  if (missing.length) throw new HfFolderError(`model.safetensors.index.json names shard${missing.length > 1 ? 's' : ''} not given: ${missing.join(', ')}`);
  const out = new Map<string, ReadTensor>();
  for (const s of shards) {
    for (const [k, t] of readSafetensors(files.get(s)!.bytes).tensors) {
      if (out.has(k)) throw new HfFolderError(`tensor "${k}" appears in more than one shard (again in ${s})`);
      out.set(k, t);
    }
  }
  return out;
}

function equalArrays(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const list = (keys: string[], max = 12) => (keys.length > max ? `${keys.slice(0, max).join(', ')} … (${keys.length} in all)` : keys.join(', '));

/**
 * Decodes and checks a whole folder; no TF.js. Throws HfFolderError (missing files, keys, shapes, vocabulary sizes),
 * ConfigError (config.json fields), SafetensorsError (the weights file) or TokenizerFormatError, each naming what
 * is wrong; returns weights in our layout and the warnings.
 */
export function parseHfFolder(fileList: HfFile[]): ParsedHfFolder {
  const files = byName(fileList);
  const cfgFile = files.get('config.json');
  if (!cfgFile) throw new HfFolderError(`no config.json (files given: ${[...files.keys()].join(', ') || 'none'})`);
  let config = fromBertConfigJson(parseJson(cfgFile, 'config.json'));
  const warnings: string[] = [];

  const tokenizer = readTokenizer(files);
  const pad = tokenizer.tokenToId('[PAD]');
  if (pad !== undefined && pad !== config.padTokenId) {
    const stated = parseJson(cfgFile, 'config.json') as Record<string, unknown>;
    const said = stated.pad_token_id === undefined || stated.pad_token_id === null ? `${stated.pad_token_id === null ? 'is null' : 'is absent'} (BertConfig's default 0)` : String(stated.pad_token_id);
    const at = tokenizer.vocab[config.padTokenId];
    warnings.push(`config.json pad_token_id ${said} names ${at === undefined ? 'no token' : JSON.stringify(at)}, but the vocabulary's [PAD] is id ${pad}: using ${pad}`);
    config = { ...config, padTokenId: pad };
  }
  const tokSize = tokenizerSize(tokenizer);
  if (tokSize > config.vocabSize) {
    throw new HfFolderError(`the tokenizer has ${tokSize} tokens but config.json vocab_size is ${config.vocabSize}: ids ${config.vocabSize}..${tokSize - 1} would index past the embedding table`);
  }
  if (tokSize < config.vocabSize && !files.has('tokenizer.json')) {
    throw new HfFolderError(`vocab.txt has ${tokSize} entries but config.json vocab_size is ${config.vocabSize}: a vocab.txt lists every row of the embedding (is it truncated, or another model's?); give the full vocab.txt`);
  }
  if (tokSize < config.vocabSize) {
    warnings.push(`the tokenizer has ${tokSize} tokens, fewer than config.json vocab_size ${config.vocabSize} (a padded vocabulary): ids ${tokSize}..${config.vocabSize - 1} are never produced; ignore their logits`);
  }

  // Map file keys onto ours.
  const raw = readWeights(files);
  const expected = new Map(paramShapes(config));
  const found = new Map<string, { fileKey: string; t: ReadTensor }>();
  const unexpected: string[] = [];
  const dropped: string[] = [];
  let decoderWeight: { fileKey: string; t: ReadTensor } | null = null;
  let decoderBias: { fileKey: string; t: ReadTensor } | null = null;
  for (const [fileKey, t] of raw) {
    const key = normalizeHfKey(fileKey);
    if (expected.has(key)) {
      const prev = found.get(key);
      if (prev) throw new HfFolderError(`tensors "${prev.fileKey}" and "${fileKey}" both map to "${key}"`);
      found.set(key, { fileKey, t });
    } else if (key === DECODER_WEIGHT) decoderWeight = { fileKey, t };
    else if (key === DECODER_BIAS) decoderBias = { fileKey, t };
    else if (IGNORED_SILENTLY.has(key)) continue;
    else if (IGNORED_WITH_WARNING.some((re) => re.test(key))) dropped.push(fileKey);
    else unexpected.push(fileKey);
  }
  if (decoderBias && !found.has(OUT_BIAS)) found.set(OUT_BIAS, decoderBias);
  else if (decoderBias) {
    const b = found.get(OUT_BIAS)!.t;
    if (!equalArrays(b.data as Float32Array, decoderBias.t.data as Float32Array)) {
      warnings.push(`"${decoderBias.fileKey}" differs from "${OUT_BIAS}"; the output bias is "${OUT_BIAS}" (HF ties the two)`);
    }
  }

  const missing = [...expected.keys()].filter((k) => !found.has(k));
  if (missing.length) {
    const noHead = missing.every((k) => k.startsWith('cls.')) && ![...found.keys()].some((k) => k.startsWith('cls.'))
      ? ' (this looks like a bare BertModel checkpoint without the masked-LM head: the model needs BertForMaskedLM weights)'
      : '';
    throw new HfFolderError(`model.safetensors is missing ${missing.length} tensor${missing.length > 1 ? 's' : ''} the config needs: ${list(missing)}${noHead}`);
  }

  // Shapes (HF layout) and dtypes, all of them before building anything.
  const wrong: string[] = [];
  for (const [key, ours] of expected) {
    const { fileKey, t } = found.get(key)!;
    const want = hfShape(key, ours);
    if (!(t.data instanceof Float32Array)) {
      wrong.push(`"${fileKey}" has dtype ${t.dtype}; weights must be F32, F16, BF16 or F64`);
    } else if (!sameShape(t.shape, want)) {
      wrong.push(`"${fileKey}" has shape ${shapeText(t.shape)} but the config needs ${shapeText(want)}${isDenseKernel(key) ? ' ([out, in])' : ''}`);
    }
  }
  if (wrong.length) throw new HfFolderError(`tensor shapes disagree with config.json: ${wrong.join('; ')}`);

  if (decoderWeight) {
    const word = found.get(WORD)!.t;
    const d = decoderWeight.t;
    if (!sameShape(d.shape, word.shape) || !(d.data instanceof Float32Array)) {
      warnings.push(`"${decoderWeight.fileKey}" (${d.dtype} ${shapeText(d.shape)}) does not match the word embeddings ${shapeText(word.shape)}; dropped, the decoder is tied to the word embeddings`);
    } else if (!equalArrays(d.data, word.data as Float32Array)) {
      warnings.push(`"${decoderWeight.fileKey}" differs from the word embeddings (max |Δ| ${maxAbsDiff(d.data, word.data as Float32Array).toPrecision(3)}): an untied decoder; dropped, the decoder is tied to the word embeddings`);
    }
  }
  if (dropped.length) warnings.push(`dropped ${dropped.length} tensor${dropped.length > 1 ? 's' : ''} not used by a masked LM (pooler / next-sentence head): ${list(dropped)}`);
  if (unexpected.length) warnings.push(`dropped ${unexpected.length} unexpected tensor${unexpected.length > 1 ? 's' : ''}: ${list(unexpected)}`);

  const weights = new Map<string, Float32Array>();
  for (const [key, ours] of expected) {
    const data = found.get(key)!.t.data as Float32Array;
    assertFinite(found.get(key)!.fileKey, data); // once, at load: a NaN model would train or fill-mask into nonsense
    weights.set(key, isDenseKernel(key) && ours.length === 2 ? transpose(data, ours[1], ours[0]) : data);
  }
  return { config, tokenizer, weights, warnings };
}

/**
 * Our-layout weights → an MlmModel of tf.Variables (order of `paramShapes`). Checks every key and length first;
 * if creating a variable fails (out of memory), the ones already made are disposed and the error is rethrown.
 */
export function modelFromWeights(config: MlmConfig, weights: Map<string, Float32Array>): MlmModel {
  const shapes = paramShapes(config);
  const missing = shapes.filter(([k]) => !weights.has(k)).map(([k]) => k);
  if (missing.length) throw new HfFolderError(`weights missing for: ${list(missing)}`);
  for (const [k, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (weights.get(k)!.length !== n) throw new HfFolderError(`weights for "${k}" have ${weights.get(k)!.length} values; shape ${shapeText(shape)} needs ${n}`);
  }
  const params: Params = {};
  const made: tf.Variable[] = [];
  try {
    for (const [k, shape] of shapes) {
      const v = tf.tidy(() => tf.variable(tf.tensor(weights.get(k)!, shape, 'float32'), true));
      made.push(v);
      params[k] = v;
    }
  } catch (e) {
    made.forEach((v) => v.dispose());
    throw e;
  }
  return { config, params, variables: made, dispose: () => made.forEach((v) => v.dispose()) };
}

/** parseHfFolder + modelFromWeights. */
export function importHfFolder(files: HfFile[]): ImportedHfModel {
  const parsed = parseHfFolder(files);
  const model = modelFromWeights(parsed.config, parsed.weights);
  return { config: parsed.config, model, tokenizer: parsed.tokenizer, warnings: parsed.warnings };
}

export interface ExportOptions {
  /** Storage dtype of model.safetensors (default F32; F16/BF16 halve the file, rounding to nearest even). */
  dtype?: WritableDtype;
  /** Extra `__metadata__` entries (format "pt" is always written). */
  metadata?: Record<string, string>;
}

export interface ExportedHfFolder {
  files: HfFile[];
  /** What a reader should know: reasons HF's BertForMaskedLM cannot load it, substitutions made. */
  notes: string[];
}

const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o, null, 2) + '\n');

/**
 * Model + tokenizer → HF folder files (config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
 * special_tokens_map.json, vocab.txt for WordPiece). Reads the variables with `await data()` (works on every backend).
 * A model with typeVocabSize 0 is written as type_vocab_size 1 with a zero row (the same function; HF cannot build an
 * empty table); a factorised model is written with our extra keys and `embedding_size` (noted: not loadable by HF).
 * Special ids come from the tokenizer's own vocabulary: `pad_token_id` is [PAD]'s id (null, noted, when the vocabulary
 * has no [PAD]); a model whose `padTokenId` is not that id is refused with SpecialTokenMismatchError, and so is any
 * folder whose files `checkFolderSpecials` finds disagreeing, before a weight is read: nothing is returned to write.
 */
export async function exportHfFolder(model: MlmModel, tokenizer: Tokenizer, opts: ExportOptions = {}): Promise<ExportedHfFolder> {
  const c = model.config;
  const tokSize = tokenizerSize(tokenizer);
  if (tokSize > c.vocabSize) throw new HfFolderError(`the tokenizer has ${tokSize} tokens but the model's vocabulary is ${c.vocabSize}`);
  const notes: string[] = [];
  const compat = hfCompatibility(c);
  const configJson = toBertConfigJson(c);
  const specials = tokenizerSpecials(tokenizer);
  if (specials.pad_token && specials.pad_token.id !== c.padTokenId) {
    const at = tokenizer.vocab[c.padTokenId];
    throw new SpecialTokenMismatchError(
      `refusing to export: the model's padTokenId ${c.padTokenId} is ${at === undefined ? 'no token' : JSON.stringify(at)} in its vocabulary, whose [PAD] is id ${specials.pad_token.id} ` +
      `(config.json pad_token_id would make that row the padding row in PyTorch); build the model with padTokenId ${specials.pad_token.id}`,
    );
  }
  if (!specials.pad_token) {
    configJson.pad_token_id = null;
    notes.push('pad_token_id null: the vocabulary has no [PAD]');
  }
  configJson.torch_dtype = opts.dtype === 'F16' ? 'float16' : opts.dtype === 'BF16' ? 'bfloat16' : 'float32';
  if (c.typeVocabSize === 0) configJson.type_vocab_size = 1;

  const wordpiece = tokenizer.parts.model.kind === 'wordpiece';
  const { tokenizerConfig, specialTokensMap } = tokenizerFilesJson(tokenizer, c.maxPositions);
  const small: HfFile[] = [
    { name: 'config.json', bytes: json(configJson) },
    { name: 'tokenizer.json', bytes: new TextEncoder().encode(toTokenizerJson(tokenizer)) },
    { name: 'tokenizer_config.json', bytes: json(tokenizerConfig) },
    { name: 'special_tokens_map.json', bytes: json(specialTokensMap) },
  ];
  if (wordpiece) small.push({ name: 'vocab.txt', bytes: new TextEncoder().encode(toVocabTxt(tokenizer)) });
  else notes.push('vocab.txt not written: the tokenizer is BPE (tokenizer.json carries its vocabulary and merges)');
  checkFolderSpecials(small); // the bytes handed out, read back: every special id names its token

  const tensors: [string, { shape: number[]; data: Float32Array }][] = [];
  for (const [key, shape] of paramShapes(c)) {
    const v = model.params[key];
    if (!v) throw new HfFolderError(`the model has no parameter "${key}"`);
    if (!sameShape(v.shape, shape)) throw new HfFolderError(`parameter "${key}" has shape ${shapeText(v.shape)}; the config needs ${shapeText(shape)}`);
    const data = Float32Array.from(await v.data());
    tensors.push(isDenseKernel(key) && shape.length === 2 ? [key, { shape: [shape[1], shape[0]], data: transpose(data, shape[0], shape[1]) }] : [key, { shape, data }]);
  }
  if (c.typeVocabSize === 0) {
    tensors.push(['bert.embeddings.token_type_embeddings.weight', { shape: [1, c.hiddenSize], data: new Float32Array(c.hiddenSize) }]);
    notes.unshift('type_vocab_size 0 written as 1 with a zero token-type row (identical outputs; HF BERT always adds a token-type embedding)');
  }
  if (c.embeddingSize !== undefined) notes.push(...compat.reasons.filter((r) => r.startsWith('factorised')).map((r) => `not loadable by HF BertForMaskedLM: ${r}`));
  const weights = writeSafetensors(tensors, { dtype: opts.dtype ?? 'F32', metadata: { ...opts.metadata, format: 'pt' } });
  return { files: [small[0], { name: 'model.safetensors', bytes: weights }, ...small.slice(1)], notes };
}
