/**
 * Special tokens of an HF BERT folder: which strings they are, and the check that every special id and name written in
 * the folder's files agrees with the folder's own vocabulary. Pure code on file bytes (no TF.js).
 *
 * The files that name specials, and what they must agree on:
 * - config.json: `pad_token_id` (and any other `<name>_token_id`) must be the id of that token (`[PAD]` for pad_token
 *   unless special_tokens_map.json names another string) in vocab.txt and in tokenizer.json; `pad_token_id` null says
 *   "no padding token" and is only right when the vocabulary has none. PyTorch's BertEmbeddings makes that id's row the
 *   padding row (`nn.Embedding(padding_idx=…)`: zero gradient), so a wrong id freezes some other token.
 * - special_tokens_map.json and tokenizer_config.json: `unk_token`, `sep_token`, `pad_token`, `cls_token`,
 *   `mask_token` (strings, or `{content}` objects) must be the same in both files and be one entry of the vocabulary;
 *   tokenizer_config.json's `added_tokens_decoder` ({id: {content}}) must name, at each id, the vocabulary's token.
 * - tokenizer.json: its added tokens must sit at the model vocabulary's id of the same string, and its post-processor's
 *   [CLS] / [SEP] ids must be those of the vocabulary.
 * - vocab.txt (line i = id i) and tokenizer.json's model vocabulary must give every named special the same id.
 * Files absent from the folder are skipped (a BPE folder has no vocab.txt).
 */
import type { Tokenizer } from '../tokenizers/tokenizer.ts';

export class SpecialTokenMismatchError extends Error {
  override name = 'SpecialTokenMismatchError';
}

/** HF's special-token fields of a BERT tokenizer and the strings they name, in special_tokens_map.json's order. */
export const BERT_SPECIAL_FIELDS = [
  ['unk_token', '[UNK]'],
  ['sep_token', '[SEP]'],
  ['pad_token', '[PAD]'],
  ['cls_token', '[CLS]'],
  ['mask_token', '[MASK]'],
] as const;

export type SpecialField = (typeof BERT_SPECIAL_FIELDS)[number][0];

/** The BERT specials a tokenizer has, field → {token, id}, from its own vocabulary (absent ones are left out). */
export function tokenizerSpecials(tok: Tokenizer): Partial<Record<SpecialField, { token: string; id: number }>> {
  const out: Partial<Record<SpecialField, { token: string; id: number }>> = {};
  for (const [field, token] of BERT_SPECIAL_FIELDS) {
    const id = tok.tokenToId(token);
    if (id !== undefined) out[field] = { token, id };
  }
  return out;
}

/**
 * tokenizer_config.json and special_tokens_map.json of a tokenizer (HF's BERT layout): the special strings its
 * vocabulary has, `added_tokens_decoder` with the ids of its added tokens (as in tokenizer.json), do_lower_case and
 * strip_accents from its normalizer, `model_max_length` = the model's positions.
 */
export function tokenizerFilesJson(tok: Tokenizer, maxPositions: number): { tokenizerConfig: Record<string, unknown>; specialTokensMap: Record<string, string> } {
  const names: Record<string, string> = {};
  for (const [field, s] of Object.entries(tokenizerSpecials(tok))) names[field] = s.token;
  const addedTokensDecoder: Record<string, unknown> = {};
  for (const a of [...tok.parts.addedTokens].sort((x, y) => x.id - y.id)) {
    addedTokensDecoder[String(a.id)] = { content: a.content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: a.special };
  }
  const n = tok.parts.normalizer;
  return {
    tokenizerConfig: {
      tokenizer_class: tok.parts.model.kind === 'wordpiece' ? 'BertTokenizerFast' : 'PreTrainedTokenizerFast',
      do_lower_case: n?.lowercase ?? false,
      strip_accents: n?.stripAccents ?? null,
      tokenize_chinese_chars: n?.handleChineseChars ?? false,
      model_max_length: maxPositions,
      clean_up_tokenization_spaces: true,
      ...names,
      added_tokens_decoder: addedTokensDecoder,
    },
    specialTokensMap: names,
  };
}

