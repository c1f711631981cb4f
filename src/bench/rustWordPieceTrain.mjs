// Child process of `vocabkd bench tokenizer`: trains the `tokenizers` npm package's (Rust) default WordPieceTrainer
// (vocabulary 30,000) on one text file with the BERT normalizer (no lowercasing / accent stripping) and pre-tokenizer.
// A separate process because the Rust progress bar writes to stdout; the last line printed is the JSON result.
import { Tokenizer, WordPiece, bertNormalizer, bertPreTokenizer } from 'tokenizers';

const [file, out] = process.argv.slice(2);
const t = new Tokenizer(WordPiece.empty());
t.setNormalizer(bertNormalizer({ lowercase: false, stripAccents: false }));
t.setPreTokenizer(bertPreTokenizer());
const t0 = performance.now();
t.train([file]);
const ms = performance.now() - t0;
if (out) t.save(out);
process.stdout.write('\n' + JSON.stringify({ ms, vocabSize: t.getVocabSize() }) + '\n');
