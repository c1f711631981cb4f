/**
 * The distillation recipe: its defaults (the papers' settings scaled to a browser run) and its one validator.
 *
 * Defaults per method (methods.md §A.6, §B.5, checklist items 14, 19, 22, 28):
 * - reduce / reduce-map / match / kd-full: T = 2, loss 2.0·KL + 0.5·MLM (MSE weight 0; the scripts use 0.1 when it is
 *   on), AdamW lr 5e-4 (β (0.9, 0.98) are fixed in the trainer), weight decay 0, clip 5.0, 5 % warmup. The paper holds
 *   the lr constant after warmup and halves it on plateaus over days of training; a 300-step run decays linearly to 0
 *   instead (`decay` 'linear', `minLrFrac` 0). Reduce sums the piece logits, reduce-map scores with logsumexp (the
 *   released script), Match searches unbounded (the paper's greedy search).
 * - glmd: T = 15, KL only (no hard labels, item 19), lr 4e-4, weight decay 0.1, clip 1.0, 5 % warmup, cosine to 5 %,
 *   keep ratio 0.5, KL divided by all positions (the original).
 * - mlm-only: the A defaults with weights 0 / 1 / 0 (the no-teacher baseline).
 * The student starts from the teacher (averaged + truncated layers, σ-averaged embeddings: Paper A's students, §A.3
 * item 6; the MLM-only baseline too, so that it differs from Reduce / Match only in the loss) except GLMD's, which
 * start from random init (B.2). Its size (2 layers × 128 hidden × 2 heads × 512 FFN, 4,000 tokens) and the run sizes
 * (300 steps of 16 × 64 tokens) are browser-scale choices, not the papers'. From random init such a student stays on
 * the frequent-word plateau for the whole 300 steps (README: the acceptance table).
 *
 * `validateRecipe` takes a partial JSON object, fills the missing fields from `defaultRecipe(method)` (the `weights`
 * and `student` objects field by field; an absent object is the defaults, a null one an error), and checks every
 * field; errors read `<field path> must be …; got …`. `recipeWarnings` names what is valid but probably unmeant.
 * Cross-method rules (what methods.md implies):
 * - every method but mlm-only needs a KL weight > 0 (with KL 0 it is mlm-only); mlm-only has KL and MSE weights 0;
 * - glmd has no hidden-state term (item 19: MSE weight 0); an MLM weight is allowed (the original logs it unused);
 * - glmd students start from random init (B.2: there is no σ between the kept rows and a teacher split); FVT needs a
 *   student vocabulary of its own, so kd-full (the teacher's vocabulary) takes 'scratch' or 'teacher';
 * - factorised embeddings (`student.embeddingSize`) only with 'scratch' init (the teacher has no [V, E] table).
 * - `studentTokenizer` 'tokenizers-tab' (the page's Tokenizers-tab student) only for the own-vocabulary methods; whether
 *   the host has one is `requireStudentTokenizer`'s question (the page's form and worker; the CLI has none).
 * `student.embeddingSize` null counts as absent (JSON has no undefined). An `ignored` object (what `effectiveRecipe`
 * records) is accepted and dropped, so a run's recorded recipe validates back to the same run.
 *
 * `effectiveRecipe(recipe, info)` is the recipe as a run used it, for the records (summary.json, the page's run
 * records): the fields the method ignores are removed and listed under `ignored` with the reason, e.g.
 * `student.vocabSize` for glmd (K = ⌈⌊r·V⌋/128⌉·128 of the teacher's tokens) and kd-full (the teacher's vocabulary).
 * Does not: know the teacher (vocabulary / position limits are checked by the run).
 */
import { METHODS, STUDENT_TOKENIZER_SOURCES, type BenchmarkSpec, type LossWeights, type Method, type Recipe, type StudentSpec, type StudentTokenizerSource } from './types.ts';

export class RecipeError extends Error {
  override name = 'RecipeError';
}

const DEFAULT_STUDENT: Omit<StudentSpec, 'init'> = { vocabSize: 4000, numLayers: 2, hiddenSize: 128, numHeads: 2, intermediateSize: 512 };
/** No downstream task by default (the page's form adds the embedded ones that fit the corpus's language). */
export const DEFAULT_BENCHMARKS: BenchmarkSpec = { tasks: [], intrinsic: true, maxTexts: 20, maxShare: 0.25, probe: 'linear', maxTrain: 300, maxTest: 150 };

