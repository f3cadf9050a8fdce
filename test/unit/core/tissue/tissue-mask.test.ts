import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import type { RasterImage } from '../../../../src-main/core/slide/types.js';
import { decodeMaskPng, encodeMaskPng } from '../../../../src-main/core/tissue/png1bit.js';
import { readThumbnail } from '../../../../src-main/core/tissue/thumbnail.js';
import {
  computeTissueMask,
  NO_TISSUE_GUARD,
  resolveTissueMaskParameters,
  TISSUE_DETECTORS,
  tissueMaskParametersKey,
  type TissueDetector,
} from '../../../../src-main/core/tissue/tissue-mask.js';
import { vipsProblem, writeBlankSlide } from './blank-slide.js';
import { fixtureSlide } from './fixtures.js';

const blankProblem = vipsProblem();
if (blankProblem) console.warn(`blank glass test skipped: ${blankProblem}`);

async function thumbnailOf(name: string): Promise<RasterImage> {
  const slide = await openSlide(fixtureSlide(name));
  try {
    return await readThumbnail(slide, { longSidePx: 2000 });
  } finally {
    slide.close();
  }
}

async function maskOf(name: string, detector: TissueDetector = 'otsu-red') {
  const thumbnail = await thumbnailOf(name);
  return { thumbnail, result: await computeTissueMask(thumbnail, resolveTissueMaskParameters({ detector })) };
}

