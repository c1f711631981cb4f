import { useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { defaultRecipe, recipeWarnings, type RecipeTokenizers } from '../../distill/recipe.ts';
import { normalizerOfTokenizerJson } from '../../tokenizers/hfJson.ts';
import type { Recipe } from '../../distill/types.ts';
import { useWorkbench } from '../../store/index.ts';
import { latestRun, liveRun, runsOfKind } from '../../store/runs.ts';
import { runName } from '../../worker/runSlot.ts';
import { estimateCost, exportStudent } from '../../app/distill.ts';
import { pauseRun, resumeRun, startDistill, stopRun } from '../../app/runs.ts';
import { studentSizeOf } from '../../app/tokenizers.ts';
import { useCorpusPicker } from '../CorpusPicker.tsx';
import { openAlignment } from '../../app/alignment.ts';
import { checkRecipe, RecipeForm } from './RecipeForm.tsx';
import { chartRunsKey, chartRunsOf, DistillCharts } from './DistillCharts.tsx';
import { DistillRuns } from './DistillRuns.tsx';
import { DisagreementPanel } from './DisagreementPanel.tsx';
import { BenchCharts } from './BenchCharts.tsx';
import { PresetPicker } from './PresetPicker.tsx';
import { ResultsTable } from './ResultsTable.tsx';
import { ExportTorchButton } from './ExportTorchButton.tsx';

/** A tokenizer.json's normalizer; undefined when there is no tokenizer or it cannot be read (refused, by name, where it is used). */
function readNormalizer(json: string | null): RecipeTokenizers['teacher'] | undefined {
  if (!json) return undefined;
  try {
    return normalizerOfTokenizerJson(json);
  } catch {
    return undefined;
  }
}

/** The page's first recipe: Reduce with the embedded English tagging task among its benchmarks. */
const firstRecipe = (): Recipe => {
  const r = defaultRecipe('reduce');
  return { ...r, benchmarks: { ...r.benchmarks, tasks: ['en-pos'] } };
};

const duration = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);

/**
 * The Distill tab: recipe (form + JSON), corpus, cost estimate, Start / Pause / Resume / Stop, phase progress, live
 * charts of this session's runs with their benchmark scores (BenchCharts), the run list with held-out word accuracy,
 * the results table with the report export (ResultsTable), where the student disagrees with the teacher
 * (DisagreementPanel: kept student snapshots, heatmap, aligned fill-mask probe) and the student's export. Training runs
 * in the worker, with the teacher the Models tab loaded.
 */
