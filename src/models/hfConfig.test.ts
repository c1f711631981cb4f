// HF BertConfig (config.json) ⇄ MlmConfig: real configs in, the exact object out, round trips, and one named
// ConfigError per bad field (missing fields listed, heads not dividing the hidden size, unsupported activation or
// position embeddings, wrong types).
import { describe, expect, it } from 'vitest';
import { ConfigError, makeConfig, type MlmConfig } from './config.ts';
import { fromBertConfigJson, hfCompatibility, toBertConfigJson } from './hfConfig.ts';
import { countParamsByPart } from './params.ts';

/** bert-base-uncased's config.json as HF hosts it (fields we ignore included). */
const BERT_BASE_UNCASED = {
  architectures: ['BertForMaskedLM'], attention_probs_dropout_prob: 0.1, gradient_checkpointing: false, hidden_act: 'gelu',
  hidden_dropout_prob: 0.1, hidden_size: 768, initializer_range: 0.02, intermediate_size: 3072, layer_norm_eps: 1e-12,
  max_position_embeddings: 512, model_type: 'bert', num_attention_heads: 12, num_hidden_layers: 12, pad_token_id: 0,
  position_embedding_type: 'absolute', transformers_version: '4.6.0.dev0', type_vocab_size: 2, use_cache: true, vocab_size: 30522,
};

const expectConfigError = (json: unknown, message: RegExp | string) => {
  let err: unknown;
  try {
    fromBertConfigJson(json);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).name).toBe('ConfigError');
  if (typeof message === 'string') expect((err as Error).message).toBe(message);
  else expect((err as Error).message).toMatch(message);
};

describe('fromBertConfigJson', () => {
  it('reads bert-base-uncased: every structural field, BertConfig defaults, unknown fields ignored', () => {
    expect(fromBertConfigJson(BERT_BASE_UNCASED)).toEqual({
      vocabSize: 30522, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512,
      layerNormEps: 1e-12, initRange: 0.02, typeVocabSize: 2, padTokenId: 0,
    });
  });

  it('rubert-base-cased-conversational\'s shape (vocab 119,547) counts 177,853,440 as a BertModel with pooler', () => {
    const c = fromBertConfigJson({ ...BERT_BASE_UNCASED, vocab_size: 119547, architectures: ['BertModel'] });
    expect(countParamsByPart(c, { withPooler: true, withMlmHead: false }).total).toBe(177_853_440);
  });

  it('optional fields take BertConfig defaults; vocabSizeOverride replaces vocab_size', () => {
    const minimal = { vocab_size: 100, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 32 };
    expect(fromBertConfigJson(minimal)).toMatchObject({ typeVocabSize: 2, layerNormEps: 1e-12, initRange: 0.02, padTokenId: 0 });
    expect(fromBertConfigJson(minimal, 5000).vocabSize).toBe(5000);
    expect(fromBertConfigJson({ ...minimal, type_vocab_size: 0, embedding_size: 4 })).toMatchObject({ typeVocabSize: 0, embeddingSize: 4 });
  });
});

