/** Backend limits (issue 4 bad input): a model too large for the active backend is refused with the limit and its size. */
import { describe, expect, it } from 'vitest';
import { checkBackendLimits, ModelTooLargeError } from './limits.ts';
import { makeConfig } from './config.ts';

const rubert = makeConfig({ vocabSize: 119_547, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, maxPositions: 512 });

describe('checkBackendLimits', () => {
  it('WebGPU: the word table of rubert-base (119,547 × 768 × 4 B = 350.2 MiB) exceeds a 128 MiB buffer limit, fits 1 GiB', () => {
    expect(() => checkBackendLimits(rubert, { backend: 'webgpu', maxBufferBytes: 128 * 2 ** 20 })).toThrow(ModelTooLargeError);
    expect(() => checkBackendLimits(rubert, { backend: 'webgpu', maxBufferBytes: 128 * 2 ** 20 })).toThrow(/bert\.embeddings\.word_embeddings\.weight needs 350\.2 MiB in one buffer; this WebGPU adapter allows 128\.0 MiB/);
    expect(() => checkBackendLimits(rubert, { backend: 'webgpu', maxBufferBytes: 2 ** 30 })).not.toThrow();
  });

  it('WASM: 2 GiB of weights is the budget (a 12 × 4096 model with a 250k vocabulary is over it)', () => {
    const huge = makeConfig({ vocabSize: 250_000, hiddenSize: 4096, numLayers: 12, numHeads: 32, intermediateSize: 16384, maxPositions: 512 });
    expect(() => checkBackendLimits(huge, { backend: 'wasm' })).toThrow(/the model's weights take \d+\.\d MiB; the wasm backend can hold at most 2048\.0 MiB/);
    expect(() => checkBackendLimits(rubert, { backend: 'wasm' })).not.toThrow();
  });

  it('WebGL: a tensor over maxTextureSize² × 4 values is refused', () => {
    expect(() => checkBackendLimits(rubert, { backend: 'webgl', maxTextureSize: 4096 })).toThrow(/WebGL textures here hold at most 67,108,864/);
    expect(() => checkBackendLimits(rubert, { backend: 'webgl', maxTextureSize: 16384 })).not.toThrow();
  });
});