describe('tissue masks of the real slides', () => {
  it.each([
    // Measured with this implementation; the Python/OpenCV reference agrees within 0.3% of pixels.
    ['cmu-1-small-region.svs', 0.2946, 194],
    ['tcga-cr-7395-ts1.svs', 0.6425, 223],
  ])('finds a plausible tissue fraction in %s', async (name, fraction, threshold) => {
    const { result } = await maskOf(name);
    expect(result.tissueFraction).toBeGreaterThan(0.05);
    expect(result.tissueFraction).toBeLessThan(0.95);
    expect(result.tissueFraction).toBeCloseTo(fraction, 2);
    expect(Math.abs(result.threshold - threshold)).toBeLessThanOrEqual(1);
  });

  it('encodes byte-identical 1-bit PNGs for the same slide, a few KB each', async () => {
    const a = await maskOf('tcga-cr-7395-ts1.svs');
    const b = await maskOf('tcga-cr-7395-ts1.svs');
    const pngA = encodeMaskPng(a.result.mask);
    expect(pngA.equals(encodeMaskPng(b.result.mask))).toBe(true);
    expect(pngA[24]).toBe(1); // IHDR bit depth
    expect(pngA[25]).toBe(0); // greyscale
    expect(pngA.length).toBeLessThan(16 * 1024);
    expect(Buffer.from(decodeMaskPng(pngA).data).equals(a.result.mask.data)).toBe(true);
  });

  it('saturation finds bright fluorescent tissue that red-channel Otsu calls background', async () => {
    // TRITC: tissue glows red on black. Red Otsu keeps "darker than the threshold" = the black glass.
    const red = await maskOf('ndpi-tritc.ndpi', 'otsu-red');
    const saturation = await maskOf('ndpi-tritc.ndpi', 'saturation');
    const meanRed = (image: RasterImage, mask: Uint8Array, want: number): number => {
      let sum = 0;
      let n = 0;
      for (let i = 0; i < mask.length; i++) {
        if (mask[i] !== want) continue;
        sum += image.data[i * image.channels]!;
        n++;
      }
      return sum / n;
    };
    const sat = saturation.result.mask.data;
    expect(meanRed(saturation.thumbnail, sat, 1)).toBeGreaterThan(2 * meanRed(saturation.thumbnail, sat, 0));
    const otsu = red.result.mask.data;
    expect(meanRed(red.thumbnail, otsu, 1)).toBeLessThan(meanRed(red.thumbnail, otsu, 0));
    // DAPI: blue nuclei on black; saturation keeps the nucleus-rich tissue, not the whole frame.
    const dapi = await maskOf('ndpi-dapi.ndpi', 'saturation');
    expect(dapi.result.tissueFraction).toBeGreaterThan(0.1);
    expect(dapi.result.tissueFraction).toBeLessThan(0.5);
  });

  it('agrees with red Otsu on brightfield H&E within a few percent of the slide', async () => {
    for (const name of ['cmu-1-small-region.svs', 'tcga-cr-7395-ts1.svs']) {
      const red = await maskOf(name, 'otsu-red');
      const saturation = await maskOf(name, 'saturation');
      expect(Math.abs(red.result.tissueFraction - saturation.result.tissueFraction)).toBeLessThan(0.08);
    }
  });

  it.skipIf(blankProblem !== null)(
    'finds no tissue on blank glass with noise or a gradient, with either detector',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'histo-fetch-glass-'));
      try {
        for (const kind of ['noise', 'gradient'] as const) {
          const path = join(dir, `${kind}.tiff`);
          await writeBlankSlide(path, kind, 2400, 1800);
          const slide = await openSlide(path);
          const thumbnail = await readThumbnail(slide, { longSidePx: 2000 }).finally(() => slide.close());
          for (const detector of TISSUE_DETECTORS) {
            const result = await computeTissueMask(thumbnail, resolveTissueMaskParameters({ detector }));
            expect(result.tissuePixels, `${kind} ${detector}`).toBe(0);
          }
          // What the guard stops: Otsu alone called 40-70% of this glass tissue.
          const red = await computeTissueMask(thumbnail, resolveTissueMaskParameters());
          expect(red.noTissueReason).toMatch(/glass/);
          expect(red.classMeans.brighter - red.classMeans.darker).toBeGreaterThan(1);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it.each([
    // The no-tissue guard's margins on the real fixtures (darker class mean, class contrast).
    ['cmu-1-small-region.svs', 'otsu-red'],
    ['tcga-cr-7395-ts1.svs', 'otsu-red'],
    ['bracs-1640-crop.tiff', 'otsu-red'],
    ['cmu-1-small-region.svs', 'saturation'],
    ['tcga-cr-7395-ts1.svs', 'saturation'],
    ['bracs-1640-crop.tiff', 'saturation'],
    ['ndpi-dapi.ndpi', 'saturation'],
    ['ndpi-tritc.ndpi', 'saturation'],
  ] as const)('keeps the tissue of %s with %s (no-tissue guard)', async (name, detector) => {
    const { result } = await maskOf(name, detector);
    expect(result.noTissueReason).toBeNull();
    expect(result.tissueFraction).toBeGreaterThan(0.05);
    const contrast = result.classMeans.brighter - result.classMeans.darker;
    if (detector === 'saturation') {
      expect(contrast).toBeGreaterThan(NO_TISSUE_GUARD.saturationMinContrast + 5);
    } else {
      expect(contrast).toBeGreaterThan(NO_TISSUE_GUARD.redMinContrast + 20);
      expect(result.classMeans.darker).toBeLessThan(NO_TISSUE_GUARD.redNearWhite - 10);
    }
  });

  it('reports a blank image as no tissue and a uniform dark one as all tissue', async () => {
    const params = resolveTissueMaskParameters();
    const blank = { width: 64, height: 48, channels: 3 as const, data: Buffer.alloc(64 * 48 * 3, 255) };
    expect((await computeTissueMask(blank, params)).tissuePixels).toBe(0);
    const dark = { width: 64, height: 48, channels: 3 as const, data: Buffer.alloc(64 * 48 * 3, 0) };
    expect((await computeTissueMask(dark, params)).tissueFraction).toBe(1);
  });

  it('validates parameters and keys every change differently', () => {
    expect(() => resolveTissueMaskParameters({ detector: 'hsv' as TissueDetector })).toThrow(/detector/);
    expect(() => resolveTissueMaskParameters({ dilationSquarePx: 4 })).toThrow(/odd integer/);
    expect(() => resolveTissueMaskParameters({ blurSigmaPx: -1 })).toThrow(/blurSigmaPx/);
    expect(() => resolveTissueMaskParameters({ thumbnailLongSidePx: 1.5 })).toThrow(/thumbnailLongSidePx/);
    const keys = new Set(
      [
        {},
        { detector: 'saturation' as const },
        { blurSigmaPx: 9 },
        { dilationSquarePx: 7 },
        { thumbnailLongSidePx: 1000 },
      ].map((o) => tissueMaskParametersKey(resolveTissueMaskParameters(o))),
    );
    expect(keys.size).toBe(5);
    expect(tissueMaskParametersKey(resolveTissueMaskParameters())).toBe(
      tissueMaskParametersKey(resolveTissueMaskParameters({ detector: 'otsu-red', blurSigmaPx: 10 })),
    );
  });
});
