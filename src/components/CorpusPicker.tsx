import { useState } from 'react';
import { embeddedSource } from '../app/client.ts';
import { EMBEDDED_CORPORA } from '../data/corpus.ts';
import { CORPUS_FORMATS } from '../data/corpusFormats.ts';
import type { CorpusSource, RunKind } from '../worker/protocol.ts';
import { useLinkedCorpus } from './RecipeLink.tsx';

/** The run kind of a picker (its test-id prefix), for recipe links. */
const LINK_KIND: Record<string, RunKind> = { run: 'pretrain', distill: 'distill' };

/**
 * The corpus choice of a run (Train MLM, Distill): an embedded corpus or a dropped file. `source()` is what the
 * worker reads; `picker(disabled)` renders the select and the file input with test ids `<prefix>-corpus` / `<prefix>-file`.
 */
export function useCorpusPicker(testIdPrefix: string) {
  const [corpusId, setCorpusId] = useState<string>(EMBEDDED_CORPORA[0].id);
  const [file, setFile] = useState<File | null>(null);
  const expectedFile = useLinkedCorpus(LINK_KIND[testIdPrefix] ?? 'pretrain', corpusId, file, setCorpusId);
  const source = (): CorpusSource =>
    corpusId === 'file' && file ? { kind: 'file', file } : embeddedSource(EMBEDDED_CORPORA.find((c) => c.id === corpusId) ?? EMBEDDED_CORPORA[0]);
  const picker = (disabled: boolean) => (
    <>
      <label>
        corpus
        <select data-testid={`${testIdPrefix}-corpus`} value={corpusId} disabled={disabled} onChange={(e) => setCorpusId(e.target.value)}>
          {EMBEDDED_CORPORA.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
          {file && <option value="file">file: {file.name}</option>}
        </select>
      </label>
      <label>
        or a file
        <input type="file" data-testid={`${testIdPrefix}-file`} disabled={disabled} accept={CORPUS_FORMATS.map((f) => '.' + f).join(',')} onChange={(e) => { const f = e.target.files?.[0]; if (f) { setFile(f); setCorpusId('file'); } }} />
      </label>
      {expectedFile && <span className="notice" data-testid={`${testIdPrefix}-expected-file`}>the recipe link expects the file <b>{expectedFile}</b>: choose it</span>}
    </>
  );
  /** Picks an embedded corpus (a preset's). */
  const select = (id: string) => setCorpusId(id);
  return { source, picker, select };
}
