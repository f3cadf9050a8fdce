import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerTrainingGradients } from '../../../../../src-main/core/training/grads/register.js';
import { tanhGradConfig } from '../../../../../src-main/core/training/grads/tanh.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { seededTensor, useBackend } from '../helpers.js';

const stockTanh = tf.getGradient('Tanh')!;

const f = (t: tf.Tensor): tf.Tensor => tf.sum(tf.tanh(tf.mul(t, 3)));

async function values(t: tf.Tensor): Promise<number[]> {
  const out = Array.from(await t.data());
  t.dispose();
  return out;
}

describe('Tanh gradient', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`is the stock first-order gradient on ${backend}, and differentiable again (the stock one is not)`, async () => {
      await useBackend(backend);
      const x = seededTensor(new Rng(1), [2, 5]);
      const secondOrder = (): tf.Tensor => tf.grad((t: tf.Tensor) => tf.sum(tf.grad(f)(t)))(x);
      registerTrainingGradients([stockTanh]);
      const stockFirst = await values(tf.grad(f)(x));
      // The stock gradient reads the saved output, which the tape does not connect to x.
      expect(secondOrder).toThrow(/Cannot compute gradient/);
      registerTrainingGradients([tanhGradConfig]);
      expect(await values(tf.grad(f)(x))).toEqual(stockFirst);
      // d2/dx2 tanh(3x) = -18 tanh(3x) (1 - tanh(3x)^2)
      const expected = Array.from(
        await x.data(),
        (v) => -18 * Math.tanh(3 * v) * (1 - Math.tanh(3 * v) ** 2),
      );
      (await values(secondOrder())).forEach((s, i) => expect(s).toBeCloseTo(expected[i]!, 4));
      x.dispose();
    });
  }
});
