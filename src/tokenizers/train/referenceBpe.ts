/**
 * Test reference for the fast merge loop: the textbook BPE trainer (recount every pair after every merge), with the
 * same alphabet-coverage rule, `##` convention, [UNK] barriers and tie-break as trainers.ts. Quadratic; only for
 * the small corpora in trainers.test.ts, which compare its merges with `trainBpe`'s.
 */

export interface ReferenceResult {
  alphabet: string[];
  merges: [string, string][];
  newTokens: string[];
}

export function referenceBpe(counts: Map<string, number>, coverage: number, minFrequency: number, maxNew: number): ReferenceResult {
  const charCount = new Map<string, number>();
  let total = 0;
  for (const [w, f] of counts) for (const c of w) { charCount.set(c, (charCount.get(c) ?? 0) + f); total += f; }
  const byFreq = [...charCount].sort((x, y) => y[1] - x[1] || x[0].codePointAt(0)! - y[0].codePointAt(0)!);
  const kept = new Set<string>();
  let cum = 0;
  for (const [c, n] of byFreq) {
    if (kept.size > 0 && cum >= coverage * total) break;
    kept.add(c);
    cum += n;
  }
  const words = [...counts].map(([w, f]) => ({ f, s: [...w].map((c, i) => (kept.has(c) ? (i ? '##' + c : c) : null)) }));
  const seen = new Set<string>([...kept, ...[...kept].map((c) => '##' + c)]);
  const merges: [string, string][] = [];
  const newTokens: string[] = [];
  while (newTokens.length < maxNew) {
    const pc = new Map<string, { a: string; b: string; n: number }>();
    for (const { f, s } of words) {
      for (let i = 0; i + 1 < s.length; i++) {
        const a = s[i], b = s[i + 1];
        if (a === null || b === null) continue;
        const k = a + '\u0000' + b;
        const e = pc.get(k) ?? { a, b, n: 0 };
        e.n += f;
        pc.set(k, e);
      }
    }
    let best: { a: string; b: string; n: number } | null = null;
    for (const e of pc.values()) {
      if (!best || e.n > best.n || (e.n === best.n && (e.a < best.a || (e.a === best.a && e.b < best.b)))) best = e;
    }
    if (!best || best.n < minFrequency) break;
    const z = best.a + best.b.slice(2);
    merges.push([best.a, best.b]);
    if (!seen.has(z)) { seen.add(z); newTokens.push(z); }
    for (const w of words) {
      const out: (string | null)[] = [];
      for (let i = 0; i < w.s.length; i++) {
        if (w.s[i] === best.a && w.s[i + 1] === best.b && i + 1 < w.s.length) { out.push(z); i++; } else out.push(w.s[i]);
      }
      w.s = out;
    }
  }
  return { alphabet: [...kept].sort((x, y) => x.codePointAt(0)! - y.codePointAt(0)!), merges, newTokens };
}
