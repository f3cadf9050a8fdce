import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackgroundMatte } from '../../../../src-main/core/inference/background-matte.js';
import { slideTissueMask } from '../../../../src-main/core/inference/slide-mask.js';
import { createTileGrid, type TileGrid } from '../../../../src-main/core/inference/tile-grid.js';
import { runTilePass } from '../../../../src-main/core/inference/tile-pass.js';
import type { TissueMaskGrid } from '../../../../src-main/core/inference/tile-source.js';
import type { TileTransform } from '../../../../src-main/core/inference/tile-transform.js';
import { resizePatch } from '../../../../src-main/core/sampling/resize.js';
import { openSlide, type Slide } from '../../../../src-main/core/slide/index.js';

const SLIDE = join(import.meta.dirname, '../../../fixtures/slides/cmu-1-small-region.svs');
const DOWNSAMPLE = 3;

let folder: string;
let slide: Slide;
let mask: TissueMaskGrid;
/** The slide at downsample 3 resampled in one piece, inverted. */
let invertedReference: Uint8Array;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-matte-'));
  slide = await openSlide(SLIDE);
  // The real mask of CMU-1 (red-channel Otsu): a ragged tissue edge and holes, nowhere aligned with tiles.
  mask = (await slideTissueMask(SLIDE, { cacheDir: folder, openSlide })).mask;
  const { width, height } = slide.info.levels[0]!;
  const whole = await slide.readRegion(0, 0, 0, width, height);
  const resized = await resizePatch(
    { width, height, data: new Uint8Array(whole.data) },
    width / DOWNSAMPLE,
    height / DOWNSAMPLE,
  );
  invertedReference = resized.data.map((v) => 255 - v);
});
afterAll(async () => {
  slide.close();
  await rm(folder, { recursive: true, force: true });
});

function tiling(tileSizePx: number, overlapPx: number): TileGrid {
  const { width, height } = slide.info.levels[0]!;
  return createTileGrid({
    level0WidthPx: width,
    level0HeightPx: height,
    downsample: DOWNSAMPLE,
    tileSizePx,
    overlapPx,
    tiffTileSizePx: 256,
  });
}

const invert: TileTransform = async ({ rgb }) => Float32Array.from(rgb, (v) => 255 - v);

describe('BackgroundMatte', () => {
  it('alpha is 1 within growPx of tissue, fades with the Euclidean distance, and is 0 beyond reachPx', () => {
    const grid = tiling(64, 16);
    const matte = new BackgroundMatte(mask, grid, { growPx: 3, featherPx: 6 });
    expect(matte.reachPx).toBe(9);
    // A band across the tissue edge, checked against a brute-force distance to every tissue pixel.
    const [y0, rows, reach] = [380, 40, matte.reachPx];
    const alpha = matte.alphaRows(y0, rows);
    const tissue = matte.tissueRows(y0 - reach, rows + 2 * reach);
    const w = grid.widthPx;
    const seen = { inside: 0, fading: 0, outside: 0 };
    for (let y = y0; y < y0 + rows; y++) {
      for (let x = 0; x < w; x++) {
        let best = Infinity;
        for (let dy = -reach; dy <= reach; dy++) {
          for (let dx = -reach; dx <= reach; dx++) {
            const xx = x + dx;
            if (xx < 0 || xx >= w || !tissue[(y + dy - y0 + reach) * w + xx]) continue;
            best = Math.min(best, Math.hypot(dx, dy));
          }
        }
        const a = alpha[(y - y0) * w + x]!;
        if (best <= 3) {
          expect(a).toBe(1);
          seen.inside++;
        } else if (best >= 9) {
          expect(a).toBe(0);
          seen.outside++;
        } else {
          expect(a).toBeCloseTo(0.5 * (1 + Math.cos((Math.PI * (best - 3)) / 6)), 5);
          seen.fading++;
        }
      }
    }
    expect(Math.min(seen.inside, seen.fading, seen.outside)).toBeGreaterThan(500);
  });
});

describe('background white at pixel level over a real slide', () => {
  it('whitens background inside tissue tiles, keeps tissue translated, and shows no tile borders', async () => {
    const grid = tiling(64, 16);
    const image = new Uint8Array(grid.tiffRows * grid.tiffTileSizePx * grid.widthPx * 3);
    await runTilePass({
      slide,
      grid,
      transform: invert,
      tissueMask: mask,
      batchSize: 8,
      onStrip: async (strip) => image.set(strip.rgb, strip.tiffRow * grid.tiffTileSizePx * grid.widthPx * 3),
    });
    const matte = new BackgroundMatte(mask, grid);
    const alpha = matte.alphaRows(0, grid.heightPx);
    const w = grid.widthPx;
    const translatedTiles = Array.from({ length: grid.rows }, (_, row) =>
      Array.from({ length: grid.columns }, (_, column) =>
        matte.reachesTile(column * grid.stridePx, row * grid.stridePx, grid.tileSizePx),
      ),
    );
    const tileOf = (v: number): number => Math.min(Math.floor(v / grid.stridePx), grid.columns - 1);
    let notWhite = 0;
    let whiteInTranslatedTiles = 0;
    let maxTissueError = 0;
    let maxFadeError = 0;
    for (let y = 0; y < grid.heightPx; y++) {
      for (let x = 0; x < w; x++) {
        const a = alpha[y * w + x]!;
        const i = (y * w + x) * 3;
        // The slide's own border (8 px) is left out: tiles read past the slide there, the reference not.
        const inside = x >= 8 && y >= 8 && x < w - 8 && y < grid.heightPx - 8;
        for (let c = 0; c < 3; c++) {
          const v = image[i + c]!;
          if (a === 0) notWhite += v === 255 ? 0 : 1;
          else if (!inside) continue;
          else if (a === 1)
            maxTissueError = Math.max(maxTissueError, Math.abs(v - invertedReference[i + c]!));
          else {
            const expected = a * invertedReference[i + c]! + (1 - a) * 255;
            maxFadeError = Math.max(maxFadeError, Math.abs(v - expected));
          }
        }
        // Background of tiles that were translated: the old tile-level mask left the network's output
        // there (inverted background, near black).
        if (a === 0 && translatedTiles[Math.min(tileOf(y), grid.rows - 1)]![tileOf(x)])
          whiteInTranslatedTiles++;
      }
    }
    expect(notWhite).toBe(0);
    expect(whiteInTranslatedTiles).toBeGreaterThan(10_000);
    expect(maxTissueError).toBeLessThanOrEqual(1);
    expect(maxFadeError).toBeLessThanOrEqual(1.5);

    // Brightness steps between horizontal neighbours inside tissue: across tile borders versus elsewhere.
    const edge = (x: number): boolean => x % grid.stridePx === 0 || (x - 64) % grid.stridePx === 0;
    const steps = { border: 0, nBorder: 0, other: 0, nOther: 0 };
    for (let y = 0; y < grid.heightPx; y++) {
      for (let x = 1; x < w; x++) {
        if (alpha[y * w + x] !== 1 || alpha[y * w + x - 1] !== 1) continue;
        const i = (y * w + x) * 3;
        const step =
          (image[i]! + image[i + 1]! + image[i + 2]! - image[i - 3]! - image[i - 2]! - image[i - 1]!) / 3;
        if (edge(x)) {
          steps.border += Math.abs(step);
          steps.nBorder++;
        } else {
          steps.other += Math.abs(step);
          steps.nOther++;
        }
      }
    }
    expect(steps.nBorder).toBeGreaterThan(5_000);
    expect(steps.border / steps.nBorder).toBeLessThanOrEqual((1.1 * steps.other) / steps.nOther);
  });
});
