import { useState } from 'react';
import { useWorkbench } from '../store/index.ts';
import { liveRun } from '../store/runs.ts';
import { runName } from '../worker/runSlot.ts';
import { PRESET_NAMES, type PresetName } from '../models/config.ts';
import { DEFAULT_RUN, RunConfigError, validateRunConfig, type MlmRunConfig } from '../train/runConfig.ts';
import { pageOptions } from '../app/client.ts';
import { pauseRun, resumeRun, startPretrain, stopRun } from '../app/runs.ts';
import { studentSizeOf } from '../app/tokenizers.ts';
import { useCorpusPicker } from './CorpusPicker.tsx';
import { RecipeLinkControls } from './RecipeLink.tsx';
import { int } from '../app/format.ts';

/**
 * Recipe form (corpus, vocabulary, preset, steps, learning rate, shift-head init: on by default, ?init=plain) and Start / Pause / Resume / Stop of the MLM run.
 * The vocabulary is a WordPiece the run trains on its corpus (the preset's size), or the Tokenizers tab's student.
 */
export function RunControls() {
  const [form, setForm] = useState<MlmRunConfig>({ ...DEFAULT_RUN, ...pageOptions.run });
  const [formError, setFormError] = useState<string | null>(null);
  const corpus = useCorpusPicker('run');
  const [tokenizerChoice, setTokenizerChoice] = useState<'train' | 'lab'>('train');
  const labSize = useWorkbench((s) => studentSizeOf(s.tokenizers));
  const ready = useWorkbench((s) => s.backend.phase === 'ready');
  const live = useWorkbench(liveRun);
  const refused = useWorkbench((s) => s.tabErrors.pretrain);
  const mine = live?.kind === 'pretrain' ? live : null; // the controls act on this tab's run only
  const busy = live !== null;

  const onStart = () => {
    try {
      const cfg = validateRunConfig(form);
      setFormError(null);
      void startPretrain(cfg, corpus.source(), tokenizerChoice === 'lab');
    } catch (e) {
      if (e instanceof RunConfigError) setFormError(e.message);
      else throw e;
    }
  };
  const num = (k: keyof MlmRunConfig) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: Number(e.target.value) });

  return (
    <section className="controls">
      {corpus.picker(busy)}
      <label>
        tokenizer
        <select data-testid="run-tokenizer" value={tokenizerChoice} disabled={busy} onChange={(e) => setTokenizerChoice(e.target.value as 'train' | 'lab')}>
          <option value="train">WordPiece trained on the corpus (the preset's vocabulary size)</option>
          <option value="lab" disabled={labSize === null}>the Tokenizers tab's student{labSize === null ? ' (train or import one first)' : ` (${int(labSize)} tokens)`}</option>
        </select>
      </label>
      <label>
        model
        <select data-testid="run-preset" value={form.preset} disabled={busy} onChange={(e) => setForm({ ...form, preset: e.target.value as PresetName })}>
          {PRESET_NAMES.map((p) => <option key={p}>{p}</option>)}
        </select>
      </label>
      <label>
        steps <input type="number" data-testid="run-steps" value={form.steps} disabled={busy} onChange={num('steps')} />
      </label>
      <label>
        learning rate <input type="number" data-testid="run-lr" step="0.0001" value={form.lr} disabled={busy} onChange={num('lr')} />
      </label>
      <label title="Layer 0 starts with four heads attending to the tokens at offsets −1, +1, −2, +2 (sinusoidal positions, rotated queries); only the initial values differ, the export is a plain BertForMaskedLM. Off: BERT's N(0, 0.02) everywhere, which sits on the bag-of-words plateau for thousands of steps on a small corpus.">
        <input type="checkbox" data-testid="run-shift-init" checked={form.init === 'shift'} disabled={busy} onChange={(e) => setForm({ ...form, init: e.target.checked ? 'shift' : 'plain' })} />
        shift-head init (gets past the bag-of-words plateau)
      </label>
      <button data-testid="start" disabled={!ready || busy} onClick={onStart}>Start</button>
      {mine?.state === 'paused' ? (
        <button data-testid="resume" onClick={resumeRun}>Resume</button>
      ) : (
        <button data-testid="pause" disabled={!mine} onClick={pauseRun}>Pause</button>
      )}
      <button data-testid="stop" disabled={!mine} onClick={stopRun}>Stop</button>
      <RecipeLinkControls
        kind="pretrain"
        draft={() => ({ kind: 'pretrain', config: validateRunConfig(form), tokenizer: tokenizerChoice === 'lab' ? 'tokenizers-tab' : 'train' })}
        onOpen={(l) => { setForm(l.config); setTokenizerChoice(l.tokenizer === 'tokenizers-tab' ? 'lab' : 'train'); }}
      />
      {live && !mine && <div className="hint" data-testid="run-busy">{runName(live)} is active (Distill tab): one run at a time</div>}
      {formError && <div className="error" data-testid="form-error">{formError}</div>}
      {refused && <div className="error" data-testid="run-refused">{refused}</div>}
    </section>
  );
}
