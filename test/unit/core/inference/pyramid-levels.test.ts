import { describe, expect, it } from 'vitest';
import { downsampleQuad } from '../../../../src-main/core/inference/pyramid-levels.js';
import { Rng } from '../../../../src-main/core/util/rng.js';

/** The 2x2 block as one image, each output pixel the rounded mean of its in-source footprint. */
function reference(children: (Uint8Array | null)[], t: number, validW: number, validH: number): Uint8Array {
  const sample = (x: number, y: number, c: number): number => {
    const child = children[(y >= t ? 2 : 0) + (x >= t ? 1 : 0)];
    return child ? child[((y % t) * t + (x % t)) * 3 + c]! : 255;
  };
  const out = new Uint8Array(t * t * 3).fill(255);
  for (let y = 0; 2 * y < validH; y++) {
    for (let x = 0; 2 * x < validW; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let dy = 0; dy < 2; dy++) {
          for (let dx = 0; dx < 2; dx++) {
            if (2 * x + dx < validW && 2 * y + dy < validH) {
              sum += sample(2 * x + dx, 2 * y + dy, c);
              n++;
            }
          }
        }
        out[(y * t + x) * 3 + c] = Math.floor(sum / n + 0.5);
      }
    }
  }
  return out;
}

describe('downsampleQuad', () => {
  it('averages each 2x2 footprint, only over pixels inside the source level, blank children as white', () => {
    const rng = new Rng(4);
    const t = 16;
    const tile = (): Uint8Array => Uint8Array.from({ length: t * t * 3 }, () => rng.int(256));
    for (const [validW, validH] of [
      [32, 32],
      [31, 32],
      [17, 9],
      [16, 16],
      [5, 30],
      [1, 1],
    ] as const) {
      const children = [tile(), null, tile(), tile()];
      expect(downsampleQuad(children, t, validW, validH)).toEqual(reference(children, t, validW, validH));
    }
  });
});
