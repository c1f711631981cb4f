/// <reference lib="webworker" />
/**
 * The Alignment tab's worker (issue 12 items 1–2): no tf, only the alignment code. It keeps the current
 * teacher/student pair (both tokenizers, σ and C, built once), and answers: the map of a text (alignment/mapView.ts
 * `alignView`: a 1 MB paste is aligned whole and drawn cut), corpus statistics (counts and example contexts per teacher
 * token, the vocabulary-loss ranking, the split-length histogram), a sample text of the corpus, and the GLMD columns
 * (the kept set from the corpus counts as a distillation computes them, replacements from the teacher's embeddings
 * that the training worker sends). Messages of an older pair are answered with an error naming it.
 */
import { fromTokenizerJson, fromVocabTxt } from '../tokenizers/hfJson.ts';
import type { Tokenizer } from '../tokenizers/tokenizer.ts';
import { documents, formatOf, lines } from '../data/corpusFormats.ts';
import { splitDocuments } from '../data/corpus.ts';
import { splitHeldOut } from '../data/heldout.ts';
import { tokenCounts } from '../distill/mlmSelect.ts';
import { alignmentContext, buildGlmdVocab, corpusTokenStats, tokenizerDifferences, type AlignmentContext, type GlmdVocab } from '../alignment/index.ts';
import { alignView, corpusView, glmdView, vocabView } from '../alignment/mapView.ts';
import type { CorpusSource, FromAlignmentWorker, ToAlignmentWorker, TokenizerText } from './protocol.ts';

const post = (m: FromAlignmentWorker, transfer: Transferable[] = []) => self.postMessage(m, transfer);

interface Pair {
  pairId: string;
  teacher: Tokenizer;
  student: Tokenizer;
  ctx: AlignmentContext;
  glmd: GlmdVocab | null;
}
let pair: Pair | null = null;
const corpora = new Map<string, string[]>();

class StalePairError extends Error {
  override name = 'StalePairError';
}

function parse(t: TokenizerText): Tokenizer {
  return t.name.endsWith('.txt') ? fromVocabTxt(t.text) : fromTokenizerJson(t.text);
}

const info = (name: string, tok: Tokenizer) => ({ name, size: tok.vocabSize, lowercase: tok.parts.normalizer?.lowercase ?? false });

async function corpusTexts(src: CorpusSource): Promise<{ name: string; texts: string[] }> {
  const key = src.kind === 'url' ? src.url : `file:${src.file.name}:${src.file.size}:${src.file.lastModified}`;
  const name = src.kind === 'url' ? src.name : src.file.name;
  const cached = corpora.get(key);
  if (cached) return { name, texts: cached };
  let texts: string[];
  if (src.kind === 'url') {
    const res = await fetch(src.url);
    if (!res.ok) throw new Error(`could not load the corpus ${src.name}: HTTP ${res.status}`);
    texts = splitDocuments(await res.text());
  } else {
    texts = [];
    for await (const d of documents(lines([await src.file.text()]), formatOf(src.file.name))) texts.push(d.replace(/\r?\n/g, ' '));
  }
  corpora.clear(); // one corpus at a time
  corpora.set(key, texts);
  return { name, texts };
}

function current(pairId: string): Pair {
  if (!pair || pair.pairId !== pairId) throw new StalePairError(`the tokenizer pair ${pairId} is no longer the current one`);
  return pair;
}

function fail(requestId: string | null, pairId: string | null, e: unknown, side?: 'teacher' | 'student') {
  const err = e as Error;
  post({ type: 'align-error', requestId, pairId, code: err.name || 'Error', message: err.message ?? String(e), ...(side ? { side } : {}) });
}

