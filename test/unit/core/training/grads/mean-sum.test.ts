import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { meanGradConfig, sumGradConfig } from '../../../../../src-main/core/training/grads/mean-sum.js';
import { registerTrainingGradients } from '../../../../../src-main/core/training/grads/register.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { seededTensor, useBackend } from '../helpers.js';

/** Reductions as the models use them: instance-norm moments, losses, 2x pooling, stddev, pixelnorm. */
const REDUCTIONS: Array<{ name: string; shape: number[]; f: (x: tf.Tensor) => tf.Tensor }> = [
  { name: 'mean over H, W (moments)', shape: [2, 6, 5, 3], f: (x) => tf.mean(x, [1, 2], true) },
  { name: 'mean of all (loss)', shape: [2, 4, 4, 3], f: (x) => tf.mean(x) },
  { name: 'mean over 2x2 (downscale)', shape: [1, 3, 2, 2, 2, 3], f: (x) => tf.mean(x, [2, 4]) },
  { name: 'mean over channels (pixelnorm)', shape: [3, 4, 4, 5], f: (x) => tf.mean(tf.square(x), 3, true) },
  { name: 'sum over H, W, C', shape: [2, 3, 3, 4], f: (x) => tf.sum(x, [1, 2, 3]) },
  { name: 'sum of all', shape: [5, 7], f: (x) => tf.sum(x) },
];

/** Gradient of sum(w * f(x)) with respect to x, for a fixed random weighting w of the output. */
async function gradientOf(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, seed: number): Promise<Float32Array> {
  const g = tf.tidy(() => {
    const outShape = f(x).shape;
    const w = seededTensor(new Rng(seed), outShape);
    return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), w)))(x);
  });
  const values = (await g.data()) as Float32Array;
  g.dispose();
  return values;
}

describe('Mean and Sum gradients filled on the device', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`are bit-for-bit the stock gradients on ${backend}`, async () => {
      await useBackend(backend);
      const rng = new Rng(5);
      for (const [i, r] of REDUCTIONS.entries()) {
        const x = seededTensor(rng, r.shape);
        const stockRestore = registerTrainingGradients([stockMean, stockSum]);
        const stock = await gradientOf(r.f, x, i);
        stockRestore();
        registerTrainingGradients([meanGradConfig, sumGradConfig]);
        const ours = await gradientOf(r.f, x, i);
        expect(Array.from(ours), r.name).toEqual(Array.from(stock));
        x.dispose();
      }
    });
  }

  // On wasm (as on webgpu) kernel outputs live in the backend; `write` is an upload from JavaScript.
  it('upload no ones(shape) from JavaScript (bytes written to the wasm backend stay far below x)', async () => {
    await useBackend('wasm');
    const backend = tf.backend();
    const x = tf.zeros([1, 64, 64, 8]);
    const measure = async (configs: tf.GradConfig[]): Promise<number> => {
      registerTrainingGradients(configs);
      let written = 0;
      const original = backend.write;
      backend.write = function (this: tf.KernelBackend, values, shape, dtype) {
        written += ArrayBuffer.isView(values) ? values.byteLength : 0;
        return original.call(this, values, shape, dtype);
      };
      try {
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mean(t, [1, 2])))(x);
        await g.data();
        g.dispose();
      } finally {
        backend.write = original;
      }
      return written;
    };
    const stockBytes = await measure([stockMean, stockSum]);
    const ourBytes = await measure([meanGradConfig, sumGradConfig]);
    expect(stockBytes).toBeGreaterThanOrEqual(x.size * 4);
    expect(ourBytes).toBeLessThan(x.size);
    x.dispose();
  });
});

// tfjs-core's own configs, as registered by @tensorflow/tfjs before anything of ours.
const stockMean = tf.getGradient('Mean')!;
const stockSum = tf.getGradient('Sum')!;
