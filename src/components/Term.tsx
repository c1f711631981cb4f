import { useId, type ReactNode } from 'react';
import { TERMS, type TermId } from './glossary.ts';

/**
 * A term with its explanation (glossary.ts): dotted underline, the explanation as a tooltip on hover and on keyboard
 * focus, and as the element's accessible description (aria-describedby).
 */
export function Term({ id, children }: { id: TermId; children?: ReactNode }) {
  const tipId = useId();
  const t = TERMS[id];
  return (
    <span className="term" tabIndex={0} aria-describedby={tipId} data-term={id}>
      {children ?? t.label}
      <span role="tooltip" id={tipId} className="term-tip">{t.text}</span>
    </span>
  );
}
