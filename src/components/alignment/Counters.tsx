import { memo } from 'react';
import type { AlignCounters } from '../../alignment/textMap.ts';
import { Term } from '../Term.tsx';
import { pct } from './layout.ts';
import { int } from '../../app/format.ts';

const KINDS = [
  { key: '1:1', label: '1:1 same token', cls: 'k0' },
  { key: '1:n', label: '1:n split', cls: 'k1' },
  { key: 'n:1', label: 'n:1 merged', cls: 'k2' },
  { key: 'n:m', label: 'n:m crossed', cls: 'k3' },
  { key: 'unlinked', label: 'unlinked', cls: 'k4' },
] as const;

/** The counters of the whole text: teacher tokens by link kind (a stacked bar), share in C, Match pair rate, [UNK] rates. */
function CountersBody({ c }: { c: AlignCounters }) {
  return (
    <div className="acounters" data-testid="align-counters">
      <div className="sharebar" aria-hidden>
        {KINDS.map((k) => c.teacherShare[k.key] > 0 && <span key={k.key} className={`seg ${k.cls}`} style={{ flexGrow: c.teacherShare[k.key] }} />)}
      </div>
      <div className="cards">
        <div>teacher <b data-testid="align-teacher-tokens">{int(c.teacherTokens)}</b> tokens · student <b data-testid="align-student-tokens">{int(c.studentTokens)}</b></div>
        {KINDS.map((k) => (
          <div key={k.key} data-testid={`align-share-${k.key}`} data-value={c.teacherShare[k.key]}>
            <span className={`swatch ${k.cls}`} /> {k.label} <b>{pct(c.teacherShare[k.key])}</b>
          </div>
        ))}
      </div>
      <div className="cards">
        <div data-testid="align-share-C" data-value={c.sharedVocabShare}>teacher tokens in <Term id="C" /> <b>{pct(c.sharedVocabShare)}</b></div>
        <div data-testid="align-match-rate" data-value={c.matchPairRate} data-pairs={c.matchPairs}>
          Match pairs <b>{int(c.matchPairs)}</b> = <b>{pct(c.matchPairRate)}</b> of teacher tokens{c.matchJumps > 0 && <> ({c.matchJumps} jump-ahead)</>}
        </div>
        <div data-testid="align-unk" data-teacher={c.unkRate.teacher} data-student={c.unkRate.student}>
          <Term id="UNK" /> rate: teacher <b>{pct(c.unkRate.teacher)}</b> · student <b>{pct(c.unkRate.student)}</b>
        </div>
      </div>
    </div>
  );
}

export const Counters = memo(CountersBody);
