/** Minimal `--flag value` parser with named errors (no dependency: the CLI has a handful of flags). */
import { isBackendName } from '../backend/names.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Parsed {
  positionals: string[];
  flags: Record<string, string>;
}

/** `booleans`: flags that take no value (present → "true"). */
export function parseArgs(argv: string[], known: readonly string[], booleans: readonly string[] = []): Parsed {
  const positionals: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { positionals.push(a); continue; }
    const [name, inline] = a.slice(2).split('=', 2);
    if (booleans.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = 'true';
      continue;
    }
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}; known: ${[...known, ...booleans].map((k) => '--' + k).join(' ')}`);
    // A missing value never swallows the next flag: `--out --overwrite` is an error, not an output folder "--overwrite".
    const value = inline ?? (argv[i + 1]?.startsWith('--') ? undefined : argv[++i]);
    if (value === undefined) throw new UsageError(`--${name} needs a value${argv[i + 1] ? ` (got the flag ${argv[i + 1]})` : ''}`);
    flags[name] = value;
  }
  return { positionals, flags };
}

export function intFlag(flags: Record<string, string>, name: string, fallback: number): number {
  if (flags[name] === undefined) return fallback;
  const v = Number(flags[name]);
  if (!Number.isInteger(v)) throw new UsageError(`--${name} must be an integer, got "${flags[name]}"`);
  return v;
}

/** `--threads N` (WASM threads): absent → undefined (every core); not a whole number → UsageError; 0 or less → ThreadsError from planThreads. */
export function threadsFlag(flags: Record<string, string>): number | undefined {
  return flags.threads === undefined ? undefined : intFlag(flags, 'threads', 0);
}

export function numFlag(flags: Record<string, string>, name: string, fallback: number): number {
  if (flags[name] === undefined) return fallback;
  const v = Number(flags[name]);
  if (!Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got "${flags[name]}"`);
  return v;
}

/**
 * `--backend X` anywhere in argv must name a backend (else a UsageError, exit 2); one that cannot start in Node
 * (webgpu, webgl) stays a runtime BackendError of initNodeBackend.
 */
export function checkBackendFlag(argv: string[]): void {
  const i = argv.findIndex((a) => a === '--backend' || a.startsWith('--backend='));
  if (i < 0) return;
  const v = argv[i].startsWith('--backend=') ? argv[i].slice('--backend='.length) : argv[i + 1];
  if (v !== undefined && !v.startsWith('--') && !isBackendName(v)) throw new UsageError(`--backend must be wasm or cpu (webgpu and webgl need a browser), got "${v}"`);
}
