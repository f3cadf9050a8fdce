import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { leakyRelu } from '../../../../../src-main/core/training/ops/activation.js';
import { conv2d, conv2dTranspose } from '../../../../../src-main/core/training/ops/conv.js';
import {
  equalizedConv2d,
  equalizedDense,
  heScale,
} from '../../../../../src-main/core/training/ops/equalized.js';
import { minibatchStddev } from '../../../../../src-main/core/training/ops/minibatch-stddev.js';
import { pixelNorm } from '../../../../../src-main/core/training/ops/pixel-norm.js';
import { downscale2x, upscale2x } from '../../../../../src-main/core/training/ops/resample.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { maxAbsDiff, seededTensor, useBackend } from '../helpers.js';

/** PyTorch ConvTranspose2d by brute force: y[i*s - p + a] += x[i] * w[a]; kernel [kh, kw, out, in]. */
function naiveConvTranspose(
  x: Float32Array,
  [n, h, w, cin]: number[],
  k: Float32Array,
  [kh, kw, cout]: number[],
  s: number,
  p: number,
  op: number,
): { data: Float32Array; shape: number[] } {
  const oh = (h - 1) * s - 2 * p + kh! + op;
  const ow = (w - 1) * s - 2 * p + kw! + op;
  const y = new Float32Array(n! * oh * ow * cout!);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < h!; i++)
      for (let j = 0; j < w!; j++)
        for (let a = 0; a < kh!; a++)
          for (let c = 0; c < kw!; c++) {
            const yi = i * s - p + a;
            const yj = j * s - p + c;
            if (yi < 0 || yj < 0 || yi >= oh || yj >= ow) continue;
            for (let o = 0; o < cout!; o++)
              for (let q = 0; q < cin!; q++) {
                y[((b * oh + yi) * ow + yj) * cout! + o]! +=
                  x[((b * h! + i) * w! + j) * cin! + q]! * k[((a * kw! + c) * cout! + o) * cin! + q]!;
              }
          }
  return { data: y, shape: [n!, oh, ow, cout!] };
}

