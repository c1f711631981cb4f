import { useEffect, useState } from 'react';
import type { RunKind } from '../worker/protocol.ts';
import type { LinkProblem, RecipeLink as Link } from '../app/recipeUrl.ts';
import { linkExpects, noteFormCorpus, openedLink, recipeLinkUrl, type LinkDraft } from '../app/recipeUrlPage.ts';

type LinkOf<K extends RunKind> = Extract<Link, { kind: K }>;

/** Calls `apply` once with the recipe the page was opened with, when it is of this kind (the form restores it). */
export function useOpenedLink<K extends RunKind>(kind: K, apply: (link: LinkOf<K>, problems: LinkProblem[]) => void): void {
  useEffect(() => {
    let live = true;
    void openedLink.then((d) => { if (live && d?.link?.kind === kind) apply(d.link as LinkOf<K>, d.problems); });
    return () => { live = false; };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps -- once, with the form's first setters
}

/**
 * The corpus side of a link for a corpus picker: restores an embedded corpus, names the file a link expects (until one
 * is chosen), and reports the picker's choice for "Copy link".
 */
export function useLinkedCorpus(kind: RunKind, corpusId: string, file: File | null, setCorpusId: (id: string) => void): string | null {
  // The expected file, while the picker still shows what it showed when the link came (another choice drops it).
  const [expected, setExpected] = useState<{ file: string; at: string } | null>(null);
  useOpenedLink(kind, (l) => ('embedded' in l.corpus ? setCorpusId(l.corpus.embedded) : setExpected({ file: l.corpus.file, at: corpusId })));
  const chosen = corpusId === 'file' && file ? file.name : null;
  const waiting = expected && expected.at === corpusId ? expected.file : null;
  useEffect(() => noteFormCorpus(kind, chosen ? { file: chosen } : waiting ? { file: waiting } : { embedded: corpusId }), [kind, chosen, waiting, corpusId]);
  return waiting;
}

/** What the opened link of this kind could not use (named fields) and what it expects (files, vocabularies, teachers). */
export function RecipeLinkNotice({ kind }: { kind: RunKind }) {
  const [lines, setLines] = useState<{ problems: string[]; expects: string[] } | null>(null);
  useOpenedLink(kind, (link, problems) => setLines({ problems: problems.map((p) => `${p.field}: ${p.message}`), expects: linkExpects(link) }));
  if (!lines || (!lines.problems.length && !lines.expects.length)) return null;
  return (
    <div className="notice" data-testid={`${kind}-link-notice`} role="status">
      {lines.problems.length > 0 && <div>This recipe link could not be used whole; the rest of the form is the link's:</div>}
      <ul>{lines.problems.map((p) => <li key={p}>{p}</li>)}</ul>
      {lines.expects.map((e) => <div key={e}>This recipe expects {e}.</div>)}
    </div>
  );
}

/**
 * "Copy link": the form's recipe as a URL (`#r=v1.…`), copied to the clipboard when the browser allows it and shown
 * in a read-only box either way. `draft` may throw the form's validation error, which is shown instead.
 */
export function CopyLinkButton({ kind, draft, disabled }: { kind: RunKind; draft: () => LinkDraft; disabled?: boolean }) {
  const [shown, setShown] = useState<{ url: string; copied: boolean } | { error: string } | null>(null);
  const onClick = async () => {
    try {
      const url = await recipeLinkUrl(draft());
      const copied = await navigator.clipboard?.writeText(url).then(() => true, () => false);
      setShown({ url, copied: !!copied });
    } catch (e) {
      setShown({ error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  };
  return (
    <span className="copy-link">
      <button data-testid={`${kind}-copy-link`} disabled={disabled} onClick={() => void onClick()}>Copy link</button>
      {shown && 'url' in shown && (
        <>
          <input readOnly size={40} data-testid={`${kind}-link-url`} value={shown.url} onFocus={(e) => e.target.select()} />
          <span className="hint">{shown.copied ? 'copied' : 'select and copy'}</span>
        </>
      )}
      {shown && 'error' in shown && <span className="error" data-testid={`${kind}-link-error`}>{shown.error}</span>}
    </span>
  );
}

/** A form's recipe-link pieces as one element: restores the form from the opened link, Copy link, and the link's notice. */
export function RecipeLinkControls<K extends RunKind>({ kind, draft, onOpen }: { kind: K; draft: () => LinkDraft; onOpen: (link: LinkOf<K>) => void }) {
  useOpenedLink(kind, onOpen);
  return (
    <>
      <CopyLinkButton kind={kind} draft={draft} />
      <RecipeLinkNotice kind={kind} />
    </>
  );
}
