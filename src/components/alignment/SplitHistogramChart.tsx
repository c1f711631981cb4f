/** The σ split-length histogram (recharts): loaded with recharts only when first drawn (VocabularyMap.tsx, issue 16 item 4). */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CorpusView, VocabView } from '../../alignment/mapView.ts';
import { Term } from '../Term.tsx';
import { xTitle, yTitle } from '../chartAxes.ts';

/** How many pieces σ splits teacher entries into: share of vocabulary entries and of corpus occurrences per length. */
export function SplitHistogramBody({ vocab, corpus }: { vocab: VocabView; corpus: CorpusView | null }) {
  const h = corpus?.histogram ?? vocab.histogram;
  const totalE = h.entries.reduce((a, b) => a + b, 0) || 1;
  const totalO = h.occurrences ? h.occurrences.reduce((a, b) => a + b, 0) || 1 : 1;
  const data = h.entries.map((n, k) => ({ k, entries: (100 * n) / totalE, occurrences: h.occurrences ? (100 * h.occurrences[k]) / totalO : undefined })).slice(1);
  return (
    <div className="chart" data-testid="vocab-histogram" data-bars={data.length}>
      <div className="spans-label">|<Term id="sigma" />(v)|: student pieces per teacher entry (1 = the student has the whole token)</div>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={data} margin={{ top: 6, right: 12, bottom: 16, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="k" label={xTitle('student pieces per teacher entry')} />
          <YAxis unit="%" width={60} allowDecimals={false} label={yTitle('share')} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)} %` : String(v))} labelFormatter={(k) => `${k} piece(s)`} />
          <Legend />
          <Bar dataKey="entries" name="vocabulary entries %" fill="#2563eb" isAnimationActive={false} />
          {h.occurrences && <Bar dataKey="occurrences" name="corpus occurrences %" fill="#ea580c" isAnimationActive={false} />}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

