// Checks the backend helpers of src/backend/{names,backends}.ts and the parity verdict of src/backend/parity.ts on CPU:
// name parsing, candidate order and fallback, setBackendWithTimeout's error paths, compareParity's thresholds.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BACKEND_ORDER, BackendError, candidateBackends, isBackendName, parseBackend } from './names.ts';
import { setBackendWithTimeout } from './backends.ts';
import { ADAMW_STEPS, compareParity, MLM_STEPS, PARITY_TOLERANCE, runParityProbe, UPDATE_TOLERANCE, type ParityProbe } from './parity.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('parseBackend', () => {
  it('accepts every known name unchanged', () => {
    for (const b of ['webgpu', 'webgl', 'wasm', 'cpu']) expect(parseBackend(b)).toBe(b);
    expect(BACKEND_ORDER).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it.each(['cuda', 'WASM', '', 'tensorflow'])('rejects %j with a BackendError that lists the valid names', (name) => {
    expect(isBackendName(name)).toBe(false);
    expect(() => parseBackend(name)).toThrow(BackendError);
    expect(() => parseBackend(name)).toThrow(`unknown backend "${name}"; valid names: webgpu, webgl, wasm, cpu`);
  });
});

describe('candidateBackends', () => {
  it.each([
    [undefined, undefined, ['webgpu', 'webgl', 'wasm', 'cpu']],
    ['webgpu', undefined, ['webgpu', 'webgl', 'wasm', 'cpu']],
    ['webgl', undefined, ['webgl', 'wasm', 'cpu']],
    ['wasm', undefined, ['wasm', 'cpu']],
    ['cpu', undefined, ['cpu']],
    // Only what is available, always in the default order (not the order of `available`).
    [undefined, ['cpu', 'wasm'], ['wasm', 'cpu']],
    ['webgpu', ['cpu', 'wasm'], ['wasm', 'cpu']], // forced webgpu missing: falls back to the rest, in order
    ['webgl', ['webgpu', 'cpu'], ['cpu']], // never falls back "upwards" to a backend before the requested one
    ['wasm', ['webgpu', 'webgl'], []],
  ] as const)('requested %s, available %j → %j', (requested, available, expected) => {
    expect(candidateBackends(requested, available)).toEqual(expected);
  });
});