export function defaultRecipe(method: Method): Recipe {
  if (!METHODS.includes(method)) throw new RecipeError(`method must be one of ${METHODS.join(', ')}; got ${show(method)}`);
  const glmd = method === 'glmd';
  return {
    method,
    temperature: glmd ? 15 : 2,
    weights: glmd ? { kl: 1, mlm: 0, mse: 0 } : method === 'mlm-only' ? { kl: 0, mlm: 1, mse: 0 } : { kl: 2, mlm: 0.5, mse: 0 },
    reduceGroup: 'sum',
    reduceMapScore: 'logsumexp',
    matchWordBounded: false,
    glmdKeepRatio: 0.5,
    glmdProtected: [],
    glmdDivideBy: 'all',
    student: { ...DEFAULT_STUDENT, init: glmd ? 'scratch' : 'teacher' },
    steps: 300,
    batchSize: 16,
    seqLen: 64,
    lr: glmd ? 4e-4 : 5e-4,
    warmupFrac: 0.05,
    decay: glmd ? 'cosine' : 'linear',
    minLrFrac: glmd ? 0.05 : 0,
    weightDecay: glmd ? 0.1 : 0,
    clipNorm: glmd ? 1 : 5,
    accumulation: 1,
    seed: 42,
    logEvery: 5,
    evalEvery: 100,
    evalMaskings: 4,
    checkpointEvery: 100,
    maskProb: 0.15,
    mlmSmoothing: 0.7,
    studentTokenizer: 'train',
    benchmarks: { ...DEFAULT_BENCHMARKS, tasks: [] },
  };
}

// ---- field checks -------------------------------------------------------------------------------------------------

type Num = { kind: 'int' | 'real'; lo: number; hi: number; loOpen?: boolean };
const int = (lo: number, hi: number): Num => ({ kind: 'int', lo, hi });
const real = (lo: number, hi: number, loOpen = false): Num => ({ kind: 'real', lo, hi, loOpen });

const TOP_NUMBERS: Partial<Record<keyof Recipe, Num>> = {
  temperature: real(0, 100, true),
  glmdKeepRatio: real(0, 1, true),
  steps: int(1, 1_000_000),
  batchSize: int(1, 1024),
  seqLen: int(8, 512),
  lr: real(0, 1, true),
  warmupFrac: real(0, 1),
  minLrFrac: real(0, 1),
  weightDecay: real(0, 1),
  clipNorm: real(0, 1e6),
  accumulation: int(1, 1024),
  seed: int(0, 2 ** 32 - 1),
  logEvery: int(1, 10_000),
  evalEvery: int(0, 1_000_000),
  evalMaskings: int(1, 32),
  checkpointEvery: int(0, 1_000_000),
  maskProb: real(0.01, 0.9),
  mlmSmoothing: real(-2, 2),
};
const STUDENT_NUMBERS: Partial<Record<keyof StudentSpec, Num>> = {
  vocabSize: int(100, 200_000),
  numLayers: int(1, 24),
  hiddenSize: int(8, 4096),
  numHeads: int(1, 64),
  intermediateSize: int(1, 16_384),
  embeddingSize: int(1, 4095),
};
const BENCH_NUMBERS: Partial<Record<keyof BenchmarkSpec, Num>> = {
  maxTexts: int(1, 10_000),
  maxShare: real(0, 0.9, true),
  maxTrain: int(1, 100_000),
  maxTest: int(1, 100_000),
};
const WEIGHT: Num = real(0, 100);
const CHOICES = {
  reduceGroup: ['sum', 'mean'],
  reduceMapScore: ['sum', 'logsumexp'],
  glmdDivideBy: ['all', 'non-pad'],
  decay: ['cosine', 'linear', 'constant'],
  studentTokenizer: STUDENT_TOKENIZER_SOURCES,
} as const;
const INITS = ['scratch', 'teacher', 'fvt'] as const;

