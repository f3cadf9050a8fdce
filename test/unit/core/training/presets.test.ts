import { describe, expect, it } from 'vitest';
import { TrainingError } from '../../../../src-main/core/training/errors.js';
import {
  cycleganPreset,
  patchScoreSizePx,
  proganDownsampleAt,
  proganPreset,
  checkProganResolution,
} from '../../../../src-main/core/training/presets.js';

function errorOf(f: () => unknown): TrainingError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(TrainingError);
    return error as TrainingError;
  }
  throw new Error('expected an error');
}

describe('presets', () => {
  it("'paper' holds the original hyperparameters of both models", () => {
    const c = cycleganPreset('paper');
    expect(c).toMatchObject({
      sizePx: 256,
      downsample: 4,
      batchSize: 1,
      generator: { ngf: 64, residualBlocks: 9 },
      discriminator: { ndf: 64, layers: 3 },
      lambdaCycle: 10,
      identityWeight: 0.5,
      poolSize: 50,
      adam: { learningRate: 2e-4, beta1: 0.5, beta2: 0.999 },
    });
    const p = proganPreset('paper');
    expect(p.batchSizes).toEqual({ 4: 128, 8: 128, 16: 128, 32: 64, 64: 32, 128: 16, 256: 8, 512: 4 });
    expect(p.imagesPerPhase).toEqual({ train: 600_000, fade: 600_000 });
    expect(p).toMatchObject({ lambda: 10, gamma: 1, drift: 0.001, mirror: true, emaDecay: 0.999 });
    expect(p.adam).toMatchObject({ learningRate: 0.001, beta1: 0, beta2: 0.99 });
    expect(p.network).toMatchObject({ maxResolution: 512, fmapBase: 8192, fmapMax: 512, latentSize: 512 });
    // SPEC 6: resolution r is read at downsample 4 * 512 / r.
    expect([4, 64, 512].map((r) => proganDownsampleAt(p, r))).toEqual([512, 32, 4]);
  });

  it("'small' and 'tiny' are smaller versions that validate", () => {
    for (const name of ['small', 'tiny']) {
      const c = cycleganPreset(name);
      expect(c.sizePx).toBeLessThanOrEqual(128);
      expect(c.generator.ngf).toBeLessThan(64);
      const p = proganPreset(name);
      expect(p.network.maxResolution).toBeLessThanOrEqual(128);
    }
    expect(cycleganPreset('tiny', { sizePx: 64 }).sizePx).toBe(64);
  });

  it('rejects a patch size the model cannot take, with a message naming the rule', () => {
    const odd = errorOf(() => cycleganPreset('tiny', { sizePx: 30 }));
    expect(odd.code).toBe('INVALID_CONFIG');
    expect(odd.message).toMatch(/sizePx 30 is not allowed for cyclegan: .*multiple of 4/);
    expect(patchScoreSizePx(20, 3)).toBe(0);
    expect(errorOf(() => cycleganPreset('tiny', { sizePx: 20 })).message).toMatch(
      /3-layer PatchGAN needs at least 24 px/,
    );
    expect(errorOf(() => checkProganResolution(proganPreset('tiny'), 24)).message).toMatch(
      /sizePx 24 is not allowed for progan: use a power of 2 from 4 to 16/,
    );
  });

  it('rejects unknown presets and bad values before anything is built', () => {
    expect(errorOf(() => cycleganPreset('huge')).message).toMatch(
      /Unknown preset 'huge': expected paper, small, tiny/,
    );
    expect(errorOf(() => cycleganPreset('tiny', { batchSize: 0 })).message).toMatch(
      /positive integer for batchSize/,
    );
    expect(errorOf(() => cycleganPreset('tiny', { poolSize: -1 })).message).toMatch(/poolSize/);
    const paper = proganPreset('paper');
    expect(errorOf(() => proganPreset('tiny', { batchSizes: { 4: 4, 8: 4 } })).message).toMatch(
      /no minibatch for 16 px/,
    );
    expect(errorOf(() => proganPreset('tiny', { batchSizes: { 4: 4, 8: 6, 16: 4 } })).message).toMatch(
      /not a multiple of the minibatch-stddev group 4/,
    );
    expect(
      errorOf(() => proganPreset('tiny', { network: { ...paper.network, maxResolution: 100 } })).message,
    ).toMatch(/maxResolution 100/);
    expect(errorOf(() => proganPreset('tiny', { emaDecay: 1 })).message).toMatch(/emaDecay/);
  });
});
