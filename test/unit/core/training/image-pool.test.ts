import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ImagePool } from '../../../../src-main/core/training/image-pool.js';
import { Rng } from '../../../../src-main/core/util/rng.js';
import { useBackend } from './helpers.js';

/** A batch of one 2x2 image whose pixels all equal `id`, to trace which image came back. */
const image = (id: number): tf.Tensor4D => tf.fill([1, 2, 2, 3], id) as tf.Tensor4D;

async function idsOf(batch: tf.Tensor4D): Promise<number[]> {
  const values = await batch.data();
  const per = 2 * 2 * 3;
  return Array.from({ length: batch.shape[0] }, (_, i) => values[i * per]!);
}

async function run(pool: ImagePool, from: number, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let id = from; id < from + count; id++) {
    const input = image(id);
    const result = pool.query(input);
    out.push(...(await idsOf(result)));
    tf.dispose([input, result]);
  }
  return out;
}

describe('ImagePool', () => {
  it('returns each new image while filling, then a stored one about half of the time', async () => {
    await useBackend('cpu');
    const pool = new ImagePool(5, new Rng(1));
    expect(await run(pool, 0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(pool.size).toBe(5);
    const later = await run(pool, 5, 200);
    const fromHistory = later.filter((id, i) => id !== 5 + i).length;
    expect(fromHistory).toBeGreaterThan(70);
    expect(fromHistory).toBeLessThan(130);
    // A returned old image is always older than the query.
    later.forEach((id, i) => expect(id).toBeLessThanOrEqual(5 + i));
    pool.dispose();
  });

  it('handles a batch image by image and keeps no extra tensors', async () => {
    await useBackend('cpu');
    const pool = new ImagePool(3, new Rng(2));
    const before = tf.memory().numTensors;
    const batch = tf.tidy(() => tf.concat([image(1), image(2), image(3), image(4)]) as tf.Tensor4D);
    const out = pool.query(batch);
    expect(out.shape).toEqual([4, 2, 2, 3]);
    expect((await idsOf(out)).slice(0, 3)).toEqual([1, 2, 3]);
    tf.dispose([batch, out]);
    expect(tf.memory().numTensors).toBe(before + pool.size);
    pool.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('continues exactly after its state (images and random state) is restored into a new pool', async () => {
    await useBackend('cpu');
    const original = new ImagePool(4, new Rng(3));
    await run(original, 0, 10);
    const state = structuredClone(await original.getState());
    expect(Object.keys(state.images)).toEqual(['image/0', 'image/1', 'image/2', 'image/3']);
    const restored = new ImagePool(4, new Rng(999));
    restored.setState(state);
    expect(await run(restored, 10, 30)).toEqual(await run(original, 10, 30));
    expect(() => new ImagePool(2, new Rng(1)).setState(state)).toThrow(/more than the capacity/);
    original.dispose();
    restored.dispose();
  });

  it('passes images straight through with capacity 0', async () => {
    await useBackend('cpu');
    const pool = new ImagePool(0, new Rng(4));
    expect(await run(pool, 0, 3)).toEqual([0, 1, 2]);
    expect(pool.size).toBe(0);
  });
});
