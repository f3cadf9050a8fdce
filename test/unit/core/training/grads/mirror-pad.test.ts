import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { maxAbsDiff, seededTensor, useBackend } from '../helpers.js';

/** Index of the input element that padded position `i` copies (numpy/TF mirror semantics). */
function source(i: number, before: number, n: number, mode: 'reflect' | 'symmetric'): number {
  let j = i - before;
  if (j < 0) j = mode === 'reflect' ? -j : -j - 1;
  if (j >= n) j = mode === 'reflect' ? 2 * (n - 1) - j : 2 * n - 1 - j;
  return j;
}

/** d sum(w * mirrorPad(x)) / dx by brute force: every padded cell adds its weight to its source. */
function expectedGradient(
  shape: number[],
  paddings: Array<[number, number]>,
  w: Float32Array,
  mode: 'reflect' | 'symmetric',
): Float32Array {
  const padded = shape.map((n, a) => n + paddings[a]![0] + paddings[a]![1]);
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < w.length; flat++) {
    let rest = flat;
    for (let a = shape.length - 1; a >= 0; a--) {
      index[a] = rest % padded[a]!;
      rest = Math.floor(rest / padded[a]!);
    }
    let target = 0;
    for (let a = 0; a < shape.length; a++) {
      target = target * shape[a]! + source(index[a]!, paddings[a]![0], shape[a]!, mode);
    }
    out[target]! += w[flat]!;
  }
  return out;
}

const CASES: Array<{ shape: number[]; paddings: Array<[number, number]> }> = [
  {
    shape: [1, 7, 7, 2],
    paddings: [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
  },
  {
    shape: [2, 4, 5, 3],
    paddings: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  {
    shape: [1, 5, 6, 1],
    paddings: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
  { shape: [9], paddings: [[4, 2]] },
];

describe('MirrorPad gradient', () => {
  for (const mode of ['reflect', 'symmetric'] as const) {
    it(`folds every mirrored border back onto its source (${mode}, 1-D and 4-D, corners included)`, async () => {
      await useBackend('cpu');
      const rng = new Rng(21);
      for (const c of CASES) {
        const x = seededTensor(rng, c.shape);
        const paddedShape = c.shape.map((n, a) => n + c.paddings[a]![0] + c.paddings[a]![1]);
        const w = seededTensor(rng, paddedShape);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mirrorPad(t, c.paddings, mode), w)))(x);
        const expected = expectedGradient(c.shape, c.paddings, (await w.data()) as Float32Array, mode);
        expect(maxAbsDiff(await g.data(), expected), JSON.stringify(c)).toBeLessThan(1e-5);
        tf.dispose([x, w, g]);
      }
    });
  }

  it('has a gradient of its own (second order through reflection padding)', async () => {
    await useBackend('wasm');
    const rng = new Rng(4);
    const x = seededTensor(rng, [1, 5, 5, 2]);
    const k = seededTensor(rng, [3, 3, 2, 2]) as tf.Tensor4D;
    const pads: Array<[number, number]> = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    const outer = tf.grad((kk: tf.Tensor) => {
      const inner = tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.square(
            tf.conv2d(tf.mirrorPad(t, pads, 'reflect') as tf.Tensor4D, kk as tf.Tensor4D, 1, 'valid'),
          ),
        ),
      )(x);
      return tf.sum(tf.square(inner));
    })(k);
    const values = await outer.data();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, k, outer]);
  });
});
