/**
 * Recipes in the URL: the whole recipe of either run kind as `#r=v1.<payload>`, payload = base64url of the
 * deflate-raw'd JSON (the browser's own CompressionStream, no library) of
 * `{k: 'p' | 'd', c: corpus, t?: tokenizer / teacher, x: the config or recipe's difference from its defaults}`.
 * - pretrain: `x` = MlmRunConfig minus DEFAULT_RUN; `t: 'tab'` when the vocabulary is the Tokenizers tab's student.
 * - distill: `x` = Recipe minus defaultRecipe(method) (method always present); `t` absent = the shipped English teacher,
 *   `{s: id}` another shipped teacher (public/models/<id>/), `{f: name}` a teacher folder the user loaded (named, never
 *   embedded).
 * - corpus `c`: an embedded corpus's id, or `{f: name}`: a file the user dropped (named: the form asks for it).
 *
 * Decoding never throws: a corrupt or truncated payload, an unknown version or kind gives no recipe and a problem
 * naming the field (`r`, `version`, `kind`); a field that no longer validates (an older or newer link, an edited one)
 * is named and takes its default, the rest comes from the link.
 */
import { DEFAULT_RUN, RunConfigError, validateRunConfig, type MlmRunConfig } from '../train/runConfig.ts';
import { defaultRecipe, RecipeError, validateRecipe } from '../distill/recipe.ts';
import { METHODS, type Method, type Recipe } from '../distill/types.ts';
import { EMBEDDED_CORPORA } from '../data/corpus.ts';

export const RECIPE_VERSION = 1;
export const RECIPE_PARAM = 'r';
/** The default shipped teacher's id in links (public/models/teacher-en/). */
export const SHIPPED_TEACHER_ID = 'teacher-en';

export type CorpusRef = { embedded: string } | { file: string };
export type TeacherRef = { shipped: string } | { folder: string };

export type RecipeLink =
  | { kind: 'pretrain'; config: MlmRunConfig; corpus: CorpusRef; tokenizer: 'train' | 'tokenizers-tab' }
  | { kind: 'distill'; recipe: Recipe; corpus: CorpusRef; teacher: TeacherRef };

/** A field of the link that could not be used (its default was loaded instead), with the reason. */
export interface LinkProblem {
  field: string;
  message: string;
}

export interface DecodedLink {
  /** Null when nothing usable came (no link, or a corrupt one: `problems` says why). */
  link: RecipeLink | null;
  problems: LinkProblem[];
}

// ---- bytes ⇄ base64url ⇄ deflate ------------------------------------------------------------------------------------

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('characters outside base64url');
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// ---- differences from the defaults ------------------------------------------------------------------------------------

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The fields of `value` that differ from `base` (objects field by field; anything else by its JSON). */
export function diffFrom(value: Record<string, unknown>, base: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isObject(v) && isObject(base[k])) {
      const inner = diffFrom(v, base[k] as Record<string, unknown>);
      if (Object.keys(inner).length) out[k] = inner;
    } else if (JSON.stringify(v) !== JSON.stringify(base[k])) {
      out[k] = v;
    }
  }
  return out;
}

// ---- encode ----------------------------------------------------------------------------------------------------------

const corpusField = (c: CorpusRef) => ('embedded' in c ? c.embedded : { f: c.file });

function teacherField(t: TeacherRef): { t?: Record<string, string> } {
  if ('folder' in t) return { t: { f: t.folder } };
  return t.shipped === SHIPPED_TEACHER_ID ? {} : { t: { s: t.shipped } };
}

function readTeacher(t: unknown, problems: LinkProblem[]): TeacherRef {
  const name = (k: string) => (isObject(t) && typeof t[k] === 'string' && t[k] ? (t[k] as string) : null);
  if (name('f')) return { folder: name('f')! };
  if (name('s')) return { shipped: name('s')! };
  if (t !== undefined) problems.push({ field: 'teacher', message: `teacher ${JSON.stringify(t)} is not a teacher name: the shipped teacher is used` });
  return { shipped: SHIPPED_TEACHER_ID };
}

/** The compact JSON object of a link (before compression). */
export function linkPayload(link: RecipeLink): Record<string, unknown> {
  if (link.kind === 'pretrain') {
    const x = diffFrom({ ...link.config }, { ...DEFAULT_RUN });
    return { k: 'p', c: corpusField(link.corpus), ...(link.tokenizer === 'tokenizers-tab' ? { t: 'tab' } : {}), x };
  }
  const x = { method: link.recipe.method, ...diffFrom({ ...link.recipe }, { ...defaultRecipe(link.recipe.method) }) };
  return { k: 'd', c: corpusField(link.corpus), ...teacherField(link.teacher), x };
}

/** `v1.<base64url(deflate-raw(JSON))>`: the value of the `r` hash parameter. */
export async function encodeRecipe(link: RecipeLink): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(linkPayload(link)));
  return `v${RECIPE_VERSION}.${toBase64Url(await pipe(json, new CompressionStream('deflate-raw')))}`;
}

/** A URL's hash with the recipe: `#r=v1.…`. */
export async function recipeHash(link: RecipeLink): Promise<string> {
  return `#${RECIPE_PARAM}=${await encodeRecipe(link)}`;
}

// ---- decode ----------------------------------------------------------------------------------------------------------

