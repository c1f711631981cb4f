import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { actions, useWorkbench } from '../../store/index.ts';
import { disagreementStep, disagreementText } from '../../store/disagreement.ts';
import { probeSpan, PROBE_TOP, showDisagreement } from '../../app/disagreement.ts';
import { wordSpan } from '../../alignment/index.ts';
import type { AlignedColumns, DisagreementResult, DisagreementToken, ProbeSide } from '../../distill/disagreement.ts';
import type { Method } from '../../distill/types.ts';
import { int } from '../../app/format.ts';

/**
 * "Where the student disagrees" (issue 12 item 3), in the Distill tab. The worker keeps a copy of the student at each
 * evaluation point of the latest distillation (the last 8 and the final one); on a text (a held-out line of the run's
 * corpus by default) this panel shows, per teacher token, KL(teacher ‖ aligned student) as the shade of the token's
 * characters and marks where the two top-1 predictions differ; a step slider scrubs between the kept snapshots, and a
 * click on a word runs the aligned fill-mask probe (that word masked on both sides, both top-5 lists).
 *
 * The aligned student prediction (distill/disagreement.ts computes it; both models read the unmasked text, T = 1):
 * - Reduce ∩: the student reads σ(t₁)‖…‖σ(tₙ) (each teacher token re-split into student pieces) and the piece
 *   logits of each teacher token's group are summed, as the Reduce loss does; compared over the shared vocabulary C.
 * - Reduce-map: the same group sums, scored per mapped teacher entry (Σ or logsumexp over its pieces), compared over
 *   those entries: the distribution its loss trains.
 * - Match: the student reads its own tokenization; rows only where a teacher token is paired with an identical student
 *   token (the greedy pairs), over C; other teacher tokens have no aligned row (hatched).
 * - GLMD / kd-full: the student reads the teacher's own tokens (GLMD: through the kept-token lookup), every token, over
 *   the K kept tokens / the full vocabulary.
 * - MLM-only: never saw the teacher; shown through Reduce ∩'s alignment, to set it beside a Reduce student.
 */

const ALIGNED: Record<Method, string> = {
  reduce: 'Reduce ∩: the student reads each teacher token re-split into its own pieces (σ); the pieces’ predictions are summed per teacher token, as in the Reduce loss, and compared over the tokens both vocabularies share (C).',
  'reduce-map': 'Reduce-map: the student reads each teacher token re-split into its own pieces (σ); the summed piece predictions score every teacher token through its split and are compared over those teacher tokens, as in its loss.',
  match: 'Match: the student reads its own tokens; only teacher tokens paired with an identical student token (the greedy pairs) have a row, compared over the shared tokens C. Unpaired tokens are hatched.',
  glmd: 'GLMD: the student reads the teacher’s own tokens (a removed token replaced by its nearest kept one) and is compared over the K tokens it kept.',
  'kd-full': 'kd-full: the student has the teacher’s vocabulary, reads the same tokens and is compared over the whole vocabulary.',
  'mlm-only': 'MLM-only (no teacher in training): shown through Reduce ∩’s alignment — each teacher token re-split into student pieces, the pieces’ predictions summed, compared over the shared tokens C.',
};

const COLUMNS: Record<AlignedColumns, string> = { C: 'shared tokens C', mapped: 'mapped teacher tokens', kept: 'kept tokens', full: 'full vocabulary' };

const NO_ROW: Partial<Record<Method, string>> = {
  match: 'no aligned row: no identical student token was paired with it',
  reduce: 'no aligned row: its pieces fall past the student’s positions',
  'reduce-map': 'no aligned row: its pieces fall past the student’s positions',
  'mlm-only': 'no aligned row: its pieces fall past the student’s positions',
};

const RED = '220, 38, 38';
const HATCH = 'repeating-linear-gradient(45deg, #d1d5db 0 3px, #f9fafb 3px 6px)';
const MB = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const pct = (p: number | null) => (p === null ? '–' : `${(p * 100).toFixed(1)} %`);

