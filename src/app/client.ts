/** The page's worker clients (training, tokenizer jobs), wired to the store's actions; the test handle. */
import { createTrainerClient } from '../worker/trainerClient.ts';
import { createTokenizerClient } from '../worker/tokenizerClient.ts';
import { actions, storeSink, useWorkbench } from '../store/index.ts';
import { EMBEDDED_CORPUS, type EmbeddedCorpus } from '../data/corpus.ts';
import type { CorpusSource } from '../worker/protocol.ts';
import { readPageOptions } from './urlParams.ts';
import { withCheckpoints } from './checkpoints.ts';

export const pageOptions = readPageOptions(globalThis.location?.search ?? '');
pageOptions.errors.forEach(actions.addError);

/** The URL of a file the app serves from public/ (a corpus, a task, a shipped teacher), on this origin. */
export const assetUrl = (path: string): string => new URL(import.meta.env.BASE_URL + path, globalThis.location.href).href;

/** An embedded corpus as a worker source (served from public/ on this origin). */
export function embeddedSource(c: EmbeddedCorpus): CorpusSource {
  return { kind: 'url', url: assetUrl(c.path), name: c.title };
}

export const trainerClient = createTrainerClient(withCheckpoints(storeSink), embeddedSource(EMBEDDED_CORPUS), pageOptions.debug, pageOptions.threads);
/** Settles once the backend is chosen (or none could be); app/models.ts then loads the shipped teacher. */
export const booted = trainerClient.boot(pageOptions.backend);

export const tokenizerClient = createTokenizerClient(actions.tokenizerMessage, (_jobId, message) => actions.tokenizerCrashed(message));

// Handles for the end-to-end tests (and curious users in the console): the one store and the training client, never
// tensors. Runs of both kinds: store.getState().runs / runOrder; the teacher: .models; the Tokenizers tab: .tokenizers.
Object.assign(globalThis, { __vocabkd: { store: useWorkbench, client: trainerClient } });
