/**
 * Parity (issue 3, methods checklist 1–2 context): our encodings equal those of the Rust `tokenizers` binding (ids,
 * tokens, offsets) and of `@huggingface/tokenizers` (ids, tokens), both loading the tokenizer.json WE export — on
 * Moby-Dick, the Russian prose sample committed in src/testing/fixtures/ru/, and a table of hard strings; for the real
 * bert-base-uncased vocab (lower-casing, accent stripping), a cased Russian WordPiece and a BPE with `##` continuations.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { bertTokenizer, fromTokenizerJson, fromVocabTxt, toTokenizerJson } from './hfJson.ts';
import { WordPieceModel } from './wordpiece.ts';
import { BpeModel } from './bpe.ts';
import { preTokenize } from './preTokenizer.ts';
import { normalize, DEFAULT_NORMALIZER } from './normalizer.ts';
import type { Tokenizer } from './tokenizer.ts';
import { bertBaseUncasedVocab, HARD_STRINGS, mobyDickLines, naiveBpe, russianProseLines, russianWorks, toCodePointOffsets } from '../testing/tokenizerFixtures.ts';

const hard = Object.values(HARD_STRINGS);
const moby = mobyDickLines();
const russian = russianProseLines(4);

function wordCounts(lines: string[], lowercase = false): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) for (const w of preTokenize(normalize(l, { ...DEFAULT_NORMALIZER, lowercase }))) m.set(w.word, (m.get(w.word) ?? 0) + 1);
  return m;
}

function topWords(m: Map<string, number>, n: number): Map<string, number> {
  return new Map([...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n));
}

/** WordPiece vocabulary from naive BPE merges: specials, every char bare and ##, merged pieces. */
function wordPieceFixture(lines: string[]): string[] {
  const { vocab } = naiveBpe(topWords(wordCounts(lines), 1500), 400);
  const out = new Set(vocab);
  for (const t of vocab) for (const ch of t.replace(/^##/, '')) { out.add(ch); out.add('##' + ch); }
  return [...out];
}

interface Case { name: string; tok: Tokenizer; texts: string[] }
const cases: Case[] = [];

beforeAll(() => {
  cases.push({ name: 'bert-base-uncased vocab.txt', tok: fromVocabTxt(bertBaseUncasedVocab().join('\n')), texts: [...hard, ...moby.slice(0, 250), ...russian.slice(0, 250)] });
  const ruLines = [...russian, ...moby.slice(0, 50)];
  cases.push({ name: 'cased WordPiece (Russian + English)', tok: bertTokenizer(new WordPieceModel(wordPieceFixture(ruLines)), DEFAULT_NORMALIZER), texts: [...hard, ...russian, ...moby.slice(0, 200)] });
  const bpe = naiveBpe(topWords(wordCounts([...moby, ...russian.slice(0, 300)]), 1500), 300);
  cases.push({ name: 'BPE with ## continuations', tok: bertTokenizer(new BpeModel(bpe.vocab, bpe.merges), DEFAULT_NORMALIZER), texts: [...hard, ...moby, ...russian.slice(0, 300)] });
  const plain = naiveBpe(topWords(wordCounts([...moby, ...russian.slice(0, 300)]), 1500), 300, '');
  cases.push({ name: 'plain BPE', tok: bertTokenizer(new BpeModel(plain.vocab, plain.merges, { continuingSubwordPrefix: null }), DEFAULT_NORMALIZER), texts: [...hard, ...moby, ...russian.slice(0, 300)] });
});

describe('parity with Hugging Face tokenizers, loading our exported tokenizer.json', () => {
  it('the fixtures are real: bert-base-uncased ids match the published ones, and the texts are there', () => {
    const v = bertBaseUncasedVocab();
    expect([v[0], v[100], v[101], v[102], v[103], v[1996], v[2088], v[7592], v[2015]]).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'world', 'hello', '##s']);
    expect(moby.length).toBeGreaterThan(500);
    expect(russian.length).toBeGreaterThan(100); // the first 4 works of the committed sample: 255 paragraphs
    expect(new Set(russianWorks().map((w) => w.author))).toEqual(new Set(['Chekhov', 'Pushkin', 'Gogol', 'Lermontov']));
  });

  /**
   * Where @huggingface/tokenizers (JS, 0.2.0) disagrees with the Rust reference, we follow Rust. Measured divergence,
   * in the JS library: supplementary-plane CJK (U+20000…, inside BERT's "Chinese" ranges) under WordPiece. Each listed divergence is asserted to still exist, so a fixed JS library makes the list shrink.
   * The JS library ignores BPE's `continuing_subword_prefix`, so '##'-BPE is compared with Rust only (see below).
   */
  const JS_DIVERGES: Record<string, string[] | 'ignores continuing_subword_prefix'> = {
    'bert-base-uncased vocab.txt': ['surrogates'],
    'cased WordPiece (Russian + English)': ['surrogates'],
    'BPE with ## continuations': 'ignores continuing_subword_prefix',
    'plain BPE': [],
  };

  for (const name of Object.keys(JS_DIVERGES)) {
    it(`${name}: ids, tokens and offsets equal the Rust binding's on every text`, async () => {
      const c = cases.find((x) => x.name === name)!;
      const rust = RustTokenizer.fromString(toTokenizerJson(c.tok));
      const rustEnc = await rust.encodeBatch(c.texts);
      let tokens = 0;
      let unk = 0;
      c.texts.forEach((text, i) => {
        const ours = c.tok.encode(text);
        const r = rustEnc[i];
        const ctx = `${name} on ${JSON.stringify(text.slice(0, 60))}`;
        expect(ours.tokens, ctx).toEqual(r.getTokens());
        expect(ours.ids, ctx).toEqual(r.getIds());
        expect(toCodePointOffsets(text, ours.offsets), ctx).toEqual(r.getOffsets());
        expect(ours.specialTokensMask, ctx).toEqual(r.getSpecialTokensMask());
        tokens += ours.ids.length;
        unk += ours.tokens.filter((t) => t === '[UNK]').length;
      });
      // The comparison covered real tokenization, not a sea of [UNK]s.
      expect(tokens).toBeGreaterThan(5000);
      expect(unk / tokens).toBeLessThan(name.startsWith('bert') ? 0.1 : 0.01);
    });

    it(`${name}: ids and tokens equal @huggingface/tokenizers' except its known divergences from Rust`, () => {
      const c = cases.find((x) => x.name === name)!;
      const js = new JsTokenizer(JSON.parse(toTokenizerJson(c.tok)), {});
      const expected = JS_DIVERGES[name];
      if (expected === 'ignores continuing_subword_prefix') {
        // Still true? Then "hello" (one merged token for us and for Rust) falls apart in the JS library.
        const word = c.texts.find((t) => /^\p{L}{5,}$/u.test(c.tok.encode(t, { addSpecialTokens: false }).tokens[0] ?? ''));
        const probe = word ?? 'the';
        expect(js.encode(probe).tokens).not.toEqual(c.tok.encode(probe).tokens);
        return;
      }
      const diverging: string[] = [];
      for (const text of c.texts) {
        const ours = c.tok.encode(text);
        const j = js.encode(text);
        if (JSON.stringify(ours.ids) === JSON.stringify(j.ids) && JSON.stringify(ours.tokens) === JSON.stringify(j.tokens)) continue;
        const key = Object.keys(HARD_STRINGS).find((k) => HARD_STRINGS[k] === text);
        diverging.push(key ?? `real text: ${text.slice(0, 60)}`);
      }
      expect(diverging).toEqual(expected);
    });
  }

  it('offsets slice the original text: each non-special, non-[UNK] token spells its offset range', () => {
    const c = cases[1];
    for (const text of [...hard, ...russian.slice(0, 50)]) {
      const e = c.tok.encode(text, { addSpecialTokens: false });
      e.tokens.forEach((t, i) => {
        if (t === '[UNK]' || e.specialTokensMask[i]) return;
        // Cleaning may drop characters inside a token's range (e.g. U+0000), so compare normalized forms.
        expect(normalize(text.slice(...e.offsets[i])).normalized).toBe(t.replace(/^##/, ''));
      });
    }
  });

  it('export → import gives the same encodings and the same JSON', () => {
    for (const c of cases) {
      const json = toTokenizerJson(c.tok);
      const back = fromTokenizerJson(json);
      expect(toTokenizerJson(back)).toBe(json);
      for (const t of [...hard, ...moby.slice(0, 20)]) expect(back.encode(t)).toEqual(c.tok.encode(t));
    }
  });

  it('decode matches the Rust binding (skipping specials)', async () => {
    const c = cases[0];
    const rust = RustTokenizer.fromString(toTokenizerJson(c.tok));
    for (const t of [...hard, ...moby.slice(0, 30)]) {
      const ids = c.tok.encode(t).ids;
      expect(c.tok.decode(ids)).toBe(await rust.decode(ids, true));
    }
  });
});

describe('parity on the product path: vocabularies trained by our trainer, all of the Russian sample', () => {
  // The whole committed sample (11 works, 947 paragraphs, 205k characters). With minimum frequency 2 (the default of
  // trainTokenizer, the CLI and the bench) the trainer runs out of pairs at 7,724 entries on this much text; minimum
  // frequency 1 fills all 16,000. Both must encode every paragraph exactly like the Rust binding.
  const all = russianProseLines(Infinity);
  for (const { minFrequency, minVocab } of [{ minFrequency: 2, minVocab: 7_500 }, { minFrequency: 1, minVocab: 16_000 }]) {
    it(`a WordPiece (16,000 asked, minimum frequency ${minFrequency}) trained on the sample encodes every paragraph exactly like the Rust binding`, async () => {
      expect(all.length).toBeGreaterThan(900);
      const { trainTokenizer } = await import('./trainTokenizer.ts');
      const { tokenizer, train } = await trainTokenizer(all, { algo: 'wordpiece', vocabSize: 16_000, minFrequency, characterCoverage: 1, lowercase: false, stripAccents: false });
      expect(train.vocab.length).toBeGreaterThanOrEqual(minVocab);
      const rust = RustTokenizer.fromString(toTokenizerJson(tokenizer));
      const rustEnc = await rust.encodeBatch(all);
      let mismatches = 0;
      let tokens = 0;
      all.forEach((text, i) => {
        const ours = tokenizer.encode(text);
        tokens += ours.ids.length;
        const same = JSON.stringify(ours.ids) === JSON.stringify(rustEnc[i].getIds()) &&
          JSON.stringify(toCodePointOffsets(text, ours.offsets)) === JSON.stringify(rustEnc[i].getOffsets());
        if (!same) mismatches++;
      });
      expect(tokens).toBeGreaterThan(45_000);
      expect(mismatches).toBe(0);
    });
  }
});