describe('setBackendWithTimeout', () => {
  it('switches to cpu and resolves', async () => {
    await setBackendWithTimeout('cpu', 5_000);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects with a BackendError when initialisation hangs past the deadline', async () => {
    // A stand-in "webgpu" whose factory never settles (webgpu is not registered in Node).
    expect(tf.findBackendFactory('webgpu')).toBeFalsy();
    tf.registerBackend('webgpu', () => new Promise<tf.KernelBackend>(() => {}), -1);
    try {
      const err = await setBackendWithTimeout('webgpu', 50).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toBe('webgpu did not initialise within 50 ms');
    } finally {
      tf.removeBackend('webgpu');
      await tf.setBackend('cpu');
    }
    expect(tf.getBackend()).toBe('cpu');
    const x = tf.add(tf.scalar(1), tf.scalar(2));
    expect((await x.data())[0]).toBe(3); // the engine still works afterwards
    x.dispose();
  });

  it('rejects with a BackendError when the backend fails to initialise', async () => {
    tf.registerBackend('webgpu', () => { throw new Error('no adapter'); }, -1);
    const quiet = vi.spyOn(console, 'warn').mockImplementation(() => {}); // TF.js logs the factory's error
    try {
      const err = await setBackendWithTimeout('webgpu', 5_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toBe('webgpu failed to initialise');
    } finally {
      quiet.mockRestore();
      tf.removeBackend('webgpu');
      await tf.setBackend('cpu');
    }
  });
});

describe('compareParity', () => {
  let probe: ParityProbe;
  beforeAll(async () => {
    probe = await runParityProbe();
  });

  it('the CPU probe is a real measurement: finite loss near ln 64 and a non-zero norm for every parameter', () => {
    expect(probe.backend).toBe('cpu');
    expect(Math.abs(probe.loss - Math.log(64))).toBeLessThan(0.5);
    const norms = Object.values(probe.gradNorms);
    // embeddings 5 (word, position, token type, LayerNorm ×2), two layers of 16, head 5: 42 variables, more than the
    // 8 storage buffers one WebGPU shader may bind (the AddN of the global norm once exceeded that silently)
    expect(norms.length).toBe(5 + 2 * 16 + 5);
    for (const n of norms) expect(n).toBeGreaterThan(0);
  });

  it('the CPU probe trains: one loss per optimiser step, every variable moved by at most about lr per step', () => {
    expect(probe.stepLosses).toHaveLength(MLM_STEPS + ADAMW_STEPS);
    expect(probe.stepLosses.every(Number.isFinite)).toBe(true);
    expect(Object.keys(probe.updates)).toEqual(Object.keys(probe.gradNorms));
    for (const [k, u] of Object.entries(probe.updates)) expect(Math.max(...u.map(Math.abs)), k).toBeGreaterThan(0);
    // Adam moves an element by at most about lr per step, so no update exceeds the step budget (with margin).
    for (const u of Object.values(probe.updates)) expect(Math.max(...u.map(Math.abs))).toBeLessThan(1.5 * probe.lrBudget);
    expect(probe.stepMs).toBeGreaterThan(0);
  });

  it('accepts an exact copy with maxRelErr 0', () => {
    const copy: ParityProbe = JSON.parse(JSON.stringify(probe));
    expect(compareParity(copy, probe)).toEqual({ ok: true, maxRelErr: 0, maxUpdateErr: 0, worst: 'loss' });
  });

  it('flags a wrong loss after an optimiser step (the WebGPU bug: right first step, wrong update)', () => {
    const stepLosses = [...probe.stepLosses];
    stepLosses[1] *= 1 + 2 * PARITY_TOLERANCE;
    expect(compareParity({ ...probe, stepLosses }, probe)).toMatchObject({ ok: false, worst: 'loss at optimiser step 2' });
  });

  it('flags an update off by a fraction of lr in one element and names the variable', () => {
    const key = 'bert.encoder.layer.1.output.dense.bias';
    const moved = [...probe.updates[key]];
    moved[3] += 1.5 * UPDATE_TOLERANCE * probe.lrBudget;
    const v = compareParity({ ...probe, updates: { ...probe.updates, [key]: moved } }, probe);
    expect(v).toMatchObject({ ok: false, worst: `update of ${key}`, maxRelErr: 0 });
    expect(v.maxUpdateErr).toBeCloseTo(1.5 * UPDATE_TOLERANCE, 6);
    const under = [...probe.updates[key]];
    under[3] += 0.5 * UPDATE_TOLERANCE * probe.lrBudget;
    expect(compareParity({ ...probe, updates: { ...probe.updates, [key]: under } }, probe).ok).toBe(true);
  });

  it('a skipped update (all zeros) or a missing variable fails', () => {
    const key = 'bert.embeddings.LayerNorm.weight';
    expect(compareParity({ ...probe, updates: { ...probe.updates, [key]: probe.updates[key].map(() => 0) } }, probe)).toMatchObject({ ok: false, worst: `update of ${key}` });
    const { [key]: _gone, ...rest } = probe.updates;
    expect(_gone).toBeDefined();
    expect(compareParity({ ...probe, updates: rest }, probe)).toMatchObject({ ok: false, maxUpdateErr: Infinity });
  });

  it('a device error reported by the host fails the self-test whatever the numbers', () => {
    const v = compareParity({ ...probe, deviceErrors: ['Invalid ComputePipeline "AddNPackedProgram"'] }, probe);
    expect(v).toMatchObject({ ok: false, worst: 'device error: Invalid ComputePipeline "AddNPackedProgram"' });
  });

  it('flags a 1% perturbation of one gradient norm and names that parameter', () => {
    const key = 'bert.encoder.layer.0.attention.self.key.weight';
    const bad: ParityProbe = { ...probe, gradNorms: { ...probe.gradNorms, [key]: probe.gradNorms[key] * 1.01 } };
    const v = compareParity(bad, probe);
    expect(v.ok).toBe(false);
    expect(v.worst).toBe(`grad ‖${key}‖`);
    expect(v.maxRelErr).toBeCloseTo(0.01, 6);
    expect(PARITY_TOLERANCE).toBeLessThan(0.01);
  });

  it('accepts drift just under the tolerance and rejects just over it (the loss included)', () => {
    expect(compareParity({ ...probe, loss: probe.loss * (1 + 0.9 * PARITY_TOLERANCE) }, probe).ok).toBe(true);
    const over = compareParity({ ...probe, loss: probe.loss * (1 + 1.1 * PARITY_TOLERANCE) }, probe);
    expect(over).toMatchObject({ ok: false, worst: 'loss' });
  });

  it('a missing gradient or a NaN loss fails with infinite error', () => {
    const { ['cls.predictions.bias']: _dropped, ...rest } = probe.gradNorms;
    expect(_dropped).toBeGreaterThan(0);
    expect(compareParity({ ...probe, gradNorms: rest }, probe)).toMatchObject({ ok: false, maxRelErr: Infinity, worst: 'grad ‖cls.predictions.bias‖' });
    expect(compareParity({ ...probe, loss: NaN }, probe)).toMatchObject({ ok: false, maxRelErr: Infinity });
  });
});
