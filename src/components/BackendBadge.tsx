import { useWorkbench } from '../store/index.ts';

/** Active backend and adapter, the parity verdict, and every fallback notice. */
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
        <small className="parity" data-testid="parity">
          parity vs CPU {b.parity.ok ? 'passed' : 'failed'} (max rel. err {b.parity.maxRelErr.toExponential(1)})
        </small>
      )}
      {b.name === 'webgpu' && /software fallback/.test(b.adapter) && (
        <div className="notice">WebGPU runs on a software adapter here: it is correct but slow. Try ?backend=wasm.</div>
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
