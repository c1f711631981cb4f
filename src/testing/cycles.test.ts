// The import-cycle check of `npm run check` (package.json's "check:cycles": madge over src/) catches what it must:
// run with the script's own arguments on a throw-away folder holding the three kinds of cycle this code base has had
// (a value import, an `import type`, a dynamic `import()`, all with explicit `.ts` / `.tsx` specifiers as the code
// writes them) it fails and names each cycle; on src/ it passes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['check:cycles'];
const require = createRequire(import.meta.url);
const MADGE_CLI = join(dirname(require.resolve('madge/package.json')), 'bin', 'cli.js');

/** The check:cycles command with its folder argument replaced by `dir`. */
function checkCycles(dir: string) {
  const args = SCRIPT.trim().split(/\s+/);
  expect(args[0]).toBe('madge');
  expect(args.at(-1)).toBe('src/');
  const r = spawnSync(process.execPath, [MADGE_CLI, ...args.slice(1, -1), dir], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

const tmp = mkdtempSync(join(tmpdir(), 'vocabkd-cycles-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run check:cycles', () => {
  it('is part of npm run check', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.check).toContain('npm run check:cycles');
    expect(SCRIPT).toMatch(/^madge --circular /);
  });

  it('fails on deliberately added cycles and names each: value, type-only and dynamic imports', () => {
    const files: Record<string, string> = {
      'valueA.ts': "import { b } from './valueB.ts';\nexport const a = () => b;\n",
      'valueB.ts': "import { a } from './valueA.ts';\nexport const b = () => a;\n",
      'typeA.ts': "import type { B } from './typeB.tsx';\nexport interface A { b?: B }\n",
      'typeB.tsx': "import type { A } from './typeA.ts';\nexport interface B { a?: A }\n",
      'client.ts': "export const boot = () => import('./models.ts').then((m) => m.load());\n",
      'models.ts': "import { boot } from './client.ts';\nexport const load = () => boot;\n",
      'leaf.ts': "export const leaf = 1;\n",
      'user.ts': "import { leaf } from './leaf.ts';\nexport const user = leaf;\n",
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp, name), text);
    const r = checkCycles(tmp);
    console.log(r.output.trim());
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/Found 3 circular dependencies/);
    expect(r.output).toMatch(/valueA\.ts > valueB\.ts|valueB\.ts > valueA\.ts/);
    expect(r.output).toMatch(/typeA\.ts > typeB\.tsx|typeB\.tsx > typeA\.ts/);
    expect(r.output).toMatch(/client\.ts > models\.ts|models\.ts > client\.ts/);
    expect(r.output).not.toMatch(/leaf\.ts|user\.ts/);
  });

  it('passes on src/', () => {
    const r = checkCycles(join(ROOT, 'src/'));
    console.log(r.output.trim());
    expect(r.output).toMatch(/No circular dependency found/);
    expect(r.status).toBe(0);
  });
});
