/**
 * The bad-input table (issue 17): one row per case a hostile but realistic user tries against `vocabkd`. Each row
 * gives the input, the command line, the expected exit code (0 ok, 2 input or usage error, 1 runtime failure) and
 * the expected error name (stderr `error: Name: …`) and/or text on stderr (a warning) or stdout; `after` checks the
 * files left behind. badInput.test.ts runs every row in-process through `main(argv)`.
 *
 * Paths: `@fx/…` are the shared fixtures (badInput.fixtures.ts: a tiny teacher and its broken variants), `@dir/…` the
 * row's own fresh folder, where `files` are written first (a name ending in "/" is a folder).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Family = 'help' | 'usage' | 'files' | 'outputs' | 'memory' | 'finite' | 'input' | 'handled';

export interface BadInputRow {
  id: string;
  family: Family;
  /** What the user gives, in words. */
  input: string;
  argv: string[];
  files?: Record<string, string | Uint8Array>;
  exit: 0 | 1 | 2;
  /** The error name expected on stderr as `error: <error>: …`. */
  error?: string;
  /** Text expected on stderr (a warning, or the error's message). */
  stderr?: RegExp;
  stdout?: RegExp;
  /** Problems with what the command left in the row's folder (empty: none). */
  after?: (dir: string) => string[];
  /** Trains a model: a longer time limit. */
  slow?: boolean;
}

const TINY = {
  method: 'reduce', steps: 2, batchSize: 4, seqLen: 24, logEvery: 1, evalEvery: 0, checkpointEvery: 0,
  student: { vocabSize: 500, numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 16 },
};
/** A tiny recipe file's text, with fields replaced. */
const recipe = (over: object = {}) => JSON.stringify({ ...TINY, ...over });
const WORDS = 'the white whale swims and the ship sails to the sea ';
const longLine = (chars: number) => WORDS.repeat(Math.ceil(chars / WORDS.length)).slice(0, chars);
const DISTILL = ['distill', '--teacher', '@fx/teacher', '--corpus', '@fx/corpus.txt', '--backend', 'cpu'];
const PRETRAIN = ['pretrain', '--corpus', '@fx/corpus.txt', '--tokenizer', '@fx/tok.json', '--config', '@fx/config-padded.json', '--steps', '2', '--seq-len', '16', '--batch-size', '4', '--eval-every', '0', '--backend', 'cpu'];
const TRAIN_TOK = ['tokenizer', 'train', '--vocab-size', '600', '--min-frequency', '1', '--out', '@dir/tok.json'];

/** Problem lists for `after`. */
const unchanged = (name: string, text: string) => (dir: string) => (readFileSync(join(dir, name), 'utf8') === text ? [] : [`${name} was changed`]);
const noTemps = (dir: string) => readdirSync(dir).filter((f) => f.includes('.tmp-') || f.includes('.old-')).map((f) => `temporary left: ${f}`);
const summaryOutcome = (dir: string) => JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')).outcome as string;

const HELP_COMMANDS = [
  'train-mlm', 'bench train', 'bench tokenizer', 'bench distill', 'tokenizer train', 'tokenizer stats', 'tokenizer encode',
  'model info', 'model fill-mask', 'pretrain', 'distill', 'align', 'eval',
];

const HELP_ROWS: BadInputRow[] = [
  ...HELP_COMMANDS.map((c): BadInputRow => ({
    id: `help-${c.replace(' ', '-')}`, family: 'help', input: `vocabkd ${c} --help`, argv: [...c.split(' '), '--help'], exit: 0,
    stdout: new RegExp(`^ {2}vocabkd ${c} [\\s\\S]*Example:\\n {4}vocabkd ${c} `),
  })),
  { id: 'help-all', family: 'help', input: 'vocabkd --help', argv: ['--help'], exit: 0, stdout: /vocabkd distill --recipe[\s\S]*vocabkd eval --model/ },
  { id: 'help-group-model', family: 'help', input: 'vocabkd model --help (a group)', argv: ['model', '--help'], exit: 0, stdout: /vocabkd model info[\s\S]*vocabkd model fill-mask/ },
  { id: 'help-group-tokenizer', family: 'help', input: 'vocabkd tokenizer -h', argv: ['tokenizer', '-h'], exit: 0, stdout: /tokenizer train[\s\S]*tokenizer stats[\s\S]*tokenizer encode/ },
  { id: 'help-after-flags', family: 'help', input: '--help after other flags', argv: ['distill', '--recipe', 'x.json', '--help'], exit: 0, stdout: /^ {2}vocabkd distill --recipe/ },
];

