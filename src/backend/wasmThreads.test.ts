// The thread plan (--threads and the machine's cores) and the threaded start's patching, host-free.
import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, planPageThreads, planThreads, ThreadsError, wasmDescription, withThreadedInit } from './wasmThreads.ts';

describe('planThreads', () => {
  it('uses every core by default, at most 8', () => {
    expect(planThreads(undefined, 4)).toEqual({ threads: 4, warning: null });
    expect(planThreads(undefined, 1)).toEqual({ threads: 1, warning: null });
    expect(planThreads(undefined, 16)).toEqual({ threads: MAX_WASM_THREADS, warning: expect.stringMatching(/using 8 of 16 cores/) });
  });
  it('refuses 0, negative and fractional counts', () => {
    for (const bad of [0, -2, 1.5, Number.NaN]) expect(() => planThreads(bad, 4)).toThrow(ThreadsError);
    expect(() => planThreads(0, 4)).toThrow('--threads must be a whole number ≥ 1, got 0');
  });
  it('clamps more threads than cores, with a warning that says why', () => {
    expect(planThreads(2, 4)).toEqual({ threads: 2, warning: null });
    expect(planThreads(9, 2)).toEqual({ threads: 2, warning: '--threads 9: using 2 (this machine has 2 cores)' });
    expect(planThreads(12, 32)).toEqual({ threads: 8, warning: '--threads 12: using 8 (the WASM backend runs at most 8)' });
  });
});

describe('planPageThreads', () => {
  it('leaves the page one core by default, and says so', () => {
    expect(planPageThreads(undefined, 2)).toEqual({ threads: 1, warning: '1 of 2 cores: one left to the page' });
    expect(planPageThreads(undefined, 4)).toEqual({ threads: 3, warning: '3 of 4 cores: one left to the page' });
    expect(planPageThreads(undefined, 16)).toEqual({ threads: 8, warning: '8 of 16 cores: one left to the page, at most 8' });
    expect(planPageThreads(undefined, 1)).toEqual({ threads: 1, warning: null });
  });
  it('plans ?threads=N like --threads (clamped with a warning, 0 refused)', () => {
    expect(planPageThreads(2, 2)).toEqual({ threads: 2, warning: null });
    expect(planPageThreads(4, 2)).toEqual({ threads: 2, warning: '--threads 4: using 2 (this machine has 2 cores)' });
    expect(() => planPageThreads(0, 2)).toThrow(ThreadsError);
  });
});

describe('wasmDescription', () => {
  it('names SIMD, the thread count and the reason', () => {
    expect(wasmDescription(true, 4)).toBe('WebAssembly SIMD, 4 threads');
    expect(wasmDescription(true, 1, 'single-threaded: no COOP/COEP')).toBe('WebAssembly SIMD, 1 thread (single-threaded: no COOP/COEP)');
  });
});

describe('withThreadedInit', () => {
  it("replaces the bundled factory's text by the verbatim file, maps blobs to URLs, fakes 2·N cores, then restores all", async () => {
    const RealBlob = globalThis.Blob;
    const realCreate = URL.createObjectURL;
    const urls: string[] = [];
    let cores = 2;
    const seen = await withThreadedInit(3, {
      factorySource: 'var WasmBackendModuleThreadedSimd = (() => function verbatim() {})();',
      fakeLogicalCores: (n) => { const old = cores; cores = n; return () => { cores = old; }; },
      blobToUrl: (text) => { urls.push(text); return `/tmp/blob-${urls.length}.cjs`; },
    }, async () => {
      const factory = new Blob(['var WasmBackendModuleThreadedSimd = ', 'function(e){return _minified$$0(e)}']);
      const worker = new Blob(['"use strict";var Module={};']);
      return { text: await factory.text(), isBlob: factory instanceof RealBlob, url: URL.createObjectURL(worker), cores };
    });
    expect(seen.text).toBe('var WasmBackendModuleThreadedSimd = (() => function verbatim() {})();');
    expect(seen.isBlob).toBe(true);
    expect(seen.url).toBe('/tmp/blob-1.cjs');
    expect(urls).toEqual(['"use strict";var Module={};']);
    expect(seen.cores).toBe(6);
    expect(cores).toBe(2);
    expect(globalThis.Blob).toBe(RealBlob);
    expect(URL.createObjectURL).toBe(realCreate);
  });
  it('restores everything when the start fails', async () => {
    const RealBlob = globalThis.Blob;
    await expect(withThreadedInit(2, { factorySource: '', fakeLogicalCores: () => () => {} }, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(globalThis.Blob).toBe(RealBlob);
  });
});
