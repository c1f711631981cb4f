// The bad-input table (badInput.table.ts, issue 17): every row runs `main(argv)` in-process with stdout / stderr
// captured, and must give its exit code, its `error: Name:` line, its warning text and leave its files as stated.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cliInProcess.ts';
import { buildFixtures } from './badInput.fixtures.ts';
import { BAD_INPUT_TABLE, type BadInputRow } from './badInput.table.ts';

const root = mkdtempSync(join(tmpdir(), 'vkd-bad-'));
const fx = join(root, 'fx');

beforeAll(async () => {
  await tf.setBackend('cpu');
  mkdirSync(fx);
  await buildFixtures(fx);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function prepare(row: BadInputRow): { dir: string; argv: string[] } {
  const dir = join(root, row.id);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(row.files ?? {})) {
    if (name.endsWith('/')) { mkdirSync(join(dir, name), { recursive: true }); continue; }
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const argv = row.argv.map((a) => a.replace(/^@fx(?=\/|$)/, fx).replace(/^@dir(?=\/|$)/, dir));
  return { dir, argv };
}

describe('the bad-input table', () => {
  it('has at least 60 rows, unique ids, and covers every family', () => {
    expect(BAD_INPUT_TABLE.length).toBeGreaterThanOrEqual(60);
    expect(new Set(BAD_INPUT_TABLE.map((r) => r.id)).size).toBe(BAD_INPUT_TABLE.length);
    expect(new Set(BAD_INPUT_TABLE.map((r) => r.family))).toEqual(new Set(['help', 'usage', 'files', 'outputs', 'memory', 'finite', 'input', 'handled']));
  });

  for (const row of BAD_INPUT_TABLE) {
    it(`${row.family} / ${row.id}: ${row.input} → exit ${row.exit}${row.error ? ` ${row.error}` : ''}`, async () => {
      const { dir, argv } = prepare(row);
      const r = await runCli(argv);
      const context = `stderr: ${r.stderr.slice(-2000)}\nstdout: ${r.stdout.slice(0, 500)}`;
      expect(r.code, context).toBe(row.exit);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
      if (row.exit === 0) expect(errors, context).toEqual([]);
      else expect(errors, context).toHaveLength(1);
      if (row.error) expect(errors[0], context).toMatch(new RegExp(`^error: ${row.error}: `));
      if (row.stderr) expect(r.stderr).toMatch(row.stderr);
      if (row.stdout) expect(r.stdout).toMatch(row.stdout);
      if (row.after) expect(row.after(dir)).toEqual([]);
    }, row.slow ? 180_000 : 60_000);
  }
});