const RECIPE_KEYS = Object.keys(defaultRecipe('reduce')) as (keyof Recipe)[];
const WEIGHT_KEYS: (keyof LossWeights)[] = ['kl', 'mlm', 'mse'];
const STUDENT_KEYS: (keyof StudentSpec)[] = ['vocabSize', 'numLayers', 'hiddenSize', 'numHeads', 'intermediateSize', 'init', 'embeddingSize'];
const BENCH_KEYS = Object.keys(DEFAULT_BENCHMARKS) as (keyof BenchmarkSpec)[];

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

const fail = (path: string, what: string, got: unknown): never => {
  throw new RecipeError(`${path} must be ${what}; got ${show(got)}`);
};

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function checkNumber(path: string, v: unknown, r: Num): number {
  const inRange = typeof v === 'number' && Number.isFinite(v) && (r.loOpen ? v > r.lo : v >= r.lo) && v <= r.hi;
  if (!inRange || (r.kind === 'int' && !Number.isInteger(v))) {
    fail(path, `${r.kind === 'int' ? 'an integer' : 'a number'} in ${r.loOpen ? '(' : '['}${r.lo}, ${r.hi}]`, v);
  }
  return v as number;
}

function checkChoice<T extends string>(path: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(path, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, v);
  return v as T;
}

function checkKeys(path: string, obj: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(obj).filter((k) => !known.includes(k));
  if (unknown.length) {
    const at = path ? `${path}.${unknown[0]}` : unknown[0];
    throw new RecipeError(`${at} is not a recipe field; known fields${path ? ` of ${path}` : ''}: ${known.join(', ')}`);
  }
}

function checkObject(path: string, v: unknown): Record<string, unknown> {
  if (!isObject(v)) fail(path, 'an object', v);
  return v as Record<string, unknown>;
}

/** `weights` / `student`: absent is the defaults; null is an error (the defaults would replace it silently). */
function optionalObject(path: string, v: unknown): Record<string, unknown> {
  if (v === null) fail(path, 'an object (or absent for the defaults)', v);
  return checkObject(path, v === undefined ? {} : v);
}

