import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useWorkbench } from '../../store/index.ts';
import { ALIGN_LENSES, type AlignLens, type StudentSource, type TeacherSource } from '../../store/alignment.ts';
import {
  computeGlmd, ensurePair, GLMD_RATIO, importAlignmentTokenizer, sampleFromCorpus, setAlignmentText, setCorpus, setLens, setSources,
} from '../../app/alignment.ts';
import { EMBEDDED_CORPORA } from '../../data/corpus.ts';
import { CORPUS_FORMATS } from '../../data/corpusFormats.ts';
import type { Method } from '../../distill/types.ts';
import { METHOD_TEXT } from '../glossary.ts';
import { Term } from '../Term.tsx';
import { AlignmentMap, type Focused } from './AlignmentMap.tsx';
import { Counters } from './Counters.tsx';
import { describeToken, truncationNotice } from './layout.ts';
import { JobProgress, LossExplorer, SplitHistogram, VocabularyTable } from './VocabularyMap.tsx';
import { int } from '../../app/format.ts';

const LENS_LABEL: Record<AlignLens, string> = { links: 'Links', reduce: 'Reduce', match: 'Match', glmd: 'GLMD' };
const LENS_METHODS: Record<AlignLens, Method[]> = { links: ['kd-full', 'mlm-only'], reduce: ['reduce', 'reduce-map'], match: ['match'], glmd: ['glmd'] };

const KIND_LEGEND = [
  ['k0', '1:1', 'same token on both rows'], ['k1', '1:n', 'the student splits a teacher token'], ['k2', 'n:1', 'the student merges teacher tokens'],
  ['k3', 'n:m', 'the boundaries cross'], ['k4', 'unlinked', 'no token of the other row covers it'],
] as const;

function LensLegend({ lens }: { lens: AlignLens }) {
  switch (lens) {
    case 'links':
      return (
        <div className="legend">
          <span>top: teacher · bottom: student · a line joins two tokens that share characters:</span>
          {KIND_LEGEND.map(([cls, k, what]) => <span key={k}><span className={`swatch ${cls}`} /> <b>{k}</b> {what}</span>)}
        </div>
      );
    case 'reduce':
      return <div className="legend">Bracket under a teacher token t: <Term id="sigma" />(t), the student pieces Reduce feeds for it (one group Gᵢ of the t2s row); red = [UNK], that part is lost.</div>;
    case 'match':
      return <div className="legend">Outlined and joined: a Match pair (the same string); faded: skipped; <b className="jumpmark">↷k</b>: jump-ahead pair k, whose tokens share no character (hover one to outline its partner).</div>;
    case 'glmd':
      return <div className="legend">Struck through: a teacher token GLMD removes (it keeps K = ⌈⌊r·V⌋/128⌉·128, r = {GLMD_RATIO}); → the kept token that replaces it. Bottom row: the map's student, for comparison.</div>;
  }
}

/**
 * The Alignment tab (issue 12 items 1, 2, 4): the teacher's and the student's tokens of a text linked where their
 * character spans overlap, through the Links / Reduce / Match / GLMD lenses, with counters; the teacher vocabulary's
 * map (σ split, corpus frequency, C, GLMD), the vocabulary-loss explorer and the split-length histogram. Everything is
 * computed in the alignment worker; the map is drawn virtualised.
 */
