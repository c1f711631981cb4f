/**
 * Page options from the query string: ?backend=, ?threads=, ?preset=, ?steps=, ?lr=, ?init=shift|plain (run defaults), and the test-only
 * fault injections ?crashAt=N and ?parityFault=<backend>. Bad values become messages, never exceptions.
 */
import { BackendError, parseBackend, type BackendName } from '../backend/names.ts';
import type { DebugOptions } from '../worker/protocol.ts';
import type { MlmRunConfig } from '../train/runConfig.ts';

export interface PageOptions {
  backend?: BackendName;
  /** ?threads=N: WASM threads (a whole number ≥ 1; absent: every core but one). */
  threads?: number;
  run: Partial<MlmRunConfig>;
  debug: DebugOptions;
  errors: string[];
}

export function readPageOptions(search: string): PageOptions {
  const q = new URLSearchParams(search);
  const out: PageOptions = { run: {}, debug: {}, errors: [] };
  const b = q.get('backend');
  if (b) {
    try {
      out.backend = parseBackend(b);
    } catch (e) {
      if (!(e instanceof BackendError)) throw e;
      out.errors.push(`?backend=: ${e.message}. Choosing automatically instead.`);
    }
  }
  const threads = q.get('threads');
  if (threads !== null) {
    const n = Number(threads);
    if (Number.isInteger(n) && n >= 1) out.threads = n;
    else out.errors.push(`?threads=: "${threads}" is not a whole number ≥ 1. Using every core but one.`);
  }
  const preset = q.get('preset');
  if (preset) out.run.preset = preset as MlmRunConfig['preset'];
  for (const [param, key] of [['steps', 'steps'], ['lr', 'lr'], ['evalEvery', 'evalEvery'], ['seed', 'seed'], ['checkpointEvery', 'checkpointEvery']] as const) {
    const v = q.get(param);
    if (v !== null) out.run[key] = Number(v);
  }
  const init = q.get('init');
  if (init === 'shift' || init === 'plain') out.run.init = init;
  else if (init !== null) out.errors.push(`?init=: "${init}" is not shift or plain. Using shift.`);
  const crashAt = q.get('crashAt');
  if (crashAt) out.debug.crashAtStep = Number(crashAt);
  const fault = q.get('parityFault');
  if (fault) {
    try {
      out.debug.parityFault = parseBackend(fault);
    } catch (e) {
      out.errors.push(`?parityFault=: ${(e as Error).message}`);
    }
  }
  return out;
}
