import { useState } from 'react';
import { METHODS, type Method, type Recipe } from '../../distill/types.ts';
import { defaultRecipe, fixesVocabulary, ignoredFields, requireStudentTokenizer, validateRecipe } from '../../distill/recipe.ts';
import { METHOD_TEXT, type TermId } from '../glossary.ts';
import { Term } from '../Term.tsx';
import { RecipeLinkControls } from '../RecipeLink.tsx';
import { BenchmarkFields } from './BenchmarkFields.tsx';
import { int } from '../../app/format.ts';

/** Form fields: label and the recipe path they edit. Everything else is reachable through the JSON box. */
const NUMBERS: [string, string][] = [
  ['temperature', 'temperature'], ['KL weight', 'weights.kl'], ['MLM weight', 'weights.mlm'], ['MSE weight', 'weights.mse'],
  ['student vocab', 'student.vocabSize'], ['layers', 'student.numLayers'], ['hidden', 'student.hiddenSize'], ['heads', 'student.numHeads'],
  ['FFN', 'student.intermediateSize'], ['steps', 'steps'], ['batch', 'batchSize'], ['seqLen', 'seqLen'], ['lr', 'lr'],
  ['warmup fraction', 'warmupFrac'], ['seed', 'seed'], ['log every', 'logEvery'], ['eval every', 'evalEvery'], ['eval maskings', 'evalMaskings'],
];
/** Labels with a glossary tooltip. */
const TERM_OF: Record<string, TermId> = { temperature: 'T', 'KL weight': 'wKL', 'MLM weight': 'wMLM', 'MSE weight': 'wMSE' };
const CHOICES: [string, string, readonly string[]][] = [
  ['student init', 'student.init', ['scratch', 'teacher', 'fvt']],
  ['decay', 'decay', ['cosine', 'linear', 'constant']],
];

const getPath = (r: Recipe, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], r);

function setPath(r: Recipe, path: string, value: unknown): Recipe {
  const [head, ...rest] = path.split('.');
  if (!rest.length) return { ...r, [head]: value };
  const inner = (r as unknown as Record<string, Record<string, unknown>>)[head];
  return { ...r, [head]: { ...inner, [rest.join('.')]: value } };
}

/**
 * The recipe validator's verdict on a draft: the recipe, or the named error (`RecipeError: <field> must be …`).
 * `tabStudentSize`: the Tokenizers tab's student (null: none, so a recipe naming it is refused).
 */
