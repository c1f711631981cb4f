/**
 * The page's side of recipe links (recipeUrl.ts is the format): the link the page was opened with (read once from
 * `location.hash`; it opens its run kind's tab, a damaged one becomes a page error), the corpus each form shows (the
 * corpus pickers report it), the teacher the Distill tab uses, and the URL of a form's recipe. Pasting another link
 * into the address bar reloads the page with it.
 */
import { actions, useWorkbench } from '../store/index.ts';
import type { RunKind } from '../worker/protocol.ts';
import type { MlmRunConfig } from '../train/runConfig.ts';
import type { Recipe } from '../distill/types.ts';
import { validateRecipe } from '../distill/recipe.ts';
import type { RunRecord } from '../store/runs.ts';
import { EMBEDDED_CORPORA } from '../data/corpus.ts';
import { EMBEDDED_TASKS } from '../eval/tasks.ts';
import { SHIPPED_TEACHERS, startTeacher } from './models.ts';
import { RECIPE_PARAM, recipeFromHash, recipeHash, SHIPPED_TEACHER_ID, type CorpusRef, type DecodedLink, type RecipeLink, type TeacherRef } from './recipeUrl.ts';

/** Query parameters a recipe link replaces (urlParams.ts reads them as run defaults). */
const RUN_PARAMS = ['preset', 'steps', 'lr', 'evalEvery', 'seed', 'tab'];

/** What a form knows of its recipe; the page adds the corpus and, for a distillation, the teacher. */
export type LinkDraft =
  | { kind: 'pretrain'; config: MlmRunConfig; tokenizer: 'train' | 'tokenizers-tab' }
  | { kind: 'distill'; recipe: Recipe };

const hash = globalThis.location?.hash ?? '';

/** The recipe the page was opened with (null: none in the URL). Settles once; never rejects. */
export const openedLink: Promise<DecodedLink | null> = recipeFromHash(hash).then((d) => {
  if (d?.link) actions.setTab(d.link.kind === 'pretrain' ? 'train' : 'distill');
  else if (d) d.problems.forEach((p) => actions.addError(`Recipe link: ${p.field}: ${p.message}`));
  return d;
}, () => null);

globalThis.addEventListener?.('hashchange', () => {
  if (new URLSearchParams(location.hash.slice(1)).has(RECIPE_PARAM)) location.reload();
});

const formCorpus: Record<RunKind, CorpusRef> = { pretrain: { embedded: EMBEDDED_CORPORA[0].id }, distill: { embedded: EMBEDDED_CORPORA[0].id } };

/** The corpus pickers report what their form shows (an embedded corpus, or a file by name). */
export function noteFormCorpus(kind: RunKind, corpus: CorpusRef): void {
  formCorpus[kind] = corpus;
}

/** The Distill tab's teacher as a link names it: a shipped one by id (the default when none is loaded), or a folder by name. */
function currentTeacher(): TeacherRef {
  const name = useWorkbench.getState().models.teacher?.name;
  if (!name) return { shipped: SHIPPED_TEACHER_ID };
  const shipped = SHIPPED_TEACHERS.find((t) => t.name === name);
  return shipped ? { shipped: shipped.id } : { folder: name };
}

/** The shipped teacher this page loads at start (`?teacher=`), or null. */
const startingTeacher = () => startTeacher(new URLSearchParams(location.search).get('teacher'));

export function completeLink(draft: LinkDraft): RecipeLink {
  const corpus = formCorpus[draft.kind];
  return draft.kind === 'pretrain' ? { ...draft, corpus } : { ...draft, corpus, teacher: currentTeacher() };
}

/** This page's URL with a recipe hash (backend and other page options kept, run parameters dropped). */
export function urlWithRecipe(hash: string): string {
  const url = new URL(location.href);
  for (const p of RUN_PARAMS) url.searchParams.delete(p);
  url.hash = hash;
  return url.href;
}

/** Copy link's URL; a distillation from another shipped teacher also asks the opened page to load it (`?teacher=`). */
export async function recipeLinkUrl(draft: LinkDraft): Promise<string> {
  const link = completeLink(draft);
  const url = new URL(urlWithRecipe(await recipeHash(link)));
  if (link.kind === 'distill' && 'shipped' in link.teacher && link.teacher.shipped !== SHIPPED_TEACHER_ID) url.searchParams.set('teacher', link.teacher.shipped);
  return url.href;
}

/** The recipe link of a run record as it starts (the forms' corpus, the loaded teacher); null for an invalid recipe. */
export async function recordLink(r: RunRecord): Promise<string | null> {
  if (r.kind === 'pretrain') return recipeHash(completeLink({ kind: 'pretrain', config: r.config, tokenizer: r.tokenizer }));
  return r.recipe ? recipeHash(completeLink({ kind: 'distill', recipe: validateRecipe(r.recipe) })) : null;
}

/** What an opened link expects the user to provide (files are named, never embedded). */
export function linkExpects(link: RecipeLink): string[] {
  const out: string[] = [];
  if ('file' in link.corpus) out.push(`the corpus file "${link.corpus.file}": choose it as the corpus file`);
  if (link.kind === 'pretrain' && link.tokenizer === 'tokenizers-tab') out.push("the Tokenizers tab's student vocabulary: train or import it there");
  if (link.kind === 'distill' && link.recipe.studentTokenizer === 'tokenizers-tab') out.push("the Tokenizers tab's student vocabulary: train or import it there");
  if (link.kind === 'distill' && 'folder' in link.teacher) out.push(`the teacher "${link.teacher.folder}": load its folder in the Models tab`);
  if (link.kind === 'distill' && 'shipped' in link.teacher && link.teacher.shipped !== startingTeacher()) out.push(`the shipped teacher "${link.teacher.shipped}": load it in the Models tab`);
  const given = link.kind === 'distill' ? (link.recipe.benchmarks?.tasks ?? []).filter((t) => !EMBEDDED_TASKS.some((e) => e.id === t)) : [];
  for (const t of given) out.push(`the benchmark task "${t}": give its files under the recipe's benchmarks`);
  return out;
}
