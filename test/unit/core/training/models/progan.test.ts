import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomInitialValues } from '../../../../../src-main/core/training/models/parameters.js';
import {
  createEmaGenerator,
  createProganDiscriminator,
  createProganGenerator,
  proganChannels,
  proganResolutions,
  updateEma,
} from '../../../../../src-main/core/training/models/progan.js';
import { downscale2x, upscale2x } from '../../../../../src-main/core/training/ops/resample.js';
import { proganPreset } from '../../../../../src-main/core/training/presets.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { maxAbsDiff, seededTensor, useBackend } from '../helpers.js';

const tiny = proganPreset('tiny').network;

describe('ProGAN networks (SPEC 6)', () => {
  it("follows the original's feature-map schedule (fmap_base 8192, fmap_max 512) from 4 to 512 px", () => {
    const paper = proganPreset('paper').network;
    expect(proganResolutions(paper)).toEqual([4, 8, 16, 32, 64, 128, 256, 512]);
    expect(proganResolutions(paper).map((r) => proganChannels(paper, r))).toEqual([
      512, 512, 512, 512, 256, 128, 64, 32,
    ]);
  });

  it('generates r x r images and scores them at every resolution, fading or not', async () => {
    await useBackend('wasm');
    const rng = new Rng(1);
    const g = createProganGenerator(tiny, randomInitialValues(rng));
    const d = createProganDiscriminator(tiny, randomInitialValues(rng));
    const z = seededTensor(rng, [4, tiny.latentSize]) as tf.Tensor2D;
    for (const r of proganResolutions(tiny)) {
      for (const alpha of [0.3, 1]) {
        const images = g.apply(z, r, alpha);
        expect(images.shape).toEqual([4, r, r, 3]);
        const scores = d.apply(images, r, alpha);
        expect(scores.shape).toEqual([4, 1]);
        tf.dispose([images, scores]);
      }
    }
    expect(() => g.apply(z, 32, 1)).toThrow(/power of 2 from 4 to 16/);
    expect(() => d.apply(tf.zeros([4, 8, 8, 3]) as tf.Tensor4D, 8, 1.5)).toThrow(/alpha/);
    z.dispose();
    g.dispose();
    d.dispose();
  });

  it('at alpha 0 a new block is invisible: G equals the upscaled previous output, D the downscaled input', async () => {
    await useBackend('cpu');
    const rng = new Rng(2);
    const g = createProganGenerator(tiny, randomInitialValues(rng));
    const d = createProganDiscriminator(tiny, randomInitialValues(rng));
    const z = seededTensor(rng, [4, tiny.latentSize]) as tf.Tensor2D;
    const faded = g.apply(z, 16, 0);
    const previous = upscale2x(g.apply(z, 8, 1));
    expect(maxAbsDiff(await faded.data(), await previous.data())).toBeLessThan(1e-5);
    const images = seededTensor(rng, [4, 16, 16, 3]) as tf.Tensor4D;
    const dFaded = d.apply(images, 16, 0);
    const dPrevious = d.apply(downscale2x(images), 8, 1);
    expect(maxAbsDiff(await dFaded.data(), await dPrevious.data())).toBeLessThan(1e-5);
    tf.dispose([z, faded, previous, images, dFaded, dPrevious]);
    g.dispose();
    d.dispose();
  });

  it('trains only the blocks up to the current resolution (and the previous toRGB while fading)', async () => {
    await useBackend('cpu');
    const rng = new Rng(3);
    const g = createProganGenerator(tiny, randomInitialValues(rng));
    const z = seededTensor(rng, [4, tiny.latentSize]) as tf.Tensor2D;
    const { grads } = tf.variableGrads(
      () => tf.mean(g.apply(z, 8, 0.5)) as tf.Scalar,
      Object.values(g.variables),
    );
    const names = Object.keys(grads).sort();
    expect(names.some((n) => n.startsWith('generator/16x16'))).toBe(false);
    expect(names).toContain('generator/4x4/toRGB/weight');
    expect(names).toContain('generator/8x8/conv1/weight');
    tf.dispose([z, ...Object.values(grads)]);
    g.dispose();
  });

  it('keeps an EMA copy: starts equal, then moves (1 - decay) of the way to the generator', async () => {
    await useBackend('wasm');
    const rng = new Rng(4);
    const g = createProganGenerator(tiny, randomInitialValues(rng));
    const ema = createEmaGenerator(g);
    const name = '8x8/conv0/weight';
    const before = await ema.variables[`generatorEma/${name}`]!.data();
    expect(maxAbsDiff(before, await g.variables[`generator/${name}`]!.data())).toBe(0);
    for (const v of Object.values(g.variables)) v.assign(tf.tidy(() => tf.add(v, 1)));
    updateEma(ema, g, 0.9);
    const after = await ema.variables[`generatorEma/${name}`]!.data();
    expect(
      maxAbsDiff(
        after,
        Array.from(before, (b) => b + 0.1),
      ),
    ).toBeLessThan(1e-5);
    g.dispose();
    ema.dispose();
  });
});
