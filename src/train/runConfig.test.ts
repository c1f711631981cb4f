// Checks validateRunConfig (src/train/runConfig.ts): defaults fill in, boundary values pass, and every bad field
// throws a RunConfigError whose message names the field and its valid range.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN, RunConfigError, validateRunConfig, type MlmRunConfig } from './runConfig.ts';

describe('validateRunConfig', () => {
  it('fills every missing field from DEFAULT_RUN', () => {
    expect(validateRunConfig({})).toEqual({
      preset: 'micro', steps: 200, seed: 1, lr: 2e-3, warmupSteps: 10, clipNorm: 1, logEvery: 1, evalEvery: 25, maskProb: 0.15, checkpointEvery: 100, init: 'shift',
    });
    expect(validateRunConfig({ steps: 7, preset: 'tiny' })).toEqual({ ...DEFAULT_RUN, steps: 7, preset: 'tiny' });
  });

  it('accepts the ends of every range', () => {
    const edges: Partial<MlmRunConfig>[] = [
      { steps: 1 }, { steps: 1_000_000 }, { seed: 0 }, { seed: 2 ** 32 - 1 }, { lr: 1e-6 }, { lr: 1 }, { warmupSteps: 0 },
      { clipNorm: 0 }, { clipNorm: 1e6 }, { logEvery: 1 }, { logEvery: 10_000 }, { evalEvery: 0 }, { maskProb: 0.01 }, { maskProb: 0.9 }, { checkpointEvery: 0 }, { checkpointEvery: 1_000_000 },
      { preset: 'medium' }, { init: 'plain' }, { init: 'shift' },
    ];
    for (const e of edges) expect(validateRunConfig(e)).toEqual({ ...DEFAULT_RUN, ...e });
  });

  it.each([
    ['steps', 0, 'an integer in [1, 1000000]'],
    ['steps', 1.5, 'an integer in [1, 1000000]'],
    ['steps', 1_000_001, 'an integer in [1, 1000000]'],
    ['steps', '5', 'an integer in [1, 1000000]'],
    ['seed', -1, 'an integer in [0, 4294967295]'],
    ['seed', 2 ** 32, 'an integer in [0, 4294967295]'],
    ['lr', 0, 'a number in [0.000001, 1]'],
    ['lr', 2, 'a number in [0.000001, 1]'],
    ['lr', NaN, 'a number in [0.000001, 1]'],
    ['lr', Infinity, 'a number in [0.000001, 1]'],
    ['warmupSteps', -1, 'an integer in [0, 1000000]'],
    ['warmupSteps', 2.5, 'an integer in [0, 1000000]'],
    ['clipNorm', -0.1, 'a number in [0, 1000000]'],
    ['logEvery', 0, 'an integer in [1, 10000]'],
    ['evalEvery', -1, 'an integer in [0, 1000000]'],
    ['maskProb', 0.005, 'a number in [0.01, 0.9]'],
    ['maskProb', 0.95, 'a number in [0.01, 0.9]'],
  ] as [keyof MlmRunConfig, unknown, string][])('%s = %s → RunConfigError naming the field and "%s"', (field, value, range) => {
    const call = () => validateRunConfig({ [field]: value } as Partial<MlmRunConfig>);
    expect(call).toThrow(RunConfigError);
    expect(call).toThrow(`${field} must be ${range}; got ${String(value)}`);
  });

  it('an unknown preset lists the valid ones', () => {
    const call = () => validateRunConfig({ preset: 'huge' as never });
    expect(call).toThrow(RunConfigError);
    expect(call).toThrow('preset must be one of micro, tiny, medium; got "huge"');
  });

  it('init is shift (the default: shift heads) or plain', () => {
    const call = () => validateRunConfig({ init: 'xavier' as never });
    expect(call).toThrow(RunConfigError);
    expect(call).toThrow('init must be one of shift, plain; got "xavier"');
  });

  it('the error is a RunConfigError by name too (what the worker and CLI print)', () => {
    try {
      validateRunConfig({ logEvery: 0 });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).name).toBe('RunConfigError');
    }
  });
});