/** Fills defaults from `defaultRecipe(input.method)` and checks every field; throws RecipeError naming the first bad one. */
export function validateRecipe(input: unknown): Recipe {
  const given = checkObject('recipe', input);
  // A recorded effective recipe's `ignored` record is informational: checked for shape, then dropped.
  const { ignored, ...raw } = given;
  if (ignored !== undefined && (!isObject(ignored) || Object.values(ignored).some((v) => typeof v !== 'string'))) fail('ignored', 'an object of strings (field → why the method ignores it)', ignored);
  checkKeys('', raw, RECIPE_KEYS);
  const method = checkChoice('method', raw.method, METHODS);
  const d = defaultRecipe(method);
  const rawWeights = optionalObject('weights', raw.weights);
  checkKeys('weights', rawWeights, WEIGHT_KEYS);
  const rawStudent = optionalObject('student', raw.student);
  checkKeys('student', rawStudent, STUDENT_KEYS);

  const r = { ...d, ...raw } as Record<string, unknown>;
  for (const [k, range] of Object.entries(TOP_NUMBERS)) checkNumber(k, r[k], range);
  for (const [k, allowed] of Object.entries(CHOICES)) checkChoice(k, r[k], allowed);
  if (typeof r.matchWordBounded !== 'boolean') fail('matchWordBounded', 'true or false', r.matchWordBounded);
  const prot = r.glmdProtected;
  if (!Array.isArray(prot) || prot.some((t) => typeof t !== 'string' || t === '')) fail('glmdProtected', 'a list of non-empty token strings', prot);
  const dup = (prot as string[]).find((t, i, a) => a.indexOf(t) !== i);
  if (dup !== undefined) fail('glmdProtected', 'a list without repeats', dup);

  const weights = { ...d.weights, ...rawWeights } as Record<string, unknown>;
  for (const k of WEIGHT_KEYS) checkNumber(`weights.${k}`, weights[k], WEIGHT);
  const w = weights as unknown as LossWeights;
  if (w.kl + w.mlm + w.mse === 0) fail('weights', 'not all 0 (give kl, mlm or mse a positive weight)', w);
  if (method === 'mlm-only' && w.kl !== 0) fail('weights.kl', '0 for method "mlm-only" (no teacher; pick a distillation method for KL)', w.kl);
  if (method === 'mlm-only' && w.mse !== 0) fail('weights.mse', '0 for method "mlm-only" (no teacher; pick a distillation method for MSE)', w.mse);
  if (method !== 'mlm-only' && w.kl === 0) fail('weights.kl', `> 0 for method "${method}" (with no KL term it is "mlm-only")`, w.kl);
  if (method === 'glmd' && w.mse !== 0) fail('weights.mse', '0 for method "glmd" (GLMD has no hidden-state term, item 19)', w.mse);
  if (method === 'mlm-only' && w.mlm === 0) fail('weights.mlm', '> 0 for method "mlm-only"', w.mlm);

  const s = { ...d.student, ...rawStudent } as Record<string, unknown>;
  if (s.embeddingSize === null || s.embeddingSize === undefined) delete s.embeddingSize;
  // The default init (the teacher's) cannot fill a factorised table: a factorised student that names no init
  // starts from scratch.
  if ('embeddingSize' in s && !('init' in rawStudent)) s.init = 'scratch';
  for (const [k, range] of Object.entries(STUDENT_NUMBERS)) if (k !== 'embeddingSize' || 'embeddingSize' in s) checkNumber(`student.${k}`, s[k], range);
  const init = checkChoice('student.init', s.init, INITS);
  const spec = s as unknown as StudentSpec;
  if (spec.hiddenSize % spec.numHeads !== 0) fail('student.hiddenSize', `divisible by student.numHeads (${spec.numHeads})`, spec.hiddenSize);
  if (spec.embeddingSize !== undefined && spec.embeddingSize >= spec.hiddenSize) {
    fail('student.embeddingSize', `< student.hiddenSize (${spec.hiddenSize}), or absent for unfactorised embeddings`, spec.embeddingSize);
  }
  if (spec.embeddingSize !== undefined && init !== 'scratch') fail('student.init', '"scratch" when student.embeddingSize is set (the teacher has no factorised table to copy)', init);
  if (method === 'glmd' && init !== 'scratch') fail('student.init', '"scratch" for method "glmd" (its kept rows have no σ map to a teacher split; B.2 starts from random init)', init);
  if (fixesVocabulary(method) && r.studentTokenizer !== 'train') {
    fail('studentTokenizer', `"train" for method "${method}" (${method === 'glmd' ? "its vocabulary is the teacher's most frequent K tokens" : "the student keeps the teacher's vocabulary"})`, r.studentTokenizer);
  }
  if (method === 'kd-full' && init === 'fvt') fail('student.init', '"scratch" or "teacher" for method "kd-full" (the student shares the teacher\'s vocabulary, FVT has nothing to transfer)', init);

  return {
    ...(r as unknown as Recipe),
    benchmarks: checkBenchmarks(raw.benchmarks),
    method,
    weights: { kl: w.kl, mlm: w.mlm, mse: w.mse },
    glmdProtected: [...(prot as string[])],
    student: { ...spec },
  };
}

/** The `benchmarks` object, field by field over DEFAULT_BENCHMARKS. */
function checkBenchmarks(v: unknown): BenchmarkSpec {
  const given = checkObject('benchmarks', v === undefined ? {} : v);
  checkKeys('benchmarks', given, BENCH_KEYS);
  const b = { ...DEFAULT_BENCHMARKS, ...given } as Record<string, unknown>;
  for (const [k, range] of Object.entries(BENCH_NUMBERS)) checkNumber(`benchmarks.${k}`, b[k], range);
  checkChoice('benchmarks.probe', b.probe, ['linear', 'finetune'] as const);
  if (typeof b.intrinsic !== 'boolean') fail('benchmarks.intrinsic', 'true or false', b.intrinsic);
  const tasks = b.tasks;
  if (!Array.isArray(tasks) || tasks.some((t) => typeof t !== 'string' || t.trim() === '')) fail('benchmarks.tasks', 'a list of task names or task-file paths', tasks);
  const dup = (tasks as string[]).find((t, i, a) => a.indexOf(t) !== i);
  if (dup !== undefined) fail('benchmarks.tasks', 'a list without repeats', dup);
  return { ...(b as unknown as BenchmarkSpec), tasks: [...(tasks as string[])] };
}

