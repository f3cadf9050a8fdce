import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instrumentWebgpu,
  type WebgpuInstrument,
} from '../../../../../../src-main/core/training/backend/webgpu/census.js';
import { registerConvKernels } from '../../../../../../src-main/core/training/backend/webgpu/conv-kernels.js';
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
type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** y = conv(x, W), its gradients dx and dW for a fixed upstream gradient, and conv2dTranspose(y, W). */
function convAndGrads(xShape: Shape4, wShape: Shape4, stride: number, pad: Pad) {
  const xs = normals(tf.util.sizeFromShape(xShape), `x${xShape}`);
  const ws = normals(tf.util.sizeFromShape(wShape), `w${wShape}`, 0.3);
  return () => {
    const x = tf.tensor4d(xs, xShape);
    const w = tf.tensor4d(ws, wShape);
    const y = tf.conv2d(x, w, stride, pad);
    const dy = tf.tensor(normals(y.size, `dy${xShape}`), y.shape);
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), dy));
    const [dx, dw] = tf.grads(loss)([x, w]);
    const transposed = tf.conv2dTranspose(y, w, xShape, stride, pad);
    return [y, dx!, dw!, transposed];
  };
}

describe.skipIf(!gpu.ok)(
  `implicit-GEMM WebGPU convolution kernels${skipNote(gpu)}`,
  WEBGPU_TEST_TIMEOUT,
  () => {
    let restore: () => void = () => {};
    let census: WebgpuInstrument;
    beforeAll(() => {
      restore = registerConvKernels({ forward: true, filterGrad: true, inputGrad: true });
      census = instrumentWebgpu(tf.backend() as WebGPUBackend);
    });
    afterAll(() => {
      census.restore();
      restore();
    });

    const cases: Array<[Shape4, Shape4, number, Pad, string]> = [
      [[1, 9, 7, 3], [3, 3, 3, 5], 1, 'same', 'odd sizes, narrow tiles'],
      [[2, 9, 7, 4], [3, 3, 4, 8], 2, 'same', 'stride 2 with odd input, batch 2'],
      [[2, 10, 10, 6], [4, 4, 6, 3], 2, 'valid', 'PatchGAN-like 4x4 stride 2, 3 outputs'],
      [[1, 13, 11, 5], [7, 7, 5, 3], 1, 'valid', '7x7 like the generator ends'],
      [[2, 16, 16, 32], [3, 3, 32, 40], 2, 1, 'explicit padding, wide tiles'],
      [[1, 12, 12, 2], [1, 1, 2, 70], 2, 'same', '1x1 stride 2: phases without taps'],
      [[1, 48, 40, 3], [3, 3, 3, 20], 1, 'same', 'many pixels: split-K filter gradient'],
      [[3, 5, 6, 17], [2, 2, 17, 33], 1, 'valid', 'even kernel, ragged tiles, batch 3'],
      [[2, 32, 32, 16], [3, 3, 16, 32], 1, 'same', 'channels and rows in whole K steps (aligned decoding)'],
      [[1, 32, 32, 16], [4, 4, 16, 16], 2, 1, 'aligned, stride 2'],
      [
        [1, 10, 9, 16],
        [3, 3, 16, 32],
        2,
        [
          [0, 0],
          [1, 0],
          [1, 0],
          [0, 0],
        ],
        'asymmetric explicit padding (PyTorch-style transposed convolutions)',
      ],
    ];
    for (const [xShape, wShape, stride, pad, what] of cases) {
      it(`match the cpu backend: ${what} (x [${xShape}], W [${wShape}], stride ${stride}, pad ${pad})`, async () => {
        const ref = await onCpu(convAndGrads(xShape, wShape, stride, pad));
        census.reset();
        const out = await onWebgpu(convAndGrads(xShape, wShape, stride, pad));
        const ran = census.read().byProgram;
        expect(ran.HfConvForward).toBeGreaterThan(0);
        expect(ran.HfConvFilterGrad).toBeGreaterThan(0);
        expect(ran.HfConvInputGrad).toBeGreaterThan(0);
        ['y', 'dx', 'dW', 'conv2dTranspose'].forEach((name, i) => {
          expect(maxAbsDiff(ref[i]!, out[i]!) / Math.max(1, maxAbs(ref[i]!)), name).toBeLessThan(1e-5);
        });
      });
    }

    it('sum split-K slices in a second dispatch only when the filter gradient is sliced', async () => {
      census.reset();
      await onWebgpu(() =>
        tf.grad((w: tf.Tensor) =>
          tf.conv2d(tf.ones([1, 40, 40, 3]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
        )(tf.ones([3, 3, 3, 8])),
      );
      expect(census.read().byProgram.HfSumSlices).toBe(1);
      census.reset();
      await onWebgpu(() =>
        tf.grad((w: tf.Tensor) =>
          tf.conv2d(tf.ones([1, 6, 6, 3]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
        )(tf.ones([3, 3, 3, 8])),
      );
      expect(census.read().byProgram.HfSumSlices).toBeUndefined();
    });

    it('agree with finite differences of the forward convolution', async () => {
      const xShape: Shape4 = [1, 5, 4, 2];
      const wShape: Shape4 = [3, 3, 2, 3];
      const xs = normals(40, 'fd-x');
      const ws = normals(54, 'fd-w');
      const dirX = normals(40, 'fd-dx');
      const dirW = normals(54, 'fd-dw');
      const weights = tf.tensor(normals(3 * 2 * 3, 'fd-out'), [1, 3, 2, 3]);
      const loss = (x: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), weights));
      const lossAt = async (t: number) => {
        const l = tf.tidy(() =>
          loss(
            tf.tensor4d(
              xs.map((v, i) => v + t * dirX[i]!),
              xShape,
            ),
            tf.tensor4d(
              ws.map((v, i) => v + t * dirW[i]!),
              wShape,
            ),
          ),
        );
        const v = (await l.data())[0]!;
        l.dispose();
        return v;
      };
      const h = 1e-2;
      const numeric = ((await lossAt(h)) - (await lossAt(-h))) / (2 * h);
      const [gx, gw] = tf.grads(loss)([tf.tensor4d(xs, xShape), tf.tensor4d(ws, wShape)]);
      const [dx, dw] = [await gx!.data(), await gw!.data()];
      const analytic =
        dirX.reduce((s, d, i) => s + d * dx[i]!, 0) + dirW.reduce((s, d, i) => s + d * dw[i]!, 0);
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-3 * Math.max(1, Math.abs(analytic)));
      tf.dispose([weights, gx!, gw!]);
    });

    it('leave dilated convolutions to the stock kernels, with the same result', async () => {
      const fn = () =>
        tf.conv2d(
          tf.tensor4d(normals(2 * 9 * 9 * 3, 'dil'), [2, 9, 9, 3]),
          tf.tensor4d(normals(3 * 3 * 3 * 4, 'dilw'), [3, 3, 3, 4]),
          1,
          'same',
          'NHWC',
          2,
        );
      const ref = await onCpu(fn);
      census.reset();
      const out = await onWebgpu(fn);
      expect(census.read().byProgram.HfConvForward).toBeUndefined();
      expect(maxAbsDiff(ref[0]!, out[0]!)).toBeLessThan(1e-5);
    });
  },
);

describe.skipIf(!gpu.ok)(
  `implicit-GEMM convolutions with 128 x 128 tiles${skipNote(gpu)}`,
  WEBGPU_TEST_TIMEOUT,
  () => {
    it('match the cpu backend with ragged 128-wide tiles (x [1, 6, 5, 128], W [3, 3, 128, 130])', async () => {
      const restore = registerConvKernels({
        forward: true,
        filterGrad: true,
        inputGrad: true,
        tiling: 'large',
      });
      const census = instrumentWebgpu(tf.backend() as WebGPUBackend);
      try {
        const ref = await onCpu(convAndGrads([1, 6, 5, 128], [3, 3, 128, 130], 1, 'same'));
        const out = await onWebgpu(convAndGrads([1, 6, 5, 128], [3, 3, 128, 130], 1, 'same'));
        expect(census.read().byProgram.HfConvForward).toBeGreaterThan(0);
        ref.forEach((r, i) => expect(maxAbsDiff(r, out[i]!) / Math.max(1, maxAbs(r))).toBeLessThan(1e-5));
      } finally {
        census.restore();
        restore();
      }
    });
  },
);

describe.skipIf(!gpu.ok)(`registerConvKernels${skipNote(gpu)}`, WEBGPU_TEST_TIMEOUT, () => {
  it('replaces only the chosen kernels and restores the stock ones', () => {
    const stock = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'].map(
      (k) => tf.getKernel(k, 'webgpu')!.kernelFunc,
    );
    const restore = registerConvKernels({ forward: false, filterGrad: true, inputGrad: false });
    const now = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'].map(
      (k) => tf.getKernel(k, 'webgpu')!.kernelFunc,
    );
    expect(now[0]).toBe(stock[0]);
    expect(now[1]).not.toBe(stock[1]);
    expect(now[2]).toBe(stock[2]);
    restore();
    const after = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'].map(
      (k) => tf.getKernel(k, 'webgpu')!.kernelFunc,
    );
    expect(after).toEqual(stock);
  });
});
