/**
 * What the History tab reads out of a stored run record, duck-typed (records are stored as they were, and their fields
 * grow: old records lack new fields, new ones carry more): its series against the step, labelled as the Distill tab's
 * charts label comparable quantities, its facts (method, sizes), and the winner of each quantity among several runs.
 * - point series: held-out masked-word accuracy (comparable across vocabularies), held-out MLM loss and the training
 *   MLM term (comparable for the same student vocabulary; a pretraining run's loss is its MLM term), masked-token
 *   accuracy (pretraining), KL;
 * - benchmark series (`record.bench.points[].scores`, labelled by `record.bench.reference.metrics`): every key.
 */
import { int } from '../../app/format.ts';
export interface Series {
  id: string;
  label: string;
  better: 'higher' | 'lower';
  points: { step: number; value: number }[];
}

interface PointSeries {
  id: string;
  label: string;
  better: 'higher' | 'lower';
  /** The point field that holds it, per run kind. */
  from: Partial<Record<'pretrain' | 'distill', string>>;
}

const POINT_SERIES: PointSeries[] = [
  { id: 'heldout-word-acc', label: 'held-out masked-word accuracy (comparable across vocabularies)', better: 'higher', from: { distill: 'evalWordAcc' } },
  { id: 'heldout-loss', label: 'held-out MLM loss (comparable for the same student vocabulary)', better: 'lower', from: { pretrain: 'valLoss', distill: 'evalLoss' } },
  { id: 'heldout-token-acc', label: 'held-out masked-token accuracy (pretraining)', better: 'higher', from: { pretrain: 'valAccuracy' } },
  { id: 'mlm', label: 'training MLM term (comparable for the same student vocabulary)', better: 'lower', from: { pretrain: 'loss', distill: 'mlm' } },
  { id: 'kl', label: 'KL (× T², before its weight; runs with a teacher)', better: 'lower', from: { distill: 'kl' } },
];

type Num = Record<string, unknown>;
interface LooseRecord {
  kind?: string;
  state?: string;
  outcome?: string | null;
  points?: Num[];
  info?: Num | null;
  config?: Num;
  recipe?: (Num & { student?: Num }) | null;
  bench?: { reference?: { metrics?: { key: string; label?: string; group?: string }[] } | null; points?: { step: number; scores?: Record<string, number> }[] };
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Lower is better for losses, perplexities, [UNK] rates and fertility; higher for everything else (accuracies, F1, agreement, log-likelihoods). */
export const betterOf = (key: string): 'higher' | 'lower' => (/loss|ppl|perplex|unk|fertility|kl\b/i.test(key) ? 'lower' : 'higher');

function benchSeries(r: LooseRecord): Series[] {
  const labels = new Map((r.bench?.reference?.metrics ?? []).map((m) => [m.key, m.group ? `${m.group}: ${m.label ?? m.key}` : m.label ?? m.key]));
  const byKey = new Map<string, Series>();
  for (const p of r.bench?.points ?? []) {
    for (const [key, value] of Object.entries(p.scores ?? {})) {
      if (!finite(value)) continue;
      let s = byKey.get(key);
      if (!s) byKey.set(key, (s = { id: `bench:${key}`, label: `benchmark ${labels.get(key) ?? key}`, better: betterOf(key), points: [] }));
      s.points.push({ step: p.step, value });
    }
  }
  return [...byKey.values()];
}

/** Every series the record carries, in a fixed order (point series, then benchmark series). */
export function runSeries(record: unknown): Series[] {
  const r = record as LooseRecord;
  const kind = r.kind === 'pretrain' ? 'pretrain' : 'distill';
  const out: Series[] = [];
  for (const def of POINT_SERIES) {
    const field = def.from[kind];
    if (!field) continue;
    const points = (r.points ?? []).filter((p) => finite(p[field])).map((p) => ({ step: p.step as number, value: p[field] as number }));
    if (points.length) out.push({ id: def.id, label: def.label, better: def.better, points });
  }
  return out.concat(benchSeries(r));
}

/** A series' last value (what a finished run ends with), or null. */
export const lastValue = (s: Series | undefined): number | null => (s?.points.length ? s.points[s.points.length - 1].value : null);

/** A value as the tables show it: shares (accuracies, F1, agreement, rates) in %, the rest with 3 decimals. */
export function formatValue(id: string, v: number | null): string {
  if (v === null) return '–';
  return /acc|f1|agree|rate|share/i.test(id) && Math.abs(v) <= 1 ? `${(v * 100).toFixed(1)} %` : v.toFixed(3);
}

/** Method and sizes of a run, for lists and tables. */
export function runFacts(record: unknown): { method: string; sizes: string; steps: string; state: string } {
  const r = record as LooseRecord;
  const last = r.points?.[r.points.length - 1];
  const params = finite(r.info?.params) ? r.info.params : finite(r.info?.studentParams) ? r.info.studentParams : null;
  const vocab = finite(r.info?.vocabSize) ? r.info.vocabSize : finite(r.info?.studentVocab) ? r.info.studentVocab : r.recipe?.student?.vocabSize;
  const shape = r.kind === 'pretrain' ? String(r.config?.preset ?? '?') : r.recipe?.student ? `${r.recipe.student.numLayers}×${r.recipe.student.hiddenSize}` : '?';
  const sizes = [shape, finite(vocab) ? `vocab ${int(vocab)}` : null, params !== null ? `${int(params)} params` : null].filter(Boolean).join(', ');
  const total = r.kind === 'pretrain' ? r.config?.steps : r.recipe?.steps;
  return {
    method: r.kind === 'pretrain' ? 'MLM pretraining' : String(r.recipe?.method ?? 'invalid recipe'),
    sizes,
    steps: `${finite(last?.step) ? last.step : 0} / ${finite(total) ? total : '–'}`,
    state: r.outcome === 'diverged' ? 'diverged' : String(r.state ?? '?'),
  };
}

export interface Standing {
  id: string;
  label: string;
  /** Runs that have the quantity, best first, with their last values. */
  ranking: { index: number; value: number }[];
}

/** For each quantity two or more of the runs have: the runs ranked by their last value (the winner first). */
export function standings(records: unknown[]): Standing[] {
  const all = records.map(runSeries);
  const ids = [...new Set(all.flat().map((s) => s.id))];
  const out: Standing[] = [];
  for (const id of ids) {
    const ranking = all.flatMap((series, index) => {
      const v = lastValue(series.find((s) => s.id === id));
      return v === null ? [] : [{ index, value: v }];
    });
    if (ranking.length < 2) continue;
    const def = all.flat().find((s) => s.id === id)!;
    ranking.sort((a, b) => (def.better === 'higher' ? b.value - a.value : a.value - b.value));
    out.push({ id, label: def.label, ranking });
  }
  return out;
}

/** Short names of the point series for the runs list. */
const SHORT: Record<string, string> = { 'heldout-word-acc': 'held-out word acc.', 'heldout-loss': 'held-out MLM loss', 'heldout-token-acc': 'held-out token acc.' };

/** The best value a run reached on its held-out series and its benchmarks (at most `max`), e.g. for the runs list. */
export function bestScores(record: unknown, max = 3): { id: string; label: string; value: number }[] {
  return runSeries(record)
    .filter((s) => s.id in SHORT || s.id.startsWith('bench:'))
    .slice(0, max)
    .map((s) => {
      const values = s.points.map((p) => p.value);
      return { id: s.id, label: SHORT[s.id] ?? s.label.replace(/^benchmark /, ''), value: s.better === 'higher' ? Math.max(...values) : Math.min(...values) };
    });
}
