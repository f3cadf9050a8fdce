import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyD4,
  inverseD4,
  sampleD4,
  type D4Params,
} from '../../../../../src-main/core/sampling/augment/d4.js';
import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { CMU_SMALL, readSlideRegion, sameBytes } from '../fixture-patch.js';

const ELEMENTS: D4Params[] = [0, 1, 2, 3].flatMap((quarterTurns) =>
  [false, true].map((mirror) => ({ quarterTurns: quarterTurns as D4Params['quarterTurns'], mirror })),
);

/** Pixels as sorted 24-bit integers: equal multisets mean the op only moved pixels around. */
function sortedPixels(image: PatchImage): Uint32Array {
  const out = new Uint32Array(image.width * image.height);
  for (let i = 0; i < out.length; i++) {
    out[i] = (image.data[3 * i]! << 16) | (image.data[3 * i + 1]! << 8) | image.data[3 * i + 2]!;
  }
  return out.sort();
}

describe('D4 rotations and flips', () => {
  let patch: PatchImage;
  beforeAll(async () => {
    patch = await readSlideRegion(CMU_SMALL, 1200, 1500, 256, 256);
  });

  it('is a permutation of the pixels for all 8 elements', () => {
    const reference = sortedPixels(patch);
    for (const params of ELEMENTS) {
      const out = applyD4(patch, params);
      expect([out.width, out.height]).toEqual([256, 256]);
      expect(Buffer.from(sortedPixels(out).buffer).equals(Buffer.from(reference.buffer))).toBe(true);
    }
  });

  it('gives 8 distinct images of a non-symmetric patch', () => {
    const keys = new Set(ELEMENTS.map((p) => Buffer.from(applyD4(patch, p).data).toString('base64')));
    expect(keys.size).toBe(8);
  });

  it('returns the input when an element is composed with its inverse', () => {
    for (const params of ELEMENTS) {
      const back = applyD4(applyD4(patch, params), inverseD4(params));
      expect(sameBytes(back.data, patch.data)).toBe(true);
    }
  });

  it('rotates clockwise and mirrors left-right, swapping the sides of a non-square patch', () => {
    // 3 x 2 image with pixel value = its index: rows [0 1 2] / [3 4 5] (one channel shown).
    const data = new Uint8Array(18);
    for (let i = 0; i < 6; i++) data.fill(i, 3 * i, 3 * i + 3);
    const small = { width: 3, height: 2, data };
    const red = (img: PatchImage): number[] => Array.from({ length: 6 }, (_, i) => img.data[3 * i]!);
    const quarter = applyD4(small, { quarterTurns: 1, mirror: false });
    expect([quarter.width, quarter.height]).toEqual([2, 3]);
    expect(red(quarter)).toEqual([3, 0, 4, 1, 5, 2]);
    expect(red(applyD4(small, { quarterTurns: 0, mirror: true }))).toEqual([2, 1, 0, 5, 4, 3]);
    expect(red(applyD4(small, { quarterTurns: 2, mirror: false }))).toEqual([5, 4, 3, 2, 1, 0]);
    expect(red(applyD4(small, { quarterTurns: 3, mirror: false }))).toEqual([2, 5, 1, 4, 0, 3]);
    // Mirror first, then a quarter turn: [2 1 0]/[5 4 3] turned clockwise.
    expect(red(applyD4(small, { quarterTurns: 1, mirror: true }))).toEqual([5, 2, 4, 1, 3, 0]);
  });

  it('draws all 8 elements about equally often', () => {
    const rng = new Rng(11);
    const counts = new Map<string, number>();
    for (let i = 0; i < 8000; i++) {
      const key = JSON.stringify(sampleD4(rng));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(8);
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(150);
  });

  it('rejects a quarter-turn count outside 0..3', () => {
    expect(() => applyD4(patch, { quarterTurns: 4 as never, mirror: false })).toThrow(
      /0, 1, 2 or 3 for quarterTurns but received 4/,
    );
  });
});
