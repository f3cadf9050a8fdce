import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTileGrid, type TileGrid } from '../../../../src-main/core/inference/tile-grid.js';
import { runTilePass } from '../../../../src-main/core/inference/tile-pass.js';
import type { TileTransform } from '../../../../src-main/core/inference/tile-transform.js';
import { resizePatch } from '../../../../src-main/core/sampling/resize.js';
import { openSlide, type Slide } from '../../../../src-main/core/slide/index.js';

const SLIDE = join(import.meta.dirname, '../../../fixtures/slides/cmu-1-small-region.svs');

let slide: Slide;
let reference: Uint8Array;
const DOWNSAMPLE = 3;

beforeAll(async () => {
  slide = await openSlide(SLIDE);
  // The reference: the whole slide resampled in one piece (2220 x 2967 / 3 = 740 x 989 exactly).
  const { width, height } = slide.info.levels[0]!;
  const whole = await slide.readRegion(0, 0, 0, width, height);
  const resized = await resizePatch(
    { width, height, data: new Uint8Array(whole.data) },
    width / 3,
    height / 3,
  );
  reference = resized.data;
});
afterAll(() => slide.close());

function tiling(overlapPx: number): TileGrid {
  const { width, height } = slide.info.levels[0]!;
  return createTileGrid({
    level0WidthPx: width,
    level0HeightPx: height,
    downsample: DOWNSAMPLE,
    tileSizePx: 64,
    overlapPx,
    tiffTileSizePx: 256,
  });
}

async function translateRaster(grid: TileGrid, transform: TileTransform): Promise<Uint8Array> {
  const image = new Uint8Array(grid.tiffRows * grid.tiffTileSizePx * grid.widthPx * 3);
  await runTilePass({
    slide,
    grid,
    transform,
    tissueMask: null,
    batchSize: 8,
    onStrip: async (strip) => image.set(strip.rgb, strip.tiffRow * grid.tiffTileSizePx * grid.widthPx * 3),
  });
  return image;
}

/** Mean absolute error against the reference, split by distance to the nearest tile edge. */
function errorsByTileEdge(
  grid: TileGrid,
  image: Uint8Array,
): { border: number; interior: number; max: number } {
  const { stridePx: s, tileSizePx: t } = grid;
  // Distance from x to the nearest tile edge (tile starts at k*s, ends at k*s + t).
  const edgeDistance = (x: number): number => {
    const a = x % s;
    const b = (((x - t) % s) + s) % s;
    return Math.min(a, s - a, b, s - b);
  };
  let border = 0;
  let nBorder = 0;
  let interior = 0;
  let nInterior = 0;
  let max = 0;
  // The image's own border (8 px) is left out: tiles have no neighbour there.
  for (let y = 8; y < grid.heightPx - 8; y++) {
    for (let x = 8; x < grid.widthPx - 8; x++) {
      const i = (y * grid.widthPx + x) * 3;
      const e =
        (Math.abs(image[i]! - reference[i]!) +
          Math.abs(image[i + 1]! - reference[i + 1]!) +
          Math.abs(image[i + 2]! - reference[i + 2]!)) /
        3;
      const d = Math.min(edgeDistance(x), edgeDistance(y));
      if (d <= 1) {
        border += e;
        nBorder++;
        max = Math.max(max, e);
      } else if (d >= 8) {
        interior += e;
        nInterior++;
      }
    }
  }
  return { border: border / nBorder, interior: interior / nInterior, max };
}

const passThrough: TileTransform = async ({ rgb }) => Float32Array.from(rgb);

/** Mimics a network's border artefacts: the outer `ringPx` pixels of every tile come out black. */
function darkRing(ringPx: number): TileTransform {
  return async ({ count, sizePx, rgb }) => {
    const out = Float32Array.from(rgb);
    for (let n = 0; n < count; n++) {
      for (let y = 0; y < sizePx; y++) {
        for (let x = 0; x < sizePx; x++) {
          if (x >= ringPx && y >= ringPx && x < sizePx - ringPx && y < sizePx - ringPx) continue;
          out.fill(0, ((n * sizePx + y) * sizePx + x) * 3, ((n * sizePx + y) * sizePx + x + 1) * 3);
        }
      }
    }
    return out;
  };
}

describe('seams between overlapping tiles', () => {
  it('a pass-through transform over overlapping tiles reproduces the slide, tile borders included', async () => {
    const grid = tiling(16);
    expect(grid.columns * grid.rows).toBeGreaterThan(200);
    const image = await translateRaster(grid, passThrough);
    const e = errorsByTileEdge(grid, image);
    // Tiles are read with a context margin, so each equals the same part of the one-piece resample.
    expect(e.max).toBeLessThanOrEqual(1);
    expect(e.border).toBeLessThanOrEqual(e.interior + 0.05);
  });

  it('blending hides artefacts at tile edges that butted tiles show as seams', async () => {
    const butted = errorsByTileEdge(tiling(0), await translateRaster(tiling(0), darkRing(3)));
    const blended = errorsByTileEdge(tiling(16), await translateRaster(tiling(16), darkRing(3)));
    expect(butted.border).toBeGreaterThan(50);
    expect(blended.border).toBeLessThan(2);
    expect(blended.interior).toBeLessThan(0.5);
  });
});