/** Below this temperature the KL term, scaled by T², is under 1 % of its size at T = 1. */
export const MIN_USEFUL_TEMPERATURE = 0.1;

/**
 * What a valid recipe does that its author probably did not mean, one sentence each (both hosts show them: the CLI on
 * stderr as `warning:` lines, the page's form beside Start): a KL temperature so small that KL × T² vanishes; given the
 * two tokenizers, a Tokenizers-tab student whose case handling differs from the teacher's (issue 15: the Alignment map
 * says the same).
 */
export function recipeWarnings(recipe: Recipe, tokenizers?: RecipeTokenizers): string[] {
  const notes: string[] = [];
  const usesKl = recipe.weights.kl > 0 && ignoredFields(recipe.method).temperature === undefined;
  if (usesKl && recipe.temperature < MIN_USEFUL_TEMPERATURE) {
    notes.push(`temperature ${recipe.temperature} scales the KL term by T² = ${(recipe.temperature ** 2).toPrecision(2)}: the KL loss vanishes (weights.kl ${recipe.weights.kl} has no effect); use a temperature ≥ ${MIN_USEFUL_TEMPERATURE} (typically 1–4)`);
  }
  // A student vocabulary given from outside (the Tokenizers tab's) may normalise case differently from the teacher's; a
  // trained one follows the teacher's normalizer, and glmd / kd-full read the teacher's own tokens.
  if (tokenizers && recipe.studentTokenizer === 'tokenizers-tab' && !fixesVocabulary(recipe.method)) {
    const lower = (n: CaseNormalizer | null) => n?.lowercase ?? false;
    const t = lower(tokenizers.teacher);
    if (t !== lower(tokenizers.student)) {
      notes.push(t
        ? 'the teacher\'s tokenizer lower-cases and the student\'s (the Tokenizers tab\'s) keeps case: the student reads capitals the teacher never saw, so σ splits and the shared vocabulary C miss every capitalised word; train the student with "lower-case" on, or let the run train its own (WordPiece trained on the corpus)'
        : 'the student\'s tokenizer (the Tokenizers tab\'s) lower-cases and the teacher\'s keeps case: the student cannot tell «Мир» from «мир» while the teacher can, and capitalised teacher tokens have no student counterpart in C; train the student with "lower-case" off, or let the run train its own (WordPiece trained on the corpus)');
    }
  }
  return notes;
}

/** The case handling of a tokenizer's normalizer (a BertNormalizer's; null: none, so case is kept). */
export interface CaseNormalizer { lowercase: boolean }
/** The teacher's and the student's normalizers, for the warnings that compare them (hosts that know both pass them). */
export interface RecipeTokenizers { teacher: CaseNormalizer | null; student: CaseNormalizer | null }

/** glmd (the teacher's top K tokens) and kd-full (the teacher's vocabulary) choose the student's vocabulary themselves. */
export const fixesVocabulary = (method: Method): boolean => method === 'glmd' || method === 'kd-full';

/**
 * A recipe that names the Tokenizers tab's student tokenizer needs one: `available` says whether the host has it (the
 * page: a vocabulary trained or imported on the tab; the CLI: never). Throws RecipeError naming the field.
 */
export function requireStudentTokenizer(recipe: Recipe, available: boolean): void {
  if (recipe.studentTokenizer === 'tokenizers-tab' && !available) {
    fail('studentTokenizer', '"train" when the Tokenizers tab has no vocabulary (train or import one there first)', recipe.studentTokenizer);
  }
}

/** Pretty JSON that `validateRecipe` accepts back unchanged. */
export function recipeToJson(r: Recipe): string {
  return JSON.stringify(r, null, 2);
}

// ---- the effective recipe ----------------------------------------------------------------------------------------

/** Top-level recipe fields that some method never reads. */
type IgnorableTop = 'temperature' | 'reduceGroup' | 'reduceMapScore' | 'matchWordBounded' | 'glmdKeepRatio' | 'glmdProtected' | 'glmdDivideBy';

