import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openSlide, SlideCache, type Slide } from '../../../../src-main/core/slide/index.js';
import {
  downsampleForSlide,
  footprintCentre,
  planFootprint,
} from '../../../../src-main/core/sampling/geometry.js';
import { preparePatch } from '../../../../src-main/core/sampling/prepare-patch.js';
import { resizePatch } from '../../../../src-main/core/sampling/resize.js';
import { SamplerError } from '../../../../src-main/core/sampling/errors.js';
import type { Footprint } from '../../../../src-main/core/sampling/geometry.js';

const SLIDES = join(import.meta.dirname, '../../../fixtures/slides');
const NDPI = join(SLIDES, 'ndpi-dapi.ndpi');
const BRACS = join(SLIDES, 'bracs-1640-crop.tiff');
const CMU = join(SLIDES, 'cmu-1-small-region.svs');
const TCGA = join(SLIDES, 'tcga-cr-7395-ts1.svs');
const TINY = join(SLIDES, 'tiny.svs');

const cache = new SlideCache({ capacity: 8 });
afterAll(() => cache.closeAll());

async function slideAt(path: string): Promise<Slide> {
  return cache.acquire(path);
}

/** The patch the worker would produce for this footprint (no augmentation). */
async function patchFor(path: string, footprint: Footprint, patchSize: number): Promise<Uint8Array> {
  const result = await preparePatch(
    {
      slidePath: path,
      level: footprint.level,
      level0X: footprint.level0X,
      level0Y: footprint.level0Y,
      readSizePx: footprint.readSizePx,
      patchSize,
      patchSeed: 1,
      augmentProbability: 0,
    },
    { slides: cache },
  );
  if (!result.ok) throw new Error(result.message);
  return new Uint8Array(result.pixels);
}

/** The same field of view read at level 0 and resized (area filter) to the patch size. */
async function level0Reference(path: string, footprint: Footprint, patchSize: number): Promise<Uint8Array> {
  const slide = await slideAt(path);
  const side = Math.round(footprint.level0Width);
  const raster = await slide.readRegion(footprint.level0X, footprint.level0Y, 0, side, side, {
    format: 'rgb',
    background: [255, 255, 255],
  });
  const resized = await resizePatch({ width: side, height: side, data: raster.data }, patchSize, patchSize, {
    filter: 'area',
  });
  return resized.data;
}

