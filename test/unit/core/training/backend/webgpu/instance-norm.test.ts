import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentWebgpu } from '../../../../../../src-main/core/training/backend/webgpu/census.js';
import {
  fusedInstanceNormAct,
  registerInstanceNormKernels,
} from '../../../../../../src-main/core/training/backend/webgpu/instance-norm.js';
import {
  compositeInstanceNormAct,
  type InstanceNormImpl,
  type NormActivation,
} from '../../../../../../src-main/core/training/ops/instance-norm.js';
import {
  maxAbs,
  maxAbsDiff,
  normals,
  onCpu,
  onWebgpu,
  skipNote,
  webgpuForTests,
  WEBGPU_TEST_TIMEOUT,
} from './webgpu-test-backend.js';

const gpu = await webgpuForTests();
type Shape = [number, number, number, number];

/** y, dx, dgamma, dbeta of sum(act(norm(x)) * dyWeights) through `impl`. */
function normAndGrads(impl: InstanceNormImpl, shape: Shape, activation: NormActivation, seed: number) {
  const size = shape.reduce((a, b) => a * b);
  const c = shape[3];
  const xs = normals(size, seed, 2);
  const gs = normals(c, seed + 1, 0.5).map((v) => v + 1);
  const bs = normals(c, seed + 2, 0.5);
  const ws = normals(size, seed + 3);
  return () => {
    const x = tf.tensor4d(xs, shape).add(3) as tf.Tensor4D; // a mean offset tests the variance numerics
    const gamma = tf.tensor1d(gs);
    const beta = tf.tensor1d(bs);
    const w = tf.tensor4d(ws, shape);
    const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(impl(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, activation, 1e-5), w));
    const [dx, dGamma, dBeta] = tf.grads(loss)([x, gamma, beta]);
    return [impl(x, gamma, beta, activation, 1e-5), dx!, dGamma!, dBeta!];
  };
}