export function DistillPanel() {
  const [draft, setDraft] = useState<Recipe>(firstRecipe);
  const charts = useRef<HTMLDivElement>(null);
  const corpus = useCorpusPicker('distill');
  const [exported, setExported] = useState<string[]>([]);
  const teacher = useWorkbench(useShallow((s) => ({ status: s.models.status, name: s.models.teacher?.name ?? null, loading: s.models.loading })));
  const ready = useWorkbench((s) => s.backend.phase === 'ready');
  const runs = useWorkbench(useShallow((s) => runsOfKind(s, 'distill')));
  const latest = useWorkbench((s) => latestRun(s, 'distill'));
  const live = useWorkbench(liveRun);
  const shown = useWorkbench((s) => s.shown);
  const probe = useWorkbench((s) => s.probe);
  const tabError = useWorkbench((s) => s.tabErrors.distill);
  const tabStudentSize = useWorkbench((s) => studentSizeOf(s.tokenizers));

  const teacherJson = useWorkbench((s) => s.models.teacherTokenizerJson);
  const tabJson = useWorkbench((s) => s.tokenizers.vocabulary?.json ?? null);
  const checked = useMemo(() => checkRecipe(draft, tabStudentSize), [draft, tabStudentSize]);
  // The two normalizers for the case-mismatch warning, each parsed once per tokenizer (no vocabulary built).
  const teacherNorm = useMemo(() => readNormalizer(teacherJson), [teacherJson]);
  const tabNorm = useMemo(() => readNormalizer(tabJson), [tabJson]);
  const normalizers: RecipeTokenizers | undefined = teacherNorm !== undefined && tabNorm !== undefined ? { teacher: teacherNorm, student: tabNorm } : undefined;
  const orderKey = runs.map((r) => r.runId).join(' ');
  const order = useMemo(() => (orderKey ? orderKey.split(' ') : []), [orderKey]); // stable: the charts redraw on new points only
  const shownRuns = runs.filter((r) => shown[r.runId]);
  const chartKey = useWorkbench(useShallow((s) => chartRunsKey(runsOfKind(s, 'distill').filter((r) => s.shown[r.runId]))));
  const chartRuns = useMemo(() => chartRunsOf(chartKey), [chartKey]);
  const latestKey = useWorkbench(useShallow((s) => { const l = latestRun(s, 'distill'); return l ? chartRunsKey([l]) : []; }));
  const chartLatest = useMemo(() => chartRunsOf(latestKey)[0] ?? null, [latestKey]);
  const active = live?.kind === 'distill' ? live : null; // the controls act on this tab's run only
  const running = live !== null; // one run at a time, of either kind
  const estimate = probe.result;
  const stale = !!estimate && !!checked.recipe && estimate.recipeJson !== JSON.stringify(checked.recipe);

  /** The same student, data, schedule and seed with the MLM loss only: the curve every method is compared against. */
  const baseline = (): Recipe | null => {
    if (!checked.recipe) return null;
    const d = defaultRecipe('mlm-only');
    return checkRecipe({ ...checked.recipe, method: 'mlm-only', weights: d.weights, temperature: d.temperature }, tabStudentSize).recipe;
  };

  return (
    <section className="distill-panel">
      <p className="hint" data-testid="distill-teacher">
        teacher: {teacher.name ? <b>{teacher.name}</b> : teacher.status === 'loading' ? `loading ${teacher.loading ?? 'a teacher'}…` : 'none loaded: load one in the Models tab'}
        {' '}<button className="align-link" data-testid="distill-open-alignment" onClick={() => openAlignment('distill')}>See how the teacher's and the student's tokens align →</button>
      </p>
      <div className="controls"><PresetPicker disabled={running} onRecipe={setDraft} onCorpus={corpus.select} /></div>
      <RecipeForm draft={draft} onChange={setDraft} disabled={running} tabStudentSize={tabStudentSize} />
      <div className="controls">
        {corpus.picker(running)}
        <button data-testid="distill-estimate" disabled={!ready || running || !checked.recipe || probe.busy} onClick={() => checked.recipe && void estimateCost(checked.recipe, corpus.source())}>
          {probe.busy ? 'estimating…' : 'Estimate cost'}
        </button>
        <button data-testid="distill-start" disabled={!ready || running || !checked.recipe} onClick={() => checked.recipe && void startDistill(checked.recipe, corpus.source())}>Start</button>
        {active?.state === 'paused' ? (
          <button data-testid="distill-resume" onClick={resumeRun}>Resume</button>
        ) : (
          <button data-testid="distill-pause" disabled={!active} onClick={pauseRun}>Pause</button>
        )}
        <button data-testid="distill-stop" disabled={!active} onClick={stopRun}>Stop</button>
        <button data-testid="distill-baseline" disabled={!ready || running || !checked.recipe || draft.method === 'mlm-only'} onClick={() => { const b = baseline(); if (b) void startDistill(b, corpus.source()); }}>
          Start the MLM-only baseline
        </button>
      </div>
      {live && !active && <div className="hint" data-testid="distill-busy">{runName(live)} is active (Train MLM tab): one run at a time</div>}
      {checked.error && <div className="error" data-testid="distill-recipe-error">{checked.error}</div>}
      {checked.recipe && recipeWarnings(checked.recipe, normalizers).map((w) => <div className="notice" key={w} data-testid="distill-recipe-warning">⚠ {w}</div>)}
      {tabError && <div className="error" data-testid="distill-error">{tabError}</div>}
      {estimate && (
        <div className="cards" data-testid="distill-estimate-result" data-stale={stale}>
          <div>student <b data-testid="distill-est-params">{estimate.params.toLocaleString('en')}</b> parameters</div>
          <div><b>{(estimate.bytes / 2 ** 20).toFixed(1)}</b> MB on the device at peak (teacher included)</div>
          <div><b data-testid="distill-est-ms">{estimate.msPerStep.toFixed(1)}</b> ms/step</div>
          <div>≈ <b>{duration(estimate.msPerStep * estimate.steps)}</b> for {estimate.steps} steps (without evaluation)</div>
          {stale && <div className="notice">the recipe changed since this estimate</div>}
        </div>
      )}

      {latest && (
        <div className="cards">
          <div data-testid="distill-status" data-status={latest.state} data-outcome={latest.outcome ?? ''}>
            run {latest.runId} ({latest.recipe?.method ?? 'invalid recipe'}): <b>{latest.outcome === 'diverged' ? 'diverged' : latest.state}</b>{latest.message ? ` — ${latest.message}` : ''}
          </div>
          {latest.phase && latest.state === 'starting' && (
            <div data-testid="distill-phase">
              {latest.phase.phase} <progress value={latest.phase.done} max={Math.max(latest.phase.total, 1)} /> {latest.phase.done} / {latest.phase.total}
            </div>
          )}
          {latest.info && (
            <div>
              teacher {latest.info.teacherParams.toLocaleString('en')} → student {latest.info.studentParams.toLocaleString('en')} parameters · student vocab {latest.info.studentVocab.toLocaleString('en')}
              {latest.info.sharedVocab !== undefined && ` · shared ${latest.info.sharedVocab.toLocaleString('en')}`}
              {latest.info.glmdK !== undefined && ` · GLMD K ${latest.info.glmdK.toLocaleString('en')}`}
              {' '}· {latest.info.trainSequences.toLocaleString('en')} train / {latest.info.heldoutSequences.toLocaleString('en')} held-out sequences
            </div>
          )}
          {latest.checkpointStep !== null && <div>checkpoint at step <b>{latest.checkpointStep}</b></div>}
        </div>
      )}
      {latest?.error && <div className="error" data-testid="distill-run-error">{latest.error}</div>}
      {latest?.warnings.slice(-3).map((w, i) => <div className="notice" key={i}>⚠ {w}</div>)}

      <div ref={charts}>
        <DistillCharts runs={chartRuns} order={order} latest={chartLatest} />
        <BenchCharts runs={shownRuns} order={order} />
      </div>
      <DistillRuns runs={runs} shown={shown} />
      <ResultsTable runs={runs} chartsRoot={() => charts.current} />
      <DisagreementPanel />

      <div className="controls">
        <button data-testid="distill-export" disabled={running || !runs.some((r) => r.outcome)} onClick={async () => setExported(await exportStudent())}>Export student (HF folder)</button>
        {exported.length > 0 && <span data-testid="distill-exported">downloaded: {exported.join(', ')}</span>}
      </div>
      <ExportTorchButton recipe={checked.recipe} corpus={corpus.source} disabled={!ready || running} />
    </section>
  );
}
