import { describe, expect, it } from 'vitest';
import { dilateSquare } from '../../../../src-main/core/tissue/morphology.js';
import { Rng } from '../../../../src-main/core/util/rng.js';

/** Dilation by its definition: 1 where any pixel of the centred square (clipped to the image) is 1. */
function bruteForceDilate(mask: Uint8Array, width: number, height: number, size: number): Uint8Array {
  const r = (size - 1) / 2;
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let any = 0;
      for (let dy = -r; dy <= r && !any; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < height && xx >= 0 && xx < width && mask[yy * width + xx]) {
            any = 1;
            break;
          }
        }
      }
      out[y * width + x] = any;
    }
  }
  return out;
}

describe('dilateSquare (erosion of the background)', () => {
  it('grows one tissue pixel into a 5x5 square', () => {
    const mask = new Uint8Array(11 * 11);
    mask[5 * 11 + 5] = 1;
    const out = dilateSquare(mask, 11, 11, 5);
    expect(out.reduce((a, b) => a + b, 0)).toBe(25);
    expect(out[3 * 11 + 3]).toBe(1);
    expect(out[7 * 11 + 7]).toBe(1);
    expect(out[2 * 11 + 5]).toBe(0);
  });

  it('clips at the image border (outside never adds tissue, as OpenCV’s erode border)', () => {
    const mask = new Uint8Array(6 * 4);
    mask[0] = 1;
    const out = dilateSquare(mask, 6, 4, 5);
    expect(out.reduce((a, b) => a + b, 0)).toBe(9);
  });

  it('equals the definition on random masks and sizes', () => {
    const rng = new Rng(3);
    for (const size of [1, 3, 5, 7]) {
      const width = 37;
      const height = 23;
      const mask = new Uint8Array(width * height);
      for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < 0.05 ? 1 : 0;
      expect(dilateSquare(mask, width, height, size)).toEqual(bruteForceDilate(mask, width, height, size));
    }
  });

  it('rejects an even square', () => {
    expect(() => dilateSquare(new Uint8Array(4), 2, 2, 4)).toThrow(/odd positive square/);
  });
});
