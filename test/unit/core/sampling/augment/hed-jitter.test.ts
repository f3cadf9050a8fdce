import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyHedJitter,
  HED_SCALE_SD,
  HED_SHIFT_SD,
  hedToRgb,
  rgbToHed,
  sampleHedJitter,
} from '../../../../../src-main/core/sampling/augment/hed-jitter.js';
import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { CMU_SMALL, maxAbsDiff, meanAbsDiff, readSlideRegion, solidPatch } from '../fixture-patch.js';

/** Every level of each channel paired with shuffled levels of the others: 256 x 256 colours. */
function allLevels(): PatchImage {
  const data = new Uint8Array(256 * 256 * 3);
  for (let i = 0; i < 256 * 256; i++) data.set([i & 255, (i >> 8) & 255, (i * 37 + 11) & 255], 3 * i);
  return { width: 256, height: 256, data };
}

describe('HED stain jitter', () => {
  let patch: PatchImage;
  beforeAll(async () => {
    patch = await readSlideRegion(CMU_SMALL, 1200, 1500, 256, 256);
  });

  it('is the identity within 1 level with zero sigmas, on a real patch and on every level', () => {
    const params = sampleHedJitter(new Rng(1), 256, { scaleSd: 0, shiftSd: 0 });
    expect(params).toEqual({ scale: [1, 1, 1], shift: [0, 0, 0] });
    expect(maxAbsDiff(applyHedJitter(patch, params), patch)).toBeLessThanOrEqual(1);
    const levels = allLevels();
    expect(maxAbsDiff(applyHedJitter(levels, params), levels)).toBeLessThanOrEqual(1);
  });

  it('deconvolves a pure haematoxylin colour into haematoxylin only', () => {
    // Ruifrok & Johnston's haematoxylin OD vector at density 0.8, composed by hand (Beer-Lambert).
    const od = [0.65, 0.704, 0.286];
    const norm = Math.hypot(...od);
    const rgb = od.map((v) => 255 * 10 ** ((-0.8 * v) / norm)) as [number, number, number];
    const [h, e, d] = rgbToHed(...rgb);
    expect(h).toBeCloseTo(0.8, 6);
    expect(Math.abs(e) + Math.abs(d)).toBeLessThan(1e-6);
    // Rounded to 8 bits it is still mostly H.
    const [h8, e8, d8] = rgbToHed(...(rgb.map(Math.round) as [number, number, number]));
    expect(h8).toBeGreaterThan(10 * (Math.abs(e8) + Math.abs(d8)));
  });

  it('finds nuclei purple haematoxylin-dominant and stroma pink eosin-dominant', () => {
    const [hNucleus, eNucleus] = rgbToHed(90, 60, 140);
    const [hStroma, eStroma] = rgbToHed(240, 150, 200);
    expect(hNucleus).toBeGreaterThan(3 * eNucleus);
    expect(eStroma).toBeGreaterThan(3 * Math.abs(hStroma));
    expect(rgbToHed(255, 255, 255)).toEqual([0, 0, 0]);
    expect(hedToRgb(0, 0, 0)).toEqual([255, 255, 255]);
  });

  it('scales stains multiplicatively: white stays white, haematoxylin-rich pixels darken', () => {
    const stronger = {
      scale: [1.5, 1, 1] as [number, number, number],
      shift: [0, 0, 0] as [number, number, number],
    };
    expect(Array.from(applyHedJitter(solidPatch(1, 1, [255, 255, 255]), stronger).data)).toEqual([
      255, 255, 255,
    ]);
    const nucleus = applyHedJitter(solidPatch(1, 1, [90, 60, 140]), stronger).data;
    const expected = hedToRgb(
      ...(rgbToHed(90, 60, 140).map((v, s) => (s === 0 ? v * 1.5 : v)) as [number, number, number]),
    );
    expect(Array.from(nucleus)).toEqual(expected.map(Math.round));
    expect(nucleus[0]! + nucleus[1]! + nucleus[2]!).toBeLessThan(90 + 60 + 140);
  });

  it('shifts stains additively: an eosin shift tints white background pink', () => {
    const out = applyHedJitter(solidPatch(1, 1, [255, 255, 255]), { scale: [1, 1, 1], shift: [0, 0.1, 0] });
    const [r, g, b] = out.data;
    expect(g).toBeLessThan(r! - 10);
    expect(g).toBeLessThan(b! - 10);
  });

  it('changes a real patch mildly with the default sigmas', () => {
    const rng = new Rng(8);
    const maes = Array.from({ length: 20 }, () =>
      meanAbsDiff(applyHedJitter(patch, sampleHedJitter(rng)).data, patch.data),
    );
    const mean = maes.reduce((s, x) => s + x, 0) / maes.length;
    expect(mean).toBeGreaterThan(1);
    expect(mean).toBeLessThan(25);
  });

  it('draws scale ~ N(1, 0.05) and shift ~ N(0, 0.05) per stain by default', () => {
    const rng = new Rng(21);
    const scales: number[] = [];
    const shifts: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const p = sampleHedJitter(rng);
      scales.push(...p.scale);
      shifts.push(...p.shift);
    }
    const sd = (xs: number[], m: number): number =>
      Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
    expect(sd(scales, 1) / HED_SCALE_SD).toBeCloseTo(1, 1);
    expect(sd(shifts, 0) / HED_SHIFT_SD).toBeCloseTo(1, 1);
    expect(() => sampleHedJitter(rng, 256, { scaleSd: -1 })).toThrow(/non-negative scaleSd/);
  });
});
