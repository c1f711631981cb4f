import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryEntry } from '../../app/historyDb.ts';
import { downsample } from '../LossChart.tsx';
import { runColour } from '../distill/DistillCharts.tsx';
import { shortTitle, STEP_AXIS, tickFormat, yTitle } from '../chartAxes.ts';
import { formatValue, lastValue, runFacts, runSeries, standings, type Series } from './metrics.ts';

/** One chart per quantity, a line per picked run that has it (the colour follows the run's place in the pick). */
function CompareCharts({ entries }: { entries: HistoryEntry[] }) {
  const all = entries.map((e) => runSeries(e.record));
  const defs = new Map<string, Series>();
  for (const s of all.flat()) if (!defs.has(s.id)) defs.set(s.id, s);
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(340px, 1fr))', gap: '0.6rem' }}>
      {[...defs.values()].map((def) => {
        const lines = entries.flatMap((e, i) => {
          const s = all[i].find((x) => x.id === def.id);
          return s ? [{ e, i, data: downsample(s.points, 600) }] : [];
        });
        return (
          <div className="chart" key={def.id} data-testid={`history-chart-${def.id}`} data-lines={lines.length}>
            <div className="spans-label">{def.label} ({def.better} is better)</div>
            <ResponsiveContainer width="100%" height={200}>
              <LineChart margin={{ top: 6, right: 12, bottom: 16, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis {...STEP_AXIS} domain={[0, 'dataMax']} allowDuplicatedCategory={false} />
                <YAxis domain={['auto', 'auto']} width={64} tickFormatter={tickFormat(lines.flatMap((l) => l.data.map((p) => p.value)))} label={yTitle(shortTitle(def.label))} />
                <Tooltip />
                <Legend />
                {lines.map(({ e, i, data }) => (
                  <Line key={e.id} data={data} dataKey="value" name={`#${i + 1} ${e.name}`} stroke={runColour(i)} dot={data.length < 3} isAnimationActive={false} />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        );
      })}
    </div>
  );
}

/** The runs side by side: facts, then every quantity's last value (the best in bold). */
function CompareTable({ entries }: { entries: HistoryEntry[] }) {
  const facts = entries.map((e) => runFacts(e.record));
  const all = entries.map((e) => runSeries(e.record));
  const ranked = new Map(standings(entries.map((e) => e.record)).map((s) => [s.id, s.ranking[0].index]));
  const ids = [...new Map(all.flat().map((s) => [s.id, s.label])).entries()];
  const row = (label: string, cells: string[], best = -1, testId?: string) => (
    <tr key={label} data-testid={testId}>
      <th style={{ textAlign: 'left' }}>{label}</th>
      {cells.map((c, i) => <td key={i}>{i === best ? <b>{c}</b> : c}</td>)}
    </tr>
  );
  return (
    <table className="budget" data-testid="history-compare-table">
      <thead>
        <tr><th /> {entries.map((e, i) => <th key={e.id} style={{ color: runColour(i) }}>#{i + 1} {e.name}</th>)}</tr>
      </thead>
      <tbody>
        {row('method', facts.map((f) => f.method))}
        {row('sizes', facts.map((f) => f.sizes))}
        {row('steps', facts.map((f) => f.steps))}
        {row('state', facts.map((f) => f.state))}
        {ids.map(([id, label]) => row(label, all.map((series) => formatValue(id, lastValue(series.find((s) => s.id === id)))), ranked.get(id) ?? -1, `history-compare-row-${id}`))}
      </tbody>
    </table>
  );
}

/** "which method wins": per quantity two or more runs have, the winner and the others with their last values. */
function Winners({ entries }: { entries: HistoryEntry[] }) {
  const who = (i: number) => `${runFacts(entries[i].record).method} (#${i + 1} ${entries[i].name})`;
  const st = standings(entries.map((e) => e.record));
  if (!st.length) return <p className="hint">These runs share no quantity to compare.</p>;
  return (
    <ul data-testid="history-winners">
      {st.map((s) => {
        const [first, ...rest] = s.ranking;
        const tie = rest[0]?.value === first.value;
        return (
          <li key={s.id} data-testid={`history-winner-${s.id}`}>
            {s.label}: <b>{who(first.index)}</b> {tie ? 'ties' : 'wins'} with {formatValue(s.id, first.value)}
            {' '}over {rest.map((r) => `${who(r.index)} ${formatValue(s.id, r.value)}`).join(', ')}
          </li>
        );
      })}
    </ul>
  );
}

/** Two or more stored runs compared: which method wins per quantity, the results side by side, the curves overlaid. */
export function Comparison({ entries }: { entries: HistoryEntry[] }) {
  return (
    <section data-testid="history-compare">
      <h3>Comparison of {entries.length} runs</h3>
      <p className="hint">
        Last values; held-out masked-word accuracy compares across vocabularies, MLM losses only between runs with the same
        student vocabulary (as on the Distill tab). A method&apos;s total loss is its own weighted sum and is not compared.
      </p>
      <Winners entries={entries} />
      <CompareTable entries={entries} />
      <CompareCharts entries={entries} />
    </section>
  );
}
