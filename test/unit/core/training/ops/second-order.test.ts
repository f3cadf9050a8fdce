import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { leakyRelu } from '../../../../../src-main/core/training/ops/activation.js';
import { conv2d, conv2dTranspose } from '../../../../../src-main/core/training/ops/conv.js';
import { equalizedConv2d, equalizedDense } from '../../../../../src-main/core/training/ops/equalized.js';
import { instanceNormAct } from '../../../../../src-main/core/training/ops/instance-norm.js';
import { minibatchStddev } from '../../../../../src-main/core/training/ops/minibatch-stddev.js';
import { pixelNorm } from '../../../../../src-main/core/training/ops/pixel-norm.js';
import { downscale2x, upscale2x } from '../../../../../src-main/core/training/ops/resample.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { seededTensor, useBackend } from '../helpers.js';

type Op = (x: tf.Tensor4D, theta: tf.Tensor) => tf.Tensor;

/**
 * Each op with a parameter theta. Parameter-free ops see x * theta (theta of x's shape), so that
 * their input gradient depends on theta through the op's own gradient.
 */
const OPS: Record<string, { thetaShape: number[]; op: Op }> = {
  // The WGAN-GP critic (ProGAN discriminator) and its penalty:
  'equalised conv2d + bias': {
    thetaShape: [3, 3, 4, 3],
    op: (x, t) => equalizedConv2d(x, t as tf.Tensor4D, tf.zeros([3]) as tf.Tensor1D, tf.scalar(0.3)),
  },
  'equalised dense': {
    thetaShape: [64, 3],
    op: (x, t) =>
      equalizedDense(
        tf.reshape(x, [2, 64]) as tf.Tensor2D,
        t as tf.Tensor2D,
        tf.zeros([3]) as tf.Tensor1D,
        tf.scalar(0.2),
      ),
  },
  'leaky ReLU 0.6x + 0.4|x|': { thetaShape: [2, 4, 4, 4], op: (x, t) => leakyRelu(tf.mul(x, t)) },
  'downscale2x (reshape + mean)': {
    thetaShape: [2, 4, 4, 4],
    op: (x, t) => downscale2x(tf.mul(x, t) as tf.Tensor4D),
  },
  'minibatch stddev': {
    thetaShape: [2, 4, 4, 4],
    op: (x, t) => minibatchStddev(tf.mul(x, t) as tf.Tensor4D, 2),
  },
  'fade-in lerp': { thetaShape: [2, 4, 4, 4], op: (x, t) => tf.add(x, tf.mul(tf.sub(tf.mul(x, t), x), 0.3)) },
  'gradient norm (sqrt of sum of squares)': {
    thetaShape: [2, 4, 4, 4],
    op: (x, t) => tf.sqrt(tf.sum(tf.square(tf.mul(x, t)), [1, 2, 3])),
  },
  'mean and square (losses)': {
    thetaShape: [2, 4, 4, 4],
    op: (x, t) => tf.mean(tf.square(tf.mul(x, t)), [1, 2]),
  },
  // The rest of our ops (generators, PatchGAN), so any of them could sit in a penalised critic:
  pixelnorm: { thetaShape: [2, 4, 4, 4], op: (x, t) => pixelNorm(tf.mul(x, t) as tf.Tensor4D) },
  'upscale2x (broadcast)': { thetaShape: [2, 4, 4, 4], op: (x, t) => upscale2x(tf.mul(x, t) as tf.Tensor4D) },
  'conv2d, reflection padding': {
    thetaShape: [3, 3, 4, 2],
    op: (x, t) => conv2d(x, t as tf.Tensor4D, null, { padPx: 1, border: 'reflect' }),
  },
  'conv2d, zero padding, stride 2': {
    thetaShape: [4, 4, 4, 2],
    op: (x, t) => conv2d(x, t as tf.Tensor4D, null, { padPx: 1, stride: 2 }),
  },
  conv2dTranspose: {
    thetaShape: [3, 3, 2, 4],
    op: (x, t) => conv2dTranspose(x, t as tf.Tensor4D, null, { stride: 2, padPx: 1, outputPadPx: 1 }),
  },
  'tanh (generator output)': { thetaShape: [2, 4, 4, 4], op: (x, t) => tf.tanh(tf.mul(x, t)) },
  'instance norm + leaky ReLU': {
    thetaShape: [4],
    op: (x, t) => instanceNormAct(x, t as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D, 'lrelu'),
  },
};

/**
 * The penalty of the op: |d/dx sum(w * sin(op(x, theta)))|^2, a function of theta through the op's
 * gradient. sin keeps it smooth (finite differences are meaningless across leaky ReLU's kink) and its
 * own gradient, cos(x), is differentiable twice.
 */
function penaltyOf(op: Op, x: tf.Tensor4D, w: tf.Tensor): (theta: tf.Tensor) => tf.Scalar {
  return (theta) => {
    const inputGradient = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.sin(op(xx as tf.Tensor4D, theta)), w)))(
      x,
    );
    return tf.sum(tf.square(inputGradient)) as tf.Scalar;
  };
}

describe('second-order gradients (WGAN-GP differentiates the critic twice)', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`exist through every op on ${backend} and match finite differences`, async () => {
      await useBackend(backend);
      const rng = new Rng(8);
      for (const [name, { thetaShape, op }] of Object.entries(OPS)) {
        const before = tf.memory().numTensors;
        const x = seededTensor(rng, [2, 4, 4, 4]) as tf.Tensor4D;
        const theta = seededTensor(rng, thetaShape);
        const direction = seededTensor(rng, thetaShape);
        const w = tf.tidy(() => seededTensor(rng, op(x, theta).shape));
        const penalty = penaltyOf(op, x, w);
        const gradient = tf.tidy(() => tf.grad(penalty)(theta));
        const values = await gradient.data();
        expect(values.every(Number.isFinite), name).toBe(true);
        expect(
          values.some((v) => Math.abs(v) > 1e-7),
          name,
        ).toBe(true);
        const analytic = await scalarOf(tf.tidy(() => tf.sum(tf.mul(gradient, direction))));
        const epsilon = 3e-3;
        const up = await scalarOf(tf.tidy(() => penalty(tf.add(theta, tf.mul(direction, epsilon)))));
        const down = await scalarOf(tf.tidy(() => penalty(tf.sub(theta, tf.mul(direction, epsilon)))));
        const numeric = (up - down) / (2 * epsilon);
        expect(Math.abs(analytic - numeric), `${name}: ${analytic} vs ${numeric}`).toBeLessThan(
          2e-3 * Math.abs(numeric) + 1e-3,
        );
        tf.dispose([x, theta, direction, w, gradient]);
        expect(tf.memory().numTensors, name).toBe(before);
      }
    });
  }
});

async function scalarOf(t: tf.Tensor): Promise<number> {
  const value = (await t.data())[0]!;
  t.dispose();
  return value;
}
