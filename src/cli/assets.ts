/** Where the CLI finds the embedded assets: the same files the page serves from public/, prepared on demand. */
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain .mjs build tool without type declarations
import { prepareAssets } from '../tools/prepare-assets.mjs';

export function embeddedCorpusPath(): string {
  return prepareAssets() as string;
}

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
