import { describe, expect, it } from 'vitest';
import { BackgroundMatte } from '../../../../src-main/core/inference/background-matte.js';
import { blendWeights } from '../../../../src-main/core/inference/blend-window.js';
import type { InferenceError } from '../../../../src-main/core/inference/errors.js';
import { TileBlender } from '../../../../src-main/core/inference/tile-blender.js';
import {
  createTileGrid,
  finalRowsAfter,
  firstTileRowReaching,
  pyramidLevelSizes,
  type TileGrid,
} from '../../../../src-main/core/inference/tile-grid.js';
import { translationWorkingSet } from '../../../../src-main/core/inference/working-set.js';

function grid(widthPx: number, heightPx: number, tileSizePx: number, overlapPx: number, tiff = 32): TileGrid {
  return createTileGrid({
    level0WidthPx: widthPx,
    level0HeightPx: heightPx,
    downsample: 1,
    tileSizePx,
    overlapPx,
    tiffTileSizePx: tiff,
  });
}

/** Sum over every tile of its weight at each position along one axis. */
function coverage(length: number, count: number, tile: number, overlap: number): Float64Array {
  const sum = new Float64Array(length);
  for (let i = 0; i < count; i++) {
    const w = blendWeights(tile, overlap, i > 0, i < count - 1);
    for (let u = 0; u < tile && i * (tile - overlap) + u < length; u++)
      sum[i * (tile - overlap) + u]! += w[u]!;
  }
  return sum;
}

describe('tile weights and grid', () => {
  it('weights of overlapping tiles add to one at every pixel, raised-cosine inside the overlap', () => {
    for (const [tile, overlap] of [
      [64, 16],
      [256, 32],
      [24, 12],
      [16, 0],
    ] as const) {
      const g = grid(1000, 10, tile, overlap);
      const sum = coverage(g.widthPx, g.columns, tile, overlap);
      for (const s of sum) expect(s).toBeCloseTo(1, 6);
    }
    const w = blendWeights(64, 16, true, true);
    expect(w[0]).toBeLessThan(0.01); // a tile's own edge barely counts
    expect(w[15]).toBeGreaterThan(0.99);
    expect(w[32]).toBe(1);
    expect(w[63]).toBeLessThan(0.01);
    // At the image border there is no neighbour: full weight.
    expect(blendWeights(64, 16, false, true)[0]).toBe(1);
  });

  it('covers the whole image with tiles, the last reaching past its edge', () => {
    for (const [w, t, o] of [
      [1000, 256, 32],
      [224, 256, 32],
      [256, 256, 32],
      [257, 256, 32],
      [480, 256, 32],
      [481, 256, 32],
    ] as const) {
      const g = grid(w, 100, t, o);
      expect((g.columns - 1) * g.stridePx + t).toBeGreaterThanOrEqual(w);
      expect(g.columns === 1 || (g.columns - 2) * g.stridePx + t < w).toBe(true);
    }
    const g = createTileGrid({
      level0WidthPx: 2220,
      level0HeightPx: 2967,
      downsample: 4,
      tileSizePx: 256,
      overlapPx: 32,
      tiffTileSizePx: 256,
    });
    expect([g.widthPx, g.heightPx, g.tiffColumns, g.tiffRows]).toEqual([555, 742, 3, 3]);
  });

  it('knows which tile row first reaches an output row', () => {
    const g = grid(100, 1000, 64, 16);
    for (let y = 0; y < 1000; y += 7) {
      let brute = 0;
      while (brute * g.stridePx + g.tileSizePx <= y) brute++;
      expect(firstTileRowReaching(g, y)).toBe(Math.min(brute, g.rows - 1));
    }
    expect(finalRowsAfter(g, g.rows - 1)).toBe(1000);
    expect(finalRowsAfter(g, 0)).toBe(48);
  });

  it('halves the pyramid until one TIFF tile holds a level', () => {
    expect(pyramidLevelSizes(2220, 2967, 256)).toEqual([
      { widthPx: 2220, heightPx: 2967 },
      { widthPx: 1110, heightPx: 1484 },
      { widthPx: 555, heightPx: 742 },
      { widthPx: 278, heightPx: 371 },
      { widthPx: 139, heightPx: 186 },
    ]);
    expect(pyramidLevelSizes(200, 100, 256)).toEqual([{ widthPx: 200, heightPx: 100 }]);
  });

  it('rejects bad tilings with the option named', () => {
    const bad = (overlapPx: number, tileSizePx = 64): InferenceError => {
      try {
        grid(100, 100, tileSizePx, overlapPx);
      } catch (e) {
        return e as InferenceError;
      }
      throw new Error('accepted');
    };
    expect(bad(33).message).toMatch(/overlapPx .* half the tile \(32\) but received 33/);
    expect(bad(-1).code).toBe('INVALID_OPTIONS');
    expect(bad(0, 0).message).toMatch(/tileSizePx/);
    expect(() =>
      createTileGrid({
        level0WidthPx: 10,
        level0HeightPx: 10,
        downsample: 0,
        tileSizePx: 8,
        overlapPx: 0,
        tiffTileSizePx: 16,
      }),
    ).toThrow(/downsample/);
  });
});