describe.skipIf(!gpu.ok)(
  `fused WebGPU instance norm + activation${skipNote(gpu)}`,
  WEBGPU_TEST_TIMEOUT,
  () => {
    let unregister: () => void = () => {};
    const fused = fusedInstanceNormAct();
    beforeAll(() => {
      unregister = registerInstanceNormKernels();
    });
    afterAll(() => unregister());

    const cases: Array<[Shape, NormActivation]> = [
      [[1, 5, 7, 3], 'relu'], // one chunk, odd sizes
      [[2, 13, 11, 4], 'lrelu'], // three chunks, a short last one, batch 2
      [[3, 4, 4, 5], 'none'],
      [[1, 33, 17, 64], 'relu'], // many chunks, the models' channel count
      [[2, 9, 10, 7], 'lrelu'],
    ];
    for (const [shape, activation] of cases) {
      it(`matches the composite on the cpu backend, values and gradients, [${shape}] ${activation}`, async () => {
        const ref = await onCpu(normAndGrads(compositeInstanceNormAct, shape, activation, shape[1]));
        const out = await onWebgpu(normAndGrads(fused, shape, activation, shape[1]));
        const names = ['y', 'dx', 'dgamma', 'dbeta'];
        ref.forEach((r, i) => {
          const scale = Math.max(1, maxAbs(r));
          expect(maxAbsDiff(r, out[i]!) / scale, names[i]).toBeLessThan(2e-5);
        });
      });
    }

    it('runs forward in 3 dispatches and backward in 4 at batch 1, 5 at batch 2', () => {
      const census = instrumentWebgpu(tf.backend() as WebGPUBackend);
      try {
        const x = tf.randomNormal([1, 8, 8, 16]) as tf.Tensor4D;
        const gamma = tf.ones([16]) as tf.Tensor1D;
        const beta = tf.zeros([16]) as tf.Tensor1D;
        census.reset();
        tf.tidy(() => fused(x, gamma, beta, 'relu', 1e-5));
        const forward = census.read();
        expect(forward.byProgram).toEqual({ HfNormStatsPartial: 1, HfNormStatsMerge: 1, HfNormApply: 1 });
        census.reset();
        tf.tidy(() => tf.grads((a: tf.Tensor) => fused(a as tf.Tensor4D, gamma, beta, 'relu', 1e-5))([x]));
        const both = census.read().byProgram;
        const backward = Object.entries(both).filter(([k]) => k.startsWith('HfNormGrad'));
        expect(backward.reduce((s, [, n]) => s + n, 0)).toBe(4);
        const x2 = tf.randomNormal([2, 8, 8, 16]) as tf.Tensor4D;
        census.reset();
        tf.tidy(() => tf.grads((a: tf.Tensor) => fused(a as tf.Tensor4D, gamma, beta, 'relu', 1e-5))([x2]));
        const batch2 = Object.entries(census.read().byProgram).filter(([k]) => k.startsWith('HfNormGrad'));
        expect(batch2.reduce((s, [, n]) => s + n, 0)).toBe(5);
        tf.dispose([x, x2, gamma, beta]);
      } finally {
        census.restore();
      }
    });

    it('agrees with finite differences of its own forward pass', async () => {
      const shape: Shape = [1, 3, 4, 2];
      const xs = normals(24, 'fd-x');
      const dir = normals(24, 'fd-dir');
      const ws = normals(24, 'fd-w');
      const gamma = tf.tensor1d([1.3, 0.7]);
      const beta = tf.tensor1d([0.1, -0.2]);
      const w = tf.tensor4d(ws, shape);
      const loss = (x: tf.Tensor) => tf.sum(tf.mul(fused(x as tf.Tensor4D, gamma, beta, 'lrelu', 1e-5), w));
      const h = 1e-2;
      const lossAt = async (t: number) => {
        const x = tf.tensor4d(
          xs.map((v, i) => v + t * dir[i]!),
          shape,
        );
        const l = loss(x);
        const value = (await l.data())[0]!;
        tf.dispose([x, l]);
        return value;
      };
      const numeric = ((await lossAt(h)) - (await lossAt(-h))) / (2 * h);
      const x = tf.tensor4d(xs, shape);
      const dx = tf.grad(loss)(x);
      const dxData = await dx.data();
      const analytic = dir.reduce((s, d, i) => s + d * dxData[i]!, 0);
      expect(Math.abs(numeric - analytic)).toBeLessThan(2e-2 * Math.max(1, Math.abs(analytic)));
      tf.dispose([gamma, beta, w, x, dx]);
    });

    it('falls back to the composite when the scale is not one value per channel', async () => {
      const x = tf.tensor4d(normals(2 * 3 * 3 * 4, 'fb'), [2, 3, 3, 4]);
      const wrongGamma = tf.ones([1]) as tf.Tensor1D; // broadcasts in the composite
      const beta = tf.zeros([4]) as tf.Tensor1D;
      const census = instrumentWebgpu(tf.backend() as WebGPUBackend);
      try {
        const y = fused(x, wrongGamma, beta, 'none', 1e-5);
        expect(census.read().byProgram.HfNormApply).toBeUndefined();
        const ref = compositeInstanceNormAct(x, wrongGamma, beta, 'none', 1e-5);
        expect(maxAbsDiff(await y.data(), await ref.data())).toBe(0);
        tf.dispose([y, ref]);
      } finally {
        census.restore();
        tf.dispose([x, wrongGamma, beta]);
      }
    });

    it('leaks no tensors across a forward and backward pass', () => {
      const x = tf.randomNormal([2, 6, 5, 8]) as tf.Tensor4D;
      const gamma = tf.ones([8]) as tf.Tensor1D;
      const beta = tf.zeros([8]) as tf.Tensor1D;
      const before = tf.memory().numTensors;
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(fused(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 'lrelu', 1e-5)),
      )([x, gamma, beta]);
      tf.dispose(grads);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, gamma, beta]);
    });
  },
);