interface FileLike {
  name: string;
  bytes: Uint8Array;
}

interface Vocabulary {
  /** The file it comes from, for messages. */
  source: string;
  idOf: Map<string, number>;
  tokenAt: Map<number, string>;
}

const baseName = (name: string) => name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const q = (s: string | undefined) => (s === undefined ? 'nothing' : JSON.stringify(s));

/**
 * Checks that the special-token ids and names in a folder's files agree with its vocabulary (see the module comment);
 * throws SpecialTokenMismatchError listing every disagreement. `files` are the folder's files (any order; a path
 * prefix in a name is ignored).
 */
export function checkFolderSpecials(files: readonly FileLike[]): void {
  const problems: string[] = [];
  const byName = new Map(files.map((f) => [baseName(f.name), f]));
  const text = (name: string) => new TextDecoder().decode(byName.get(name)!.bytes);
  const json = (name: string): Record<string, unknown> | null => {
    if (!byName.has(name)) return null;
    try {
      const j = JSON.parse(text(name));
      if (isObj(j)) return j;
      problems.push(`${name} is not a JSON object`);
    } catch (e) {
      problems.push(`${name} is not valid JSON (${(e as Error).message})`);
    }
    return null;
  };

  // The vocabularies: vocab.txt and tokenizer.json's model vocabulary + added tokens.
  const vocabs: Vocabulary[] = [];
  if (byName.has('vocab.txt')) {
    const lines = text('vocab.txt').split(/\r?\n/);
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    const v: Vocabulary = { source: 'vocab.txt', idOf: new Map(), tokenAt: new Map() };
    lines.forEach((t, i) => {
      if (!v.idOf.has(t)) v.idOf.set(t, i);
      v.tokenAt.set(i, t);
    });
    vocabs.push(v);
  }
  const tj = json('tokenizer.json');
  const named: { where: string; id: number; token: string }[] = []; // ids the files state, with the token they must name
  if (tj) {
    const v: Vocabulary = { source: 'tokenizer.json', idOf: new Map(), tokenAt: new Map() };
    const model = isObj(tj.model) && isObj(tj.model.vocab) ? tj.model.vocab : {};
    for (const [t, id] of Object.entries(model)) {
      if (typeof id !== 'number') continue;
      v.idOf.set(t, id);
      v.tokenAt.set(id, t);
    }
    for (const a of Array.isArray(tj.added_tokens) ? tj.added_tokens : []) {
      if (!isObj(a) || typeof a.id !== 'number' || typeof a.content !== 'string') continue;
      const atId = v.tokenAt.get(a.id);
      const idOfContent = v.idOf.get(a.content);
      if (atId !== undefined && atId !== a.content) problems.push(`tokenizer.json: added token ${q(a.content)} has id ${a.id}, where its model vocabulary has ${q(atId)}`);
      else if (idOfContent !== undefined && idOfContent !== a.id) problems.push(`tokenizer.json: added token ${q(a.content)} has id ${a.id}, but its model vocabulary has it at ${idOfContent}`);
      else {
        v.idOf.set(a.content, a.id);
        v.tokenAt.set(a.id, a.content);
      }
    }
    const pp = tj.post_processor;
    if (isObj(pp) && pp.type === 'BertProcessing') {
      for (const k of ['cls', 'sep']) {
        const pair = pp[k];
        if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'number') named.push({ where: `tokenizer.json post_processor.${k}`, id: pair[1], token: pair[0] });
      }
    } else if (isObj(pp) && pp.type === 'TemplateProcessing' && isObj(pp.special_tokens)) {
      for (const [k, s] of Object.entries(pp.special_tokens)) {
        if (!isObj(s) || !Array.isArray(s.ids)) continue;
        s.ids.forEach((id, i) => {
          const token = Array.isArray(s.tokens) && typeof s.tokens[i] === 'string' ? s.tokens[i] : k;
          if (typeof id === 'number') named.push({ where: `tokenizer.json post_processor.special_tokens[${JSON.stringify(k)}]`, id, token });
        });
      }
    }
    vocabs.push(v);
  }

  // Names: special_tokens_map.json and tokenizer_config.json must agree field by field.
  const tokenOf = (x: unknown) => (typeof x === 'string' ? x : isObj(x) && typeof x.content === 'string' ? x.content : undefined);
  const names = new Map<string, string>();
  const stm = json('special_tokens_map.json');
  const tc = json('tokenizer_config.json');
  for (const [file, j] of [['special_tokens_map.json', stm], ['tokenizer_config.json', tc]] as const) {
    if (!j) continue;
    for (const [field] of BERT_SPECIAL_FIELDS) {
      const t = tokenOf(j[field]);
      if (t === undefined) continue;
      const prev = names.get(field);
      if (prev !== undefined && prev !== t) problems.push(`${file} ${field} is ${q(t)} but special_tokens_map.json says ${q(prev)}`);
      else names.set(field, t);
    }
  }
  for (const [field, token] of names) {
    const ids = vocabs.map((v) => [v.source, v.idOf.get(token)] as const);
    for (const [source, id] of ids) if (id === undefined) problems.push(`${field} ${q(token)} is not in ${source}`);
    const found = ids.filter(([, id]) => id !== undefined);
    if (found.some(([, id]) => id !== found[0][1])) problems.push(`${field} ${q(token)} has different ids: ${found.map(([s, id]) => `${id} in ${s}`).join(', ')}`);
  }
  if (tc && isObj(tc.added_tokens_decoder)) {
    for (const [key, a] of Object.entries(tc.added_tokens_decoder)) {
      const token = tokenOf(a);
      if (token === undefined || !/^\d+$/.test(key)) problems.push(`tokenizer_config.json added_tokens_decoder[${JSON.stringify(key)}] is not {id: {content}}`);
      else named.push({ where: `tokenizer_config.json added_tokens_decoder[${key}]`, id: Number(key), token });
    }
  }

  // Ids in config.json: <name>_token_id must be the id of <name>_token.
  const cfg = json('config.json');
  if (cfg) {
    for (const [key, id] of Object.entries(cfg)) {
      const m = /^(\w+_token)_id$/.exec(key);
      if (!m) continue;
      const defaults = new Map<string, string>(BERT_SPECIAL_FIELDS);
      const token = names.get(m[1]) ?? defaults.get(m[1]);
      if (id === null || id === undefined) {
        const present = token !== undefined ? vocabs.filter((v) => v.idOf.has(token)) : [];
        if (present.length) problems.push(`config.json ${key} is null but ${present.map((v) => v.source).join(' and ')} ha${present.length > 1 ? 've' : 's'} ${q(token)} at ${present[0].idOf.get(token!)}`);
        continue;
      }
      if (token === undefined) continue; // e.g. bos_token_id with no bos_token named: nothing to compare
      if (typeof id !== 'number' || !Number.isInteger(id)) problems.push(`config.json ${key} must be an integer id or null, got ${JSON.stringify(id)}`);
      else named.push({ where: `config.json ${key}`, id, token });
    }
  }

  for (const { where, id, token } of named) {
    for (const v of vocabs) {
      const at = v.tokenAt.get(id);
      if (at === token) continue;
      const real = v.idOf.get(token);
      problems.push(`${where} ${id} is ${q(at)} in ${v.source}, not ${q(token)}${real !== undefined ? ` (${q(token)} is id ${real})` : ` (${v.source} has no ${q(token)})`}`);
    }
  }
  if (problems.length) throw new SpecialTokenMismatchError(`the folder's special tokens disagree with its own vocabulary: ${[...new Set(problems)].join('; ')}`);
}
