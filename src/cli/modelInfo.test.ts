// Runs `vocabkd model info` as a child process (node src/cli/bin.mjs): a model folder and a bare config.json, the
// --vocab-size override reproducing methods.md's student counts, a factorised config, and every bad input with its
// exit code (2 usage, 1 bad config) and one `error: Name: message` line.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorLines, vocabkd } from '../testing/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'vocabkd-model-info-'));
const teacher = { architectures: ['BertModel'], model_type: 'bert', vocab_size: 119547, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 512, type_vocab_size: 2, hidden_act: 'gelu', hidden_dropout_prob: 0.1 };
const student = { ...teacher, vocab_size: 119547, hidden_size: 264, num_hidden_layers: 3, intermediate_size: 792 };
const folder = join(dir, 'rubert-base');
mkdirSync(folder);
writeFileSync(join(folder, 'config.json'), JSON.stringify(teacher));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const studentJson = write('student.json', JSON.stringify(student));
const factorisedJson = write('glmd-al.json', JSON.stringify({ ...teacher, vocab_size: 15360, num_hidden_layers: 6, embedding_size: 384, type_vocab_size: 0 }));

describe('vocabkd model info', () => {
  it('a folder: config, counts by part, the BertModel-with-pooler total 177,853,440, shares and MB', async () => {
    const r = await vocabkd('model', 'info', folder);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.file).toBe(join(folder, 'config.json'));
    expect(info.config).toEqual({ vocabSize: 119547, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12, initRange: 0.02, padTokenId: 0 });
    expect(info.hf).toEqual({ bertForMaskedLM: true, reasons: [] });
    expect(info.bertModelWithPooler).toBe(177_853_440);
    expect(info.params.total).toBe(177_853_440 - 590_592 + (590_592 + 2 * 768 + 119_547)); // pooler out; MLM transform, LayerNorm, bias in
    expect(info.params.embeddings.total + info.params.body.total + info.params.head.total).toBe(info.params.total);
    expect(info.params.embeddingShare).toBeCloseTo(info.params.embeddings.total / info.params.total, 12);
    expect(info.memoryMB).toEqual({ fp32: 711.9, fp16: 355.95, trainingFp32: 2847.59 });
  });

  it('a bare config.json with --vocab-size 30522 / 5000: the tiny students\' 10,395,426 and 3,632,096', async () => {
    const [a, b] = await Promise.all([vocabkd('model', 'info', studentJson, '--vocab-size', '30522'), vocabkd('model', 'info', studentJson, '--vocab-size=5000')]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const [ia, ib] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(ia.params.total).toBe(10_395_426);
    expect(ib.params.total).toBe(3_632_096);
    expect(ia.vocabSizeOverride).toEqual({ configJson: 119547, used: 30522 });
    expect(ia.memoryMB.fp32).toBe(41.58);
    expect(ib.params.vocabShare).toBeCloseTo((5000 * 264 + 5000) / 3_632_096, 12);
  });

  it('a factorised, type-less config: the projections counted, not loadable by BertForMaskedLM, reasons given', async () => {
    const r = await vocabkd('model', 'info', factorisedJson);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.config).toMatchObject({ embeddingSize: 384, typeVocabSize: 0 });
    expect(info.params.embeddings).toMatchObject({ word: 15360 * 384, tokenType: 0, projection: 384 * 768 + 768 });
    expect(info.params.head.projection).toBe(768 * 384 + 384);
    expect(info.hf.bertForMaskedLM).toBe(false);
    expect(info.hf.reasons).toHaveLength(2);
  });

  it('bad input: usage errors and bad configs exit 2 (input errors), each with one named error line and no stdout', async () => {
    const cases: [string[], number, string | RegExp][] = [
      [['model', 'info'], 2, 'error: UsageError: model info needs exactly one PATH (a model folder or a config.json), got 0'],
      [['model', 'info', join(dir, 'nope')], 2, `error: UsageError: model path not found: ${join(dir, 'nope')}`],
      [['model', 'info', dir], 2, `error: UsageError: no config.json in the folder ${dir}`],
      [['model', 'info', studentJson, '--vocab-size', '0'], 2, 'error: UsageError: --vocab-size must be ≥ 1, got 0'],
      [['model', 'info', studentJson, '--vocab-size', 'abc'], 2, 'error: UsageError: --vocab-size must be an integer, got "abc"'],
      [['model', 'info', studentJson, '--vocab', '5'], 2, /^error: UsageError: unknown option --vocab; known: --vocab-size$/],
      [['model', 'summary'], 2, 'error: UsageError: unknown model command "summary"; available: info, fill-mask'],
      [['model', 'info', write('broken.json', '{"vocab_size": 10,')], 2, /^error: ConfigError: .*broken\.json is not valid JSON: /],
      [['model', 'info', write('heads.json', JSON.stringify({ ...teacher, hidden_size: 100 }))], 2, 'error: ConfigError: config.json: hidden_size (100) is not divisible by num_attention_heads (12)'],
      [['model', 'info', write('relu.json', JSON.stringify({ ...teacher, hidden_act: 'relu' }))], 2, 'error: ConfigError: config.json: hidden_act "relu" is not supported; supported: "gelu"'],
      [['model', 'info', write('partial.json', JSON.stringify({ hidden_size: 64 }))], 2, 'error: ConfigError: config.json is missing required fields: vocab_size, num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings'],
    ];
    const results = await Promise.all(cases.map(([args]) => vocabkd(...args)));
    results.forEach((r, i) => {
      const [args, code, line] = cases[i];
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stdout).toBe('');
      expect(errorLines(r.stderr)).toHaveLength(1);
      if (typeof line === 'string') expect(errorLines(r.stderr)[0]).toBe(line);
      else expect(errorLines(r.stderr)[0]).toMatch(line);
    });
  });
});
