import { describe, expect, it } from 'vitest';
import { decodeRecipe, diffFrom, encodeRecipe, linkPayload, recipeFromHash, recipeHash, type RecipeLink } from './recipeUrl.ts';
import { DEFAULT_RUN } from '../train/runConfig.ts';
import { defaultRecipe, validateRecipe } from '../distill/recipe.ts';
import { METHODS } from '../distill/types.ts';

/** A payload packed the way encodeRecipe packs it, with any version and content (old, new or broken links). */
async function packText(text: string, version = 1): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return `v${version}.${btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}
const pack = (payload: unknown, version = 1) => packText(JSON.stringify(payload), version);

const pretrain: RecipeLink = {
  kind: 'pretrain',
  config: { ...DEFAULT_RUN, preset: 'tiny', steps: 300, lr: 1e-3, evalEvery: 50, seed: 7, maskProb: 0.2 },
  corpus: { embedded: 'ru-udhr' },
  tokenizer: 'tokenizers-tab',
};
const distill: RecipeLink = {
  kind: 'distill',
  recipe: validateRecipe({ method: 'match', matchWordBounded: true, weights: { kl: 1.5 }, student: { vocabSize: 2000, numLayers: 3, hiddenSize: 96, numHeads: 3 }, steps: 40, seed: 3, decay: 'cosine' }),
  corpus: { file: 'my-corpus.jsonl' },
  teacher: { folder: 'rubert-tiny' },
};

describe('recipe links: round trip', () => {
  it('a pretraining recipe (embedded corpus, the Tokenizers tab student) comes back whole', async () => {
    expect(await decodeRecipe(await encodeRecipe(pretrain))).toEqual({ link: pretrain, problems: [] });
  });

  it('a distillation recipe (a user file, a user teacher folder) comes back whole, the files only named', async () => {
    const value = await encodeRecipe(distill);
    expect(await decodeRecipe(value)).toEqual({ link: distill, problems: [] });
    expect(linkPayload(distill)).toMatchObject({ k: 'd', c: { f: 'my-corpus.jsonl' }, t: { f: 'rubert-tiny' } });
  });

  it('every method with its defaults, the shipped teacher and the default corpus', async () => {
    for (const method of METHODS) {
      const link: RecipeLink = { kind: 'distill', recipe: defaultRecipe(method), corpus: { embedded: 'moby-dick' }, teacher: { shipped: 'teacher-en' } };
      expect(await decodeRecipe(await encodeRecipe(link))).toEqual({ link, problems: [] });
    }
    const ru: RecipeLink = { kind: 'distill', recipe: defaultRecipe('reduce'), corpus: { embedded: 'ru-udhr' }, teacher: { shipped: 'teacher-ru' } };
    expect(linkPayload(ru)).toMatchObject({ t: { s: 'teacher-ru' } });
    expect(await decodeRecipe(await encodeRecipe(ru))).toEqual({ link: ru, problems: [] });
  });

  it('is compact: only the differences from the defaults travel, versioned, URL-safe', async () => {
    expect(linkPayload(pretrain).x).toEqual({ preset: 'tiny', steps: 300, lr: 1e-3, evalEvery: 50, seed: 7, maskProb: 0.2 });
    expect(diffFrom({ a: 1, s: { b: 2, c: 3 }, l: [1] }, { a: 1, s: { b: 2, c: 4 }, l: [1] })).toEqual({ s: { c: 3 } });
    const hash = await recipeHash(distill);
    expect(hash).toMatch(/^#r=v1\.[A-Za-z0-9_-]+$/);
    expect(hash.length).toBeLessThan(260);
    expect(await recipeFromHash(`${hash}&other=1`)).toEqual({ link: distill, problems: [] });
    expect(await recipeFromHash('#tab=distill')).toBeNull();
  });
});

describe('recipe links: bad input names the field and loads the defaults for the rest', () => {
  it('no version prefix', async () => {
    const d = await decodeRecipe('hello');
    expect(d.link).toBeNull();
    expect(d.problems[0].field).toBe('version');
  });

  it('corrupt data: characters outside base64url, bytes that are not deflate, deflate that is not JSON', async () => {
    for (const value of ['v1.@@@', 'v1.AAECAwQFBgcICQ', 'v1.']) {
      const d = await decodeRecipe(value);
      expect(d.link, value).toBeNull();
      expect(d.problems.map((p) => p.field)).toContain('r');
    }
    const notJson = await packText('{"k":"p",');
    expect((await decodeRecipe(notJson)).problems).toEqual([expect.objectContaining({ field: 'r', message: expect.stringContaining('corrupt or truncated') })]);
  });

  it('a truncated link (cut by a chat client)', async () => {
    const value = await encodeRecipe(distill);
    for (const cut of [value.length - 3, Math.floor(value.length / 2), 4]) {
      const d = await decodeRecipe(value.slice(0, cut));
      expect(d.link).toBeNull();
      expect(d.problems[0]).toMatchObject({ field: 'r', message: expect.stringContaining('truncated') });
    }
  });

  it('no run kind', async () => {
    const d = await decodeRecipe(await pack({ k: 'z', x: {} }));
    expect(d).toEqual({ link: null, problems: [expect.objectContaining({ field: 'kind' })] });
  });

  it('an older version: a renamed field and an out-of-range value are named, the rest is kept', async () => {
    const d = await decodeRecipe(await pack({ k: 'd', c: 'moby-dick', x: { method: 'reduce', warmupSteps: 20, steps: 50, student: { numLayers: 99, hiddenSize: 64 } } }, 0));
    expect(d.problems.map((p) => p.field)).toEqual(['version', 'warmupSteps', 'student.numLayers']);
    expect(d.problems[0].message).toMatch(/older/);
    expect(d.link).toMatchObject({ kind: 'distill', recipe: { method: 'reduce', steps: 50, student: { numLayers: 2, hiddenSize: 64 } } });
  });

  it('a pretraining link with an unknown field, a bad preset and a bad number', async () => {
    const d = await decodeRecipe(await pack({ k: 'p', c: 'moby-dick', x: { preset: 'huge', steps: -5, lr: 0.01, batch: 8 } }));
    expect(d.problems.map((p) => p.field)).toEqual(['batch', 'preset', 'steps']);
    expect(d.link).toEqual({ kind: 'pretrain', config: { ...DEFAULT_RUN, lr: 0.01 }, corpus: { embedded: 'moby-dick' }, tokenizer: 'train' });
  });

  it('an unknown method, corpus or teacher, and a cross-field rule, each named', async () => {
    const d = await decodeRecipe(await pack({ k: 'd', c: 'klingon-epic', t: 5, x: { method: 'telepathy', steps: 12 } }));
    expect(d.problems.map((p) => p.field)).toEqual(['method', 'corpus', 'teacher']);
    expect(d.link).toEqual({ kind: 'distill', recipe: { ...defaultRecipe('reduce'), steps: 12 }, corpus: { embedded: 'moby-dick' }, teacher: { shipped: 'teacher-en' } });
    const w = await decodeRecipe(await pack({ k: 'd', c: 'moby-dick', x: { method: 'match', weights: { kl: 0, mlm: 0 }, seed: 9 } }));
    expect(w.problems.map((p) => p.field)).toEqual(['weights']);
    expect(w.link).toMatchObject({ recipe: { method: 'match', weights: { kl: 2, mlm: 0.5 }, seed: 9 } });
  });

  it('a payload without a recipe object loads the defaults of its kind', async () => {
    const d = await decodeRecipe(await pack({ k: 'p', c: 'moby-dick', x: [1, 2] }));
    expect(d).toEqual({ link: { kind: 'pretrain', config: DEFAULT_RUN, corpus: { embedded: 'moby-dick' }, tokenizer: 'train' }, problems: [expect.objectContaining({ field: 'recipe' })] });
  });
});
