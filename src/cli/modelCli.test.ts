/** `vocabkd pretrain` writes an HF folder that `vocabkd model fill-mask` (and our importer) loads; named usage errors. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['src/cli/bin.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('vocabkd pretrain and model fill-mask', () => {
  it('pretrains a tiny teacher from config.json + tokenizer.json, writes an HF folder, and fill-mask reads it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vkd-pre-'));
    const corpus = join(dir, 'corpus.txt');
    writeFileSync(corpus, Array.from({ length: 200 }, (_, i) => `the white whale ${i % 9} swims and the ship sails to the sea`).join('\n'));
    const tok = join(dir, 'tokenizer.json');
    expect(cli('tokenizer', 'train', '--vocab-size', '500', '--input', corpus, '--out', tok, '--min-frequency', '1').status).toBe(0);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ vocab_size: 500, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 32 }));
    const out = join(dir, 'teacher');
    const r = cli('pretrain', '--corpus', corpus, '--tokenizer', tok, '--config', config, '--steps', '30', '--out', out, '--seq-len', '16', '--batch-size', '8', '--lr', '3e-3', '--eval-every', '0');
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const metrics = events.filter((e) => e.event === 'metrics');
    expect(metrics).toHaveLength(30);
    expect(metrics[29].loss).toBeLessThan(metrics[0].loss);
    expect(events[events.length - 1]).toMatchObject({ event: 'done', steps: 30 });
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt']) expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ architectures: ['BertForMaskedLM'], vocab_size: 500, hidden_size: 32 });

    const fm = cli('model', 'fill-mask', out, '--text', 'the white [MASK] swims', '--top', '3');
    expect(fm.status, fm.stderr).toBe(0);
    const res = JSON.parse(fm.stdout);
    expect(res.masks).toHaveLength(1);
    expect(res.masks[0].candidates).toHaveLength(3);
    const p = res.masks[0].candidates.map((c: { probability: number }) => c.probability);
    expect([...p].sort((a: number, b: number) => b - a)).toEqual(p);
  });

  it('usage errors name what is missing', () => {
    const a = cli('model', 'fill-mask', '/nonexistent-dir', '--text', 'x [MASK]');
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/is not a folder/);
    const b = cli('pretrain', '--corpus', 'x.txt');
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/pretrain needs --tokenizer/);
  });
});