describe('toBertConfigJson', () => {
  it('writes the fields BertForMaskedLM reads; embedding_size only when factorised', () => {
    const c = makeConfig({ vocabSize: 500, hiddenSize: 32, numLayers: 1, numHeads: 2, intermediateSize: 128, maxPositions: 128 });
    expect(toBertConfigJson(c)).toEqual({
      architectures: ['BertForMaskedLM'], model_type: 'bert', vocab_size: 500, hidden_size: 32, num_hidden_layers: 1,
      num_attention_heads: 2, intermediate_size: 128, hidden_act: 'gelu', max_position_embeddings: 128, type_vocab_size: 2,
      layer_norm_eps: 1e-12, initializer_range: 0.02, pad_token_id: 0, position_embedding_type: 'absolute', tie_word_embeddings: true,
    });
    expect(toBertConfigJson({ ...c, embeddingSize: 16 }).embedding_size).toBe(16);
  });

  it('round trips through JSON text for plain, factorised, type-less and odd configs', () => {
    const configs: MlmConfig[] = [
      makeConfig({ vocabSize: 500, hiddenSize: 32, numLayers: 1, numHeads: 2 }),
      makeConfig({ vocabSize: 15360, hiddenSize: 768, numLayers: 6, numHeads: 12, embeddingSize: 384, typeVocabSize: 0 }),
      makeConfig({ vocabSize: 777, hiddenSize: 24, numLayers: 3, numHeads: 3, intermediateSize: 50, maxPositions: 40, layerNormEps: 1e-5, initRange: 0.1, padTokenId: 3, typeVocabSize: 4 }),
    ];
    for (const c of configs) expect(fromBertConfigJson(JSON.parse(JSON.stringify(toBertConfigJson(c))))).toEqual(c);
  });

  it('hfCompatibility: plain BERT loads in BertForMaskedLM; factorised or type-less models do not, with reasons', () => {
    const c = makeConfig({ vocabSize: 500, hiddenSize: 32, numLayers: 1, numHeads: 2 });
    expect(hfCompatibility(c)).toEqual({ bertForMaskedLM: true, reasons: [] });
    const odd = hfCompatibility({ ...c, embeddingSize: 8, typeVocabSize: 0 });
    expect(odd.bertForMaskedLM).toBe(false);
    expect(odd.reasons).toHaveLength(2);
    expect(odd.reasons[0]).toMatch(/embedding_size 8 < hidden_size 32/);
    expect(odd.reasons[1]).toMatch(/type_vocab_size 0/);
  });
});

describe('bad config.json: named ConfigErrors', () => {
  const ok = { ...BERT_BASE_UNCASED };
  const without = (...keys: string[]) => Object.fromEntries(Object.entries(ok).filter(([k]) => !keys.includes(k)));

  it('missing required fields are listed, all of them', () => {
    expectConfigError(without('hidden_size'), 'config.json is missing required field: hidden_size');
    expectConfigError(without('vocab_size', 'num_hidden_layers', 'max_position_embeddings'), 'config.json is missing required fields: vocab_size, num_hidden_layers, max_position_embeddings');
    expectConfigError({}, /missing required fields: vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings$/);
  });

  it('a hidden size the heads do not divide names both numbers', () => {
    expectConfigError({ ...ok, hidden_size: 100 }, 'config.json: hidden_size (100) is not divisible by num_attention_heads (12)');
  });

  it('unsupported hidden_act lists the supported ones; position_embedding_type other than absolute; other model types; an untied decoder', () => {
    expectConfigError({ ...ok, hidden_act: 'relu' }, 'config.json: hidden_act "relu" is not supported; supported: "gelu"');
    expectConfigError({ ...ok, hidden_act: 'gelu_new' }, /hidden_act "gelu_new" is not supported/);
    expectConfigError({ ...ok, position_embedding_type: 'relative_key' }, 'config.json: position_embedding_type "relative_key" is not supported; supported: "absolute"');
    expectConfigError({ ...ok, model_type: 'distilbert' }, 'config.json: model_type "distilbert" is not supported; supported: "bert"');
    expectConfigError({ ...ok, tie_word_embeddings: false }, /tie_word_embeddings false .* not supported/);
  });

  it('wrong types and ranges name the field and the value', () => {
    expectConfigError({ ...ok, hidden_size: '768' }, 'config.json: hidden_size must be an integer ≥ 1, got "768"');
    expectConfigError({ ...ok, num_hidden_layers: 2.5 }, 'config.json: num_hidden_layers must be an integer ≥ 1, got 2.5');
    expectConfigError({ ...ok, type_vocab_size: -1 }, 'config.json: type_vocab_size must be an integer ≥ 0, got -1');
    expectConfigError({ ...ok, layer_norm_eps: 0 }, 'config.json: layer_norm_eps must be a number > 0, got 0');
    expectConfigError({ ...ok, embedding_size: 768 }, /embeddingSize must be an integer in \[1, hiddenSize 768\)/);
    expectConfigError([1, 2], 'config.json must be a JSON object, got an array');
    expectConfigError(null, 'config.json must be a JSON object, got null');
  });
});
