/** Where the CLI finds the embedded assets: the same files the page serves from public/, prepared on demand. */
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain .mjs build tool without type declarations
import { OUT_RU_PROSE, prepareAssets } from '../tools/prepare-assets.mjs';

export function embeddedCorpusPath(): string {
  return prepareAssets() as string;
}

/** The embedded Russian prose slice (public/corpus/ru-prose.txt), unpacked on demand. */
export function embeddedRussianProsePath(): string {
  prepareAssets();
  return OUT_RU_PROSE as string;
}

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
