import { describe, expect, it } from 'vitest';
import { radixSortFloat32 } from '../../../../../src-main/core/training/eval/radix-sort.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';

describe('radixSortFloat32', () => {
  it('sorts like Float32Array.prototype.sort, signs, zeros and infinities included', () => {
    const rng = new Rng(3);
    for (const n of [0, 1, 2, 17, 5000]) {
      const values = Float32Array.from({ length: n }, () => rng.normal(0, 1000));
      if (n > 10) values.set([-0, 0, Infinity, -Infinity, 1e-40, -1e-40], 3);
      const expected = values.slice().sort();
      radixSortFloat32(values);
      expect(Array.from(values).every((v, i) => Object.is(v, expected[i]))).toBe(true);
    }
  });

  it('sorts a view in place without touching the rest of its buffer', () => {
    const buffer = Float32Array.from([9, 3, 2, 1, 9]);
    radixSortFloat32(buffer.subarray(1, 4));
    expect(Array.from(buffer)).toEqual([9, 1, 2, 3, 9]);
  });
});
