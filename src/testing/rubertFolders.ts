/**
 * Synthetic Russian BERT folders of the real models' exact shapes, generated at test time (never committed):
 * - `RUBERT_TINY2`: cointegrated/rubert-tiny2 (83,828-entry vocab.txt, hidden 312, 3 layers, 12 heads, FFN 600, 2,048
 *   positions), written whole with random F32 weights (≈ 118 MB) as BertForPreTraining saves it (pooler and
 *   next-sentence head included, which the import drops);
 * - `RUBERT_BASE`: DeepPavlov rubert-base-cased (119,547 entries, 12 × 768, FFN 3,072, 512 positions, ≈ 680 MiB of F32):
 *   `sparse` writes config.json, vocab.txt and a model.safetensors whose header is real and whose body is a hole
 *   (ftruncate: no 700 MB written), for the paths that decide from config.json and the header alone.
 * The vocabulary: the five specials, Cyrillic / Latin / digit / punctuation characters and their ## forms, then
 * generated syllable words and ## pieces up to the size, as a WordPiece vocab.txt (no tokenizer.json).
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../models/safetensors.ts';
import { createRng } from '../data/rng.ts';
import type { MlmConfig } from '../models/config.ts';

/** A BERT folder's shape: the MlmConfig fields config.json carries, a name and whether its tokenizer lower-cases. */
export type BertShape = Pick<MlmConfig, 'vocabSize' | 'hiddenSize' | 'numLayers' | 'numHeads' | 'intermediateSize' | 'maxPositions'> & {
  name: string;
  lowercase: boolean;
};

export const RUBERT_TINY2: BertShape = { name: 'rubert-tiny2', vocabSize: 83_828, hiddenSize: 312, numLayers: 3, numHeads: 12, intermediateSize: 600, maxPositions: 2048, lowercase: false };
export const RUBERT_BASE: BertShape = { name: 'rubert-base-cased', vocabSize: 119_547, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512, lowercase: false };

const SYL = 'ба ва га да жа за ка ла ма на па ра са та фа ха ца ча ша бо во го до ко ло мо но по ро со то ве ле не ре се те ми ни ли ри си ти ку лу му ну ру су ту ск ст пр тр др гр кр бл пл ой ый ий ая ое ие ть сь ся ем ом ам ых их'.split(' ');

/** Exactly `size` distinct WordPiece entries, [PAD] [UNK] [CLS] [SEP] [MASK] first (ids 0–4, as rubert-tiny2). */
export function syntheticVocab(size: number, seed = 1): string[] {
  const chars = [...'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?-—«»()"\''];
  const words = 'и в не на я что он с как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между дом домой глаза рука день жизнь время человек'.split(' ');
  const out = new Set<string>(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...chars, ...chars.map((c) => `##${c}`), ...words]);
  const rng = createRng(seed);
  while (out.size < size) {
    const n = 1 + rng.int(3);
    const w = Array.from({ length: n }, () => SYL[rng.int(SYL.length)]).join('');
    out.add(rng.next() < 0.4 ? `##${w}` : w);
  }
  return [...out].slice(0, size);
}

function configJson(s: BertShape): object {
  return {
    architectures: ['BertForPreTraining'], model_type: 'bert', vocab_size: s.vocabSize, hidden_size: s.hiddenSize, num_hidden_layers: s.numLayers,
    num_attention_heads: s.numHeads, intermediate_size: s.intermediateSize, max_position_embeddings: s.maxPositions, type_vocab_size: 2,
    hidden_act: 'gelu', layer_norm_eps: 1e-12, initializer_range: 0.02, pad_token_id: 0, torch_dtype: 'float32',
  };
}

