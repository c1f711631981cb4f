/** Backend names and the preference order. No TF.js import: the main thread uses this too. */
export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export class BackendError extends Error {
  override name = 'BackendError';
}

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(s);
}

/** Validates a user-given backend name (`?backend=` or `--backend`). */
export function parseBackend(s: string): BackendName {
  if (!isBackendName(s)) throw new BackendError(`unknown backend "${s}"; valid names: ${BACKEND_ORDER.join(', ')}`);
  return s;
}

/**
 * The candidates to try, in order. With a requested backend: that one first, then the ones after it in the
 * default order (a forced backend that fails still falls back, visibly).
 */
export function candidateBackends(requested?: BackendName, available: readonly BackendName[] = BACKEND_ORDER): BackendName[] {
  const start = requested ? BACKEND_ORDER.indexOf(requested) : 0;
  return BACKEND_ORDER.slice(start).filter((b) => available.includes(b));
}
