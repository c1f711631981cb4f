// Checks src/distill/recipe.ts: the per-method defaults against methods.md (items 14, 19, 22, 28), filling of partial
// JSON, every error branch with its message, and the JSON round trip.
import { describe, expect, it } from 'vitest';
import { defaultRecipe, effectiveRecipe, fixesVocabulary, ignoredFields, MIN_USEFUL_TEMPERATURE, recipeToJson, RecipeError, recipeWarnings, requireStudentTokenizer, validateRecipe } from './recipe.ts';
import { METHODS, type Method } from './types.ts';

const A_METHODS: Method[] = ['reduce', 'reduce-map', 'match', 'kd-full'];

function errorOf(input: unknown): RecipeError {
  try {
    validateRecipe(input);
  } catch (e) {
    expect(e).toBeInstanceOf(RecipeError);
    expect((e as Error).name).toBe('RecipeError');
    return e as RecipeError;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('defaultRecipe', () => {
  it.each(A_METHODS)('item 14 / A.6: %s uses T 2, 2.0·KL + 0.5·MLM, AdamW 5e-4, wd 0, clip 5, 5 %% warmup', (m) => {
    const r = defaultRecipe(m);
    expect(r).toMatchObject({
      method: m, temperature: 2, weights: { kl: 2, mlm: 0.5, mse: 0 }, lr: 5e-4, weightDecay: 0, clipNorm: 5, warmupFrac: 0.05,
      decay: 'linear', minLrFrac: 0, reduceGroup: 'sum', reduceMapScore: 'logsumexp', matchWordBounded: false,
    });
  });

  it('items 19, 22, 28: glmd uses T 15, KL only, lr 4e-4, wd 0.1, clip 1, cosine to 5 %, r 0.5, divide by all positions', () => {
    expect(defaultRecipe('glmd')).toMatchObject({
      temperature: 15, weights: { kl: 1, mlm: 0, mse: 0 }, lr: 4e-4, weightDecay: 0.1, clipNorm: 1, warmupFrac: 0.05,
      decay: 'cosine', minLrFrac: 0.05, glmdKeepRatio: 0.5, glmdDivideBy: 'all', glmdProtected: [],
    });
  });

  it('mlm-only: weights 0 / 1 / 0; every method shares the browser-scale student and run sizes; students start from the teacher except GLMD\'s', () => {
    expect(defaultRecipe('mlm-only').weights).toEqual({ kl: 0, mlm: 1, mse: 0 });
    for (const m of METHODS) {
      const r = defaultRecipe(m);
      expect(r.student).toEqual({ vocabSize: 4000, numLayers: 2, hiddenSize: 128, numHeads: 2, intermediateSize: 512, init: m === 'glmd' ? 'scratch' : 'teacher' });
      expect(r).toMatchObject({ steps: 300, batchSize: 16, seqLen: 64, accumulation: 1, seed: 42, logEvery: 5, evalEvery: 100, evalMaskings: 4, checkpointEvery: 100, maskProb: 0.15 });
    }
  });

  it('every default passes the validator unchanged, and defaults are fresh objects', () => {
    for (const m of METHODS) expect(validateRecipe(defaultRecipe(m))).toEqual(defaultRecipe(m));
    const a = defaultRecipe('reduce');
    a.student.hiddenSize = 999;
    a.glmdProtected.push('x');
    expect(defaultRecipe('reduce').student.hiddenSize).toBe(128);
    expect(defaultRecipe('reduce').glmdProtected).toEqual([]);
  });

  it('an unknown method lists the six', () => {
    expect(() => defaultRecipe('distil' as Method)).toThrow('method must be one of reduce, reduce-map, match, glmd, mlm-only, kd-full; got "distil"');
  });
});

describe('validateRecipe: filling', () => {
  it('fills the defaults of the given method, weights and student field by field', () => {
    const r = validateRecipe({ method: 'glmd', steps: 50, weights: { mlm: 0.5 }, student: { numLayers: 4 } });
    expect(r).toEqual({ ...defaultRecipe('glmd'), steps: 50, weights: { kl: 1, mlm: 0.5, mse: 0 }, student: { ...defaultRecipe('glmd').student, numLayers: 4 } });
  });

  it('keeps optional fields: embeddingSize with scratch init; null embeddingSize = absent', () => {
    expect(validateRecipe({ method: 'glmd', student: { embeddingSize: 64 } }).student.embeddingSize).toBe(64);
    const r = validateRecipe({ method: 'reduce', student: { embeddingSize: null, init: 'teacher' } });
    expect('embeddingSize' in r.student).toBe(false);
  });

  it('returns copies: mutating the result does not touch the input', () => {
    const input = { method: 'glmd', glmdProtected: ['yes', 'no'], student: { numLayers: 3 } };
    const r = validateRecipe(input);
    r.glmdProtected.push('maybe');
    r.student.numLayers = 9;
    expect(input.glmdProtected).toEqual(['yes', 'no']);
    expect(input.student.numLayers).toBe(3);
  });

  it('accepts the edges of every range', () => {
    const ok = [
      { temperature: 100 }, { temperature: 1e-3 }, { glmdKeepRatio: 1 }, { steps: 1 }, { steps: 1_000_000 }, { batchSize: 1024 }, { seqLen: 8 }, { seqLen: 512 },
      { lr: 1 }, { warmupFrac: 0 }, { warmupFrac: 1 }, { minLrFrac: 1 }, { weightDecay: 1 }, { clipNorm: 0 }, { accumulation: 1024 }, { seed: 0 }, { seed: 2 ** 32 - 1 },
      { evalEvery: 0 }, { checkpointEvery: 0 }, { maskProb: 0.9 }, { weights: { kl: 100, mlm: 0, mse: 0.1 } },
      { student: { vocabSize: 100 } }, { student: { vocabSize: 200_000 } }, { student: { numLayers: 24, hiddenSize: 96, numHeads: 12 } },
      { student: { init: 'fvt' } }, { reduceGroup: 'mean', reduceMapScore: 'sum', glmdDivideBy: 'non-pad', decay: 'constant', matchWordBounded: true },
    ];
    for (const o of ok) expect(() => validateRecipe({ method: 'reduce', ...o })).not.toThrow();
  });
});

describe('validateRecipe: every error branch names the field, the rule and the value', () => {
  it('not an object; unknown method; missing method', () => {
    expect(errorOf(null).message).toBe('recipe must be an object; got null');
    expect(errorOf([1]).message).toBe('recipe must be an object; got [1]');
    expect(errorOf({ method: 'reduce-match' }).message).toBe('method must be one of "reduce", "reduce-map", "match", "glmd", "mlm-only", "kd-full"; got "reduce-match"');
    expect(errorOf({}).message).toBe('method must be one of "reduce", "reduce-map", "match", "glmd", "mlm-only", "kd-full"; got nothing');
  });

  it('unknown keys list the known ones (top level, weights, student)', () => {
    expect(errorOf({ method: 'reduce', temprature: 2 }).message).toBe(
      'temprature is not a recipe field; known fields: method, temperature, weights, reduceGroup, reduceMapScore, matchWordBounded, glmdKeepRatio, glmdProtected, glmdDivideBy, student, steps, batchSize, seqLen, lr, warmupFrac, decay, minLrFrac, weightDecay, clipNorm, accumulation, seed, logEvery, evalEvery, evalMaskings, checkpointEvery, maskProb, mlmSmoothing, studentTokenizer, benchmarks',
    );
    expect(errorOf({ method: 'reduce', weights: { ce: 1 } }).message).toBe('weights.ce is not a recipe field; known fields of weights: kl, mlm, mse');
    expect(errorOf({ method: 'reduce', student: { layers: 3 } }).message).toBe(
      'student.layers is not a recipe field; known fields of student: vocabSize, numLayers, hiddenSize, numHeads, intermediateSize, init, embeddingSize',
    );
    expect(errorOf({ method: 'reduce', weights: 2 }).message).toBe('weights must be an object; got 2');
    expect(errorOf({ method: 'reduce', student: 'tiny' }).message).toBe('student must be an object; got "tiny"');
  });

  it('"student": null and "weights": null are errors, not the defaults (issue 17 §4); absent objects are the defaults', () => {
    expect(errorOf({ method: 'reduce', student: null }).message).toBe('student must be an object (or absent for the defaults); got null');
    expect(errorOf({ method: 'reduce', weights: null }).message).toBe('weights must be an object (or absent for the defaults); got null');
    expect(errorOf({ method: 'reduce', student: null })).toBeInstanceOf(RecipeError);
    expect(validateRecipe({ method: 'reduce' }).student).toEqual(defaultRecipe('reduce').student);
  });

  it.each([
    ['temperature', 0, 'a number in (0, 100]'],
    ['temperature', 100.5, 'a number in (0, 100]'],
    ['temperature', '2', 'a number in (0, 100]'],
    ['glmdKeepRatio', 0, 'a number in (0, 1]'],
    ['glmdKeepRatio', 1.5, 'a number in (0, 1]'],
    ['steps', 0, 'an integer in [1, 1000000]'],
    ['steps', 10.5, 'an integer in [1, 1000000]'],
    ['batchSize', 1025, 'an integer in [1, 1024]'],
    ['seqLen', 7, 'an integer in [8, 512]'],
    ['seqLen', 513, 'an integer in [8, 512]'],
    ['lr', 0, 'a number in (0, 1]'],
    ['lr', Number.NaN, 'a number in (0, 1]'],
    ['warmupFrac', -0.1, 'a number in [0, 1]'],
    ['minLrFrac', 1.1, 'a number in [0, 1]'],
    ['weightDecay', -1, 'a number in [0, 1]'],
    ['clipNorm', -1, 'a number in [0, 1000000]'],
    ['accumulation', 0, 'an integer in [1, 1024]'],
    ['seed', -1, 'an integer in [0, 4294967295]'],
    ['seed', 1.5, 'an integer in [0, 4294967295]'],
    ['logEvery', 0, 'an integer in [1, 10000]'],
    ['evalEvery', -5, 'an integer in [0, 1000000]'],
    ['checkpointEvery', 2.5, 'an integer in [0, 1000000]'],
    ['maskProb', 0, 'a number in [0.01, 0.9]'],
    ['maskProb', 0.95, 'a number in [0.01, 0.9]'],
    ['mlmSmoothing', 2.5, 'a number in [-2, 2]'],
  ])('%s = %s → must be %s', (field, value, rule) => {
    const shown = typeof value === 'string' ? `"${value}"` : String(value);
    expect(errorOf({ method: 'reduce', [field]: value }).message).toBe(`${field} must be ${rule}; got ${shown}`);
  });

  it('choices and booleans', () => {
    expect(errorOf({ method: 'reduce', reduceGroup: 'max' }).message).toBe('reduceGroup must be one of "sum", "mean"; got "max"');
    expect(errorOf({ method: 'reduce', reduceMapScore: 'mean' }).message).toBe('reduceMapScore must be one of "sum", "logsumexp"; got "mean"');
    expect(errorOf({ method: 'glmd', glmdDivideBy: 'pad' }).message).toBe('glmdDivideBy must be one of "all", "non-pad"; got "pad"');
    expect(errorOf({ method: 'glmd', decay: 'step' }).message).toBe('decay must be one of "cosine", "linear", "constant"; got "step"');
    expect(errorOf({ method: 'match', matchWordBounded: 'yes' }).message).toBe('matchWordBounded must be true or false; got "yes"');
    expect(errorOf({ method: 'reduce', student: { init: 'random' } }).message).toBe('student.init must be one of "scratch", "teacher", "fvt"; got "random"');
  });

  it('item 23: glmdProtected is a list of distinct non-empty strings', () => {
    expect(errorOf({ method: 'glmd', glmdProtected: 'yes' }).message).toBe('glmdProtected must be a list of non-empty token strings; got "yes"');
    expect(errorOf({ method: 'glmd', glmdProtected: ['yes', ''] }).message).toBe('glmdProtected must be a list of non-empty token strings; got ["yes",""]');
    expect(errorOf({ method: 'glmd', glmdProtected: ['yes', 3] }).message).toBe('glmdProtected must be a list of non-empty token strings; got ["yes",3]');
    expect(errorOf({ method: 'glmd', glmdProtected: ['yes', 'no', 'yes'] }).message).toBe('glmdProtected must be a list without repeats; got "yes"');
  });

  it('item 14: weights are numbers in [0, 100], not all 0, and fit the method', () => {
    expect(errorOf({ method: 'reduce', weights: { kl: -1 } }).message).toBe('weights.kl must be a number in [0, 100]; got -1');
    expect(errorOf({ method: 'reduce', weights: { mlm: 101 } }).message).toBe('weights.mlm must be a number in [0, 100]; got 101');
    expect(errorOf({ method: 'reduce', weights: { mse: null } }).message).toBe('weights.mse must be a number in [0, 100]; got null');
    expect(errorOf({ method: 'reduce', weights: { kl: 0, mlm: 0, mse: 0 } }).message).toBe('weights must be not all 0 (give kl, mlm or mse a positive weight); got {"kl":0,"mlm":0,"mse":0}');
    expect(errorOf({ method: 'match', weights: { kl: 0 } }).message).toBe('weights.kl must be > 0 for method "match" (with no KL term it is "mlm-only"); got 0');
    expect(errorOf({ method: 'mlm-only', weights: { kl: 1 } }).message).toBe('weights.kl must be 0 for method "mlm-only" (no teacher; pick a distillation method for KL); got 1');
    expect(errorOf({ method: 'mlm-only', weights: { mse: 0.1 } }).message).toBe('weights.mse must be 0 for method "mlm-only" (no teacher; pick a distillation method for MSE); got 0.1');
    expect(errorOf({ method: 'mlm-only', weights: { mlm: 0, mse: 0 } }).message).toBe('weights must be not all 0 (give kl, mlm or mse a positive weight); got {"kl":0,"mlm":0,"mse":0}');
  });

  it('item 19: glmd has no hidden-state term; an MLM weight is allowed', () => {
    expect(errorOf({ method: 'glmd', weights: { mse: 0.1 } }).message).toBe('weights.mse must be 0 for method "glmd" (GLMD has no hidden-state term, item 19); got 0.1');
    expect(validateRecipe({ method: 'glmd', weights: { mlm: 0.5 } }).weights).toEqual({ kl: 1, mlm: 0.5, mse: 0 });
    expect(validateRecipe({ method: 'reduce', weights: { mse: 0.1 } }).weights).toEqual({ kl: 2, mlm: 0.5, mse: 0.1 });
  });

  it('student sizes and their cross-checks', () => {
    const s = (student: object, method: Method = 'reduce') => errorOf({ method, student }).message;
    expect(s({ vocabSize: 99 })).toBe('student.vocabSize must be an integer in [100, 200000]; got 99');
    expect(s({ vocabSize: 200_001 })).toBe('student.vocabSize must be an integer in [100, 200000]; got 200001');
    expect(s({ numLayers: 0 })).toBe('student.numLayers must be an integer in [1, 24]; got 0');
    expect(s({ numLayers: 25 })).toBe('student.numLayers must be an integer in [1, 24]; got 25');
    expect(s({ hiddenSize: 4 })).toBe('student.hiddenSize must be an integer in [8, 4096]; got 4');
    expect(s({ numHeads: 0 })).toBe('student.numHeads must be an integer in [1, 64]; got 0');
    expect(s({ intermediateSize: 1.5 })).toBe('student.intermediateSize must be an integer in [1, 16384]; got 1.5');
    expect(s({ embeddingSize: 0 })).toBe('student.embeddingSize must be an integer in [1, 4095]; got 0');
    expect(s({ hiddenSize: 130, numHeads: 4 })).toBe('student.hiddenSize must be divisible by student.numHeads (4); got 130');
    expect(s({ embeddingSize: 128 })).toBe('student.embeddingSize must be < student.hiddenSize (128), or absent for unfactorised embeddings; got 128');
    expect(validateRecipe({ method: 'reduce', student: { embeddingSize: 64 } }).student.init).toBe('scratch'); // no init named: not the teacher default
    expect(s({ embeddingSize: 64, init: 'teacher' })).toBe('student.init must be "scratch" when student.embeddingSize is set (the teacher has no factorised table to copy); got "teacher"');
    expect(s({ init: 'teacher' }, 'glmd')).toBe('student.init must be "scratch" for method "glmd" (its kept rows have no σ map to a teacher split; B.2 starts from random init); got "teacher"');
    expect(s({ init: 'fvt' }, 'kd-full')).toBe('student.init must be "scratch" or "teacher" for method "kd-full" (the student shares the teacher\'s vocabulary, FVT has nothing to transfer); got "fvt"');
    expect(validateRecipe({ method: 'kd-full', student: { init: 'teacher' } }).student.init).toBe('teacher');
  });
});

describe('recipeToJson', () => {
  it('round-trips every default and a customised recipe through validateRecipe', () => {
    for (const m of METHODS) {
      const r = defaultRecipe(m);
      expect(validateRecipe(JSON.parse(recipeToJson(r)))).toEqual(r);
    }
    const custom = validateRecipe({
      method: 'glmd', temperature: 10, glmdProtected: ['yes', 'no'], glmdKeepRatio: 0.25, student: { embeddingSize: 32, numLayers: 3 }, seed: 7, decay: 'linear',
    });
    const text = recipeToJson(custom);
    expect(text).toContain('\n  "method": "glmd"');
    expect(validateRecipe(JSON.parse(text))).toEqual(custom);
  });
});

describe('effectiveRecipe (issue 19: the recorded recipe is the one the run used)', () => {
  const IGNORED: Record<Method, string[]> = {
    reduce: ['reduceMapScore', 'matchWordBounded', 'glmdKeepRatio', 'glmdProtected', 'glmdDivideBy'],
    'reduce-map': ['matchWordBounded', 'glmdKeepRatio', 'glmdProtected', 'glmdDivideBy'],
    match: ['reduceGroup', 'reduceMapScore', 'glmdKeepRatio', 'glmdProtected', 'glmdDivideBy'],
    glmd: ['student.vocabSize', 'reduceGroup', 'reduceMapScore', 'matchWordBounded'],
    'mlm-only': ['temperature', 'reduceGroup', 'reduceMapScore', 'matchWordBounded', 'glmdKeepRatio', 'glmdProtected', 'glmdDivideBy'],
    'kd-full': ['student.vocabSize', 'reduceGroup', 'reduceMapScore', 'matchWordBounded', 'glmdKeepRatio', 'glmdProtected', 'glmdDivideBy'],
  };

  it.each(METHODS)('%s: the fields it ignores are absent and listed with a reason; the rest are kept', (m) => {
    const r = validateRecipe({ method: m, student: { vocabSize: 4000 } });
    const e = effectiveRecipe(r, { studentVocab: 1024 });
    expect(Object.keys(e.ignored).sort()).toEqual([...IGNORED[m]].sort());
    for (const path of IGNORED[m]) {
      const [a, b] = path.split('.');
      expect(b === undefined ? a in e : b in (e as unknown as Record<string, object>)[a], path).toBe(false);
      expect(e.ignored[path as keyof typeof e.ignored], path).toMatch(/\w/);
    }
    const kept = { ...r } as Record<string, unknown>;
    for (const path of IGNORED[m]) if (!path.includes('.')) delete kept[path];
    const { ignored, student, ...top } = e;
    expect(ignored).toBeDefined();
    expect(top).toEqual(Object.fromEntries(Object.entries(kept).filter(([k]) => k !== 'student')));
    expect(student).toEqual(IGNORED[m].includes('student.vocabSize') ? Object.fromEntries(Object.entries(r.student).filter(([k]) => k !== 'vocabSize')) : r.student);
    expect(r.student.vocabSize).toBe(4000); // the input is not modified
  });

  it('glmd and kd-full do not report student.vocabSize as used; the reason names the real size', () => {
    for (const m of ['glmd', 'kd-full'] as const) {
      const e = effectiveRecipe(validateRecipe({ method: m, student: { vocabSize: 4000 } }), { studentVocab: 8064 });
      expect(e.student.vocabSize).toBeUndefined();
      expect(JSON.stringify(e)).not.toMatch(/"vocabSize":\s*4000/);
      expect(e.ignored['student.vocabSize']).toContain('8,064');
    }
    expect(ignoredFields('glmd')['student.vocabSize']).toMatch(/^glmd uses the teacher's most frequent K tokens/);
    expect(ignoredFields('kd-full')['student.vocabSize']).toMatch(/^kd-full keeps the teacher's vocabulary/);
    for (const m of ['reduce', 'reduce-map', 'match', 'mlm-only'] as const) expect(effectiveRecipe(defaultRecipe(m)).student.vocabSize).toBe(4000);
  });

  it('validates back: ignored fields take their defaults, `ignored` is dropped; a malformed `ignored` is refused', () => {
    for (const m of METHODS) {
      const r = validateRecipe({ method: m, temperature: 3, reduceGroup: 'mean', reduceMapScore: 'sum', matchWordBounded: true, glmdKeepRatio: 0.25, glmdProtected: ['x'], glmdDivideBy: 'non-pad', student: { vocabSize: 900 } });
      const back = validateRecipe(JSON.parse(JSON.stringify(effectiveRecipe(r))));
      const d = defaultRecipe(m) as unknown as Record<string, unknown>;
      const want = { ...r, student: { ...r.student } } as unknown as Record<string, unknown> & { student: Record<string, unknown> };
      for (const path of IGNORED[m]) {
        if (path === 'student.vocabSize') want.student.vocabSize = (d.student as Record<string, unknown>).vocabSize;
        else want[path] = d[path];
      }
      expect(back, m).toEqual(want);
    }
    expect(errorOf({ method: 'glmd', ignored: 'student.vocabSize' }).message).toBe('ignored must be an object of strings (field → why the method ignores it); got "student.vocabSize"');
    expect(errorOf({ method: 'glmd', ignored: { 'student.vocabSize': 4000 } }).message).toMatch(/^ignored must be an object of strings/);
  });
});

describe('studentTokenizer (issue 11: the Tokenizers tab\'s student can be the distillation\'s)', () => {
  it('defaults to "train"; "tokenizers-tab" is accepted for the own-vocabulary methods only, with a named error for glmd / kd-full', () => {
    for (const m of METHODS) expect(defaultRecipe(m).studentTokenizer).toBe('train');
    for (const m of ['reduce', 'reduce-map', 'match', 'mlm-only'] as const) expect(validateRecipe({ method: m, studentTokenizer: 'tokenizers-tab' }).studentTokenizer).toBe('tokenizers-tab');
    expect(errorOf({ method: 'reduce', studentTokenizer: 'tab' }).message).toBe('studentTokenizer must be one of "train", "tokenizers-tab"; got "tab"');
    expect(errorOf({ method: 'glmd', studentTokenizer: 'tokenizers-tab' }).message).toBe('studentTokenizer must be "train" for method "glmd" (its vocabulary is the teacher\'s most frequent K tokens); got "tokenizers-tab"');
    expect(errorOf({ method: 'kd-full', studentTokenizer: 'tokenizers-tab' }).message).toBe('studentTokenizer must be "train" for method "kd-full" (the student keeps the teacher\'s vocabulary); got "tokenizers-tab"');
    expect(fixesVocabulary('glmd') && fixesVocabulary('kd-full')).toBe(true);
    expect(METHODS.filter(fixesVocabulary)).toEqual(['glmd', 'kd-full']);
  });

  it('requireStudentTokenizer: a recipe naming the tab needs a vocabulary there (RecipeError naming the field); "train" never does', () => {
    const tab = validateRecipe({ method: 'reduce', studentTokenizer: 'tokenizers-tab' });
    expect(() => requireStudentTokenizer(tab, true)).not.toThrow();
    expect(() => requireStudentTokenizer(defaultRecipe('reduce'), false)).not.toThrow();
    let err: unknown;
    try {
      requireStudentTokenizer(tab, false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecipeError);
    expect((err as Error).message).toBe('studentTokenizer must be "train" when the Tokenizers tab has no vocabulary (train or import one there first); got "tokenizers-tab"');
  });

  it('with the tab\'s tokenizer, student.vocabSize is ignored (its reason names the real size); the recorded recipe validates back', () => {
    const r = validateRecipe({ method: 'match', studentTokenizer: 'tokenizers-tab', student: { vocabSize: 4000 } });
    const e = effectiveRecipe(r, { studentVocab: 600 });
    expect(e.student.vocabSize).toBeUndefined();
    expect(e.ignored['student.vocabSize']).toBe("the student's vocabulary is the Tokenizers tab's student tokenizer (600 tokens; info.studentVocab)");
    expect(e.studentTokenizer).toBe('tokenizers-tab');
    expect(validateRecipe(JSON.parse(JSON.stringify(e)))).toEqual({ ...r, student: { ...r.student, vocabSize: defaultRecipe('match').student.vocabSize } });
    expect(ignoredFields('glmd', 8064, 'tokenizers-tab')['student.vocabSize']).toMatch(/^glmd uses the teacher's most frequent K tokens/);
  });
});

describe('benchmarks (issue 13 item 5: the recipe lists the scores taken at evaluation points)', () => {
  it('defaults: intrinsic on, no task, a 25 % share cap; given fields fill over the defaults field by field', () => {
    expect(defaultRecipe('reduce').benchmarks).toEqual({ tasks: [], intrinsic: true, maxTexts: 20, maxShare: 0.25, probe: 'linear', maxTrain: 300, maxTest: 150 });
    const r = validateRecipe({ method: 'reduce', benchmarks: { tasks: ['en-pos'], maxShare: 0.5 } });
    expect(r.benchmarks).toEqual({ tasks: ['en-pos'], intrinsic: true, maxTexts: 20, maxShare: 0.5, probe: 'linear', maxTrain: 300, maxTest: 150 });
    expect(validateRecipe(JSON.parse(recipeToJson(r)))).toEqual(r);
  });

  it('every bad field is named with the rule and the value', () => {
    const bad = (benchmarks: unknown) => () => validateRecipe({ method: 'reduce', benchmarks });
    expect(bad(null)).toThrow('benchmarks must be an object; got null');
    expect(bad({ task: [] })).toThrow(/benchmarks\.task is not a recipe field; known fields of benchmarks: tasks, intrinsic/);
    expect(bad({ tasks: 'en-pos' })).toThrow('benchmarks.tasks must be a list of task names or task-file paths; got "en-pos"');
    expect(bad({ tasks: ['en-pos', ''] })).toThrow('benchmarks.tasks must be a list of task names');
    expect(bad({ tasks: ['en-pos', 'en-pos'] })).toThrow('benchmarks.tasks must be a list without repeats; got "en-pos"');
    expect(bad({ maxShare: 0 })).toThrow('benchmarks.maxShare must be a number in (0, 0.9]; got 0');
    expect(bad({ maxShare: 0.95 })).toThrow('benchmarks.maxShare must be a number in (0, 0.9]; got 0.95');
    expect(bad({ maxTrain: 2.5 })).toThrow('benchmarks.maxTrain must be an integer in [1, 100000]; got 2.5');
    expect(bad({ probe: 'mlp' })).toThrow('benchmarks.probe must be one of "linear", "finetune"; got "mlp"');
    expect(bad({ intrinsic: 'yes' })).toThrow('benchmarks.intrinsic must be true or false; got "yes"');
  });

  it('the effective recipe keeps its own copy of the benchmarks', () => {
    const r = validateRecipe({ method: 'match', benchmarks: { tasks: ['en-spam'] } });
    const e = effectiveRecipe(r);
    expect(e.benchmarks).toEqual(r.benchmarks);
    expect(e.benchmarks.tasks).not.toBe(r.benchmarks.tasks);
  });
});

describe('recipeWarnings: valid but probably unmeant (both hosts show them)', () => {
  it('a temperature that makes KL × T² vanish is a warning naming T² and the KL weight; 0.1 and up are not', () => {
    const w = recipeWarnings(validateRecipe({ method: 'reduce', temperature: 0.01 }));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^temperature 0\.01 scales the KL term by T² = 0\.00010: the KL loss vanishes \(weights\.kl 2 has no effect\)/);
    expect(recipeWarnings(validateRecipe({ method: 'glmd', temperature: 0.05 }))[0]).toMatch(/weights\.kl 1 has no effect/);
    expect(recipeWarnings(validateRecipe({ method: 'reduce', temperature: MIN_USEFUL_TEMPERATURE }))).toEqual([]);
    expect(recipeWarnings(validateRecipe({ method: 'reduce' }))).toEqual([]);
  });

  it('no warning where the temperature is not used (mlm-only has no KL term)', () => {
    expect(recipeWarnings(validateRecipe({ method: 'mlm-only', temperature: 0.01 }))).toEqual([]);
  });
});

describe('recipeWarnings: a Tokenizers-tab student whose case handling differs from the teacher\'s (issue 15)', () => {
  const tab = (method: string) => validateRecipe({ method, studentTokenizer: method === 'glmd' ? 'train' : 'tokenizers-tab' });
  it('warns both ways, names the cure, and says nothing when they agree', () => {
    const lowerTeacher = recipeWarnings(tab('reduce'), { teacher: { lowercase: true }, student: { lowercase: false } });
    expect(lowerTeacher).toHaveLength(1);
    expect(lowerTeacher[0]).toMatch(/^the teacher's tokenizer lower-cases and the student's .* keeps case/);
    const lowerStudent = recipeWarnings(tab('match'), { teacher: { lowercase: false }, student: { lowercase: true } });
    expect(lowerStudent[0]).toMatch(/^the student's tokenizer .* lower-cases and the teacher's keeps case/);
    expect(recipeWarnings(tab('reduce'), { teacher: { lowercase: true }, student: { lowercase: true } })).toEqual([]);
    // No normalizer at all keeps case, like lowercase: false.
    expect(recipeWarnings(tab('reduce'), { teacher: null, student: { lowercase: false } })).toEqual([]);
    expect(recipeWarnings(tab('reduce'), { teacher: null, student: { lowercase: true } })).toHaveLength(1);
  });
  it('is silent where the student cannot differ: a trained student (teacher\'s normalizer), glmd, or no tokenizers given', () => {
    expect(recipeWarnings(validateRecipe({ method: 'reduce' }), { teacher: { lowercase: true }, student: { lowercase: false } })).toEqual([]);
    expect(recipeWarnings(tab('glmd'), { teacher: { lowercase: true }, student: { lowercase: false } })).toEqual([]);
    expect(recipeWarnings(tab('reduce'))).toEqual([]);
  });
});
