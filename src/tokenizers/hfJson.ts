/**
 * Hugging Face interchange: `tokenizer.json` (BertNormalizer, BertPreTokenizer, WordPiece or BPE model,
 * BertProcessing / TemplateProcessing, WordPiece / BPE decoders) and plain `vocab.txt`, both ways. Anything else is
 * rejected with a named error listing what is supported; nothing is half-built on error.
 */
import { Tokenizer, type AddedToken, type TokenizerParts } from './tokenizer.ts';
import { WordPieceModel } from './wordpiece.ts';
import { BpeModel } from './bpe.ts';
import type { BertNormalizerOptions } from './normalizer.ts';

export class TokenizerFormatError extends Error {
  override name = 'TokenizerFormatError';
}

export const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const SUPPORTED = {
  model: ['WordPiece', 'BPE'],
  normalizer: ['BertNormalizer', 'null'],
  pre_tokenizer: ['BertPreTokenizer', 'null'],
  post_processor: ['BertProcessing', 'TemplateProcessing ([CLS] $A [SEP])', 'null'],
  decoder: ['WordPiece', 'BPEDecoder', 'null'],
};

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function unsupported(part: keyof typeof SUPPORTED, type: unknown): never {
  const why = part === 'model' && type === 'Unigram' ? ' (Unigram is not supported: a SentencePiece-style model, e.g. T5 / XLM-R; use a WordPiece or BPE tokenizer)' : '';
  throw new TokenizerFormatError(`unsupported ${part} type "${String(type)}"; supported: ${SUPPORTED[part].join(', ')}${why}`);
}

/** {token: id} → array indexed by id; ids must be exactly 0..n-1. */
function vocabArray(v: unknown): string[] {
  if (!isObj(v)) throw new TokenizerFormatError('model.vocab must be an object {token: id}');
  const entries = Object.entries(v);
  const out: string[] = new Array(entries.length);
  for (const [tok, id] of entries) {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= entries.length) {
      throw new TokenizerFormatError(`model.vocab: token "${tok}" has id ${String(id)}, outside 0..${entries.length - 1}`);
    }
    if (out[id as number] !== undefined) throw new TokenizerFormatError(`model.vocab: id ${String(id)} is used by "${out[id as number]}" and "${tok}"`);
    out[id as number] = tok;
  }
  return out;
}

function parseNormalizer(n: unknown): BertNormalizerOptions | null {
  if (n === null || n === undefined) return null;
  if (!isObj(n) || n.type !== 'BertNormalizer') unsupported('normalizer', isObj(n) ? n.type : n);
  return {
    cleanText: n.clean_text !== false,
    handleChineseChars: n.handle_chinese_chars !== false,
    stripAccents: typeof n.strip_accents === 'boolean' ? n.strip_accents : null,
    lowercase: n.lowercase !== false,
  };
}

function parsePostProcessor(p: unknown, tokenId: (t: string) => number): TokenizerParts['postProcessor'] {
  if (p === null || p === undefined) return null;
  if (!isObj(p)) unsupported('post_processor', p);
  if (p.type === 'BertProcessing') {
    const pair = (x: unknown, what: string): [string, number] => {
      if (!Array.isArray(x) || typeof x[0] !== 'string' || !Number.isInteger(x[1])) throw new TokenizerFormatError(`post_processor.${what} must be [token, id]`);
      return [x[0], x[1]];
    };
    return { cls: pair(p.cls, 'cls'), sep: pair(p.sep, 'sep') };
  }
  if (p.type === 'TemplateProcessing' && Array.isArray(p.single)) {
    const items = p.single as Json[];
    const special = (i: Json) => (isObj(i.SpecialToken) ? String(i.SpecialToken.id) : null);
    if (items.length === 3 && special(items[0]) && isObj(items[1].Sequence) && special(items[2])) {
      const [c, s] = [special(items[0])!, special(items[2])!];
      return { cls: [c, tokenId(c)], sep: [s, tokenId(s)] };
    }
  }
  return unsupported('post_processor', p.type);
}

/** Only the normalizer of a tokenizer.json text (no vocabulary is built): what a host compares before loading both. */
export function normalizerOfTokenizerJson(text: string): BertNormalizerOptions | null {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new TokenizerFormatError(`tokenizer.json is not JSON: ${(e as Error).message}`);
  }
  if (!isObj(j)) throw new TokenizerFormatError('tokenizer.json must be an object');
  return parseNormalizer(j.normalizer);
}

