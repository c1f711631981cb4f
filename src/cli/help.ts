/**
 * `--help` for every command and subcommand (`vocabkd distill --help`, `vocabkd model fill-mask --help`, …): the usage
 * blocks of the full help text, cut by command, each with an example. Exit code 0.
 */
export const EXAMPLES: Record<string, string> = {
  'train-mlm': 'vocabkd train-mlm --steps 20 --backend cpu --eval-every 0',
  'bench train': 'vocabkd bench train --config tiny --steps 3 --warmup 1',
  'bench tokenizer': 'vocabkd bench tokenizer --input corpus.txt --vocab-size 8000',
  'bench distill': 'vocabkd bench distill --method reduce --steps 3',
  'bench matmul': 'vocabkd bench matmul --config medium --threads 1 --torch',
  'tokenizer train': 'vocabkd tokenizer train --algo wordpiece --vocab-size 8000 --input corpus.txt --out tokenizer.json',
  'tokenizer stats': 'vocabkd tokenizer stats --tokenizer tokenizer.json --input corpus.txt --sizes 1000,4000,8000',
  'tokenizer encode': 'vocabkd tokenizer encode --tokenizer tokenizer.json --input corpus.txt',
  'model info': 'vocabkd model info public/models/teacher-en --vocab-size 4000',
  'model fill-mask': 'vocabkd model fill-mask public/models/teacher-en --text "Call me [MASK]." --top 5',
  pretrain: 'vocabkd pretrain --corpus corpus.txt --tokenizer tokenizer.json --config config.json --steps 200 --out teacher/',
  distill: 'vocabkd distill --recipe src/distill/recipes/acceptance-reduce.json --out runs/reduce',
  'export-run': 'vocabkd export-run --recipe src/distill/recipes/acceptance-reduce.json --teacher public/models/teacher-en --out bundles/reduce',
  align: 'vocabkd align --teacher-tokenizer public/models/teacher-en --student-tokenizer tokenizer.json --text "Call me Ishmael."',
  eval: 'vocabkd eval --model runs/reduce/student --intrinsic --teacher public/models/teacher-en',
};

/** The command words of a usage line ("  vocabkd model info PATH …" → "model info"). */
function commandOf(line: string): string {
  const words: string[] = [];
  for (const w of line.trim().split(/\s+/).slice(1)) {
    if (!/^[a-z][a-z-]*$/.test(w)) break;
    words.push(w);
  }
  return words.join(' ');
}

/** The full help text cut into blocks by command (blocks of one command joined). */
export function helpBlocks(full: string): Map<string, string> {
  const blocks = new Map<string, string>();
  let key = '';
  for (const line of full.split('\n')) {
    if (line.startsWith('  vocabkd ')) key = commandOf(line);
    if (!key) continue;
    blocks.set(key, (blocks.get(key) ?? '') + line + '\n');
  }
  return blocks;
}

export const isHelpFlag = (a: string) => a === '--help' || a === '-h';

/**
 * The help of the command that `argv` names (its longest known prefix before any flag), with the example(s);
 * a group ("tokenizer", "model", "bench") gets all its subcommands; undefined when nothing matches.
 */
export function commandHelp(full: string, argv: string[]): string | undefined {
  const blocks = helpBlocks(full);
  const words = argv.filter((a) => !a.startsWith('-'));
  for (let n = Math.min(words.length, 2); n >= 1; n--) {
    const prefix = words.slice(0, n).join(' ');
    const keys = [...blocks.keys()].filter((k) => k === prefix || (n === 1 && k.startsWith(prefix + ' ')));
    if (!keys.length) continue;
    return keys.map((k) => `${blocks.get(k)}\n  Example:\n    ${EXAMPLES[k] ?? `vocabkd ${k} --help`}\n`).join('\n');
  }
  return undefined;
}
