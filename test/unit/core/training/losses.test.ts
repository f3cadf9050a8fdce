import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gradientPenalty, l1Loss, lsganLoss } from '../../../../src-main/core/training/losses.js';
import { Rng } from '../../../../src-main/core/util/rng.js';
import { maxAbsDiff, seededTensor, useBackend } from './helpers.js';

describe('losses', () => {
  it('LSGAN is the mean squared distance to the target, L1 the mean absolute difference', async () => {
    await useBackend('cpu');
    const p = tf.tensor([0.5, 1, 2]);
    expect((await lsganLoss(p, 1).data())[0]).toBeCloseTo((0.25 + 0 + 1) / 3, 6);
    expect((await lsganLoss(p, 0).data())[0]).toBeCloseTo((0.25 + 1 + 4) / 3, 6);
    expect((await l1Loss(p, tf.tensor([1, 1, 1])).data())[0]).toBeCloseTo((0.5 + 0 + 1) / 3, 6);
  });

  it('the gradient penalty of a linear critic is lambda (|a| - gamma)^2 / gamma^2, with its gradient in a', async () => {
    // critic(x) = sum(a * x) per sample: its input gradient is a everywhere, whatever the mixing.
    await useBackend('wasm');
    const rng = new Rng(12);
    const a = seededTensor(rng, [1, 4, 4, 3]);
    const reals = seededTensor(rng, [2, 4, 4, 3]) as tf.Tensor4D;
    const fakes = seededTensor(rng, [2, 4, 4, 3]) as tf.Tensor4D;
    const mixing = tf.tensor4d([0.3, 0.8], [2, 1, 1, 1]);
    const options = { lambda: 10, gamma: 2 };
    const penalty = (weights: tf.Tensor): tf.Scalar =>
      gradientPenalty((x) => tf.sum(tf.mul(x, weights), [1, 2, 3]), reals, fakes, mixing, options);
    const norm = Math.hypot(...(await a.data()));
    expect((await penalty(a).data())[0]).toBeCloseTo((10 * (norm - 2) ** 2) / 4, 3);
    const gradient = tf.grad(penalty)(a);
    const expected = Array.from(await a.data(), (v) => ((2 * 10 * (norm - 2)) / 4) * (v / norm));
    expect(maxAbsDiff(await gradient.data(), expected)).toBeLessThan(1e-4);
    tf.dispose([a, reals, fakes, mixing, gradient]);
  });
});
