import { lazy, memo, Suspense, useDeferredValue, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { splitTokens, type CorpusView, type GlmdView, type VocabView } from '../../alignment/mapView.ts';
import type { Job } from '../../store/alignment.ts';
import { tokenColour, tokenParts } from '../tokenColour.ts';
import { Term } from '../Term.tsx';
import { vocabOrder, type VocabFilter, type VocabSort } from './vocabTable.ts';
import { int } from '../../app/format.ts';

const ROW_H = 28;

function Tok({ t, title }: { t: string; title?: string }) {
  const { prefix, body } = tokenParts(t);
  return <span className="ach" style={{ background: tokenColour(t) }} title={title}>{prefix && <small>{prefix}</small>}{body}</span>;
}

/** σ(v) as student pieces, or why there is none. */
function SigmaCell({ vocab, students, v }: { vocab: VocabView; students: string[]; v: number }) {
  if (vocab.splitLength[v] < 0) return <span className="hint">unmapped</span>;
  const pieces = [];
  for (let k = vocab.sigmaPtr[v]; k < vocab.sigmaPtr[v + 1]; k++) pieces.push(<Tok key={k} t={students[vocab.sigmaIds[k]]} title={`student id ${vocab.sigmaIds[k]}`} />);
  return <>{pieces}</>;
}

/**
 * The teacher's vocabulary as a virtualised table (only the rows in view exist: 120k rows scroll like 20): search,
 * filter, sort; σ split, corpus count, in/out of C, GLMD row / kept / replacement when computed.
 */
function VocabularyTableBody({ vocab, corpus, glmd }: { vocab: VocabView; corpus: CorpusView | null; glmd: GlmdView | null }) {
  const teachers = useMemo(() => splitTokens(vocab.teacherTokens), [vocab]);
  const students = useMemo(() => splitTokens(vocab.studentTokens), [vocab]);
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<VocabSort>('id');
  const [filter, setFilter] = useState<VocabFilter>('all');
  const deferredSearch = useDeferredValue(search);
  const q = useMemo(() => ({ search: deferredSearch, sort, filter }), [deferredSearch, sort, filter]);
  const counts = corpus?.counts ?? null;
  const order = useMemo(() => vocabOrder(vocab, teachers, q, counts, glmd?.kept ?? null), [vocab, teachers, q, counts, glmd]);
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- no React Compiler here; the virtualizer re-renders this component itself
  const virtualizer = useVirtualizer({ count: order.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_H, overscan: 10 });
  return (
    <div className="vocab-table">
      <div className="controls">
        <label>search <input data-testid="vocab-search" value={search} placeholder="token or #id" onChange={(e) => setSearch(e.target.value)} style={{ width: '12rem' }} /></label>
        <label>
          show
          <select data-testid="vocab-filter" value={filter} onChange={(e) => setFilter(e.target.value as VocabFilter)}>
            <option value="all">every entry</option>
            <option value="split">split by the student (|σ| &gt; 1)</option>
            <option value="lost">lost ([UNK] in σ)</option>
            <option value="outside-C">outside C</option>
            <option value="glmd-removed" disabled={!glmd}>removed by GLMD</option>
          </select>
        </label>
        <label>
          sort by
          <select data-testid="vocab-sort" value={sort} onChange={(e) => setSort(e.target.value as VocabSort)}>
            <option value="id">id</option>
            <option value="count" disabled={!counts}>corpus frequency</option>
            <option value="split">split length</option>
          </select>
        </label>
        <span className="hint" data-testid="vocab-rows" data-rows={order.length}>{int(order.length)} of {int(vocab.size)} entries</span>
      </div>
      <div className="vrow vhead" role="row">
        <span>id</span><span>teacher token</span><span><Term id="sigma" /> (student pieces)</span><span>|σ|</span><span>in <Term id="C" /></span><span>corpus count</span><span>GLMD row · kept · replacement</span>
      </div>
      <div className="vscroll" ref={scrollRef} data-testid="vocab-scroll" role="table" aria-rowcount={order.length}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const v = order[item.index];
            return (
              <div key={item.key} className="vrow" role="row" data-testid="vocab-row" data-id={v} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${item.start}px)` }}>
                <span>{v}</span>
                <span><Tok t={teachers[v]} /></span>
                <span className="vsigma"><SigmaCell vocab={vocab} students={students} v={v} /></span>
                <span className={vocab.splitHasUnk[v] ? 'lost' : ''}>{vocab.splitLength[v] < 0 ? '–' : vocab.splitLength[v]}</span>
                <span>{vocab.sharedStudentId[v] >= 0 ? '✓' : '–'}</span>
                <span>{counts ? int(counts[v]) : '…'}</span>
                <span>{glmd ? (glmd.kept[v] ? `${glmd.row[v]} · kept` : <>{glmd.row[v]} · → <Tok t={teachers[glmd.replacement[v]]} /></>) : '–'}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** Teacher tokens the student splits or loses, by corpus frequency, with example contexts (the token marked). */
function LossExplorerBody({ corpus, vocab }: { corpus: CorpusView; vocab: VocabView }) {
  const teachers = useMemo(() => splitTokens(vocab.teacherTokens), [vocab]);
  const students = useMemo(() => splitTokens(vocab.studentTokens), [vocab]);
  const [shown, setShown] = useState(30);
  const entries = corpus.loss.slice(0, shown);
  return (
    <div className="loss-explorer" data-testid="vocab-loss" data-entries={corpus.loss.length}>
      <ol>
        {entries.map((e) => (
          <li key={e.id} data-testid="vocab-loss-entry" data-id={e.id}>
            <div>
              <Tok t={teachers[e.id]} title={`teacher id ${e.id}`} /> ×{int(e.count)} → <SigmaCell vocab={vocab} students={students} v={e.id} />
              {e.lost ? <span className="lost"> lost: σ contains [UNK]</span> : <span className="hint"> split into {e.splitLength}</span>}
            </div>
            {e.contexts.map((c, k) => (
              <div key={k} className="context">…{c.snippet.slice(0, c.start)}<mark>{c.snippet.slice(c.start, c.end)}</mark>{c.snippet.slice(c.end)}…</div>
            ))}
          </li>
        ))}
      </ol>
      {shown < corpus.loss.length && <button onClick={() => setShown(shown + 30)}>show 30 more</button>}
    </div>
  );
}

/** Progress of a worker job. */
export function JobProgress({ job, testId }: { job: Job<unknown>; testId: string }) {
  if (job.status === 'error') return <div className="error" data-testid={`${testId}-error`}>{job.error}</div>;
  if (job.status === 'ready') return null;
  return <div className="hint" data-testid={`${testId}-progress`}>{job.phase}… <progress value={job.total ? job.done / job.total : undefined} max={1} /></div>;
}

export const VocabularyTable = memo(VocabularyTableBody);

export const LossExplorer = memo(LossExplorerBody);

// recharts (~360 KB, 60-130 ms to evaluate on the 2-core machine) loads when the histogram is first drawn, not with the tab.
const SplitHistogramChart = lazy(() => import('./SplitHistogramChart.tsx').then((m) => ({ default: m.SplitHistogramBody })));
export const SplitHistogram = memo(function SplitHistogram(props: { vocab: VocabView; corpus: CorpusView | null }) {
  return <Suspense fallback={<p className="hint">drawing the histogram…</p>}><SplitHistogramChart {...props} /></Suspense>;
});
