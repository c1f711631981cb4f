import { useWorkbench } from '../store/index.ts';
import { BACKEND_ORDER, type BackendName } from '../backend/names.ts';

/** The current page's URL with ?backend= set to `b` (every other parameter kept). */
function backendHref(b: BackendName): string {
  const url = new URL(globalThis.location.href);
  url.searchParams.set('backend', b);
  return url.pathname + url.search + url.hash;
}

/** Active backend and adapter, why it was chosen, the parity verdict, links to the others, and every fallback notice. */
export function BackendBadge() {
  const b = useWorkbench((s) => s.backend);
  const label =
    b.phase === 'ready' ? b.name : b.phase === 'failed' ? 'no backend' : `checking ${b.trying ?? 'backends'}…`;
  return (
    <div className="badge-wrap">
      <span className={`badge badge-${b.phase}`} data-testid="backend-badge" data-backend={b.name ?? ''} data-phase={b.phase}>
        {label}
        {b.phase === 'ready' && <small> · {b.adapter}</small>}
      </span>
      {b.parity && (
        <small className="parity" data-testid="parity" title="a tiny model trained for a few optimiser steps here and on the CPU backend: losses, gradients and updated weights compared">
          training parity vs CPU {b.parity.ok ? 'passed' : 'failed'} (max rel. err {b.parity.maxRelErr.toExponential(1)}, update err{' '}
          {b.parity.maxUpdateErr.toExponential(1)} of Σ lr)
        </small>
      )}
      {b.phase === 'ready' && (
        <div className="backend-why">
          <small data-testid="backend-reason">Why {b.name}: {b.reason}.</small>{' '}
          <small data-testid="backend-links">
            Use instead:{' '}
            {BACKEND_ORDER.filter((x) => x !== b.name).map((x, i) => (
              <span key={x}>
                {i > 0 && ' · '}
                <a href={backendHref(x)} data-testid={`backend-link-${x}`}>{x}</a>
              </span>
            ))}
          </small>
        </div>
      )}
      {b.name === 'webgpu' && /software fallback/.test(b.adapter) && (
        <div className="notice">
          WebGPU runs on a software adapter here: it is correct but slow. <a href={backendHref('wasm')}>Use WASM</a>.
        </div>
      )}
      {b.notices.map((n) => (
        <div className="notice" data-testid="backend-notice" key={n}>
          ⚠ {n}
        </div>
      ))}
      {b.error && <div className="error">{b.error}</div>}
    </div>
  );
}