const USAGE_ROWS: BadInputRow[] = [
  { id: 'unknown-command', family: 'usage', input: 'a command that does not exist', argv: ['frobnicate'], exit: 2, error: 'UsageError', stderr: /unknown command "frobnicate"/ },
  { id: 'unknown-option', family: 'usage', input: 'a misspelt option', argv: ['distill', '--stpes', '1'], exit: 2, error: 'UsageError', stderr: /unknown option --stpes/ },
  { id: 'value-swallows-flag', family: 'usage', input: '--out without its value, followed by --overwrite', argv: ['distill', '--recipe', '@dir/r.json', '--out', '--overwrite'], files: { 'r.json': recipe() }, exit: 2, error: 'UsageError', stderr: /--out needs a value \(got the flag --overwrite\)/ },
  { id: 'value-swallows-flag-tokenizer', family: 'usage', input: '--input without its value', argv: ['tokenizer', 'train', '--input', '--out', '@dir/t.json', '--vocab-size', '600'], exit: 2, error: 'UsageError', stderr: /--input needs a value/ },
  { id: 'value-missing-at-end', family: 'usage', input: 'a last flag without a value', argv: ['model', 'info', '@fx/teacher', '--vocab-size'], exit: 2, error: 'UsageError', stderr: /--vocab-size needs a value/ },
  { id: 'steps-not-a-number', family: 'usage', input: '--steps abc', argv: ['train-mlm', '--steps', 'abc'], exit: 2, error: 'UsageError', stderr: /--steps must be an integer, got "abc"/ },
  { id: 'steps-zero', family: 'usage', input: '--steps 0', argv: ['train-mlm', '--steps', '0'], exit: 2, error: 'RunConfigError' },
  { id: 'model-info-no-path', family: 'usage', input: 'model info without PATH', argv: ['model', 'info'], exit: 2, error: 'UsageError' },
  { id: 'model-info-vocab-zero', family: 'usage', input: '--vocab-size 0', argv: ['model', 'info', '@fx/teacher', '--vocab-size', '0'], exit: 2, error: 'UsageError', stderr: /--vocab-size must be ≥ 1/ },
  { id: 'fill-mask-no-dir', family: 'usage', input: 'fill-mask without a folder', argv: ['model', 'fill-mask', '--text', 'a [MASK]'], exit: 2, error: 'UsageError' },
  { id: 'fill-mask-no-text', family: 'usage', input: 'fill-mask without --text', argv: ['model', 'fill-mask', '@fx/teacher'], exit: 2, error: 'UsageError', stderr: /needs --text/ },
  { id: 'distill-no-out', family: 'usage', input: 'distill without --out', argv: ['distill', '--recipe', '@dir/r.json'], files: { 'r.json': recipe() }, exit: 2, error: 'UsageError', stderr: /distill needs --out/ },
  { id: 'pretrain-missing-flags', family: 'usage', input: 'pretrain with only --corpus', argv: ['pretrain', '--corpus', '@fx/corpus.txt'], exit: 2, error: 'UsageError', stderr: /pretrain needs --tokenizer/ },
  { id: 'align-one-tokenizer', family: 'usage', input: 'align with one tokenizer', argv: ['align', '--teacher-tokenizer', '@fx/tok.json', '--text', 'x'], exit: 2, error: 'UsageError' },
  { id: 'eval-no-model', family: 'usage', input: 'eval without --model', argv: ['eval', '--intrinsic'], exit: 2, error: 'UsageError' },
  { id: 'eval-no-task-file', family: 'usage', input: 'a task file that does not exist', argv: ['eval', '--model', '@fx/teacher', '--task', '@dir/nope.json'], exit: 2, error: 'UsageError', stderr: /task file not found/ },
  { id: 'bench-unknown', family: 'usage', input: 'an unknown benchmark', argv: ['bench', 'frob'], exit: 2, error: 'UsageError' },
  { id: 'bench-threads-0', family: 'usage', input: '--threads 0', argv: ['bench', 'train', '--threads', '0'], exit: 2, error: 'ThreadsError', stderr: /--threads must be a whole number ≥ 1, got 0/ },
  { id: 'bench-threads-word', family: 'usage', input: '--threads two', argv: ['bench', 'distill', '--threads', 'two'], exit: 2, error: 'UsageError', stderr: /--threads must be an integer/ },
  { id: 'algo-unigram', family: 'usage', input: '--algo unigram', argv: [...TRAIN_TOK, '--algo', 'unigram', '--input', '@fx/corpus.txt'], exit: 2, error: 'UsageError', stderr: /--algo must be wordpiece or bpe/ },
];