/** Recipe fields (dotted paths) that a method may ignore. */
export type IgnorableField = IgnorableTop | 'student.vocabSize';

/**
 * A recipe as a run used it: the fields its method ignores are absent, and `ignored` says which and why. It validates
 * back (`validateRecipe`) to a recipe that runs the same (ignored fields take their defaults, which are ignored too).
 */
export type EffectiveRecipe = Omit<Recipe, IgnorableTop | 'student'> & Partial<Pick<Recipe, IgnorableTop>> & {
  student: Omit<StudentSpec, 'vocabSize'> & Partial<Pick<StudentSpec, 'vocabSize'>>;
  ignored: Partial<Record<IgnorableField, string>>;
};

const IS_REDUCE: readonly Method[] = ['reduce', 'reduce-map'];

/**
 * Which fields `method` never reads, with the reason (`studentVocab`: the student's real vocabulary size, when known).
 * Read off the engine: student.vocabSize only trains the own-vocabulary students' WordPiece (run.ts; not when
 * `studentTokenizer` is the Tokenizers tab's, whose size it is); temperature
 * only scales the KL (none in mlm-only); reduceGroup only the Reduce rows (reduce, reduce-map); reduceMapScore only
 * reduce-map; matchWordBounded only Match's pairs; the glmd* fields only GLMD's vocabulary and KL.
 */
export function ignoredFields(method: Method, studentVocab?: number, studentTokenizer: StudentTokenizerSource = 'train'): Partial<Record<IgnorableField, string>> {
  const out: Partial<Record<IgnorableField, string>> = {};
  const real = studentVocab !== undefined ? ` = ${studentVocab.toLocaleString('en')} tokens` : '';
  if (studentTokenizer === 'tokenizers-tab' && !fixesVocabulary(method)) {
    out['student.vocabSize'] = `the student's vocabulary is the Tokenizers tab's student tokenizer (${studentVocab !== undefined ? `${studentVocab.toLocaleString('en')} tokens; ` : ''}info.studentVocab)`;
  }
  if (method === 'glmd') out['student.vocabSize'] = `glmd uses the teacher's most frequent K tokens (K = ⌈⌊glmdKeepRatio·V⌋/128⌉·128${real}; info.studentVocab)`;
  if (method === 'kd-full') out['student.vocabSize'] = `kd-full keeps the teacher's vocabulary (${studentVocab !== undefined ? `${studentVocab.toLocaleString('en')} tokens; ` : ''}info.studentVocab)`;
  if (method === 'mlm-only') out.temperature = 'mlm-only has no KL term';
  if (!IS_REDUCE.includes(method)) out.reduceGroup = `only reduce and reduce-map group piece logits; ${method} does not`;
  if (method !== 'reduce-map') out.reduceMapScore = `only reduce-map scores teacher entries; ${method} does not`;
  if (method !== 'match') out.matchWordBounded = `only match searches token pairs; ${method} does not`;
  if (method !== 'glmd') {
    out.glmdKeepRatio = `only glmd compresses the vocabulary; ${method} does not`;
    out.glmdProtected = `only glmd compresses the vocabulary; ${method} does not`;
    out.glmdDivideBy = `only glmd's KL uses it; ${method} does not`;
  }
  return out;
}

/** The recipe as the run used it (see `EffectiveRecipe`); pure, the recipe is not modified. */
export function effectiveRecipe(recipe: Recipe, info?: { studentVocab: number }): EffectiveRecipe {
  const ignored = ignoredFields(recipe.method, info?.studentVocab, recipe.studentTokenizer);
  const { student, ...top } = recipe;
  const out: Record<string, unknown> = {
    ...top, weights: { ...recipe.weights }, glmdProtected: [...recipe.glmdProtected], benchmarks: { ...recipe.benchmarks, tasks: [...recipe.benchmarks.tasks] },
  };
  const st: Record<string, unknown> = { ...student };
  for (const path of Object.keys(ignored)) {
    if (path.startsWith('student.')) delete st[path.slice('student.'.length)];
    else delete out[path];
  }
  return { ...out, student: st, ignored } as EffectiveRecipe;
}