/** The field a validator's message starts with (`student.vocabSize must be …` → `student.vocabSize`). */
const fieldOf = (message: string): string => message.split(/\s/, 1)[0];

/** Removes a dotted path from a plain object; false when there was nothing to remove. */
function dropPath(obj: Record<string, unknown>, path: string): boolean {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), obj);
  if (!isObject(parent) || !(last in parent)) return false;
  delete parent[last];
  return true;
}

/**
 * Validates `input`; each field the validator refuses is named in `problems` and dropped (its default comes back),
 * until the rest validates. A refusal that names no removable field gives the validator's defaults.
 */
function salvage<T>(input: Record<string, unknown>, validate: (x: Record<string, unknown>) => T, problems: LinkProblem[]): T {
  const current = structuredClone(input);
  for (;;) {
    try {
      return validate(current);
    } catch (e) {
      if (!(e instanceof RecipeError || e instanceof RunConfigError)) throw e;
      const field = fieldOf(e.message);
      problems.push({ field, message: `${e.message}: the default is used` });
      if (!dropPath(current, field)) return validate(input.method !== undefined ? { method: current.method } : {});
    }
  }
}

function readCorpus(c: unknown, problems: LinkProblem[]): CorpusRef {
  if (isObject(c) && typeof c.f === 'string' && c.f) return { file: c.f };
  if (typeof c === 'string' && EMBEDDED_CORPORA.some((e) => e.id === c)) return { embedded: c };
  const fallback = EMBEDDED_CORPORA[0].id;
  problems.push({ field: 'corpus', message: `no embedded corpus ${JSON.stringify(c) ?? 'nothing'} in this page (known: ${EMBEDDED_CORPORA.map((e) => e.id).join(', ')}): ${fallback} is used` });
  return { embedded: fallback };
}

function readPretrain(p: Record<string, unknown>, x: Record<string, unknown>, problems: LinkProblem[]): RecipeLink {
  const known = Object.keys(DEFAULT_RUN);
  const given = { ...x };
  for (const k of Object.keys(given).filter((k) => !known.includes(k))) {
    problems.push({ field: k, message: `${k} is not a field of the Train MLM recipe (known: ${known.join(', ')}): ignored` });
    delete given[k];
  }
  const config = salvage(given, (c) => validateRunConfig(c as Partial<MlmRunConfig>), problems);
  return { kind: 'pretrain', config, corpus: readCorpus(p.c, problems), tokenizer: p.t === 'tab' ? 'tokenizers-tab' : 'train' };
}

function readDistill(p: Record<string, unknown>, x: Record<string, unknown>, problems: LinkProblem[]): RecipeLink {
  const given = { ...x };
  if (!METHODS.includes(given.method as Method)) {
    problems.push({ field: 'method', message: `method must be one of ${METHODS.join(', ')}; got ${JSON.stringify(given.method) ?? 'nothing'}: reduce and its defaults are used` });
    given.method = 'reduce';
  }
  const recipe = salvage(given, validateRecipe, problems);
  const corpus = readCorpus(p.c, problems);
  return { kind: 'distill', recipe, corpus, teacher: readTeacher(p.t, problems) };
}

/** The payload (after the version) as JSON, or the reason it is unreadable. */
async function readPayload(data: string): Promise<{ json: unknown } | { error: string }> {
  try {
    const bytes = await pipe(fromBase64Url(data), new DecompressionStream('deflate-raw'));
    return { json: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch (e) {
    return { error: `the recipe data is corrupt or truncated (${(e as Error).message || (e as Error).name})` };
  }
}

/** Reads the value of `r` (`v1.…`); never throws. */
export async function decodeRecipe(value: string): Promise<DecodedLink> {
  const problems: LinkProblem[] = [];
  const m = /^v(\d+)\.(.*)$/s.exec(value);
  if (!m) return { link: null, problems: [{ field: 'version', message: `the recipe link has no version (expected "v${RECIPE_VERSION}.…"): the defaults are used` }] };
  const version = Number(m[1]);
  if (version !== RECIPE_VERSION) {
    const age = version < RECIPE_VERSION ? 'older' : 'newer';
    problems.push({ field: 'version', message: `the recipe link is v${version}, ${age} than this page's v${RECIPE_VERSION}: fields that no longer fit are named and take their defaults` });
  }
  const read = await readPayload(m[2]);
  if ('error' in read) return { link: null, problems: [...problems, { field: RECIPE_PARAM, message: `${read.error}: the defaults are used` }] };
  const p = read.json;
  const kind = isObject(p) ? p.k : undefined;
  if (!isObject(p) || (kind !== 'p' && kind !== 'd')) {
    return { link: null, problems: [...problems, { field: 'kind', message: `the recipe link names no run kind ("p" or "d"; got ${JSON.stringify(kind) ?? 'nothing'}): the defaults are used` }] };
  }
  const x = isObject(p.x) ? p.x : {};
  if (!isObject(p.x)) problems.push({ field: 'recipe', message: 'the recipe link carries no recipe object: the defaults are used' });
  const link = kind === 'p' ? readPretrain(p, x, problems) : readDistill(p, x, problems);
  return { link, problems };
}

/** The recipe in a URL hash (`#r=…`, other hash parameters allowed); null when the hash has none. */
export async function recipeFromHash(hash: string): Promise<DecodedLink | null> {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get(RECIPE_PARAM);
  return value === null ? null : decodeRecipe(value);
}