/** The shade of a token: transparent red from 0.08 (KL 0) to 0.85 (KL ≥ the scale); hatched without a row. */
function shade(kl: number | null, scale: number): string {
  if (kl === null) return HATCH;
  const a = Math.min(1, Math.max(0, kl) / Math.max(scale, 1e-9));
  return `rgba(${RED}, ${(0.08 + 0.77 * a).toFixed(3)})`;
}

function tip(t: DisagreementToken, method: Method): string {
  const span = `“${t.token}” [${t.offsets[0]}, ${t.offsets[1]})`;
  if (t.kl === null) return `${span} — ${NO_ROW[method] ?? 'no aligned row'}`;
  return `${span} · KL ${t.kl.toFixed(3)} nats · teacher: ${t.teacherTop1} ${pct(t.teacherP)} · student: ${t.studentTop1} ${pct(t.studentP)} · top-1 ${t.agree ? 'agrees' : 'differs'}`;
}

function Heatmap({ text, result, scale, method, onPick }: { text: string; result: DisagreementResult; scale: number; method: Method; onPick(i: number): void }) {
  const [hover, setHover] = useState<number | null>(null);
  const drawn = result.tokens.map((t, i) => ({ t, i })).filter(({ t }) => !t.special && t.offsets[1] > t.offsets[0]);
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const { t, i } of drawn) {
    const [a, b] = t.offsets;
    if (a > at) parts.push(<span key={`g${at}`} className="gap">{text.slice(at, a)}</span>);
    parts.push(
      <span
        key={i}
        data-testid="disagree-token"
        data-start={a}
        data-end={b}
        data-kl={t.kl ?? ''}
        data-agree={t.agree === null ? '' : String(t.agree)}
        tabIndex={0}
        role="button"
        aria-label={tip(t, method)}
        onMouseEnter={() => setHover(i)}
        onMouseLeave={() => setHover((h) => (h === i ? null : h))}
        onFocus={() => setHover(i)}
        onBlur={() => setHover((h) => (h === i ? null : h))}
        onClick={() => onPick(i)}
        onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(i); } }}
        style={{
          background: shade(t.kl, scale), borderRadius: 2, cursor: 'pointer', padding: '1px 0',
          borderBottom: t.agree === false ? '2.5px solid #111827' : '2.5px solid transparent',
          outline: hover === i ? '2px solid #2563eb' : undefined,
        }}
      >
        {text.slice(a, b)}
      </span>,
    );
    at = b;
  }
  if (at < text.length) parts.push(<span key="tail" className="gap">{text.slice(at)}</span>);
  const shown = hover !== null ? result.tokens[hover] : null;
  return (
    <>
      <div data-testid="disagree-tip" aria-live="polite" style={{ minHeight: '1.4rem', fontSize: '0.85rem', background: '#f3f4f6', borderRadius: '6px 6px 0 0', padding: '0.3rem 0.5rem', fontFamily: 'ui-monospace, monospace' }}>
        {shown ? tip(shown, method) : 'Hover or focus a token for its numbers; click a word to probe it.'}
      </div>
      <div className="spans-body" data-testid="disagree-heatmap" data-tokens={drawn.length} style={{ fontFamily: 'inherit', lineHeight: 2, borderRadius: '0 0 6px 6px' }}>
        {parts}
      </div>
    </>
  );
}

function Legend({ scale }: { scale: number }) {
  return (
    <div data-testid="disagree-legend" style={{ display: 'flex', flexWrap: 'wrap', gap: '0.2rem 1.2rem', fontSize: '0.85rem', color: '#374151', margin: '0.3rem 0' }}>
      <span>
        KL(teacher ‖ student), nats: 0{' '}
        <span style={{ display: 'inline-block', width: '9rem', height: '0.8rem', verticalAlign: -2, borderRadius: 2, background: `linear-gradient(to right, rgba(${RED}, 0.08), rgba(${RED}, 0.85))` }} />{' '}
        {scale.toFixed(2)} (the largest on this text so far)
      </span>
      <span><span style={{ borderBottom: '2.5px solid #111827' }}>underlined</span>: the two top-1 predictions differ</span>
      <span><span style={{ display: 'inline-block', width: '0.9rem', height: '0.9rem', verticalAlign: -2, borderRadius: 2, background: HATCH }} /> no aligned row</span>
    </div>
  );
}