export function checkRecipe(draft: unknown, tabStudentSize: number | null): { recipe: Recipe; error: null } | { recipe: null; error: string } {
  try {
    const recipe = validateRecipe(draft);
    requireStudentTokenizer(recipe, tabStudentSize !== null);
    return { recipe, error: null };
  } catch (e) {
    return { recipe: null, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** A pasted recipe: JSON, then `checkRecipe`; the error says which of the two refused it. */
function readRecipeJson(text: string, tabStudentSize: number | null): ReturnType<typeof checkRecipe> {
  try {
    return checkRecipe(JSON.parse(text), tabStudentSize);
  } catch (e) {
    return { recipe: null, error: `not JSON: ${(e as Error).message}` };
  }
}

/** Why the form's student-vocabulary number does not apply to the draft (null: it does). */
export function vocabSizeNote(draft: Recipe, tabStudentSize: number | null): string | null {
  if (fixesVocabulary(draft.method)) return ignoredFields(draft.method)['student.vocabSize']!;
  if (draft.studentTokenizer === 'tokenizers-tab') return `the student is the Tokenizers tab's${tabStudentSize !== null ? ` (${int(tabStudentSize)} tokens)` : ''}`;
  return null;
}

/**
 * The recipe form (method, student tokenizer, temperature, loss weights, student shape and init, schedule, seed)
 * prefilled with the method's defaults (switching method loads its defaults; the benchmarks stay), the benchmarks
 * (BenchmarkFields: intrinsic metrics, tasks, probe, time cap), and a JSON box that shows the recipe for
 * copying and applies a pasted one when it validates (otherwise the error names the field). The student's vocabulary
 * is trained on the corpus (student vocab) or the Tokenizers tab's student; glmd and kd-full fix it themselves, and
 * the form says so instead of offering a number the run would ignore.
 */
export function RecipeForm({ draft, onChange, disabled, tabStudentSize }: { draft: Recipe; onChange(r: Recipe): void; disabled: boolean; tabStudentSize: number | null }) {
  const [jsonText, setJsonText] = useState<string | null>(null);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const edit = (r: Recipe) => { setJsonText(null); setJsonError(null); onChange(r); };
  const note = vocabSizeNote(draft, tabStudentSize);
  const onJson = (text: string) => {
    setJsonText(text);
    const v = readRecipeJson(text, tabStudentSize);
    setJsonError(v.error);
    if (v.recipe) onChange(v.recipe);
  };
  return (
    <>
      <div className="controls">
        <label>
          method
          <select data-testid="distill-method" value={draft.method} disabled={disabled} onChange={(e) => edit({ ...defaultRecipe(e.target.value as Method), benchmarks: draft.benchmarks })}>
            {METHODS.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <RecipeLinkControls kind="distill" draft={() => ({ kind: 'distill', recipe: validateRecipe(draft) })} onOpen={(l) => edit(l.recipe)} />
        <label title={fixesVocabulary(draft.method) ? vocabSizeNote(draft, tabStudentSize)! : undefined}>
          student tokenizer
          <select
            data-testid="distill-field-studentTokenizer"
            value={draft.studentTokenizer}
            disabled={disabled || fixesVocabulary(draft.method)}
            onChange={(e) => edit({ ...draft, studentTokenizer: e.target.value as Recipe['studentTokenizer'] })}
          >
            <option value="train">WordPiece trained on the corpus (student vocab)</option>
            <option value="tokenizers-tab" disabled={tabStudentSize === null}>
              the Tokenizers tab's student{tabStudentSize === null ? ' (train or import one there first)' : ` (${int(tabStudentSize)} tokens)`}
            </option>
          </select>
        </label>
        {CHOICES.map(([label, path, options]) => (
          <label key={path}>
            {label}
            <select data-testid={`distill-field-${path}`} value={String(getPath(draft, path))} disabled={disabled} onChange={(e) => edit(setPath(draft, path, e.target.value))}>
              {options.map((o) => <option key={o}>{o}</option>)}
            </select>
          </label>
        ))}
        {NUMBERS.map(([label, path]) => (
          <label key={path} title={path === 'student.vocabSize' ? note ?? undefined : undefined}>
            {TERM_OF[label] ? <Term id={TERM_OF[label]}>{label}</Term> : label}
            <input
              type="number"
              step="any"
              data-testid={`distill-field-${path}`}
              value={Number.isFinite(getPath(draft, path)) ? String(getPath(draft, path)) : ''}
              disabled={disabled || (path === 'student.vocabSize' && note !== null)}
              onChange={(e) => edit(setPath(draft, path, e.target.value === '' ? NaN : Number(e.target.value)))}
            />
          </label>
        ))}
      </div>
      <p className="hint" data-testid="distill-method-text"><b>{METHOD_TEXT[draft.method].title}.</b> {METHOD_TEXT[draft.method].text} (<Term id="weights" />, <Term id="KL" />, <Term id="T2" />)</p>
      {note && <p className="hint" data-testid="distill-vocab-note">student vocab does not apply: {note}</p>}
      <BenchmarkFields draft={draft} edit={edit} disabled={disabled} />
      <details>
        <summary>recipe as JSON (copy, or paste one: it is applied when it validates)</summary>
        <textarea
          data-testid="distill-recipe-json"
          rows={12}
          style={{ width: '100%', fontFamily: 'ui-monospace, monospace' }}
          disabled={disabled}
          value={jsonText ?? JSON.stringify(draft, null, 2)}
          onChange={(e) => onJson(e.target.value)}
        />
        {jsonError && <div className="error" data-testid="distill-json-error">{jsonError}</div>}
      </details>
    </>
  );
}