describe('op-level layers', () => {
  it("conv2dTranspose has PyTorch's ConvTranspose2d geometry (k3 s2 p1 op1 doubles the size)", async () => {
    await useBackend('cpu');
    const rng = new Rng(1);
    for (const [shape, kernel, s, p, op] of [
      [[2, 5, 4, 3], [3, 3, 2, 3], 2, 1, 1],
      [[1, 4, 4, 2], [4, 4, 3, 2], 2, 1, 0],
      [[1, 3, 3, 2], [3, 3, 2, 2], 1, 0, 0],
      [[1, 3, 5, 1], [5, 5, 2, 1], 3, 2, 2],
      [[1, 4, 4, 2], [3, 3, 2, 2], 2, 0, 1],
    ] as Array<[number[], number[], number, number, number]>) {
      const x = seededTensor(rng, shape) as tf.Tensor4D;
      const k = seededTensor(rng, kernel) as tf.Tensor4D;
      const y = conv2dTranspose(x, k, null, { stride: s, padPx: p, outputPadPx: op });
      const expected = naiveConvTranspose(
        (await x.data()) as Float32Array,
        shape,
        (await k.data()) as Float32Array,
        kernel,
        s,
        p,
        op,
      );
      expect(y.shape).toEqual(expected.shape);
      expect(maxAbsDiff(await y.data(), expected.data)).toBeLessThan(1e-5);
      tf.dispose([x, k, y]);
    }
  });

  it('conv2d pads with zeros or by reflection and adds the bias', async () => {
    await useBackend('wasm');
    const rng = new Rng(2);
    const x = seededTensor(rng, [2, 6, 6, 3]) as tf.Tensor4D;
    const k = seededTensor(rng, [3, 3, 3, 4]) as tf.Tensor4D;
    const b = seededTensor(rng, [4]) as tf.Tensor1D;
    const pads: Array<[number, number]> = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    const zero = conv2d(x, k, b, { padPx: 1, stride: 2 });
    const zeroRef = tf.add(tf.conv2d(tf.pad(x, pads), k, 2, 'valid'), b);
    const reflect = conv2d(x, k, b, { padPx: 1, border: 'reflect' });
    const reflectRef = tf.add(tf.conv2d(tf.mirrorPad(x, pads, 'reflect'), k, 1, 'valid'), b);
    expect(zero.shape).toEqual([2, 3, 3, 4]);
    expect(maxAbsDiff(await zero.data(), await zeroRef.data())).toBeLessThan(1e-5);
    expect(reflect.shape).toEqual([2, 6, 6, 4]);
    expect(maxAbsDiff(await reflect.data(), await reflectRef.data())).toBeLessThan(1e-5);
    tf.dispose([x, k, b, zero, zeroRef, reflect, reflectRef]);
  });

  it('downscale2x is 2x2 average pooling and upscale2x nearest-neighbour upsampling', async () => {
    await useBackend('wasm');
    const x = seededTensor(new Rng(3), [3, 6, 4, 2]) as tf.Tensor4D;
    const down = downscale2x(x);
    const up = upscale2x(x);
    const pool = tf.avgPool(x, 2, 2, 'valid');
    const nearest = tf.image.resizeNearestNeighbor(x, [12, 8]);
    expect(maxAbsDiff(await down.data(), await pool.data())).toBeLessThan(1e-6);
    expect(Array.from(await up.data())).toEqual(Array.from(await nearest.data()));
    tf.dispose([x, down, up, pool, nearest]);
  });

  it('leakyRelu has slope 0.2 below zero; pixelNorm gives unit RMS over channels', async () => {
    await useBackend('cpu');
    const x = tf.tensor4d([-2, -0.5, 0, 3], [1, 1, 1, 4]);
    expect(maxAbsDiff(await leakyRelu(x).data(), [-0.4, -0.1, 0, 3])).toBeLessThan(1e-6);
    const y = pixelNorm(seededTensor(new Rng(4), [2, 3, 3, 8]) as tf.Tensor4D);
    const rms = tf.sqrt(tf.mean(tf.square(y), 3));
    for (const v of await rms.data()) expect(v).toBeCloseTo(1, 5);
    tf.dispose([x, y, rms]);
  });

  it('minibatchStddev appends the per-group mean stddev as a channel (group member n / M)', async () => {
    await useBackend('cpu');
    const [n, h, w, c] = [8, 2, 3, 2];
    const x = seededTensor(new Rng(5), [n, h, w, c]) as tf.Tensor4D;
    const values = (await x.data()) as Float32Array;
    const y = minibatchStddev(x, 4);
    expect(y.shape).toEqual([n, h, w, c + 1]);
    const out = (await y.data()) as Float32Array;
    const g = 4;
    const m = n / g;
    for (let group = 0; group < m; group++) {
      let total = 0;
      for (let f = 0; f < h * w * c; f++) {
        const members = Array.from({ length: g }, (_, k) => values[(k * m + group) * h * w * c + f]!);
        const mean = members.reduce((a, b) => a + b, 0) / g;
        total += Math.sqrt(members.reduce((a, b) => a + (b - mean) ** 2, 0) / g + 1e-8);
      }
      const expected = total / (h * w * c);
      for (let k = 0; k < g; k++) {
        const sample = k * m + group;
        for (let p = 0; p < h * w; p++)
          expect(out[(sample * h * w + p) * (c + 1) + c]).toBeCloseTo(expected, 5);
      }
    }
    expect(() => minibatchStddev(tf.zeros([6, 2, 2, 1]) as tf.Tensor4D, 4)).toThrow(
      /multiple of the group size/,
    );
    tf.dispose([x, y]);
  });

  it("equalised layers scale N(0, 1) weights by He's constant at run time", async () => {
    await useBackend('cpu');
    expect(heScale(9 * 16)).toBeCloseTo(Math.SQRT2 / 12, 10);
    const rng = new Rng(6);
    const x = seededTensor(rng, [1, 4, 4, 16]) as tf.Tensor4D;
    const w = seededTensor(rng, [3, 3, 16, 2]) as tf.Tensor4D;
    const b = tf.zeros([2]) as tf.Tensor1D;
    const scale = tf.scalar(heScale(3 * 3 * 16));
    const y = equalizedConv2d(x, w, b, scale);
    const ref = tf.conv2d(x, tf.mul(w, heScale(144)) as tf.Tensor4D, 1, 'same');
    expect(maxAbsDiff(await y.data(), await ref.data())).toBeLessThan(1e-5);
    const d = equalizedDense(tf.ones([1, 16]), tf.ones([16, 1]), tf.zeros([1]), tf.scalar(heScale(16, 1)));
    expect((await d.data())[0]).toBeCloseTo(4, 5);
    tf.dispose([x, w, b, scale, y, ref, d]);
  });
});
