/**
 * Vocabulary trainers over word counts (issue 3 §2): `trainBpe` (HF BpeTrainer-like, `##` on non-initial symbols)
 * and `trainWordPiece` (methods.md §A.3: the same BPE merges converted to WordPiece form — specials first, every
 * alphabet character bare and as `##c`, then the merged pieces in merge order, so any prefix of the vocabulary of
 * length ≥ its base is itself a valid vocabulary; whatif.ts relies on it). Characters outside the coverage set
 * become [UNK] and act as barriers: no pair is ever counted across them (HF instead drops them from the word).
 */
import { mergeLoop, type MergeLoopResult, type SymbolWords } from './bpeCore.ts';
import { EmptyCorpusError, TrainingCancelled, VocabTooSmallError, validateTrainOptions } from './errors.ts';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export interface TrainProgress {
  phase: 'alphabet' | 'merge' | 'done';
  /** Vocabulary entries so far / requested. */
  vocab: number;
  vocabSize: number;
}

export interface TrainOptions {
  vocabSize: number;
  minFrequency?: number;
  /** Share of all character occurrences the alphabet must cover (most frequent characters first); the rest → [UNK]. */
  characterCoverage?: number;
  specials?: readonly string[];
  continuingSubwordPrefix?: string;
  onProgress?: (p: TrainProgress) => void;
  /** Least time between merge-progress reports (and event-loop yields, where a cancel can land); default 50 ms. */
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

export interface TrainResult {
  vocab: string[];
  /** Merges in order (token strings; the right one carries the prefix). */
  merges: [string, string][];
  /** Kept characters, in code-point order. */
  alphabet: string[];
  /** Characters dropped by the coverage rule (they tokenize as [UNK]). */
  droppedChars: number;
  /** Vocabulary entries before the first merge (specials + alphabet forms). */
  baseSize: number;
  stoppedBy: MergeLoopResult['stoppedBy'];
  timings: { alphabetMs: number; pairsMs: number; mergeMs: number; convertMs: number };
}

interface Prepared {
  words: SymbolWords;
  alphabet: number[];
  droppedChars: number;
  /** Code point → bare id / `##` id (−1 when not in the alphabet); ids index `tokens`. */
  tokens: string[];
  /** Which `##c` forms occur in some word (BPE keeps only those). */
  contUsed: Uint8Array;
  nAlpha: number;
}

/** Alphabet by coverage, then every word (of ≥ 2 characters) as symbol ids: bare first, `##c` after. */
function prepare(counts: Map<string, number>, coverage: number, prefix: string): Prepared {
  const bmp = new Float64Array(65536);
  const astral = new Map<number, number>();
  let total = 0;
  for (const [w, f] of counts) {
    for (let i = 0; i < w.length; i++) {
      const cp = w.codePointAt(i)!;
      if (cp > 0xffff) { astral.set(cp, (astral.get(cp) ?? 0) + f); i++; } else bmp[cp] += f;
      total += f;
    }
  }
  const chars: number[] = [];
  for (let c = 0; c < 65536; c++) if (bmp[c] > 0) chars.push(c);
  chars.push(...astral.keys());
  const freqOf = (c: number) => (c > 0xffff ? astral.get(c)! : bmp[c]);
  chars.sort((x, y) => freqOf(y) - freqOf(x) || x - y);
  let kept = 0;
  for (let cum = 0; kept < chars.length && (kept === 0 || cum < coverage * total); kept++) cum += freqOf(chars[kept]);
  const alphabet = chars.slice(0, kept).sort((x, y) => x - y);
  const nAlpha = alphabet.length;
  const tokens: string[] = [];
  const idBmp = new Int32Array(65536).fill(-1);
  const idAstral = new Map<number, number>();
  alphabet.forEach((c, i) => {
    tokens.push(String.fromCodePoint(c));
    if (c > 0xffff) idAstral.set(c, i); else idBmp[c] = i;
  });
  for (const c of alphabet) tokens.push(prefix + String.fromCodePoint(c));

  // Symbol sequences (words of one character have no pair: skipped).
  let nSyms = 0, nWords = 0;
  for (const w of counts.keys()) if (w.length > 1 && !(w.length === 2 && w.codePointAt(0)! > 0xffff)) { nSyms += w.length; nWords++; }
  const syms = new Int32Array(nSyms), off = new Int32Array(nWords), len = new Int32Array(nWords), freq = new Float64Array(nWords);
  const contUsed = new Uint8Array(nAlpha);
  let s = 0, k = 0;
  for (const [w, f] of counts) {
    if (w.length === 1 || (w.length === 2 && w.codePointAt(0)! > 0xffff)) continue;
    off[k] = s;
    freq[k] = f;
    for (let i = 0; i < w.length; i++) {
      const cp = w.codePointAt(i)!;
      let id: number;
      if (cp > 0xffff) { id = idAstral.get(cp) ?? -1; i++; } else id = idBmp[cp];
      if (id >= 0 && s > off[k]) { contUsed[id] = 1; id += nAlpha; }
      syms[s++] = id;
    }
    len[k] = s - off[k];
    k++;
  }
  return { words: { syms, off, len, freq }, alphabet, droppedChars: chars.length - kept, tokens, contUsed, nAlpha };
}

async function train(counts: Map<string, number>, o: TrainOptions, form: 'bpe' | 'wordpiece') {
  const minFrequency = o.minFrequency ?? 2;
  const characterCoverage = o.characterCoverage ?? 0.9999;
  validateTrainOptions({ vocabSize: o.vocabSize, minFrequency, characterCoverage });
  if (counts.size === 0) throw new EmptyCorpusError('the corpus has no words');
  if (o.signal?.aborted) throw new TrainingCancelled();
  const specials = o.specials ?? SPECIAL_TOKENS;
  const prefix = o.continuingSubwordPrefix ?? '##';
  o.onProgress?.({ phase: 'alphabet', vocab: 0, vocabSize: o.vocabSize });
  const t0 = performance.now();
  const prep = prepare(counts, characterCoverage, prefix);
  const { nAlpha, tokens } = prep;
  // A single-character word still needs its bare form; `##c` forms only where some word has c inside.
  const contKept = form === 'wordpiece' ? nAlpha : prep.contUsed.reduce((a, b) => a + b, 0);
  const baseSize = specials.length + nAlpha + contKept;
  if (o.vocabSize < baseSize) {
    const forms = form === 'wordpiece' ? `2 × ${nAlpha} alphabet characters (bare and ${prefix}c)` : `${nAlpha} characters + ${contKept} ${prefix}c forms`;
    throw new VocabTooSmallError(o.vocabSize, baseSize, `${specials.length} special tokens + ${forms}`);
  }
  const t1 = performance.now();
  const loop = await mergeLoop(prep.words, tokens, {
    maxNewTokens: o.vocabSize - baseSize, minFrequency, prefix, signal: o.signal, progressIntervalMs: o.progressIntervalMs,
    onProgress: (n) => o.onProgress?.({ phase: 'merge', vocab: baseSize + n, vocabSize: o.vocabSize }),
  });
  const t2 = performance.now();
  const vocab: string[] = [...specials];
  for (let i = 0; i < nAlpha; i++) vocab.push(tokens[i]);
  for (let i = 0; i < nAlpha; i++) if (form === 'wordpiece' || prep.contUsed[i]) vocab.push(tokens[nAlpha + i]);
  for (const id of loop.newTokens) vocab.push(tokens[id]);
  const merges = loop.merges.map(([a, b]) => [tokens[a], tokens[b]] as [string, string]);
  const t3 = performance.now();
  o.onProgress?.({ phase: 'done', vocab: vocab.length, vocabSize: o.vocabSize });
  const result: TrainResult = {
    vocab, merges, alphabet: prep.alphabet.map((c) => String.fromCodePoint(c)), droppedChars: prep.droppedChars, baseSize,
    stoppedBy: loop.stoppedBy,
    timings: { alphabetMs: t1 - t0, pairsMs: loop.pairsMs, mergeMs: loop.mergeMs, convertMs: t3 - t2 },
  };
  return result;
}

/** BPE vocabulary and merges in HF BPE form: specials, alphabet (bare), occurring `##c` forms, merge results. */
export function trainBpe(counts: Map<string, number>, options: TrainOptions): Promise<TrainResult> {
  return train(counts, options, 'bpe');
}

/** WordPiece vocabulary per methods.md §A.3 (usable with WordPieceModel); `merges` kept for reference. */
export function trainWordPiece(counts: Map<string, number>, options: TrainOptions): Promise<TrainResult> {
  return train(counts, options, 'wordpiece');
}
