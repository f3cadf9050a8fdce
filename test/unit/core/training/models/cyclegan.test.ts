import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  createCycleganGenerator,
  createPatchDiscriminator,
} from '../../../../../src-main/core/training/models/cyclegan.js';
import {
  countParameters,
  randomInitialValues,
  type InitialValues,
} from '../../../../../src-main/core/training/models/parameters.js';
import { cycleganPreset } from '../../../../../src-main/core/training/presets.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { maxAbs, seededTensor, useBackend } from '../helpers.js';

const zeros: InitialValues = (spec) => new Float32Array(spec.shape.reduce((a, b) => a * b, 1));

/** Weights + bias of a conv layer k x k, cin -> cout. */
const conv = (k: number, cin: number, cout: number): number => k * k * cin * cout + cout;

describe('CycleGAN networks (SPEC 5)', () => {
  // Counted from SPEC 5's layer list. Choices, as in the authors' PyTorch release with --norm instance:
  // every conv and transposed conv has a bias; instance norm has no affine parameters; no dropout.
  it('the 256 px paper generator (ngf 64, 9 blocks) has 11,378,179 parameters', async () => {
    await useBackend('cpu');
    const ngf = 64;
    const expected =
      conv(7, 3, ngf) + // c7s1-64
      conv(3, ngf, 2 * ngf) + // d128
      conv(3, 2 * ngf, 4 * ngf) + // d256
      9 * 2 * conv(3, 4 * ngf, 4 * ngf) + // R256 x 9, two 3x3 convs each
      conv(3, 4 * ngf, 2 * ngf) + // u128 (transposed)
      conv(3, 2 * ngf, ngf) + // u64 (transposed)
      conv(7, ngf, 3); // c7s1-3
    expect(expected).toBe(11_378_179);
    const g = createCycleganGenerator(cycleganPreset('paper').generator, zeros, 'generator');
    expect(countParameters(g.variables)).toBe(expected);
    g.dispose();
  });

  it('the 70x70 PatchGAN (ndf 64, 3 layers) has 2,764,737 parameters', async () => {
    await useBackend('cpu');
    const expected =
      conv(4, 3, 64) + conv(4, 64, 128) + conv(4, 128, 256) + conv(4, 256, 512) + conv(4, 512, 1);
    expect(expected).toBe(2_764_737);
    const d = createPatchDiscriminator(cycleganPreset('paper').discriminator, zeros, 'discriminator');
    expect(countParameters(d.variables)).toBe(expected);
    d.dispose();
  });

  it('adds two parameters per normalised channel when instance norm is affine', async () => {
    await useBackend('cpu');
    const plain = createCycleganGenerator({ ngf: 4, residualBlocks: 1 }, zeros, 'plain');
    const affine = createCycleganGenerator({ ngf: 4, residualBlocks: 1, normAffine: true }, zeros, 'affine');
    // Normalised layers: c7s1 (4), d (8), d (16), 2 block convs (16 each), u (8), u (4).
    expect(countParameters(affine.variables) - countParameters(plain.variables)).toBe(
      2 * (4 + 8 + 16 + 32 + 8 + 4),
    );
    plain.dispose();
    affine.dispose();
  });

  it('generator keeps the image size, outputs tanh range; PatchGAN gives a 30x30 map at 256 px', async () => {
    await useBackend('wasm');
    const rng = new Rng(1);
    const init = randomInitialValues(rng);
    const g = createCycleganGenerator({ ngf: 4, residualBlocks: 2 }, init, 'g');
    const d = createPatchDiscriminator({ ndf: 2, layers: 3 }, init, 'd');
    const x = seededTensor(rng, [2, 36, 28, 3]) as tf.Tensor4D;
    const y = g.apply(x);
    expect(y.shape).toEqual([2, 36, 28, 3]);
    expect(maxAbs(await y.data())).toBeLessThanOrEqual(1);
    const big = tf.zeros([1, 256, 256, 3]) as tf.Tensor4D;
    const scores = d.apply(big);
    expect(scores.shape).toEqual([1, 30, 30, 1]);
    tf.dispose([x, y, big, scores]);
    g.dispose();
    d.dispose();
  });

  it('names variables stably under the scope and initialises them N(0, 0.02), biases 0', async () => {
    await useBackend('cpu');
    const g = createCycleganGenerator(
      { ngf: 8, residualBlocks: 1 },
      randomInitialValues(new Rng(2)),
      'generatorAB',
    );
    expect(Object.keys(g.variables)).toContain('generatorAB/res0/conv2/kernel');
    expect(Object.keys(g.variables)).toContain('generatorAB/up1/bias');
    for (const [name, v] of Object.entries(g.variables)) expect(v.name).toBe(name);
    const kernel = Array.from(await g.variables['generatorAB/down2/kernel']!.data());
    const mean = kernel.reduce((a, b) => a + b, 0) / kernel.length;
    const sd = Math.sqrt(kernel.reduce((a, b) => a + (b - mean) ** 2, 0) / kernel.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(sd).toBeCloseTo(0.02, 3);
    expect(maxAbs(await g.variables['generatorAB/down2/bias']!.data())).toBe(0);
    g.dispose();
  });
});