/** Every tensor of a BertForPreTraining state dict in HF layout ([out, in] kernels), in file order. */
export function preTrainingShapes(s: BertShape): [string, number[]][] {
  const H = s.hiddenSize;
  const lin = (k: string, i: number, o: number): [string, number[]][] => [[`${k}.weight`, [o, i]], [`${k}.bias`, [o]]];
  const ln = (k: string): [string, number[]][] => [[`${k}.LayerNorm.weight`, [H]], [`${k}.LayerNorm.bias`, [H]]];
  const out: [string, number[]][] = [
    ['bert.embeddings.word_embeddings.weight', [s.vocabSize, H]], ['bert.embeddings.position_embeddings.weight', [s.maxPositions, H]],
    ['bert.embeddings.token_type_embeddings.weight', [2, H]], ...ln('bert.embeddings'),
  ];
  for (let i = 0; i < s.numLayers; i++) {
    const L = `bert.encoder.layer.${i}`;
    out.push(...lin(`${L}.attention.self.query`, H, H), ...lin(`${L}.attention.self.key`, H, H), ...lin(`${L}.attention.self.value`, H, H),
      ...lin(`${L}.attention.output.dense`, H, H), ...ln(`${L}.attention.output`), ...lin(`${L}.intermediate.dense`, H, s.intermediateSize),
      ...lin(`${L}.output.dense`, s.intermediateSize, H), ...ln(`${L}.output`));
  }
  out.push(...lin('bert.pooler.dense', H, H), ...lin('cls.predictions.transform.dense', H, H), ...ln('cls.predictions.transform'),
    ['cls.predictions.bias', [s.vocabSize]], ...lin('cls.seq_relationship', H, 2));
  return out;
}

/** Random normal-ish F32 values (sum of uniforms; fast): N(0, std²) approximately. */
function randomValues(n: number, std: number, state: { x: number }): Float32Array {
  const a = new Float32Array(n);
  let x = state.x;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    a[i] = ((x / 4294967296) * 2 - 1) * std * 1.732;
  }
  state.x = x;
  return a;
}

function writeSmallFiles(dir: string, s: BertShape, vocab: string[] | Uint8Array): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(configJson(s), null, 2));
  writeFileSync(join(dir, 'vocab.txt'), vocab instanceof Uint8Array ? vocab : vocab.join('\n') + '\n');
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: s.lowercase, model_max_length: s.maxPositions, tokenizer_class: 'BertTokenizer' }));
}

/** The whole folder with random weights (LayerNorm gains 1, biases small). */
export function writeSyntheticBert(dir: string, s: BertShape, opts: { vocab?: string[] | Uint8Array; seed?: number } = {}): void {
  writeSmallFiles(dir, s, opts.vocab ?? syntheticVocab(s.vocabSize, opts.seed));
  const state = { x: opts.seed ?? 7 };
  const tensors = preTrainingShapes(s).map(([name, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = name.endsWith('LayerNorm.weight') ? new Float32Array(n).fill(1) : randomValues(n, name.endsWith('.bias') ? 0.01 : 0.05, state);
    return [name, { shape, data }] as [string, { shape: number[]; data: Float32Array }];
  });
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensors, { dtype: 'F32', metadata: { format: 'pt' } }));
}

/** config.json, vocab.txt and a model.safetensors with a real header over a sparse (unwritten) body. */
export function writeSparseBert(dir: string, s: BertShape): { fileBytes: number; headerBytes: number } {
  writeSmallFiles(dir, s, syntheticVocab(s.vocabSize));
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape] of preTrainingShapes(s)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - ((8 + text.length) % 8)) % 8);
  const json = new TextEncoder().encode(text);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setUint32(0, json.length, true);
  const path = join(dir, 'model.safetensors');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, len);
    writeSync(fd, json);
    ftruncateSync(fd, 8 + json.length + offset);
  } finally {
    closeSync(fd);
  }
  return { fileBytes: 8 + json.length + offset, headerBytes: 8 + json.length };
}

/** `text` in Windows-1251 (Cyrillic А–я, Ёё; ASCII as is): a vocab.txt in the wrong encoding. */
export function toCp1251(text: string): Uint8Array {
  return Uint8Array.from([...text].map((ch) => {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) return c;
    if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
    if (c === 0x401) return 0xa8;
    if (c === 0x451) return 0xb8;
    return 0x3f; // '?'
  }));
}