/** Parses a tokenizer.json text. Throws TokenizerFormatError (named part, what is supported) on anything else. */
export function fromTokenizerJson(text: string): Tokenizer {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new TokenizerFormatError(`tokenizer.json is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(j) || !isObj(j.model)) throw new TokenizerFormatError('tokenizer.json has no "model" object');
  const m = j.model;
  // Before the vocabulary: Unigram's vocab is a list of [piece, score] pairs, which would be refused for its shape.
  if (m.type !== undefined && !SUPPORTED.model.includes(String(m.type))) unsupported('model', m.type);
  const vocab = vocabArray(m.vocab);
  let model: WordPieceModel | BpeModel;
  if (m.type === 'WordPiece') {
    model = new WordPieceModel(vocab, {
      unkToken: typeof m.unk_token === 'string' ? m.unk_token : '[UNK]',
      continuingSubwordPrefix: typeof m.continuing_subword_prefix === 'string' ? m.continuing_subword_prefix : '##',
      maxInputCharsPerWord: Number.isInteger(m.max_input_chars_per_word) ? (m.max_input_chars_per_word as number) : 100,
    });
  } else if (m.type === 'BPE') {
    if (!Array.isArray(m.merges)) throw new TokenizerFormatError('model.merges must be an array');
    const merges = (m.merges as unknown[]).map((x, i): [string, string] => {
      if (typeof x === 'string') {
        const parts = x.split(' ');
        if (parts.length !== 2) throw new TokenizerFormatError(`model.merges[${i}] "${x}" is not "left right"`);
        return [parts[0], parts[1]];
      }
      if (Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && typeof x[1] === 'string') return [x[0], x[1]];
      throw new TokenizerFormatError(`model.merges[${i}] must be "left right" or [left, right]`);
    });
    if (m.byte_fallback === true) throw new TokenizerFormatError('BPE with byte_fallback is not supported');
    model = new BpeModel(vocab, merges, {
      unkToken: typeof m.unk_token === 'string' ? m.unk_token : null,
      continuingSubwordPrefix: typeof m.continuing_subword_prefix === 'string' ? m.continuing_subword_prefix : null,
      endOfWordSuffix: typeof m.end_of_word_suffix === 'string' ? m.end_of_word_suffix : null,
      fuseUnk: m.fuse_unk === true,
    });
  } else {
    unsupported('model', m.type);
  }
  const pre = j.pre_tokenizer;
  if (pre !== null && pre !== undefined && !(isObj(pre) && pre.type === 'BertPreTokenizer')) unsupported('pre_tokenizer', isObj(pre) ? pre.type : pre);
  const added: AddedToken[] = [];
  if (j.added_tokens !== undefined && j.added_tokens !== null) {
    if (!Array.isArray(j.added_tokens)) throw new TokenizerFormatError('added_tokens must be an array');
    for (const a of j.added_tokens as unknown[]) {
      if (!isObj(a) || !Number.isInteger(a.id) || typeof a.content !== 'string') throw new TokenizerFormatError('each added token needs an integer id and a string content');
      added.push({ id: a.id as number, content: a.content, special: a.special === true });
    }
  }
  const tokenId = (t: string) => {
    const id = added.find((a) => a.content === t)?.id ?? model.index.get(t);
    if (id === undefined) throw new TokenizerFormatError(`post_processor names "${t}", which is not in the vocabulary`);
    return id;
  };
  const d = j.decoder;
  let decoder: TokenizerParts['decoder'] = null;
  if (isObj(d) && d.type === 'WordPiece') decoder = { type: 'wordpiece', prefix: typeof d.prefix === 'string' ? d.prefix : '##', cleanup: d.cleanup !== false };
  else if (isObj(d) && d.type === 'BPEDecoder') decoder = { type: 'bpe', suffix: typeof d.suffix === 'string' ? d.suffix : '</w>' };
  else if (d !== null && d !== undefined) unsupported('decoder', isObj(d) ? d.type : d);
  return new Tokenizer({
    model,
    normalizer: parseNormalizer(j.normalizer),
    preTokenizer: pre ? 'bert' : null,
    postProcessor: parsePostProcessor(j.post_processor, tokenId),
    addedTokens: added,
    decoder,
  });
}

/** Serialises to HF tokenizer.json (format version 1.0). */
export function toTokenizerJson(tok: Tokenizer, pretty = true): string {
  const { model, normalizer, preTokenizer, postProcessor, addedTokens, decoder } = tok.parts;
  const vocab: Record<string, number> = {};
  model.vocab.forEach((t, i) => { if (!(t in vocab)) vocab[t] = i; });
  const modelJson =
    model.kind === 'wordpiece'
      ? { type: 'WordPiece', unk_token: model.options.unkToken, continuing_subword_prefix: model.options.continuingSubwordPrefix, max_input_chars_per_word: model.options.maxInputCharsPerWord, vocab }
      : {
          type: 'BPE', dropout: null, unk_token: model.options.unkToken, continuing_subword_prefix: model.options.continuingSubwordPrefix,
          end_of_word_suffix: model.options.endOfWordSuffix, fuse_unk: model.options.fuseUnk, byte_fallback: false, ignore_merges: false,
          vocab, merges: model.merges.map(([a, b]) => `${a} ${b}`),
        };
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens.map((a) => ({ id: a.id, content: a.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: a.special })),
    normalizer: normalizer && { type: 'BertNormalizer', clean_text: normalizer.cleanText, handle_chinese_chars: normalizer.handleChineseChars, strip_accents: normalizer.stripAccents, lowercase: normalizer.lowercase },
    pre_tokenizer: preTokenizer === 'bert' ? { type: 'BertPreTokenizer' } : null,
    post_processor: postProcessor && { type: 'BertProcessing', sep: postProcessor.sep, cls: postProcessor.cls },
    decoder: decoder && (decoder.type === 'wordpiece' ? { type: 'WordPiece', prefix: decoder.prefix, cleanup: decoder.cleanup } : { type: 'BPEDecoder', suffix: decoder.suffix }),
    model: modelJson,
  };
  return JSON.stringify(json, null, pretty ? 2 : undefined);
}

/** A BERT-style tokenizer around a model: specials as added tokens, [CLS] … [SEP], WordPiece decoder. */
export function bertTokenizer(model: WordPieceModel | BpeModel, normalizer: BertNormalizerOptions): Tokenizer {
  const addedTokens: AddedToken[] = [];
  for (const s of SPECIALS) {
    const id = model.index.get(s);
    if (id !== undefined) addedTokens.push({ id, content: s, special: true });
  }
  const id = (s: string) => {
    const i = model.index.get(s);
    if (i === undefined) throw new TokenizerFormatError(`the vocabulary lacks the special token ${s}; a BERT vocabulary needs ${SPECIALS.join(' ')}`);
    return i;
  };
  return new Tokenizer({
    model,
    normalizer,
    preTokenizer: 'bert',
    postProcessor: { cls: ['[CLS]', id('[CLS]')], sep: ['[SEP]', id('[SEP]')] },
    addedTokens,
    decoder: { type: 'wordpiece', prefix: '##', cleanup: true },
  });
}

/**
 * Plain vocab.txt (one token per line) → BERT WordPiece tokenizer. Duplicate lines are an error (they would shift
 * every later id). `lowercase` defaults to true when no entry has an upper-case letter (an uncased vocabulary).
 */
export function fromVocabTxt(text: string, opts: { lowercase?: boolean } = {}): Tokenizer {
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (!lines.length) throw new TokenizerFormatError('vocab.txt is empty');
  const seen = new Map<string, number>();
  lines.forEach((t, i) => {
    const prev = seen.get(t);
    if (prev !== undefined) throw new TokenizerFormatError(`vocab.txt: line ${i + 1} repeats "${t}" from line ${prev + 1}; every token must be unique`);
    seen.set(t, i);
  });
  const lowercase = opts.lowercase ?? !lines.some((t) => !/^\[.*\]$/.test(t) && t !== t.toLowerCase());
  return bertTokenizer(new WordPieceModel(lines), { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase });
}

export function toVocabTxt(tok: Tokenizer): string {
  return tok.vocab.join('\n') + '\n';
}