function meanAbsoluteError(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Mean of all channels: used to make sure a compared region is not blank. */
function spread(a: Uint8Array): number {
  let min = 255;
  let max = 0;
  for (const v of a) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min;
}

describe('patch geometry on real slides', () => {
  it('reads downsample 4 from NDPI level 2, aligned, and matches the level-0 read resized', async () => {
    const slide = await slideAt(NDPI);
    const footprint = planFootprint(slide.info.levels, 1531.3, 2417.8, 256, 4);
    expect(footprint.level).toBe(2);
    expect(footprint.level).toBe(slide.bestLevelForDownsample(4.1));
    expect(footprint.readSizePx).toBe(256);
    expect(footprint.level0Width).toBe(1024);
    expect(footprint.level0X % 4).toBe(0);
    expect(footprint.level0Y % 4).toBe(0);
    const patch = await patchFor(NDPI, footprint, 256);
    const reference = await level0Reference(NDPI, footprint, 256);
    expect(spread(reference)).toBeGreaterThan(40);
    expect(meanAbsoluteError(patch, reference)).toBeLessThan(2);
  });

  it('reads the generic TIFF at its non-integer level downsample (2.0013) and matches level 0 resized', async () => {
    // Level 1, not 2: with libtiff 4.5.0-6+deb12u4 OpenSlide 3.4.1 returns level 2 of this file (tiles
    // larger than the level) partly transparent, whatever reads it.
    const slide = await slideAt(BRACS);
    const footprint = planFootprint(slide.info.levels, 300, 380, 96, 2);
    expect(footprint.level).toBe(1);
    expect(footprint.levelDownsample).toBeCloseTo(2.0013, 4);
    expect(footprint.readSizePx).toBe(Math.round((96 * 2) / slide.info.levels[1]!.downsample));
    const patch = await patchFor(BRACS, footprint, 96);
    const reference = await level0Reference(BRACS, footprint, 96);
    expect(spread(reference)).toBeGreaterThan(60);
    const error = meanAbsoluteError(patch, reference);
    expect(error).toBeLessThan(3);
    // A footprint off by one level pixel (2 level-0 px) is clearly further away.
    const shifted = await level0Reference(BRACS, { ...footprint, level0X: footprint.level0X + 2 }, 96);
    expect(meanAbsoluteError(patch, shifted)).toBeGreaterThan(2 * error);
  });

  it('keeps the exact field of view for a non-integer downsample (2.5: 640 level-0 px, not 512)', async () => {
    const slide = await slideAt(NDPI);
    const footprint = planFootprint(slide.info.levels, 2000, 2400, 256, 2.5);
    expect(footprint.level).toBe(1);
    expect(footprint.readSizePx).toBe(320);
    expect(footprint.level0Width).toBe(640);
    const patch = await patchFor(NDPI, footprint, 256);
    const reference = await level0Reference(NDPI, footprint, 256);
    expect(meanAbsoluteError(patch, reference)).toBeLessThan(2);
    // The original tool's integer ratio (2) would have shown a 512-px field: a visibly different patch.
    const flawed = await level0Reference(NDPI, { ...footprint, level0Width: 512, level0Height: 512 }, 256);
    expect(meanAbsoluteError(patch, flawed)).toBeGreaterThan(3 * meanAbsoluteError(patch, reference));
  });

  it('centres the footprint on the drawn point to within half a level pixel', async () => {
    const slide = await slideAt(NDPI);
    for (const [x, y, d] of [
      [1000.7, 2000.2, 4],
      [2222.2, 3333.3, 3.3],
      [1500, 1500, 1],
      [1984.5, 2432.5, 8],
    ] as const) {
      const footprint = planFootprint(slide.info.levels, x, y, 128, d);
      const centre = footprintCentre(footprint);
      expect(Math.abs(centre.x - x)).toBeLessThanOrEqual(footprint.levelDownsample / 2 + 0.5);
      expect(Math.abs(centre.y - y)).toBeLessThanOrEqual(footprint.levelDownsample / 2 + 0.5);
      expect(footprint.level0Width).toBeCloseTo(footprint.readSizePx * footprint.levelDownsample, 9);
      expect(Math.abs(footprint.level0Width - 128 * d)).toBeLessThanOrEqual(footprint.levelDownsample / 2);
    }
  });

  it('keeps footprints at slide edges inside the slide, with no black (or blank) border', async () => {
    for (const path of [CMU, TCGA]) {
      const slide = await slideAt(path);
      const { width, height } = slide.info.levels[0]!;
      for (const [x, y] of [
        [0, 0],
        [width, height],
        [0, height - 1],
        [width - 1, 0],
      ] as const) {
        const footprint = planFootprint(slide.info.levels, x, y, 128, 2);
        const level = slide.info.levels[footprint.level]!;
        expect(footprint.level0X).toBeGreaterThanOrEqual(0);
        expect(footprint.level0Y).toBeGreaterThanOrEqual(0);
        expect(footprint.level0X / level.downsample + footprint.readSizePx).toBeLessThanOrEqual(
          level.width + 1e-9,
        );
        expect(footprint.level0Y / level.downsample + footprint.readSizePx).toBeLessThanOrEqual(
          level.height + 1e-9,
        );
        const patch = await patchFor(path, footprint, 128);
        let black = 0;
        for (let i = 0; i < patch.length; i += 3) if (patch[i]! + patch[i + 1]! + patch[i + 2]! < 30) black++;
        expect(black).toBe(0);
      }
    }
  });

  it('centres a slide smaller than the footprint and composites the outside on white', async () => {
    const slide = await slideAt(TINY);
    const footprint = planFootprint(slide.info.levels, 3, 12, 64, 1);
    expect(footprint.readSizePx).toBe(64);
    expect(footprint.level0X).toBe(-24);
    expect(footprint.level0Y).toBe(-24);
    const patch = await patchFor(TINY, footprint, 64);
    const inside = await slide.readRegion(0, 0, 0, 16, 16, { format: 'rgb' });
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const i = (y * 64 + x) * 3;
        const within = x >= 24 && x < 40 && y >= 24 && y < 40;
        if (within) {
          const j = ((y - 24) * 16 + (x - 24)) * 3;
          expect([patch[i], patch[i + 1], patch[i + 2]]).toEqual([
            inside.data[j],
            inside.data[j + 1],
            inside.data[j + 2],
          ]);
        } else {
          expect([patch[i], patch[i + 1], patch[i + 2]]).toEqual([255, 255, 255]);
        }
      }
    }
  });

  it('turns a target mpp into a downsample, and names the slide when it has no mpp', async () => {
    const ndpi = await slideAt(NDPI);
    const downsample = downsampleForSlide({ kind: 'mpp', mpp: 4 * ndpi.info.mppX! }, ndpi.info.mppX, NDPI);
    expect(downsample).toBeCloseTo(4, 12);
    expect(planFootprint(ndpi.info.levels, 2000, 2000, 256, downsample).level).toBe(2);
    const tcga = await openSlide(TCGA);
    try {
      expect(tcga.info.mppX).toBeNull();
      let error: unknown;
      try {
        downsampleForSlide({ kind: 'mpp', mpp: 1 }, tcga.info.mppX, TCGA);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SamplerError);
      expect((error as SamplerError).code).toBe('NO_MPP');
      expect((error as SamplerError).path).toBe(TCGA);
      expect((error as SamplerError).message).toContain('tcga-cr-7395-ts1.svs');
    } finally {
      tcga.close();
    }
    expect(() => downsampleForSlide({ kind: 'mpp', mpp: 0.1 }, ndpi.info.mppX, NDPI)).toThrow(
      /never upsamples/,
    );
  });
});