function ProbeList({ title, side, testid }: { title: string; side: ProbeSide; testid: string }) {
  return (
    <div>
      <div className="spans-label">{title}: masks {side.masked.map((m) => m.token).join(' ')}</div>
      <ol data-testid={testid} style={{ margin: '0.2rem 0', paddingLeft: '1.4rem' }}>
        {side.candidates.map((c, j) => (
          <li key={j} data-p={c.probability} style={{ display: 'grid', gridTemplateColumns: '7rem 1fr 4rem', alignItems: 'center', gap: '0.4rem', fontSize: '0.85rem' }}>
            <span className="candidate" style={{ fontFamily: 'ui-monospace, monospace' }}>{c.token}</span>
            <span style={{ background: '#e5e7eb', height: '0.7rem', borderRadius: 3 }}>
              <span data-testid={`${testid}-bar`} style={{ display: 'block', height: '100%', width: `${(c.probability * 100).toFixed(1)}%`, background: '#2563eb', borderRadius: 3 }} />
            </span>
            <span style={{ textAlign: 'right' }}>{pct(c.probability)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function DisagreementPanel() {
  const d = useWorkbench((s) => s.disagreement);
  const run = useWorkbench(useShallow((s) => {
    const id = s.disagreement.snapshots?.runId;
    const r = id ? s.runs[id] : undefined;
    return r?.kind === 'distill' ? { method: r.recipe?.method ?? null, state: r.state, params: r.info?.studentParams ?? null } : null;
  }));
  const snaps = d.snapshots;
  const text = disagreementText(d);
  const step = disagreementStep(d);
  const steps = snaps?.list.steps ?? [];
  const latest = steps.length ? steps[steps.length - 1] : null;
  const heat = d.heat.shown;
  const following = d.step === null;
  const heatRun = heat?.runId ?? null;
  const heatText = heat?.text ?? null;
  const heatStep = heat?.step ?? null;

  // Following the latest snapshot during a run: a heatmap on screen moves on to each new snapshot.
  useEffect(() => {
    if (!snaps || latest === null || !following || heatRun !== snaps.runId || heatText === null || heatStep === latest) return;
    void showDisagreement(snaps.runId, latest, heatText);
  }, [snaps, latest, following, heatRun, heatText, heatStep]);

  if (!snaps) {
    return (
      <section data-testid="disagree-panel">
        <h3>Where the student disagrees</h3>
        <p className="hint">Start a distillation: at each evaluation point (every evalEvery steps, and the last step) the worker keeps a copy of the student, and this view compares it with the teacher on a text.</p>
      </section>
    );
  }
  const method = run?.method ?? 'reduce';
  const bytesEach = snaps.list.bytesEach || (run?.params ? 4 * run.params : 0);
  const scale = d.scale && heat && d.scale.text === heat.text ? d.scale.max : 1;
  const probe = d.probe.shown;

  const show = (s: number | null = step) => { if (s !== null) void showDisagreement(snaps.runId, s, text); };
  const scrub = (index: number) => {
    const s = steps[index];
    actions.setDisagreementStep(index === steps.length - 1 ? null : s); // the right end follows the run
    show(s);
    const span = d.probe.span;
    if (span && probe?.text === text) void probeSpan(snaps.runId, s, text, span[0], span[1]);
  };
  const pick = (i: number) => {
    if (!heat || step === null) return;
    const [a, b] = wordSpan(heat.result.tokens, i);
    if (b > a) void probeSpan(heat.runId, heat.step, heat.text, a, b);
  };
  const rows = heat ? heat.result.tokens.filter((t) => !t.special && t.kl !== null) : [];
  const meanKl = rows.length ? rows.reduce((s, t) => s + t.kl!, 0) / rows.length : null;
  const agreement = rows.length ? rows.filter((t) => t.agree).length / rows.length : null;
  const index = step === null ? 0 : steps.indexOf(step);

  return (
    <section data-testid="disagree-panel" style={{ marginTop: '1rem' }}>
      <h3 style={{ marginBottom: '0.2rem' }}>Where the student disagrees</h3>
      <p className="hint" style={{ margin: '0.2rem 0', fontSize: '0.88rem' }}>
        Each teacher token of the text is shaded by how far the student’s <i>aligned</i> prediction is from the teacher’s
        (KL divergence at temperature 1; both read the text unmasked). {ALIGNED[method]}
      </p>
      <p className="hint" style={{ margin: '0.2rem 0', fontSize: '0.82rem' }} data-testid="disagree-memory">
        {snaps.runId} ({method}): the worker keeps the student at the last {snaps.list.limit} evaluation points and the final step
        {bytesEach ? `, ${MB(bytesEach)} MB each in its memory (at most ${MB((snaps.list.limit + 1) * bytesEach)} MB)` : ''}; only the latest distillation’s.
      </p>
      <label style={{ display: 'block', fontSize: '0.85rem' }}>
        text (a held-out line of the corpus by default)
        <textarea data-testid="disagree-text" value={text} onChange={(e) => actions.setDisagreementText(e.target.value)} style={{ width: '100%', minHeight: '3.5rem', boxSizing: 'border-box', fontFamily: 'inherit' }} />
      </label>
      <div className="controls" style={{ margin: '0.4rem 0', alignItems: 'center' }}>
        <label style={{ flex: '1 1 18rem' }}>
          <span data-testid="disagree-step-label" data-step={step ?? ''}>
            {step === null ? 'no snapshot yet (the first comes at the first evaluation)' : `step ${step}${step === snaps.list.finalStep ? ' (final)' : ''}${following && run && run.state !== 'done' && run.state !== 'stopped' && run.state !== 'error' ? ' — follows the run' : ''} · snapshot ${index + 1} of ${steps.length} kept`}
          </span>
          <input type="range" data-testid="disagree-step" min={0} max={Math.max(0, steps.length - 1)} step={1} value={Math.max(0, index)} disabled={steps.length < 2} onChange={(e) => scrub(Number(e.target.value))} />
        </label>
        <button data-testid="disagree-show" disabled={step === null || !text.trim() || d.heat.busy} onClick={() => show()}>{d.heat.busy ? 'computing…' : 'Show disagreement'}</button>
      </div>
      {d.heat.error && <div className="error" data-testid="disagree-error">{d.heat.error}</div>}
      {heat && (
        <div data-testid="disagree-result" data-step={heat.step} data-run={heat.runId}>
          <div className="cards" style={{ marginBottom: 0 }}>
            <div>step <b data-testid="disagree-shown-step">{heat.step}</b>{heat.text !== text ? ' (an earlier text)' : ''}</div>
            <div>mean KL <b>{meanKl === null ? '–' : meanKl.toFixed(3)}</b> nats over {rows.length} tokens</div>
            <div>top-1 agreement <b>{pct(agreement)}</b></div>
            <div>columns: {COLUMNS[heat.result.columns]} ({int(heat.result.columnCount)})</div>
          </div>
          <Legend scale={scale} />
          <Heatmap text={heat.text} result={heat.result} scale={scale} method={method} onPick={pick} />
        </div>
      )}
      {d.probe.error && <div className="error" data-testid="probe-error">{d.probe.error}</div>}
      {(probe || d.probe.busy) && (
        <div data-testid="probe" style={{ marginTop: '0.6rem' }}>
          {d.probe.busy && <div className="hint">probing…</div>}
          {probe && (
            <>
              <div style={{ fontSize: '0.88rem' }}>
                Aligned fill-mask, step {probe.step}: “<b>{probe.text.slice(probe.result.span[0], probe.result.span[1])}</b>” masked on both sides
                {probe.result.teacher.masked.length > 1 || probe.result.student.masked.length > 1
                  ? ` — more than one token is masked, so each list is the top ${PROBE_TOP} at the first masked position of its side`
                  : ` — top ${PROBE_TOP} of each model`}.
              </div>
              <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: '1rem' }}>
                <ProbeList title="teacher" side={probe.result.teacher} testid="probe-teacher" />
                <ProbeList title={`student (step ${probe.step})`} side={probe.result.student} testid="probe-student" />
              </div>
            </>
          )}
        </div>
      )}
    </section>
  );
}
