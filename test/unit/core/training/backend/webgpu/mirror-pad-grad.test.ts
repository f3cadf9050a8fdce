import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentWebgpu } from '../../../../../../src-main/core/training/backend/webgpu/census.js';
import { registerMirrorPadGrad } from '../../../../../../src-main/core/training/backend/webgpu/mirror-pad-grad.js';
import { registerTrainingGradients } from '../../../../../../src-main/core/training/grads/register.js';
import {
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
type Paddings = Array<[number, number]>;

/** Gradient of sum(mirrorPad(x) * w) with respect to x: the fold of w. */
function padGradient(shape: Shape4, paddings: Paddings, mode: 'reflect' | 'symmetric') {
  const xs = normals(tf.util.sizeFromShape(shape), `x${shape}`);
  const padded = shape.map((n, i) => n + paddings[i]![0] + paddings[i]![1]);
  const ws = normals(tf.util.sizeFromShape(padded), `w${shape}${mode}`);
  return () => {
    const w = tf.tensor(ws, padded);
    return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.mirrorPad(x as tf.Tensor4D, paddings, mode), w)))(
      tf.tensor4d(xs, shape),
    );
  };
}

describe.skipIf(!gpu.ok)(
  `MirrorPad gradient in one WebGPU dispatch${skipNote(gpu)}`,
  WEBGPU_TEST_TIMEOUT,
  () => {
    let undo: () => void = () => {};
    beforeAll(() => {
      const restoreGradients = registerTrainingGradients(); // the correct composite fold: the reference
      const restoreOurs = registerMirrorPadGrad();
      undo = () => {
        restoreOurs();
        restoreGradients();
      };
    });
    afterAll(() => undo());

    const cases: Array<[Shape4, Paddings, 'reflect' | 'symmetric', string]> = [
      [
        [1, 9, 8, 2],
        [
          [0, 0],
          [3, 3],
          [3, 3],
          [0, 0],
        ],
        'reflect',
        'the generator ends (pad 3)',
      ],
      [
        [2, 4, 5, 3],
        [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
        'reflect',
        'residual blocks (pad 1), batch 2',
      ],
      [
        [1, 5, 6, 2],
        [
          [0, 0],
          [2, 1],
          [1, 2],
          [0, 0],
        ],
        'symmetric',
        'asymmetric symmetric padding',
      ],
      [
        [2, 3, 3, 4],
        [
          [1, 0],
          [0, 0],
          [1, 1],
          [0, 2],
        ],
        'symmetric',
        'batch and channel axes padded too',
      ],
    ];
    for (const [shape, paddings, mode, what] of cases) {
      it(`matches the composite fold on the cpu backend: ${what}`, async () => {
        const ref = await onCpu(padGradient(shape, paddings, mode));
        const census = instrumentWebgpu(tf.backend() as WebGPUBackend);
        try {
          const out = await onWebgpu(padGradient(shape, paddings, mode));
          expect(census.read().byProgram.HfMirrorPadFold).toBe(1);
          expect(maxAbsDiff(ref[0]!, out[0]!)).toBeLessThan(1e-5);
        } finally {
          census.restore();
        }
      });
    }

    it('has a gradient of its own (mirror padding), so second-order gradients still work', async () => {
      const shape: Shape4 = [1, 4, 5, 2];
      const paddings: Paddings = [
        [0, 0],
        [1, 1],
        [2, 2],
        [0, 0],
      ];
      const xs = normals(40, 'so-x');
      const ws = normals(6 * 9 * 2, 'so-w');
      const vs = normals(40, 'so-v');
      const secondOrder = () => {
        const x = tf.tensor4d(xs, shape);
        const v = tf.tensor4d(vs, shape);
        const inner = (w: tf.Tensor) =>
          tf.grad((a: tf.Tensor) =>
            tf.sum(tf.mul(tf.square(tf.mirrorPad(a as tf.Tensor4D, paddings, 'reflect')), w)),
          )(x);
        return tf.grad((w: tf.Tensor) => tf.sum(tf.mul(inner(w), v)))(tf.tensor4d(ws, [1, 6, 9, 2]));
      };
      const ref = await onCpu(secondOrder);
      const out = await onWebgpu(secondOrder);
      expect(maxAbsDiff(ref[0]!, out[0]!)).toBeLessThan(1e-4);
    });
  },
);
