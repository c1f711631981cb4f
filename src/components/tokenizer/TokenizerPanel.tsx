import { lazy, Suspense, useDeferredValue, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { actions, useWorkbench } from '../../store/index.ts';
import { staleVocabulary } from '../../store/tokenizers.ts';
import { cancelVocabulary, importTokenizer, parseTokenizerFile, trainVocabulary } from '../../app/tokenizers.ts';
import { EMBEDDED_CORPORA } from '../../data/corpus.ts';
import { CORPUS_FORMATS } from '../../data/corpusFormats.ts';
import { DEFAULT_TOKENIZER_TRAIN, type TokenizerTrainOptions } from '../../tokenizers/trainTokenizer.ts';
import { fromTokenizerJson, toTokenizerJson, toVocabTxt } from '../../tokenizers/hfJson.ts';
import { prefixRange, prefixTokenizer } from '../../tokenizers/prefix.ts';
import { PRESET_NAMES, presetConfig, type PresetName } from '../../models/config.ts';
import { vocabIndependentParams } from '../../models/params.ts';
import type { CorpusSource } from '../../worker/protocol.ts';
import { TokenSpans } from './TokenSpans.tsx';
import { download } from './download.ts';
import { openAlignment } from '../../app/alignment.ts';
import { embeddedSource } from '../../app/client.ts';
import { int } from '../../app/format.ts';

// The what-if chart (recharts) loads when a vocabulary is first trained, not with the tab (issue 16 item 4).
const WhatIfChart = lazy(() => import('./WhatIfChart.tsx').then((m) => ({ default: m.WhatIfChart })));

const SAMPLES: Record<string, string> = {
  en: 'Call me Ishmael. Some years ago—never mind how long precisely—I thought I would sail about a little.',
  ru: 'Все люди рождаются свободными и равными в своем достоинстве и правах. Ещё «ёлка» и йод!',
};

/**
 * Corpus choice, vocabulary training with progress/cancel (or an imported vocabulary), the what-if chart, and spans of
 * the teacher (an imported tokenizer, else the loaded teacher's, else the vocabulary itself), the whole vocabulary and
 * the student: the vocabulary cut to the chosen size, which is the student tokenizer the Train and Distill tabs can use.
 */
export function TokenizerPanel() {
  const job = useWorkbench((s) => s.tokenizers.job);
  const vocabulary = useWorkbench((s) => s.tokenizers.vocabulary);
  const studentSize = useWorkbench((s) => s.tokenizers.studentSize);
  const importedTeacher = useWorkbench((s) => s.tokenizers.teacher);
  const error = useWorkbench((s) => s.tokenizers.error);
  const loadedTeacher = useWorkbench(useShallow((s) => ({ name: s.models.teacher?.name ?? null, json: s.models.teacherTokenizerJson, loading: s.models.status === 'loading' })));
  const [corpusId, setCorpusId] = useState<string>(EMBEDDED_CORPORA[0].id);
  const [file, setFile] = useState<File | null>(null);
  const [dragOver, setDragOver] = useState(false);
  const [opts, setOpts] = useState<TokenizerTrainOptions>({ ...DEFAULT_TOKENIZER_TRAIN, vocabSize: 4000 });
  const [preset, setPreset] = useState<PresetName>('tiny');
  const [text, setText] = useState(SAMPLES.en);

  const trained = useMemo(() => (vocabulary ? fromTokenizerJson(vocabulary.json) : null), [vocabulary]);
  // Parsed only while there is a vocabulary to compare with (the panel stays mounted on other tabs).
  const teacher = useMemo(() => {
    if (!vocabulary) return null;
    if (importedTeacher) return { tok: parseTokenizerFile(importedTeacher.name, importedTeacher.json), label: importedTeacher.name };
    if (loadedTeacher.json) return { tok: fromTokenizerJson(loadedTeacher.json), label: `the loaded teacher, ${loadedTeacher.name}` };
    return null;
  }, [vocabulary, importedTeacher, loadedTeacher.json, loadedTeacher.name]);
  const range = useMemo(() => (trained ? prefixRange(trained) : null), [trained]);
  // The deferred size may still belong to the previous vocabulary for one render: clamp it to this one's range.
  const deferred = useDeferredValue(studentSize);
  const size = range && deferred !== null ? Math.min(range[1], Math.max(range[0], deferred)) : null;
  const student = useMemo(() => (trained && size ? prefixTokenizer(trained, size) : null), [trained, size]);
  const selected = corpusId === 'file' ? file?.name ?? null : EMBEDDED_CORPORA.find((c) => c.id === corpusId)?.title ?? null;
  const stale = useWorkbench((s) => staleVocabulary(s.tokenizers, selected));
  const noTeacher = loadedTeacher.loading ? 'the teacher is still loading' : 'no teacher loaded';

  const start = () => {
    let corpus: CorpusSource;
    if (corpusId === 'file') {
      if (!file) return actions.setTokenizerError('Drop a corpus file first (.txt, .jsonl, .csv or .conllu).');
      corpus = { kind: 'file', file };
    } else {
      const c = EMBEDDED_CORPORA.find((x) => x.id === corpusId)!;
      corpus = embeddedSource(c);
      setText(SAMPLES[c.language] ?? SAMPLES.en);
    }
    const cfg = presetConfig(preset).model;
    trainVocabulary(corpus, opts, { hiddenSize: cfg.hiddenSize, bodyParams: vocabIndependentParams(cfg) });
  };

  const num = (k: keyof TokenizerTrainOptions) => (e: React.ChangeEvent<HTMLInputElement>) => setOpts({ ...opts, [k]: Number(e.target.value) });
  const running = job !== null;

  return (
    <section className="tokenizer-panel">
      <div className="controls">
        <label>
          corpus
          <select data-testid="tok-corpus" value={corpusId} disabled={running} onChange={(e) => setCorpusId(e.target.value)}>
            {EMBEDDED_CORPORA.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
            <option value="file">{file ? `file: ${file.name}` : 'a file you drop…'}</option>
          </select>
        </label>
        <div
          className={`dropzone${dragOver ? ' over' : ''}`}
          onDragOver={(e) => { e.preventDefault(); setDragOver(true); }}
          onDragLeave={() => setDragOver(false)}
          onDrop={(e) => { e.preventDefault(); setDragOver(false); const f = e.dataTransfer.files[0]; if (f) { setFile(f); setCorpusId('file'); } }}
        >
          drop {CORPUS_FORMATS.map((f) => '.' + f).join(' ')} or{' '}
          <input type="file" data-testid="tok-file" accept={CORPUS_FORMATS.map((f) => '.' + f).join(',')} onChange={(e) => { const f = e.target.files?.[0]; if (f) { setFile(f); setCorpusId('file'); } }} />
        </div>
      </div>
      <div className="controls">
        <label>
          algorithm
          <select value={opts.algo} disabled={running} onChange={(e) => setOpts({ ...opts, algo: e.target.value as TokenizerTrainOptions['algo'] })}>
            <option value="wordpiece">WordPiece (BPE merges, §A.3)</option>
            <option value="bpe">BPE</option>
          </select>
        </label>
        <label>vocabulary size <input data-testid="tok-vocab-size" type="number" min={500} max={60000} step={100} value={opts.vocabSize} disabled={running} onChange={num('vocabSize')} /></label>
        <label>min. frequency <input type="number" min={1} value={opts.minFrequency} disabled={running} onChange={num('minFrequency')} /></label>
        <label>char. coverage <input type="number" min={0.9} max={1} step={0.0001} value={opts.characterCoverage} disabled={running} onChange={num('characterCoverage')} /></label>
        <label><span>lower-case</span><input type="checkbox" data-testid="tok-lowercase" checked={opts.lowercase} disabled={running} onChange={(e) => setOpts({ ...opts, lowercase: e.target.checked })} /></label>
        <label title="NFD and drop combining marks: «й» becomes «и»"><span>strip accents</span><input type="checkbox" checked={opts.stripAccents} disabled={running} onChange={(e) => setOpts({ ...opts, stripAccents: e.target.checked })} /></label>
        <label>
          student body
          <select value={preset} disabled={running} onChange={(e) => setPreset(e.target.value as PresetName)}>
            {PRESET_NAMES.map((p) => <option key={p}>{p}</option>)}
          </select>
        </label>
        <button data-testid="tok-train" disabled={running} onClick={start}>Train vocabulary</button>
        {running && <button data-testid="tok-cancel" onClick={() => cancelVocabulary(job.jobId)}>Cancel</button>}
        <label>or import a vocabulary <input type="file" accept=".json,.txt" data-testid="tok-student-file" disabled={running} onChange={(e) => { const f = e.target.files?.[0]; if (f) void importTokenizer(f, 'student'); }} /></label>
      </div>
      {job && (
        <div data-testid="tok-progress">
          {job.phase}… <progress value={job.fraction ?? undefined} max={1} /> {job.detail}
        </div>
      )}
      {error && <div className="error" data-testid="tok-error">{error}</div>}
      {!vocabulary && !job && !error && <p className="hint" data-testid="tok-empty">no vocabulary yet: train one on a corpus or import a tokenizer.json / vocab.txt</p>}
      {stale && <div className="notice" data-testid="tok-stale">⚠ {stale}</div>}
      {vocabulary && trained && range && (
        <div className={stale ? 'stale' : undefined} data-testid="tok-results" data-stale={stale !== null}>
          {vocabulary.trained ? (
            <p className="hint" data-testid="tok-stats">
              {vocabulary.trained.stats.corpus}: {int(vocabulary.trained.stats.documents)} documents, {int(vocabulary.trained.stats.wordOccurrences)} words
              ({int(vocabulary.trained.stats.distinctWords)} distinct), alphabet {vocabulary.trained.stats.alphabet}
              {vocabulary.trained.stats.invalidUtf8 > 0 && `, ${vocabulary.trained.stats.invalidUtf8} invalid UTF-8 sequences replaced`}
              {' '}→ {int(trained.vocabSize)} entries{trained.vocabSize < vocabulary.trained.options.vocabSize && ' (the corpus ran out of merges)'} in {(vocabulary.trained.stats.ms / 1000).toFixed(1)} s.
            </p>
          ) : (
            <p className="hint" data-testid="tok-stats">imported {vocabulary.name}: {int(trained.vocabSize)} entries.</p>
          )}
          {vocabulary.trained?.stats.notes.map((n) => <div className="notice" key={n} data-testid="tok-note">⚠ {n}</div>)}
          {vocabulary.trained && <Suspense fallback={null}><WhatIfChart points={vocabulary.trained.whatIf} size={size} /></Suspense>}
          <div className="controls">
            <label style={{ flex: 1 }}>
              student vocabulary size: <b data-testid="tok-student-size">{studentSize}</b>
              <input data-testid="tok-size-slider" type="range" min={range[0]} max={range[1]} value={studentSize ?? range[1]} onChange={(e) => actions.setStudentSize(Number(e.target.value))} />
            </label>
            <label>teacher tokenizer <input type="file" accept=".json,.txt" data-testid="tok-teacher-file" onChange={(e) => { const f = e.target.files?.[0]; if (f) void importTokenizer(f, 'teacher'); }} /></label>
            {student && <button onClick={() => download('tokenizer.json', toTokenizerJson(student))}>export tokenizer.json</button>}
            {student && <button onClick={() => download('vocab.txt', toVocabTxt(student), 'text/plain')}>export vocab.txt</button>}
          </div>
          <p className="hint">The student (the vocabulary cut to this size) is what the Train MLM tab and a Distill recipe with student tokenizer "the Tokenizers tab's student" use.</p>
          <textarea data-testid="tok-text" value={text} onChange={(e) => setText(e.target.value)} />
          <TokenSpans testId="spans-teacher" label={`teacher: ${teacher ? teacher.label : `the vocabulary (${noTeacher}), ${trained.vocabSize} entries`}`} text={text} encoding={(teacher?.tok ?? trained).encode(text)} />
          <TokenSpans testId="spans-trained" label={`vocabulary: ${vocabulary.name}, ${trained.vocabSize} entries`} text={text} encoding={trained.encode(text)} />
          {student && <TokenSpans testId="spans-student" label={`student: ${student.vocabSize} entries`} text={text} encoding={student.encode(text)} />}
          {student && <button className="align-link" data-testid="tok-open-alignment" onClick={() => openAlignment('tokenizers', text)}>Open the alignment map of this teacher and student →</button>}
        </div>
      )}
    </section>
  );
}
