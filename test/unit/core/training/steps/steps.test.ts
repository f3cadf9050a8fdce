import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cycleganPreset, proganPreset } from '../../../../../src-main/core/training/presets.js';
import {
  cycleganStep,
  type CycleganLosses,
} from '../../../../../src-main/core/training/steps/cyclegan-step.js';
import {
  proganStep,
  type ProganLosses,
  type ProganStepOptions,
} from '../../../../../src-main/core/training/steps/progan-step.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { createCycleganSetup, createProganSetup } from '../../../../../src-main/core/training/setup.js';
import { seededTensor, useBackend } from '../helpers.js';

const cyclegan = cycleganPreset('tiny');
const progan = proganPreset('tiny');

function proganOptions(rng: Rng, resolution: number, alpha: number): ProganStepOptions {
  return { resolution, alpha, rng, ...progan };
}

/** Losses of the first two steps from one seed. */
async function twoCycleganSteps(backend: 'cpu' | 'wasm'): Promise<CycleganLosses[]> {
  await useBackend(backend);
  const setup = createCycleganSetup(cyclegan, new Rng(7));
  const rng = new Rng(70);
  const s = cyclegan.sizePx;
  const realA = seededTensor(rng, [1, s, s, 3]) as tf.Tensor4D;
  const realB = seededTensor(rng, [1, s, s, 3]) as tf.Tensor4D;
  const first = await cycleganStep(setup.models, setup.optimizers, realA, realB, setup.stepOptions);
  const second = await cycleganStep(setup.models, setup.optimizers, realB, realA, setup.stepOptions);
  tf.dispose([realA, realB]);
  setup.dispose();
  return [first, second];
}

async function twoProganSteps(backend: 'cpu' | 'wasm'): Promise<ProganLosses[]> {
  await useBackend(backend);
  const setup = createProganSetup(progan, new Rng(8));
  const rng = new Rng(80);
  const reals = seededTensor(rng, [4, 16, 16, 3]) as tf.Tensor4D;
  const first = await proganStep(setup.models, setup.optimizers, reals, proganOptions(rng, 16, 0.5));
  const second = await proganStep(setup.models, setup.optimizers, reals, proganOptions(rng, 16, 0.5));
  reals.dispose();
  setup.dispose();
  return [first, second];
}

function expectClose<T extends object>(a: T, b: T, tolerance: number): void {
  const x = a as Record<string, number>;
  const y = b as Record<string, number>;
  expect(Object.keys(x).sort()).toEqual(Object.keys(y).sort());
  for (const key of Object.keys(x)) {
    expect(Number.isFinite(x[key]), key).toBe(true);
    expect(Math.abs(x[key]! - y[key]!), `${key}: ${x[key]} vs ${y[key]}`).toBeLessThan(tolerance);
  }
}

// A second step is compared too, more loosely: Adam's first update is about lr * sign(g) for every
// weight, so a gradient that is rounding noise (e.g. a conv bias before instance norm, exactly 0 in
// theory) moves its weight by +-lr in different directions on the two backends.
describe('training steps (tiny preset)', () => {
  it('CycleGAN: the same seed gives the same losses on cpu and wasm (within 1e-4)', async () => {
    const [cpu, cpu2] = await twoCycleganSteps('cpu');
    const [wasm, wasm2] = await twoCycleganSteps('wasm');
    expectClose(cpu, wasm, 1e-4);
    expectClose(cpu2, wasm2, 1e-3);
    expect(cpu.identityAB).toBeGreaterThan(0);
    expect(cpu.generatorTotal).toBeCloseTo(
      cpu.adversarialAB + cpu.adversarialBA + cpu.cycleA + cpu.cycleB + cpu.identityAB + cpu.identityBA,
      4,
    );
  });

  it('ProGAN (fading in 16 px): the same seed gives the same losses on cpu and wasm (within 1e-4)', async () => {
    const [cpu, cpu2] = await twoProganSteps('cpu');
    const [wasm, wasm2] = await twoProganSteps('wasm');
    expectClose(cpu, wasm, 1e-4);
    expectClose(cpu2, wasm2, 1e-3);
    // WGAN-GP's gradient penalty is finite and positive; the critic total adds up.
    expect(cpu.gradientPenalty).toBeGreaterThan(0);
    expect(cpu.criticTotal).toBeCloseTo(cpu.fakeScore - cpu.realScore + cpu.gradientPenalty + cpu.drift, 4);
  });

  it('CycleGAN: tensor count stays constant over 20 steps (beyond the images the pools keep)', async () => {
    await useBackend('wasm');
    const setup = createCycleganSetup(cycleganPreset('tiny', { poolSize: 5 }), new Rng(9));
    const rng = new Rng(90);
    const s = cyclegan.sizePx;
    const counts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const realA = seededTensor(rng, [1, s, s, 3]) as tf.Tensor4D;
      const realB = seededTensor(rng, [1, s, s, 3]) as tf.Tensor4D;
      await cycleganStep(setup.models, setup.optimizers, realA, realB, setup.stepOptions);
      tf.dispose([realA, realB]);
      counts.push(
        tf.memory().numTensors - setup.stepOptions.fakePools.A.size - setup.stepOptions.fakePools.B.size,
      );
    }
    expect(new Set(counts.slice(1)).size, counts.join(', ')).toBe(1);
    expect(setup.stepOptions.fakePools.A.size).toBe(5);
    setup.dispose();
  });

  it('ProGAN: tensor count stays constant over 20 steps, across resolutions and fades', async () => {
    await useBackend('wasm');
    const setup = createProganSetup(progan, new Rng(10));
    const rng = new Rng(100);
    const counts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const resolution = [4, 8, 16][i % 3]!;
      const reals = seededTensor(rng, [4, resolution, resolution, 3]) as tf.Tensor4D;
      const losses = await proganStep(
        setup.models,
        setup.optimizers,
        reals,
        proganOptions(rng, resolution, (i % 4) / 3),
      );
      expect(Number.isFinite(losses.gradientPenalty) && losses.gradientPenalty > 0).toBe(true);
      reals.dispose();
      counts.push(tf.memory().numTensors);
    }
    // Adam creates its moments the first time a block trains; after every block has trained once,
    // the count must not move.
    expect(new Set(counts.slice(3)).size, counts.join(', ')).toBe(1);
    setup.dispose();
  });

  it('ProGAN: rejects reals of the wrong size before computing anything', async () => {
    await useBackend('cpu');
    const setup = createProganSetup(progan, new Rng(11));
    const reals = tf.zeros([4, 8, 8, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    await expect(
      proganStep(setup.models, setup.optimizers, reals, proganOptions(new Rng(12), 16, 1)),
    ).rejects.toThrow(/Expected reals of 16x16 px but received 8x8/);
    expect(tf.memory().numTensors).toBe(before);
    reals.dispose();
    setup.dispose();
  });
});
