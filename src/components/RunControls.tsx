import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useWorkbench } from '../store/index.ts';
import { PRESET_NAMES, type PresetName } from '../models/config.ts';
import { DEFAULT_RUN, RunConfigError, validateRunConfig, type MlmRunConfig } from '../train/runConfig.ts';
import { pageOptions, trainerClient } from '../app/client.ts';
import { useCorpusPicker } from './CorpusPicker.tsx';
import { useTokenizerLab } from '../store/tokenizerSlice.ts';

/** Recipe form (preset, steps, learning rate) and Start / Pause / Resume / Stop. */
export function RunControls() {
  const [form, setForm] = useState<MlmRunConfig>({ ...DEFAULT_RUN, ...pageOptions.run });
  const [formError, setFormError] = useState<string | null>(null);
  const corpus = useCorpusPicker('run');
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
      void trainerClient.start(cfg, { corpus: corpus.source(), tokenizerJson: tokenizerChoice === 'lab' && labTokenizer ? labTokenizer : undefined });
    } catch (e) {
      if (e instanceof RunConfigError) setFormError(e.message);
      else throw e;
    }
  };
  const num = (k: keyof MlmRunConfig) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: Number(e.target.value) });

  return (
    <section className="controls">
      {corpus.picker(running)}
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
