// Atomic outputs (issue 17 §1): a folder write replaces the destination whole or not at all; a failed write leaves the
// previous folder and no temporary; and a real `vocabkd pretrain` killed with SIGKILL in the middle of writing its
// model folder leaves the previous complete folder (or none: at most its checkpoints/), never a folder that loads but
// is wrong.
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomicWriteFile, atomicWriteFolder, OutputError } from './atomic.ts';
import { buildFixtures } from './badInput.fixtures.ts';
import { loadHfFolder } from './hfFolderFs.ts';
import { runCli } from '../testing/cliInProcess.ts';
import { ROOT } from '../testing/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'vkd-atomic-'));
const fx = join(root, 'fx');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const listing = (dir: string) => readdirSync(dir).sort();
const temps = (dir: string) => readdirSync(dir).filter((f) => f.includes('.tmp-') || f.includes('.old-'));

describe('atomicWriteFolder / atomicWriteFile', () => {
  it('replaces a folder whole with overwrite (no file of the old one stays), refuses without it', () => {
    const dir = join(root, 'unit');
    mkdirSync(dir);
    const dest = join(dir, 'out');
    atomicWriteFolder(dest, [{ name: 'a.txt', bytes: 'one' }, { name: 'old.txt', bytes: 'stale' }]);
    expect(() => atomicWriteFolder(dest, [{ name: 'a.txt', bytes: 'two' }])).toThrow(OutputError);
    expect(() => atomicWriteFolder(dest, [{ name: 'a.txt', bytes: 'two' }])).toThrow(/is not empty: pass --overwrite/);
    atomicWriteFolder(dest, [{ name: 'a.txt', bytes: 'two' }], { overwrite: true });
    expect(listing(dest)).toEqual(['a.txt']);
    expect(readFileSync(join(dest, 'a.txt'), 'utf8')).toBe('two');
    expect(temps(dir)).toEqual([]);
  });

  it('a write that fails half-way leaves the previous folder as it was and no temporary', () => {
    const dir = join(root, 'fail');
    mkdirSync(dir);
    const dest = join(dir, 'out');
    atomicWriteFolder(dest, [{ name: 'a.txt', bytes: 'one' }]);
    expect(() => atomicWriteFolder(dest, [{ name: 'b.txt', bytes: 'new' }, { name: 'no/such/dir.txt', bytes: 'x' }], { overwrite: true })).toThrow(/FileError|ENOENT|does not exist/);
    expect(listing(dest)).toEqual(['a.txt']);
    expect(temps(dir)).toEqual([]);
  });

  it('the temporaries a killed process left are removed by the next write of the same output; a live one is kept', () => {
    const dir = join(root, 'sweep');
    mkdirSync(join(dir, '.out.tmp-999999999-abc123'), { recursive: true });
    writeFileSync(join(dir, '.out.tmp-999999999-abc123', 'config.json'), '{}');
    mkdirSync(join(dir, `.out.tmp-${process.pid}-live01`));
    mkdirSync(join(dir, '.other.tmp-999999999-abc123'));
    atomicWriteFolder(join(dir, 'out'), [{ name: 'a.txt', bytes: 'x' }]);
    expect(listing(dir)).toEqual([`.other.tmp-999999999-abc123`, `.out.tmp-${process.pid}-live01`, 'out']);
  });

  it('a file is replaced by rename; a folder in its place is an OutputError', () => {
    const dir = join(root, 'file');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    atomicWriteFile(join(dir, 't.json'), 'old');
    atomicWriteFile(join(dir, 't.json'), 'new');
    expect(readFileSync(join(dir, 't.json'), 'utf8')).toBe('new');
    expect(() => atomicWriteFile(join(dir, 'sub'), 'x')).toThrow(OutputError);
    expect(temps(dir)).toEqual([]);
  });
});

/** Spawns `vocabkd pretrain` writing slowly (300 ms a file) and SIGKILLs it once its temporary folder holds a file. */
function killMidWrite(argv: string[], parent: string): Promise<{ killedInWrite: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/bin.mjs', ...argv], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, VOCABKD_SLOW_WRITE_MS: '300' } });
    let killedInWrite = false;
    const poll = setInterval(() => {
      const tmp = readdirSync(parent).find((f) => f.startsWith('.out.tmp-'));
      if (tmp && readdirSync(join(parent, tmp)).length > 0) { killedInWrite = true; child.kill('SIGKILL'); }
    }, 20);
    child.on('error', reject);
    child.on('exit', () => { clearInterval(poll); resolve({ killedInWrite }); });
  });
}

describe('kill -9 during a real export', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    mkdirSync(fx);
    await buildFixtures(fx);
  }, 120_000);

  const pretrain = (out: string, steps: string) => ['pretrain', '--corpus', join(fx, 'corpus.txt'), '--tokenizer', join(fx, 'tok.json'), '--config', join(fx, 'config-padded.json'),
    '--steps', steps, '--seq-len', '16', '--batch-size', '4', '--eval-every', '0', '--backend', 'cpu', '--out', out, '--overwrite'];

  it('leaves the previous complete folder (which still loads, unchanged) or, on a first write, no folder', async () => {
    const parent = join(root, 'kill');
    mkdirSync(parent);
    const out = join(parent, 'out');
    // A first write killed mid-way: no model folder (at most the run's checkpoints/, to resume from), nothing loads.
    expect((await killMidWrite(pretrain(out, '1'), parent)).killedInWrite).toBe(true);
    expect(existsSync(out) ? listing(out).filter((f) => f !== 'checkpoints') : []).toEqual([]);
    if (existsSync(out)) await expect(loadHfFolder(out)).rejects.toThrow(/no config\.json/);
    // A complete previous output, then an overwrite killed mid-way: the previous output, byte for byte.
    const first = await runCli(pretrain(out, '1'));
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(join(out, 'model.safetensors'));
    const names = listing(out);
    expect((await killMidWrite(pretrain(out, '3'), parent)).killedInWrite).toBe(true);
    expect(listing(out)).toEqual(names);
    expect(readFileSync(join(out, 'model.safetensors')).equals(before)).toBe(true);
    const loaded = await loadHfFolder(out);
    expect(loaded.warnings.filter((w) => !w.includes('padded'))).toEqual([]);
    loaded.model.dispose();
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).vocab_size).toBeGreaterThan(0);
  }, 180_000);
});
