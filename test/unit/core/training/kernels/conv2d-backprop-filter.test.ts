import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dFilterGradient } from '../../../../../src-main/core/training/kernels/conv2d-backprop-filter.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { maxAbs, maxAbsDiff, seededTensor, useBackend } from '../helpers.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: Pad;
}

// Stride 1/2, same/valid/explicit/numeric pads, 1x1..7x7 (square and not), batch > 1, odd sizes.
const CASES: Case[] = [
  { x: [1, 8, 8, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { x: [3, 11, 11, 2], filter: [5, 5, 2, 3], stride: 2, pad: 'valid' },
  { x: [1, 13, 13, 3], filter: [7, 7, 3, 4], stride: 1, pad: 'same' },
  {
    x: [2, 16, 16, 3],
    filter: [7, 7, 3, 2],
    stride: 1,
    pad: [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
  },
  {
    x: [2, 10, 10, 4],
    filter: [4, 4, 4, 6],
    stride: 2,
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  {
    x: [1, 9, 9, 5],
    filter: [4, 4, 5, 1],
    stride: 1,
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  { x: [4, 6, 6, 8], filter: [1, 1, 8, 3], stride: 1, pad: 'valid' },
  { x: [2, 7, 9, 3], filter: [1, 1, 3, 4], stride: 2, pad: 'same' },
  { x: [2, 12, 10, 3], filter: [3, 5, 3, 2], stride: 2, pad: 'valid' },
  { x: [1, 15, 15, 2], filter: [6, 6, 2, 2], stride: 2, pad: 'same' },
  { x: [3, 5, 5, 3], filter: [2, 2, 3, 3], stride: 1, pad: 2 },
  {
    x: [2, 8, 8, 3],
    filter: [3, 3, 3, 2],
    stride: 2,
    pad: [
      [0, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ],
  },
];

/** The registered kernel, through the engine (tfjs exports no public op for it). */
function backpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, c: Case): tf.Tensor {
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
  return tf
    .engine()
    .runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

const label = (c: Case): string =>
  `x ${c.x.join('x')}, filter ${c.filter.join('x')}, stride ${c.stride}, pad ${JSON.stringify(c.pad)}`;

/** Reference results from tfjs-cpu's stock kernel, taken before ours replaces it. */
const reference = new Map<Case, Float32Array>();
const inputs = new Map<Case, { x: Float32Array; dy: Float32Array; dyShape: number[] }>();
let stockKernel: tf.KernelFunc;

beforeAll(async () => {
  await tf.setBackend('cpu');
  stockKernel = tf.getKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc;
  const rng = new Rng(11);
  for (const c of CASES) {
    const x = seededTensor(rng, c.x) as tf.Tensor4D;
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.stride, 1, c.pad);
    const dy = seededTensor(rng, info.outShape) as tf.Tensor4D;
    const dw = backpropFilter(x, dy, c);
    reference.set(c, (await dw.data()) as Float32Array);
    inputs.set(c, {
      x: (await x.data()) as Float32Array,
      dy: (await dy.data()) as Float32Array,
      dyShape: info.outShape,
    });
    tf.dispose([x, dy, dw]);
  }
});

/** Relative error against the stock kernel, over the largest reference magnitude. */
async function relativeError(
  c: Case,
  compute: (x: tf.Tensor4D, dy: tf.Tensor4D) => tf.Tensor,
): Promise<number> {
  const { x, dy, dyShape } = inputs.get(c)!;
  const xt = tf.tensor4d(x, c.x);
  const dyt = tf.tensor4d(dy, dyShape as [number, number, number, number]);
  const out = compute(xt, dyt);
  expect(out.shape).toEqual(c.filter);
  const values = await out.data();
  tf.dispose([xt, dyt, out]);
  const ref = reference.get(c)!;
  return maxAbsDiff(values, ref) / Math.max(1, maxAbs(ref));
}

describe('our Conv2DBackpropFilter', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`matches tfjs-cpu's stock kernel on ${CASES.length} shapes as the ${backend} kernel`, async () => {
      await useBackend(backend);
      expect(tf.getKernel('Conv2DBackpropFilter', backend)!.kernelFunc).not.toBe(stockKernel);
      for (const c of CASES) {
        const before = tf.memory().numTensors;
        const error = await relativeError(c, (x, dy) => backpropFilter(x, dy, c));
        expect(error, label(c)).toBeLessThan(1e-5);
        // The kernel wraps its inputs and output: it must neither leak nor free the caller's tensors.
        expect(tf.memory().numTensors, label(c)).toBe(before);
      }
    });
  }

  it('gives the same result with the per-tap matMul strategy', async () => {
    await useBackend('wasm');
    for (const c of CASES) {
      const error = await relativeError(c, (x, dy) =>
        conv2dFilterGradient(x, dy, c.filter, c.stride, c.pad, undefined, 'per-tap'),
      );
      expect(error, label(c)).toBeLessThan(1e-5);
    }
  });

  it('leaves its inputs usable (reference counts kept) when run as a gradient', async () => {
    await useBackend('wasm');
    const rng = new Rng(3);
    const x = seededTensor(rng, [2, 6, 6, 3]) as tf.Tensor4D;
    const w = seededTensor(rng, [3, 3, 3, 4]) as tf.Tensor4D;
    const dw = tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 1, 'same')))(w);
    expect(dw.shape).toEqual([3, 3, 3, 4]);
    expect(Number.isFinite(maxAbs(await dw.data()))).toBe(true);
    // x is still readable after the kernel disposed its wrapper of it.
    expect((await x.data()).length).toBe(2 * 6 * 6 * 3);
    tf.dispose([x, w, dw]);
  });
});
