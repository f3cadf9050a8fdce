import { beforeAll, describe, expect, it } from 'vitest';
import {
  AFFINE_GRID_SIZE,
  applyPiecewiseAffine,
  samplePiecewiseAffine,
  type PiecewiseAffineParams,
} from '../../../../../src-main/core/sampling/augment/piecewise-affine.js';
import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { CMU_SMALL, meanAbsDiff, readSlideRegion, sameBytes } from '../fixture-patch.js';

const G = AFFINE_GRID_SIZE;

/** R = column, G = row, B = 0: reading a pixel back tells where it was sampled from. */
function coordinateImage(width: number, height: number): PatchImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x, y, 0], (y * width + x) * 3);
  }
  return { width, height, data };
}

function zeroParams(padPx = 2): PiecewiseAffineParams {
  return { gridSize: G, padPx, dx: new Array<number>(G * G).fill(0), dy: new Array<number>(G * G).fill(0) };
}

describe('piecewise affine warp', () => {
  let patch: PatchImage;
  beforeAll(async () => {
    patch = await readSlideRegion(CMU_SMALL, 1200, 1500, 256, 256);
  });

  it('keeps the size of square and non-square patches', () => {
    const rng = new Rng(1);
    for (const [w, h] of [
      [256, 256],
      [200, 150],
      [7, 5],
    ] as const) {
      const out = applyPiecewiseAffine(coordinateImage(w, h), samplePiecewiseAffine(rng, Math.min(w, h)));
      expect([out.width, out.height, out.data.length]).toEqual([w, h, w * h * 3]);
    }
  });

  it('is the identity with zero displacements', () => {
    expect(sameBytes(applyPiecewiseAffine(patch, zeroParams()).data, patch.data)).toBe(true);
  });

  it('reads each control point from its displaced position (the inverse mapping)', () => {
    // Padded side 260, 8 points: spacing 37 px, so control point (1, 1) is output pixel (35, 35).
    const dx = new Array<number>(G * G).fill(0);
    const dy = new Array<number>(G * G).fill(0);
    dx[1 * G + 1] = 2;
    dy[1 * G + 1] = -3;
    const params = { ...zeroParams(), dx, dy };
    const out = applyPiecewiseAffine(coordinateImage(256, 256), params);
    const at = (x: number, y: number): number[] =>
      Array.from(out.data.subarray((y * 256 + x) * 3, (y * 256 + x) * 3 + 2));
    expect(at(35, 35)).toEqual([37, 32]);
    expect(at(72, 72)).toEqual([72, 72]); // the next control point did not move
    expect(at(200, 100)).toEqual([200, 100]); // cells away from the moved point are untouched
  });

  it('moves edge points only along their edge: the border maps onto itself', () => {
    // With no pad the grid's edges are the patch border: the top row must still read row 0, etc.
    const rng = new Rng(9);
    for (let trial = 0; trial < 5; trial++) {
      const params = { ...samplePiecewiseAffine(rng, 256), padPx: 0 };
      const out = applyPiecewiseAffine(coordinateImage(256, 256), params);
      for (let i = 0; i < 256; i++) {
        expect(out.data[i * 3 + 1]).toBe(0); // top row: G = source row 0
        expect(out.data[(255 * 256 + i) * 3 + 1]).toBe(255); // bottom row
        expect(out.data[i * 256 * 3]).toBe(0); // left column: R = source column 0
        expect(out.data[(i * 256 + 255) * 3]).toBe(255); // right column
      }
      // ... while points along the edges did move.
      expect(params.dx.slice(1, G - 1).some((d) => d !== 0)).toBe(true);
    }
  });

  it('draws interior displacements ~ N(0, size/80), edges along the edge only, corners fixed', () => {
    const rng = new Rng(4);
    const interior: number[] = [];
    const alongEdge: number[] = [];
    let offEdge = 0;
    for (let n = 0; n < 400; n++) {
      const { dx, dy } = samplePiecewiseAffine(rng, 256);
      for (let row = 0; row < G; row++) {
        for (let col = 0; col < G; col++) {
          const i = row * G + col;
          const topBottom = row === 0 || row === G - 1;
          const leftRight = col === 0 || col === G - 1;
          if (topBottom && dy[i] !== 0) offEdge++;
          if (leftRight && dx[i] !== 0) offEdge++;
          if (!topBottom && !leftRight) interior.push(dx[i]!, dy[i]!);
          else if (topBottom && !leftRight) alongEdge.push(dx[i]!);
          else if (leftRight && !topBottom) alongEdge.push(dy[i]!);
        }
      }
    }
    const sd = (xs: number[]): number => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(offEdge).toBe(0);
    expect(interior.length).toBe(400 * 36 * 2);
    expect(Math.abs(mean(interior))).toBeLessThan(0.05);
    expect(sd(interior) / (256 / 80)).toBeCloseTo(1, 1);
    expect(sd(alongEdge) / (256 / 80)).toBeCloseTo(1, 1);
  });

  it('warps a real patch gently: it changes, but stays close to the original', () => {
    const out = applyPiecewiseAffine(patch, samplePiecewiseAffine(new Rng(2), 256));
    const mae = meanAbsDiff(out.data, patch.data);
    expect(mae).toBeGreaterThan(1);
    expect(mae).toBeLessThan(40);
  });

  it('rejects parameters of the wrong shape', () => {
    expect(() => applyPiecewiseAffine(patch, { ...zeroParams(), dx: [0, 0] })).toThrow(
      /Expected 64 displacements/,
    );
    expect(() => applyPiecewiseAffine(patch, { ...zeroParams(), gridSize: 1 })).toThrow(/gridSize >= 2/);
  });
});
