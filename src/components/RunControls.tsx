import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useWorkbench } from '../store/index.ts';
import { PRESET_NAMES, type PresetName } from '../models/config.ts';
import { DEFAULT_RUN, RunConfigError, validateRunConfig, type MlmRunConfig } from '../train/runConfig.ts';
import { embeddedSource, pageOptions, trainerClient } from '../app/client.ts';
import { EMBEDDED_CORPORA } from '../data/corpus.ts';
import { CORPUS_FORMATS } from '../data/corpusFormats.ts';
import { useTokenizerLab } from '../store/tokenizerSlice.ts';

/** Recipe form (preset, steps, learning rate) and Start / Pause / Resume / Stop. */
export function RunControls() {
  const [form, setForm] = useState<MlmRunConfig>({ ...DEFAULT_RUN, ...pageOptions.run });
  const [formError, setFormError] = useState<string | null>(null);
  const [corpusId, setCorpusId] = useState<string>(EMBEDDED_CORPORA[0].id);
  const [file, setFile] = useState<File | null>(null);
  const [tokenizerChoice, setTokenizerChoice] = useState<'word' | 'lab'>('word');
  const labTokenizer = useTokenizerLab((s) => s.trained?.json ?? null);
  const { ready, active } = useWorkbench(
    useShallow((s) => ({
      ready: s.backend.phase === 'ready',
      active: s.activeRunId ? s.runs[s.activeRunId] : null,
    })),
  );
  const running = !!active && ['starting', 'running', 'paused'].includes(active.state);

  const onStart = () => {
    try {
      const cfg = validateRunConfig(form);
      setFormError(null);
      const corpus = corpusId === 'file' && file ? { kind: 'file' as const, file } : embeddedSource(EMBEDDED_CORPORA.find((c) => c.id === corpusId) ?? EMBEDDED_CORPORA[0]);
      void trainerClient.start(cfg, { corpus, tokenizerJson: tokenizerChoice === 'lab' && labTokenizer ? labTokenizer : undefined });
    } catch (e) {
      if (e instanceof RunConfigError) setFormError(e.message);
      else throw e;
    }
  };
  const num = (k: keyof MlmRunConfig) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: Number(e.target.value) });

  return (
    <section className="controls">
      <label>
        corpus
        <select data-testid="run-corpus" value={corpusId} disabled={running} onChange={(e) => setCorpusId(e.target.value)}>
          {EMBEDDED_CORPORA.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
          {file && <option value="file">file: {file.name}</option>}
        </select>
      </label>
      <label>
        or a file
        <input type="file" data-testid="run-file" disabled={running} accept={CORPUS_FORMATS.map((f) => '.' + f).join(',')} onChange={(e) => { const f = e.target.files?.[0]; if (f) { setFile(f); setCorpusId('file'); } }} />
      </label>
      <label>
        tokenizer
        <select data-testid="run-tokenizer" value={tokenizerChoice} disabled={running} onChange={(e) => setTokenizerChoice(e.target.value as 'word' | 'lab')}>
          <option value="word">placeholder words (model's vocabulary size)</option>
          <option value="lab" disabled={!labTokenizer}>trained in the Tokenizers tab{labTokenizer ? '' : ' (train one first)'}</option>
        </select>
      </label>
      <label>
        model
        <select value={form.preset} disabled={running} onChange={(e) => setForm({ ...form, preset: e.target.value as PresetName })}>
          {PRESET_NAMES.map((p) => <option key={p}>{p}</option>)}
        </select>
      </label>
      <label>
        steps <input type="number" value={form.steps} disabled={running} onChange={num('steps')} />
      </label>
      <label>
        learning rate <input type="number" step="0.0001" value={form.lr} disabled={running} onChange={num('lr')} />
      </label>
      <button data-testid="start" disabled={!ready || running} onClick={onStart}>Start</button>
      {active?.state === 'paused' ? (
        <button data-testid="resume" onClick={() => trainerClient.resume()}>Resume</button>
      ) : (
        <button data-testid="pause" disabled={!running} onClick={() => trainerClient.pause()}>Pause</button>
      )}
      <button data-testid="stop" disabled={!running} onClick={() => trainerClient.stop()}>Stop</button>
      {formError && <div className="error" data-testid="form-error">{formError}</div>}
    </section>
  );
}
