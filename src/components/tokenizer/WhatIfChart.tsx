import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { WhatIfPoint } from '../../tokenizers/whatif.ts';
import { Term } from '../Term.tsx';
import { xTitle, yTitle } from '../chartAxes.ts';

/** Fertility (left axis) and STRR / [UNK] rate / embedding share (right axis, %) against the vocabulary size. */
export function WhatIfChart({ points, size }: { points: WhatIfPoint[]; size: number | null }) {
  const data = points.map((p) => ({ ...p, strrPct: p.strr * 100, unkPct: p.unkRate * 100, embPct: p.embeddingShare * 100 }));
  return (
    <div className="chart" data-testid="whatif-chart" data-points={points.length}>
      <div className="spans-label">
        left axis: <Term id="fertility" /> (tokens per word) · right axis: <Term id="STRR" />, <Term id="UNK" /> rate and the embeddings' share of the student's parameters, at each smaller vocabulary size
      </div>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 16, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="size" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} label={xTitle('vocabulary size')} />
          <YAxis yAxisId="f" width={64} domain={[1, 'auto']} tickFormatter={(v: number) => v.toFixed(2)} label={yTitle('tokens per word')} />
          <YAxis yAxisId="p" orientation="right" width={52} domain={[0, 100]} unit="%" allowDecimals={false} label={yTitle('%', 'right')} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
          <Legend />
          <Line yAxisId="f" name="fertility (tokens/word)" dataKey="fertility" stroke="#2563eb" dot={false} isAnimationActive={false} />
          <Line yAxisId="p" name="STRR %" dataKey="strrPct" stroke="#16a34a" dot={false} isAnimationActive={false} />
          <Line yAxisId="p" name="[UNK] %" dataKey="unkPct" stroke="#dc2626" dot={false} isAnimationActive={false} />
          <Line yAxisId="p" name="embedding share %" dataKey="embPct" stroke="#9333ea" dot={false} isAnimationActive={false} />
          {size !== null && <ReferenceLine yAxisId="f" x={size} stroke="#111" strokeDasharray="4 2" label="student" />}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
