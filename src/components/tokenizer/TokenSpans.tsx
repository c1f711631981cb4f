import type { Encoding } from '../../tokenizers/tokenizer.ts';
import { tokenColour, visibleGap } from '../tokenColour.ts';

/**
 * One tokenization as coloured spans over the original text: `##` continuations marked, whitespace between tokens
 * shown (· → ↵), id and offsets on hover, counters underneath.
 */
export function TokenSpans({ label, text, encoding, testId }: { label: string; text: string; encoding: Encoding; testId: string }) {
  const pieces: React.ReactNode[] = [];
  let cursor = 0;
  encoding.tokens.forEach((tok, i) => {
    const [s, e] = encoding.offsets[i];
    if (s === e && encoding.specialTokensMask[i]) return;
    if (s > cursor) pieces.push(<span key={`g${i}`} className="gap">{visibleGap(text.slice(cursor, s))}</span>);
    const cont = tok.startsWith('##');
    pieces.push(
      <span
        key={i}
        className={`tok${cont ? ' cont' : ''}${tok === '[UNK]' ? ' unk' : ''}`}
        style={{ background: tokenColour(tok) }}
        title={`${tok} · id ${encoding.ids[i]} · [${s}, ${e})`}
        aria-label={`${tok}, id ${encoding.ids[i]}, characters ${s} to ${e}`}
        tabIndex={0}
        data-token={tok}
        data-id={encoding.ids[i]}
      >
        {cont && <small>##</small>}
        {tok === '[UNK]' ? text.slice(s, e) || '[UNK]' : text.slice(s, e)}
      </span>,
    );
    cursor = Math.max(cursor, e);
  });
  if (cursor < text.length) pieces.push(<span key="tail" className="gap">{visibleGap(text.slice(cursor))}</span>);
  const words = new Set(encoding.wordIds.filter((w) => w !== null)).size;
  const n = encoding.tokens.filter((_, i) => !encoding.specialTokensMask[i]).length;
  const unk = encoding.tokens.filter((t) => t === '[UNK]').length;
  return (
    <div className="spans" data-testid={testId}>
      <div className="spans-label">{label}</div>
      <div className="spans-body">{pieces}</div>
      <div className="spans-counts" data-testid={`${testId}-counts`} data-tokens={n}>
        {n} tokens · {words} words · {words ? (n / words).toFixed(2) : '–'} tokens/word · {unk} [UNK]
      </div>
    </div>
  );
}
