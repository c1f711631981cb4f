/**
 * Classification metrics over string labels (no tf): accuracy, macro-F1, per-label precision / recall / F1, and the
 * majority-class baseline taken from the training split.
 *
 * - macro-F1 is the unweighted mean of the per-label F1 over every label that occurs in the gold labels or the
 *   predictions (scikit-learn's default label set), so a test label never seen in training counts with F1 = 0;
 * - the majority class is the most frequent training label (ties: the first in sorted order), and its accuracy is
 *   the share of test units with that gold label.
 */

export interface LabelScore {
  label: string;
  /** Gold units with this label. */
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationScores {
  accuracy: number;
  macroF1: number;
  perLabel: LabelScore[];
}

/** Label → count, most frequent first (ties in sorted order). */
export function labelCounts(labels: readonly string[]): [string, number][] {
  const m = new Map<string, number>();
  for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function classificationScores(gold: readonly string[], pred: readonly string[]): ClassificationScores {
  if (gold.length !== pred.length) throw new RangeError(`gold (${gold.length}) and predictions (${pred.length}) differ in length`);
  const labels = [...new Set([...gold, ...pred])].sort();
  const tp = new Map<string, number>();
  const g = new Map<string, number>();
  const p = new Map<string, number>();
  let correct = 0;
  for (let i = 0; i < gold.length; i++) {
    g.set(gold[i], (g.get(gold[i]) ?? 0) + 1);
    p.set(pred[i], (p.get(pred[i]) ?? 0) + 1);
    if (gold[i] === pred[i]) { correct++; tp.set(gold[i], (tp.get(gold[i]) ?? 0) + 1); }
  }
  const perLabel = labels.map((label) => {
    const t = tp.get(label) ?? 0;
    const precision = p.get(label) ? t / p.get(label)! : 0;
    const recall = g.get(label) ? t / g.get(label)! : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, support: g.get(label) ?? 0, precision, recall, f1 };
  });
  return {
    accuracy: gold.length ? correct / gold.length : 0,
    macroF1: perLabel.length ? perLabel.reduce((s, x) => s + x.f1, 0) / perLabel.length : 0,
    perLabel,
  };
}

export interface MajorityBaseline {
  label: string;
  /** Share of the training units with that label. */
  trainShare: number;
  accuracy: number;
  macroF1: number;
}

/** Always predicting the training split's most frequent label, scored on the test labels. */
export function majorityBaseline(trainLabels: readonly string[], testLabels: readonly string[]): MajorityBaseline {
  const [[label, n]] = labelCounts(trainLabels);
  const s = classificationScores(testLabels, testLabels.map(() => label));
  return { label, trainShare: n / trainLabels.length, accuracy: s.accuracy, macroF1: s.macroF1 };
}
