/** The page's worker clients (training, tokenizer jobs), wired to their stores. */
import { createTrainerClient } from '../worker/trainerClient.ts';
import { createTokenizerClient } from '../worker/tokenizerClient.ts';
import { tokenizerLabActions, useTokenizerLab } from '../store/tokenizerSlice.ts';
import { actions, storeSink, useWorkbench } from '../store/index.ts';
import { EMBEDDED_CORPUS } from '../data/corpus.ts';
import { readPageOptions } from './urlParams.ts';

export const pageOptions = readPageOptions(globalThis.location?.search ?? '');
pageOptions.errors.forEach(actions.addError);

const corpusUrl = new URL(import.meta.env.BASE_URL + EMBEDDED_CORPUS.path, globalThis.location.href).href;
export const trainerClient = createTrainerClient(storeSink, corpusUrl, pageOptions.debug);
void trainerClient.boot(pageOptions.backend);

export const tokenizerClient = createTokenizerClient(tokenizerLabActions.onWorkerMessage, (_jobId, message) => {
  useTokenizerLab.setState({ job: null });
  tokenizerLabActions.setError(`The tokenizer worker crashed: ${message}`);
});

// Handles for the end-to-end tests (and curious users in the console): the store and the client, never tensors.
Object.assign(globalThis, { __vocabkd: { store: useWorkbench, client: trainerClient, tokenizerLab: useTokenizerLab } });