describe('TileBlender', () => {
  /** Runs constant-valued tiles (value = f(column, row)) through the blender; returns the image. */
  function blend(
    g: TileGrid,
    value: (column: number, row: number) => number | null,
    startTiffRow = 0,
  ): Uint8Array {
    const blender = new TileBlender(g, startTiffRow);
    const image = new Uint8Array(g.tiffRows * g.tiffTileSizePx * g.widthPx * 3).fill(7);
    const firstRow = firstTileRowReaching(g, startTiffRow * g.tiffTileSizePx);
    for (let row = firstRow; row < g.rows; row++) {
      for (let column = 0; column < g.columns; column++) {
        const v = value(column, row);
        blender.add(column, row, v === null ? null : new Float32Array(g.tileSizePx ** 2 * 3).fill(v));
      }
      for (const strip of blender.takeFinished(finalRowsAfter(g, row))) {
        image.set(strip.rgb, strip.tiffRow * g.tiffTileSizePx * g.widthPx * 3);
      }
    }
    return image;
  }

  it('hands back every strip once, in order, with blended values exact where tiles agree', () => {
    const g = grid(150, 130, 40, 12, 32);
    const image = blend(g, () => 90);
    for (let y = 0; y < g.heightPx; y++) {
      for (let x = 0; x < g.widthPx; x++) expect(image[(y * g.widthPx + x) * 3]).toBe(90);
    }
    // Below the image, the last strip is padded white.
    expect(image[(g.heightPx * g.widthPx + 3) * 3]).toBe(255);
  });

  it('counts untranslated tiles as white and blends smoothly into them', () => {
    const g = grid(200, 40, 40, 16, 32);
    const image = blend(g, (column) => (column === 0 ? 0 : null));
    const at = (x: number): number => image[(10 * g.widthPx + x) * 3]!;
    expect(at(0)).toBe(0);
    expect(at(g.stridePx - 1)).toBe(0);
    expect(at(60)).toBe(255);
    // Across the overlap the value rises monotonically from black to white.
    for (let x = g.stridePx; x < g.tileSizePx; x++) expect(at(x)).toBeGreaterThanOrEqual(at(x - 1));
  });

  it('resumed from a strip, produces the same strips as a run from the start', () => {
    const g = grid(90, 300, 48, 16, 32);
    const value = (column: number, row: number): number => 20 + 13 * column + 7 * row;
    const full = blend(g, value);
    const resumed = blend(g, value, 4);
    const from = 4 * 32 * g.widthPx * 3;
    expect(Buffer.from(resumed.subarray(from)).equals(Buffer.from(full.subarray(from)))).toBe(true);
  });

  it('holds a band of rows bounded by the tile and TIFF tile sizes, not the image height', () => {
    const tall = new TileBlender(grid(100, 100_000, 64, 16, 32));
    expect(tall.bandBytes).toBe((64 + 32) * 100 * 3 * 4);
  });
});

describe('translationWorkingSet', () => {
  it("predicts the buffers the translation allocates, growing with the output's width, not its height", () => {
    const tall = grid(4000, 100_000, 256, 32, 256);
    const set = translationWorkingSet(tall, 4, 12);
    expect(set.blendBandBytes).toBe(new TileBlender(tall).bandBytes);
    const mask = { width: 40, height: 1000, data: new Uint8Array(40 * 1000).fill(1) };
    expect(new BackgroundMatte(mask, tall).alphaRows(256, 256).byteLength).toBe(256 * 4000 * 4);
    expect(translationWorkingSet(grid(4000, 1000, 256, 32, 256), 4, 12)).toEqual(set);
    const wide = translationWorkingSet(grid(8000, 1000, 256, 32, 256), 4, 12);
    // Twice the width: twice every buffer but the transform batch.
    expect(wide.totalBytes - wide.batchBytes).toBeCloseTo(2 * (set.totalBytes - set.batchBytes), -5);
    expect(translationWorkingSet(tall, 4, null).matteBytes).toBe(0);
    // The README's figure: a 40,000 px wide output at 256 px tiles with a mask.
    const figure = translationWorkingSet(grid(40_000, 1000, 256, 32, 256), 4, 12);
    expect(Math.round(figure.totalBytes / 1e6)).toBe(414);
  });
});
