// `vocabkd distill`'s task names (benchCli.ts): an embedded name finds its built task file, anything else is a path
// relative to the recipe's folder, and a name that is neither is a TaskError naming where it looked.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTaskLocator } from './benchCli.ts';
import { TaskError } from '../eval/tasks.ts';

describe('cliTaskLocator', () => {
  it('embedded names, paths relative to the recipe folder, and a named error for the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vocabkd-bench-'));
    writeFileSync(join(dir, 'mine.json'), '{}');
    const locate = cliTaskLocator(dir);
    expect(locate('en-pos').file).toMatch(/public[\\/]tasks[\\/]en-pos[\\/]task\.json$/);
    const mine = locate('mine.json');
    expect(mine.file).toBe(join(dir, 'mine.json'));
    expect(mine.read(mine.file)).toBe('{}');
    expect(() => locate('nope.json')).toThrow(TaskError);
    expect(() => locate('nope.json')).toThrow(`benchmarks.tasks: "nope.json" is neither an embedded task (en-pos, en-spam) nor a task file (looked for ${join(dir, 'nope.json')})`);
  });
});
