/**
 * "Export for PyTorch" inside the training worker (issue 18): the page's host of distill/bundleWriter.ts, the same
 * writer as `vocabkd export-run`. The recipe is checked like the CLI's (RecipeError for what the trainer cannot do), the
 * teacher is the loaded one, the corpus (an embedded URL or a dropped file) is streamed through the one validation layer
 * once per pass, each file is hashed with crypto.subtle and posted to the page as it is written (bytes transferred: the
 * worker keeps none of them), with progress; `export-bundle-stop` ends it between two texts or files.
 */
import { validateRecipe } from '../distill/recipe.ts';
import { checkBundleRecipe, writeBundle, type BundleHost } from '../distill/bundleWriter.ts';
import { fromTokenizerJson } from '../tokenizers/hfJson.ts';
import { formatOf } from '../data/corpusFormats.ts';
import { corpusDocuments, newReport, streamChunks } from '../data/validate.ts';
import { TeacherMissingError, type WorkerState } from './workerState.ts';
import type { BundleProgress, CorpusSource, WorkerReply, WorkerRequest } from './protocol.ts';

type Post = (m: WorkerReply, transfer?: Transferable[]) => void;
type ExportRequest = Extract<WorkerRequest, { type: 'export-bundle' }>;

/** Export requests asked to stop (by requestId); cleared when the export ends. */
const stops = new Set<string>();
export const stopBundleExport = (requestId: string): void => void stops.add(requestId);

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The corpus's bytes, streamed; `onBytes` counts them (this pass). */
async function* corpusBytes(src: CorpusSource, onBytes: (n: number, total: number | null) => void): AsyncGenerator<Uint8Array> {
  let stream: ReadableStream<Uint8Array>;
  let total: number | null;
  if (src.kind === 'file') {
    stream = src.file.stream();
    total = src.file.size;
  } else {
    const res = await fetch(src.url);
    if (!res.ok || !res.body) throw new Error(`could not load the corpus ${src.name}: HTTP ${res.status}`);
    stream = res.body;
    total = Number(res.headers.get('content-length')) || null;
  }
  let n = 0;
  for await (const chunk of streamChunks(stream)) {
    n += chunk.length;
    onBytes(n, total);
    yield chunk;
  }
}

/** The page's BundleHost: files posted (transferred), sha256 by crypto.subtle, the corpus streamed per pass. */
function pageHost(msg: ExportRequest, post: Post): BundleHost {
  const { requestId, corpus } = msg;
  const name = corpus.kind === 'file' ? corpus.file.name : corpus.url;
  const format = formatOf(corpus.kind === 'file' ? corpus.file.name : new URL(corpus.url, self.location.href).pathname); // an embedded corpus's name is its title
  const at: BundleProgress = { phase: 'starting', done: 0, total: 1, corpusBytes: 0, corpusTotal: null };
  let last = 0;
  const progress = (force = false) => {
    const now = performance.now();
    if (!force && now - last < 100) return; // ≤ 10 messages a second
    last = now;
    post({ type: 'bundle-progress', requestId, ...at });
  };
  return {
    async write(file, bytes) {
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      post({ type: 'bundle-file', requestId, name: file, bytes: own.buffer as ArrayBuffer }, [own.buffer as ArrayBuffer]);
    },
    sha256: sha256Hex,
    documents: () => corpusDocuments(corpusBytes(corpus, (n, total) => { at.corpusBytes = n; at.corpusTotal = total; progress(); }), format, newReport(name, format)),
    onPhase(phase, done, total) {
      const changed = phase !== at.phase;
      Object.assign(at, { phase, done, total });
      progress(changed);
    },
    stopped: () => stops.has(requestId),
  };
}

/** Runs on the device queue: one export at a time, like every other use of the teacher. */
export async function exportBundle(state: WorkerState, msg: ExportRequest, post: Post): Promise<void> {
  try {
    const recipe = validateRecipe(msg.recipe);
    checkBundleRecipe(recipe, 'recipe', msg.studentTokenizerJson !== undefined);
    const t = state.teacher;
    if (!t) throw new TeacherMissingError('no teacher is loaded: load one in the Models tab before exporting for PyTorch');
    const studentTokenizer = recipe.studentTokenizer === 'tokenizers-tab' && msg.studentTokenizerJson ? fromTokenizerJson(msg.studentTokenizerJson) : undefined;
    const manifest = await writeBundle({ recipe, teacher: t.model, teacherTokenizer: t.tokenizer, studentTokenizer }, pageHost(msg, post), { shardSize: msg.shardSize, window: msg.window });
    post({ type: 'bundle-done', requestId: msg.requestId, manifest });
  } finally {
    stops.delete(msg.requestId);
  }
}