export function AlignmentPanel({ active }: { active: boolean }) {
  const a = useWorkbench(useShallow((s) => ({
    teacherSource: s.alignment.teacherSource, studentSource: s.alignment.studentSource, corpusId: s.alignment.corpusId, corpusFile: s.alignment.corpusFile,
    text: s.alignment.text, lens: s.alignment.lens, pair: s.alignment.pair, view: s.alignment.view, pending: s.alignment.pending, corpus: s.alignment.corpus,
    glmd: s.alignment.glmd, error: s.alignment.error,
  })));
  const hasLoaded = useWorkbench((s) => s.models.teacherTokenizerJson !== null);
  const loadedName = useWorkbench((s) => s.models.teacher?.name ?? null);
  const [focused, setFocused] = useState<Focused | null>(null);

  useEffect(() => { if (active) ensurePair(); }, [active, loadedName]); // a teacher that finished loading while the tab is shown

  const pair = a.pair;
  const view = a.view?.view ?? null;
  // The inspector's token may belong to the previous map: only when it is still in range.
  const inRange = focused && view && focused.pos < (focused.side === 't' ? view.teacher.tokens.length : view.student.tokens.length);
  const about = inRange ? describeToken(view, focused.side, focused.pos, a.lens) : null;
  const truncated = view ? truncationNotice(view) : null;
  const c = view?.counters;
  const allUnknown = c && c.teacherTokens > 0 && c.unkRate.teacher === 1 && c.studentTokens > 0 && c.unkRate.student === 1;
  const glmdOk = a.teacherSource === 'loaded' && hasLoaded;

  return (
    <section className="alignment-panel">
      <p className="hint" style={{ margin: '0.3rem 0' }}>
        Each teacher token is linked to the student tokens that cover the same characters of the text; a lens shows what a distillation method makes of the links. Hover or focus (Tab) a token for its id and offsets.
      </p>
      <div className="controls compact">
        <label>
          teacher
          <select data-testid="align-teacher-source" value={a.teacherSource} onChange={(e) => setSources({ teacherSource: e.target.value as TeacherSource })}>
            <option value="loaded" disabled={!hasLoaded}>the loaded teacher{loadedName ? '' : ' (none)'}</option>
            <option value="tokenizers-tab">the Tokenizers tab's teacher</option>
            <option value="file">a tokenizer file…</option>
          </select>
        </label>
        <label>teacher file <input type="file" accept=".json,.txt" data-testid="align-teacher-file" onChange={(e) => { const f = e.target.files?.[0]; if (f) void importAlignmentTokenizer(f, 'teacher'); }} /></label>
        <label>
          student
          <select data-testid="align-student-source" value={a.studentSource} onChange={(e) => setSources({ studentSource: e.target.value as StudentSource })}>
            <option value="tokenizers-tab">the Tokenizers tab's student</option>
            <option value="distilled">the latest distilled student</option>
            <option value="file">a tokenizer file…</option>
          </select>
        </label>
        <label>student file <input type="file" accept=".json,.txt" data-testid="align-student-file" onChange={(e) => { const f = e.target.files?.[0]; if (f) void importAlignmentTokenizer(f, 'student'); }} /></label>
        <label>
          corpus (sample, vocabulary map)
          <select data-testid="align-corpus" value={a.corpusId} onChange={(e) => setCorpus(e.target.value)}>
            {EMBEDDED_CORPORA.map((x) => <option key={x.id} value={x.id}>{x.title}</option>)}
            {a.corpusFile && <option value="file">file: {a.corpusFile.name}</option>}
          </select>
        </label>
        <label>corpus file <input type="file" data-testid="align-corpus-file" accept={CORPUS_FORMATS.map((f) => '.' + f).join(',')} onChange={(e) => { const f = e.target.files?.[0]; if (f) setCorpus('file', f); }} /></label>
      </div>
      {pair && (
        <div className="hint pairline" data-testid="align-pair" data-status={pair.status}>
          {pair.status === 'building' && 'building σ and C in the worker…'}
          {pair.status === 'ready' && pair.teacher && pair.student && (
            <>teacher: <b>{pair.teacher.name}</b> ({int(pair.teacher.size)} entries) · student: <b>{pair.student.name}</b></>
          )}
        </div>
      )}
      {a.error && <div className="error" data-testid="align-error">{a.error}</div>}
      {pair?.differences.map((d, i) => <div className="notice" key={i} data-testid="align-difference">⚠ {d}</div>)}

      <textarea data-testid="align-text" rows={2} value={a.text} onChange={(e) => setAlignmentText(e.target.value)} aria-label="text to align" spellCheck={false} />
      <div className="controls lensbar">
        <button data-testid="align-sample" onClick={() => void sampleFromCorpus()}>Sample from the corpus</button>
        <button onClick={() => setAlignmentText('')}>Clear</button>
        <div role="radiogroup" aria-label="method lens" className="lenses">
          <span className="hint">lens:</span>
          {ALIGN_LENSES.map((l) => (
            <label key={l} className={a.lens === l ? 'on' : ''}>
              <input type="radio" name="align-lens" data-testid={`align-lens-${l}`} checked={a.lens === l} onChange={() => setLens(l)} /> {LENS_LABEL[l]}
            </label>
          ))}
        </div>
        {a.pending && <span className="hint" data-testid="align-busy">aligning in the worker…</span>}
        {a.view && !a.pending && <span className="hint" data-testid="align-ms">aligned in {a.view.ms.toFixed(0)} ms</span>}
      </div>

      {c && <Counters c={c} />}
      {truncated && <div className="notice" data-testid="align-truncated">✂ {truncated}</div>}
      {allUnknown && <div className="notice" data-testid="align-all-unknown">Neither vocabulary knows these characters: every token on both rows is [UNK], so nothing can be distilled here.</div>}
      <LensLegend lens={a.lens} />
      {view && a.text.trim() === '' ? (
        <div className="amap empty" data-testid="align-empty">The map is empty: type or paste a text above, or sample one from the corpus.</div>
      ) : view ? (
        <>
          <div className="ainspect" data-testid="align-inspector" role="status" aria-live="polite">
            {about ? about.map((l, i) => <div key={i}>{l}</div>) : <span className="hint">Hover or focus a token: its id, character offsets and link appear here.</span>}
          </div>
          <AlignmentMap view={view} lens={a.lens} onFocusToken={setFocused} />
        </>
      ) : null}

      <div className="lens-text" data-testid="align-lens-text">
        {LENS_METHODS[a.lens].map((m) => <p key={m}><b>{METHOD_TEXT[m].title}.</b> {METHOD_TEXT[m].text}</p>)}
        {a.lens === 'links' && <p className="hint">These two methods need no alignment; Reduce, Match and GLMD use the links through their lenses.</p>}
        {a.lens === 'glmd' && !a.glmd?.result && (
          <div className="notice" data-testid="align-glmd-needed">
            GLMD needs the teacher's embeddings (a removed token's replacement is the most similar kept token).{' '}
            {glmdOk ? <button data-testid="align-glmd-compute" disabled={a.glmd?.status === 'running' || pair?.status !== 'ready'} onClick={() => void computeGlmd()}>Compute the GLMD vocabulary (r = {GLMD_RATIO})</button>
              : 'Choose the loaded teacher as the map\'s teacher to compute it.'}
          </div>
        )}
        {a.glmd && <JobProgress job={a.glmd} testId="align-glmd" />}
      </div>

      {pair?.status === 'ready' && pair.vocab && (
        <>
          <h2>Vocabulary map</h2>
          <p className="hint" data-testid="vocab-summary">
            teacher {int(pair.vocab.size)} entries · student {int(pair.vocab.studentSize)} ·{' '}
            <Term id="C" /> = {int(pair.vocab.shared)} shared strings · {int(pair.vocab.unmapped)} unmapped by <Term id="sigma" />
            {a.corpus?.result && <> · corpus {a.corpus.result.corpus}: {int(a.corpus.result.tokens)} teacher tokens in {int(a.corpus.result.texts)} texts</>}
            {a.glmd?.result && <> · GLMD K = {int(a.glmd.result.K)} (r = {a.glmd.result.ratio})</>}
          </p>
          {a.corpus && <JobProgress job={a.corpus} testId="vocab-corpus" />}
          {glmdOk && !a.glmd?.result && a.glmd?.status !== 'running' && (
            <p className="hint">GLMD columns: <button data-testid="vocab-glmd-compute" onClick={() => void computeGlmd()}>compute the GLMD vocabulary (r = {GLMD_RATIO}, in the worker)</button></p>
          )}
          <VocabularyTable vocab={pair.vocab} corpus={a.corpus?.result ?? null} glmd={a.glmd?.result ?? null} />
          <div className="vocab-bottom">
            <div>
              <h3>What the student loses</h3>
              <p className="hint">Teacher tokens the student splits into pieces or cannot spell ([UNK]), most frequent in the corpus first, with examples.</p>
              {a.corpus?.result ? <LossExplorer corpus={a.corpus.result} vocab={pair.vocab} /> : <p className="hint">counting the corpus…</p>}
            </div>
            <SplitHistogram vocab={pair.vocab} corpus={a.corpus?.result ?? null} />
          </div>
        </>
      )}
    </section>
  );
}