async function handle(msg: ToAlignmentWorker): Promise<void> {
  switch (msg.type) {
    case 'align-pair': {
      const t0 = performance.now();
      pair = null;
      let side: 'teacher' | 'student' = 'teacher';
      try {
        const teacher = parse(msg.teacher);
        side = 'student';
        const student = parse(msg.student);
        const unk = (t: Tokenizer) => t.parts.model.options.unkToken ?? '[UNK]';
        const ctx = alignmentContext(teacher.vocab, student.vocab, { unk: { teacher: unk(teacher), student: unk(student) } });
        pair = { pairId: msg.pairId, teacher, student, ctx, glmd: null };
        const vocab = vocabView(ctx);
        post({
          type: 'align-pair-ready', pairId: msg.pairId, teacher: info(msg.teacher.name, teacher), student: info(msg.student.name, student),
          differences: tokenizerDifferences(teacher.parts, student.parts), vocab, ms: performance.now() - t0,
        });
      } catch (e) {
        // A file that is not a tokenizer fails in parse (named error, the side that failed); σ's StudentVocabError after both parsed.
        fail(null, msg.pairId, e, e instanceof Error && e.name === 'StudentVocabError' ? 'student' : side);
      }
      return;
    }
    case 'align-text': {
      if (msg.requestId !== latestText) return; // a newer text is queued: only the latest is aligned
      try {
        const p = current(msg.pairId);
        const t0 = performance.now();
        const view = alignView(p.ctx, msg.text, p.teacher.encode(msg.text), p.student.encode(msg.text), { limit: msg.limit, glmd: p.glmd });
        post({ type: 'align-text-result', requestId: msg.requestId, pairId: msg.pairId, view, ms: performance.now() - t0 });
      } catch (e) {
        fail(msg.requestId, msg.pairId, e);
      }
      return;
    }
    case 'align-corpus': {
      try {
        const p = current(msg.pairId);
        const t0 = performance.now();
        post({ type: 'align-progress', requestId: msg.requestId, phase: 'reading the corpus', done: 0, total: 1 });
        const { name, texts } = await corpusTexts(msg.corpus);
        current(msg.pairId);
        post({ type: 'align-progress', requestId: msg.requestId, phase: 'counting teacher tokens', done: 0, total: texts.length });
        const stats = corpusTokenStats(texts, (t) => p.teacher.encode(t), p.teacher.vocabSize, { contextsPerToken: 3, width: 40 });
        post({ type: 'align-corpus-result', requestId: msg.requestId, pairId: msg.pairId, stats: corpusView(p.ctx, name, stats), ms: performance.now() - t0 });
      } catch (e) {
        fail(msg.requestId, msg.pairId, e);
      }
      return;
    }
    case 'align-sample': {
      try {
        const { texts } = await corpusTexts(msg.corpus);
        if (!texts.length) throw new Error('the corpus has no text');
        const index = Math.abs(Math.floor(msg.seed)) % texts.length;
        post({ type: 'align-sample-result', requestId: msg.requestId, text: texts[index], index, of: texts.length });
      } catch (e) {
        fail(msg.requestId, null, e);
      }
      return;
    }
    case 'align-glmd': {
      try {
        const p = current(msg.pairId);
        const t0 = performance.now();
        const V = p.teacher.vocabSize;
        if (msg.embeddings.length !== V * msg.hidden) {
          throw new Error(`the loaded teacher has ${msg.embeddings.length / msg.hidden} embedding rows, the map's teacher tokenizer ${V} entries: GLMD columns need the loaded teacher's own tokenizer`);
        }
        const { texts } = await corpusTexts(msg.corpus);
        // As a distillation does (distill/run.ts): counts over the training texts (held-out lines excluded), specials protected.
        const counts = tokenCounts(splitHeldOut(texts).train.map((t) => p.teacher.encode(t).ids), V);
        const protectedIds = [...new Set(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t) => p.teacher.tokenToId(t)).filter((id): id is number => id !== undefined))];
        let last = 0;
        const glmd = buildGlmdVocab({
          counts, protectedIds, ratio: msg.ratio, teacherEmbeddings: msg.embeddings, hidden: msg.hidden,
          onProgress: (done, total) => {
            const now = performance.now();
            if (now - last > 100 || done === total) { last = now; post({ type: 'align-progress', requestId: msg.requestId, phase: 'GLMD replacements', done, total }); }
          },
        });
        current(msg.pairId).glmd = glmd;
        post({ type: 'align-glmd-result', requestId: msg.requestId, pairId: msg.pairId, glmd: glmdView(glmd, msg.ratio), ms: performance.now() - t0 });
      } catch (e) {
        fail(msg.requestId, msg.pairId, e);
      }
      return;
    }
  }
}

// One message at a time, in order (a text sent after a pair is aligned with that pair).
let chain = Promise.resolve();
let latestText = '';
self.onmessage = (ev: MessageEvent<ToAlignmentWorker>) => {
  const msg = ev.data;
  if (msg.type === 'align-text') latestText = msg.requestId;
  chain = chain.then(() => handle(msg));
};