const FILE_ROWS: BadInputRow[] = [
  { id: 'recipe-is-folder', family: 'files', input: '--recipe names a folder', argv: ['distill', '--recipe', '@dir', '--out', '@dir/out'], exit: 2, error: 'FileError', stderr: /--recipe .* is a folder: give a file/ },
  { id: 'recipe-missing', family: 'files', input: '--recipe names no file', argv: ['distill', '--recipe', '@dir/none.json', '--out', '@dir/out'], exit: 2, error: 'FileError', stderr: /--recipe .*none\.json does not exist: check the path \(ENOENT\)/ },
  { id: 'corpus-is-folder', family: 'files', input: '--corpus names a folder', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out', '--corpus', '@dir'], files: { 'r.json': recipe() }, exit: 2, error: 'FileError', stderr: /--corpus .* is a folder: give a file/ },
  { id: 'teacher-is-file', family: 'files', input: '--teacher names a file', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out', '--teacher', '@fx/corpus.txt'], files: { 'r.json': recipe() }, exit: 2, error: 'FileError', stderr: /--teacher .*corpus\.txt is a file, not a folder/ },
  { id: 'tokenizer-input-folder', family: 'files', input: 'tokenizer train --input names a folder', argv: [...TRAIN_TOK, '--input', '@dir'], exit: 2, error: 'FileError', stderr: /--input .* is a folder/ },
  { id: 'encode-input-missing', family: 'files', input: 'tokenizer encode --input names no file', argv: ['tokenizer', 'encode', '--tokenizer', '@fx/tok.json', '--input', '@dir/missing.txt'], exit: 2, error: 'FileError', stderr: /missing\.txt does not exist/ },
  { id: 'config-is-folder', family: 'files', input: 'pretrain --config names a folder', argv: ['pretrain', '--corpus', '@fx/corpus.txt', '--tokenizer', '@fx/tok.json', '--config', '@dir', '--steps', '1', '--out', '@dir/out'], exit: 2, error: 'FileError', stderr: /--config .* is a folder/ },
  { id: 'intrinsic-corpus-folder', family: 'files', input: 'eval --intrinsic --corpus names a folder called x.txt', argv: ['eval', '--model', '@fx/teacher', '--intrinsic', '--corpus', '@dir/x.txt'], files: { 'x.txt/': '' }, exit: 2, error: 'FileError', stderr: /x\.txt is a folder/ },
  { id: 'path-through-file', family: 'files', input: 'a path that goes through a file (ENOTDIR)', argv: ['tokenizer', 'encode', '--tokenizer', '@fx/tok.json', '--input', '@fx/corpus.txt/inner.txt'], exit: 2, error: 'FileError', stderr: /inner\.txt is not a folder .*ENOTDIR|inner\.txt .*\(ENOTDIR\)/ },
  { id: 'stats-tokenizer-missing', family: 'files', input: 'tokenizer stats --tokenizer names no file', argv: ['tokenizer', 'stats', '--tokenizer', '@dir/none.json', '--input', '@fx/corpus.txt'], exit: 2, error: 'FileError', stderr: /none\.json does not exist/ },
  { id: 'align-input-folder', family: 'files', input: 'align --input names a folder', argv: ['align', '--teacher-tokenizer', '@fx/tok.json', '--student-tokenizer', '@fx/tok.json', '--input', '@dir'], exit: 2, error: 'UsageError', stderr: /is a folder, not a text file/ },
  { id: 'model-info-missing', family: 'files', input: 'model info on a path that does not exist', argv: ['model', 'info', '@dir/nope'], exit: 2, error: 'UsageError', stderr: /model path not found/ },
];

const OUTPUT_ROWS: BadInputRow[] = [
  { id: 'distill-out-is-file', family: 'outputs', input: 'distill --out names an existing file', argv: [...DISTILL, '--recipe', '@dir/r.json', '--out', '@dir/out'], files: { 'r.json': recipe(), out: 'keep me' }, exit: 2, error: 'OutputError', stderr: /--out .*out is an existing file, not a folder/, after: unchanged('out', 'keep me') },
  { id: 'distill-out-not-empty', family: 'outputs', input: 'distill --out names a folder holding a previous run', argv: [...DISTILL, '--recipe', '@dir/r.json', '--out', '@dir/out'], files: { 'r.json': recipe(), 'out/summary.json': '{"outcome":"done"}' }, exit: 2, error: 'OutputError', stderr: /is not empty: pass --overwrite to replace it whole/, after: unchanged('out/summary.json', '{"outcome":"done"}') },
  { id: 'pretrain-out-is-file', family: 'outputs', input: 'pretrain --out names an existing file', argv: [...PRETRAIN, '--out', '@dir/out'], files: { out: 'keep me' }, exit: 2, error: 'OutputError', after: unchanged('out', 'keep me') },
  { id: 'pretrain-out-not-empty', family: 'outputs', input: 'pretrain --out names a non-empty folder', argv: [...PRETRAIN, '--out', '@dir/out'], files: { 'out/config.json': '{}' }, exit: 2, error: 'OutputError', after: unchanged('out/config.json', '{}') },
  { id: 'tokenizer-out-is-folder', family: 'outputs', input: 'tokenizer train --out names a folder', argv: ['tokenizer', 'train', '--vocab-size', '600', '--input', '@fx/corpus.txt', '--out', '@dir/o'], files: { 'o/': '' }, exit: 2, error: 'OutputError', stderr: /is a folder: give a file path/ },
  { id: 'model-info-zero-bytes', family: 'outputs', input: 'a model folder whose model.safetensors is 0 bytes (a killed export)', argv: ['model', 'info', '@fx/zero-model'], exit: 2, error: 'SafetensorsError', stderr: /model\.safetensors: file is 0 bytes/ },
  { id: 'model-info-truncated', family: 'outputs', input: 'a model folder whose model.safetensors is cut in half', argv: ['model', 'info', '@fx/trunc-model'], exit: 2, error: 'SafetensorsError', stderr: /model\.safetensors: .*(run past the end|runs past the end).*truncated/ },
  { id: 'model-info-trailing', family: 'outputs', input: 'model.safetensors with trailing bytes', argv: ['model', 'info', '@fx/trailing-model'], exit: 2, error: 'SafetensorsError', stderr: /trailing bytes/ },
  { id: 'fill-mask-truncated', family: 'outputs', input: 'fill-mask on a truncated model', argv: ['model', 'fill-mask', '@fx/trunc-model', '--text', 'the [MASK]', '--backend', 'cpu'], exit: 2, error: 'SafetensorsError' },
  {
    id: 'pretrain-overwrite', family: 'outputs', input: 'pretrain --overwrite over a previous folder (invalid UTF-8 in the corpus, a padded vocab_size)', slow: true,
    argv: [...PRETRAIN.map((a) => (a === '@fx/corpus.txt' ? '@fx/corpus-bad-utf8.txt' : a)), '--out', '@dir/out', '--overwrite'], files: { 'out/stale.txt': 'old run' }, exit: 0,
    stderr: /^(?=[\s\S]*2 invalid UTF-8 sequences replaced)(?=[\s\S]*rows \d+\.\.\d+ are never used)/, stdout: /"event":"done"/,
    after: (dir) => [...(existsSync(join(dir, 'out', 'stale.txt')) ? ['the previous folder was mixed in'] : []), ...(existsSync(join(dir, 'out', 'model.safetensors')) ? [] : ['no model.safetensors']), ...noTemps(dir)],
  },
  { id: 'tokenizer-out-atomic', family: 'outputs', input: 'tokenizer train over an existing tokenizer.json', argv: [...TRAIN_TOK, '--input', '@fx/corpus.txt'], files: { 'tok.json': 'old' }, exit: 0, stdout: /"vocabSize"/, after: (dir) => [...noTemps(dir), ...(readFileSync(join(dir, 'tok.json'), 'utf8').startsWith('{') ? [] : ['not replaced'])] },
];

const MEMORY_ROWS: BadInputRow[] = [
  { id: 'encode-long-line', family: 'memory', input: 'tokenizer encode on a 25,000-character line', argv: ['tokenizer', 'encode', '--tokenizer', '@fx/tok.json', '--input', '@dir/long.txt'], files: { 'long.txt': longLine(25_000) }, exit: 0, stderr: /1 line longer than 10,000 characters cut into 3 documents/ },
  { id: 'align-long-line', family: 'memory', input: 'align --input with a 25,000-character line', argv: ['align', '--teacher-tokenizer', '@fx/tok.json', '--student-tokenizer', '@fx/tok.json', '--input', '@dir/long.txt'], files: { 'long.txt': 'short\n' + longLine(25_000) }, exit: 0, stderr: /1 line longer than 10,000 characters cut into 3 documents[\s\S]*aligned 4 texts/ },
  { id: 'tokenizer-train-long-line', family: 'memory', input: 'tokenizer train on one 60,000-character line', argv: [...TRAIN_TOK, '--input', '@dir/long.txt'], files: { 'long.txt': longLine(60_000) }, exit: 0, stderr: /1 line longer than 10,000 characters cut into 7 documents/, stdout: /"linesCut": 1/ },
  { id: 'jsonl-record-too-long', family: 'memory', input: 'a .jsonl record over 1,000,000 characters', argv: [...TRAIN_TOK, '--input', '@dir/big.jsonl'], files: { 'big.jsonl': `{"text":"${longLine(1_050_000)}"}\n` }, exit: 2, error: 'CorpusFormatError', stderr: /line 1 is longer than 1,000,000 characters/ },
  { id: 'csv-long-field-cut', family: 'memory', input: 'a .csv text field of 30,000 characters', argv: [...TRAIN_TOK, '--input', '@dir/long.csv'], files: { 'long.csv': `id,text\n1,"${longLine(30_000)}"\n` }, exit: 0, stderr: /1 line longer than 10,000 characters cut into 4 documents/ },
];

const FINITE_ROWS: BadInputRow[] = [
  { id: 'fill-mask-nan', family: 'finite', input: 'fill-mask on a model with a NaN weight', argv: ['model', 'fill-mask', '@fx/nan-model', '--text', 'the [MASK]', '--backend', 'cpu'], exit: 2, error: 'NonFiniteWeightError', stderr: /tensor "bert\.encoder\.layer\.0\.attention\.self\.query\.weight" has 1 non-finite value/ },
  { id: 'fill-mask-inf', family: 'finite', input: 'fill-mask on a model with -Infinity in the word table', argv: ['model', 'fill-mask', '@fx/inf-model', '--text', 'the [MASK]', '--backend', 'cpu'], exit: 2, error: 'NonFiniteWeightError', stderr: /word_embeddings\.weight" has 1 non-finite value .*-Infinity/ },
  { id: 'eval-nan-model', family: 'finite', input: 'eval --intrinsic on a NaN model', argv: ['eval', '--model', '@fx/nan-model', '--intrinsic', '--corpus', '@fx/corpus.txt', '--backend', 'cpu'], exit: 2, error: 'NonFiniteWeightError' },
  { id: 'distill-nan-teacher', family: 'finite', input: 'distill from a NaN teacher', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out', '--teacher', '@fx/nan-model', '--corpus', '@fx/corpus.txt', '--backend', 'cpu'], files: { 'r.json': recipe() }, exit: 2, error: 'NonFiniteWeightError', after: (dir) => (existsSync(join(dir, 'out', 'student')) ? ['a student was written'] : []) },
  {
    id: 'distill-diverges', family: 'finite', input: 'distill from a teacher whose forward pass overflows (finite weights ×1e25)', slow: true,
    argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out', '--teacher', '@fx/huge-model', '--corpus', '@fx/corpus.txt', '--backend', 'cpu'], files: { 'r.json': recipe({ steps: 3 }) },
    exit: 1, error: 'DivergedError', stderr: /not finite at step 1: no student\/ written/, stdout: /"event":"diverged"/,
    after: (dir) => [...(summaryOutcome(dir) === 'diverged' ? [] : ['summary.json does not say diverged']), ...(existsSync(join(dir, 'out', 'student')) ? ['student/ written'] : [])],
  },
];

const INPUT_ROWS: BadInputRow[] = [
  { id: 'pretrain-binary', family: 'input', input: 'pretrain on a binary file (NUL bytes)', argv: [...PRETRAIN.map((a) => (a === '@fx/corpus.txt' ? '@dir/model.bin' : a)), '--out', '@dir/out'], files: { 'model.bin': new Uint8Array([1, 0, 0, 0, 7, 0, 200, 13]) }, exit: 2, error: 'BinaryCorpusError', stderr: /model\.bin looks binary \(a NUL byte at offset 1\)/ },
  { id: 'tokenizer-gzip', family: 'input', input: 'tokenizer train on a .gz file', argv: [...TRAIN_TOK, '--input', '@dir/c.txt.gz'], files: { 'c.txt.gz': new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]) }, exit: 2, error: 'BinaryCorpusError', stderr: /is a gzip file, not text: .*decompress it first/ },
  { id: 'distill-pdf', family: 'input', input: 'distill on a PDF', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out', '--corpus', '@dir/book.pdf'], files: { 'r.json': recipe(), 'book.pdf': '%PDF-1.7\n%âãÏÓ\n' }, exit: 2, error: 'BinaryCorpusError', stderr: /book\.pdf is a PDF file/, after: (dir) => (existsSync(join(dir, 'out')) ? ['--out was created'] : []) },
  { id: 'tokenizer-invalid-utf8', family: 'input', input: 'tokenizer train on text with invalid UTF-8', argv: [...TRAIN_TOK, '--input', '@fx/corpus-bad-utf8.txt'], exit: 0, stderr: /corpus-bad-utf8\.txt: 2 invalid UTF-8 sequences replaced by U\+FFFD/ },
  { id: 'csv-no-text-column', family: 'input', input: 'a .csv without a "text" column', argv: [...TRAIN_TOK, '--input', '@dir/c.csv'], files: { 'c.csv': 'id,body\n1,the white whale\n2,the ship sails\n' }, exit: 0, stderr: /no "text" column \(columns found: "id", "body"\); read the first column/ },
  { id: 'tsv-text-column', family: 'input', input: 'a .tsv with a "text" column (read, no warning)', argv: [...TRAIN_TOK, '--input', '@dir/c.tsv'], files: { 'c.tsv': 'id\ttext\n1\tthe white whale\n2\tthe ship sails\n' }, exit: 0, stdout: /"documents": 2/ },
  { id: 'jsonl-bad-lines', family: 'input', input: 'a .jsonl with 2 bad lines of 5', argv: [...TRAIN_TOK, '--input', '@dir/c.jsonl'], files: { 'c.jsonl': '{"text":"a b"}\nplain text\n{"text":"c"}\n{"n":1}\n{"text":"d"}\n' }, exit: 2, error: 'CorpusFormatError', stderr: /2 of 5 lines are not JSON objects with a string field \(first: line 2/ },
  { id: 'distill-jsonl-bad', family: 'input', input: 'distill on a .jsonl with a bad line', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out', '--corpus', '@dir/c.jsonl'], files: { 'r.json': recipe(), 'c.jsonl': '{"text":"a"}\n{oops\n' }, exit: 2, error: 'CorpusFormatError', stderr: /1 of 2 lines/ },
  { id: 'conllu-bad-line', family: 'input', input: 'a .conllu with a line that is not a word line', argv: [...TRAIN_TOK, '--input', '@dir/c.conllu'], files: { 'c.conllu': '1 Он\n' }, exit: 2, error: 'CorpusFormatError', stderr: /not a CoNLL-U word line/ },
  { id: 'config-vocab-too-small', family: 'input', input: 'pretrain with config vocab_size below the tokenizer\'s', argv: [...PRETRAIN.map((a) => (a === '@fx/config-padded.json' ? '@fx/config-small.json' : a)), '--out', '@dir/out'], exit: 2, error: 'ConfigError', stderr: /says vocab_size \d+ but .*tok\.json has \d+ tokens/ },
  { id: 'student-null', family: 'input', input: 'a recipe with "student": null', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out'], files: { 'r.json': recipe({ student: null }) }, exit: 2, error: 'RecipeError', stderr: /student must be an object .*got null/ },
  { id: 'temperature-vanishes', family: 'input', input: 'temperature 0.01 (then --out is a file, to stop early)', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out'], files: { 'r.json': recipe({ temperature: 0.01 }), out: 'x' }, exit: 2, error: 'OutputError', stderr: /warning: temperature 0\.01 scales the KL term by T² = 0\.00010: the KL loss vanishes/ },
  {
    id: 'student-vocab-shrunk', family: 'input', input: 'student.vocabSize 4000 on a corpus of 18 words', slow: true,
    argv: [...DISTILL, '--recipe', '@dir/r.json', '--out', '@dir/out'], files: { 'r.json': recipe({ student: { ...TINY.student, vocabSize: 4000 } }) },
    exit: 0, stderr: /warning: STUDENT VOCABULARY SHRUNK: the recipe asks student\.vocabSize 4000, but the corpus supports only \d+/, stdout: /"event":"done"/,
    after: (dir) => [...(summaryOutcome(dir) === 'done' ? [] : ['summary.json is not done']), ...(existsSync(join(dir, 'out', 'student', 'model.safetensors')) ? [] : ['no student'])],
  },
  { id: 'vocab-txt-short', family: 'input', input: 'a model folder whose vocab.txt is 5 lines shorter than the embedding', argv: ['model', 'fill-mask', '@fx/short-vocab', '--text', 'the [MASK]', '--backend', 'cpu'], exit: 2, error: 'HfFolderError', stderr: /vocab\.txt has \d+ entries but config\.json vocab_size is \d+/ },
  { id: 'vocab-txt-cp1251', family: 'input', input: 'a model folder whose vocab.txt is Windows-1251, not UTF-8 (Russian entries)', argv: ['model', 'fill-mask', '@fx/cp1251-vocab', '--text', 'the [MASK]', '--backend', 'cpu'], exit: 2, error: 'VocabEncodingError', stderr: /vocab\.txt is not UTF-8: byte 0xEA at offset \d+ \(line 11\).*Windows-1251/ },
  { id: 'pretrain-init-unknown', family: 'usage', input: 'pretrain --init xavier', argv: [...PRETRAIN, '--init', 'xavier', '--out', '@dir/out'], exit: 2, error: 'UsageError', stderr: /--init must be shift or plain; got "xavier"/ },
  { id: 'pretrain-shift-too-long', family: 'input', input: 'pretrain with shift heads (the default) on windows longer than 2 × the head size', argv: [...PRETRAIN.map((a) => (a === '16' ? '24' : a)), '--out', '@dir/out'], exit: 2, error: 'ShiftInitError', stderr: /windows of 24 positions exceed the position kernel's period 2·8 = 16 .*init plain/ },
  { id: 'unigram-encode', family: 'input', input: 'tokenizer encode with a Unigram tokenizer.json', argv: ['tokenizer', 'encode', '--tokenizer', '@fx/unigram.json', '--input', '@fx/corpus.txt'], exit: 2, error: 'TokenizerFormatError', stderr: /Unigram is not supported/ },
  { id: 'unigram-align', family: 'input', input: 'align with a Unigram student tokenizer', argv: ['align', '--teacher-tokenizer', '@fx/tok.json', '--student-tokenizer', '@fx/unigram.json', '--text', 'x'], exit: 2, error: 'TokenizerFormatError', stderr: /Unigram is not supported/ },
  { id: 'unigram-model', family: 'input', input: 'fill-mask on a folder with a Unigram tokenizer.json', argv: ['model', 'fill-mask', '@fx/unigram-model', '--text', 'the [MASK]', '--backend', 'cpu'], exit: 2, error: 'TokenizerFormatError', stderr: /Unigram is not supported/ },
];

const HANDLED_ROWS: BadInputRow[] = [
  { id: 'recipe-not-json', family: 'handled', input: 'a recipe that is not JSON', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out'], files: { 'r.json': '{ "method": ' }, exit: 2, error: 'RecipeError', stderr: /is not valid JSON/ },
  { id: 'recipe-bad-temperature', family: 'handled', input: 'temperature -1', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out'], files: { 'r.json': recipe({ temperature: -1 }) }, exit: 2, error: 'RecipeError', stderr: /temperature must be a number in \(0, 100\]/ },
  { id: 'recipe-unknown-field', family: 'handled', input: 'a recipe with an unknown field', argv: ['distill', '--recipe', '@dir/r.json', '--out', '@dir/out'], files: { 'r.json': recipe({ lerning_rate: 1 }) }, exit: 2, error: 'RecipeError' },
  { id: 'vocab-size-too-small', family: 'handled', input: 'tokenizer train --vocab-size 100', argv: ['tokenizer', 'train', '--vocab-size', '100', '--input', '@fx/corpus.txt', '--out', '@dir/t.json'], exit: 2, stderr: /from 500 to 60,000, got 100/ },
  { id: 'empty-corpus', family: 'handled', input: 'a corpus of blank lines', argv: [...TRAIN_TOK, '--input', '@dir/e.txt'], files: { 'e.txt': '\n \n' }, exit: 2, error: 'EmptyCorpusError' },
  { id: 'config-not-json', family: 'handled', input: 'model info on a config.json that is not JSON', argv: ['model', 'info', '@dir/config.json'], files: { 'config.json': '{ nope' }, exit: 2, error: 'ConfigError', stderr: /is not valid JSON/ },
  { id: 'fill-mask-no-mask', family: 'handled', input: 'fill-mask text without [MASK]', argv: ['model', 'fill-mask', '@fx/teacher', '--text', 'no mask here', '--backend', 'cpu'], exit: 2, error: 'FillMaskError' },
  { id: 'stats-bad-sizes', family: 'handled', input: 'tokenizer stats --sizes 600,x', argv: ['tokenizer', 'stats', '--tokenizer', '@fx/tok.json', '--input', '@fx/corpus.txt', '--sizes', '600,x'], exit: 2, error: 'UsageError' },
  { id: 'backend-webgpu', family: 'handled', input: '--backend webgpu in Node (the backend cannot start: a runtime failure)', argv: ['model', 'fill-mask', '@fx/teacher', '--text', 'the [MASK]', '--backend', 'webgpu'], exit: 1, error: 'BackendError' },
  { id: 'backend-unknown', family: 'usage', input: '--backend foo', argv: ['model', 'fill-mask', '@fx/teacher', '--text', 'the [MASK]', '--backend', 'foo'], exit: 2, error: 'UsageError', stderr: /--backend must be wasm or cpu .*got "foo"/ },
  { id: 'seq-len-over-teacher', family: 'handled', input: 'recipe seqLen 64 > the teacher\'s 32 positions', argv: [...DISTILL, '--recipe', '@dir/r.json', '--out', '@dir/out'], files: { 'r.json': recipe({ seqLen: 64 }) }, exit: 2, error: 'DistillSetupError', stderr: /exceeds the teacher's 32 positions/ },
  { id: 'intrinsic-pdf-extension', family: 'handled', input: 'eval --intrinsic --corpus x.pdf', argv: ['eval', '--model', '@fx/teacher', '--intrinsic', '--corpus', '@dir/x.pdf'], files: { 'x.pdf': 'text' }, exit: 2, error: 'UsageError', stderr: /unsupported file type/ },
  { id: 'model-folder-no-config', family: 'handled', input: 'fill-mask on a folder without config.json', argv: ['model', 'fill-mask', '@dir/m', '--text', 'the [MASK]', '--backend', 'cpu'], files: { 'm/README.md': '# card' }, exit: 2, error: 'HfFolderError', stderr: /no config\.json/ },
  { id: 'tokenizer-not-json', family: 'handled', input: 'tokenizer encode with a tokenizer.json that is not JSON', argv: ['tokenizer', 'encode', '--tokenizer', '@dir/t.json', '--input', '@fx/corpus.txt'], files: { 't.json': 'nope' }, exit: 2, error: 'TokenizerFormatError' },
  { id: 'align-both-text-and-input', family: 'handled', input: 'align with both --text and --input', argv: ['align', '--teacher-tokenizer', '@fx/tok.json', '--student-tokenizer', '@fx/tok.json', '--text', 'x', '--input', '@fx/corpus.txt'], exit: 2, error: 'UsageError' },
  { id: 'input-empty-lines-kept', family: 'handled', input: 'tokenizer encode: empty lines are records too', argv: ['tokenizer', 'encode', '--tokenizer', '@fx/tok.json', '--input', '@dir/e.txt', '--no-special-tokens'], files: { 'e.txt': 'the\n\nwhale\n' }, exit: 0, stdout: /^\{"ids":\[\d+\][^\n]*\n\{"ids":\[\][^\n]*\n\{"ids":\[\d+\]/ },
];

export const BAD_INPUT_TABLE: readonly BadInputRow[] = [
  ...HELP_ROWS, ...USAGE_ROWS, ...FILE_ROWS, ...OUTPUT_ROWS, ...MEMORY_ROWS, ...FINITE_ROWS, ...INPUT_ROWS, ...HANDLED_ROWS,
];
