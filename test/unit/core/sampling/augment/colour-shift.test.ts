import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyColourShift,
  HUE_SHIFT_SD,
  LIGHTNESS_GAMMA_SD,
  sampleColourShift,
} from '../../../../../src-main/core/sampling/augment/colour-shift.js';
import {
  hsvToRgb,
  labToRgb,
  rgbToHsv,
  rgbToLab,
} from '../../../../../src-main/core/sampling/augment/colour-space.js';
import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { CMU_SMALL, maxAbsDiff, readSlideRegion, solidPatch } from '../fixture-patch.js';

/** Every 8-bit RGB colour with channels on a step-5 grid (52^3 = 140,608 colours) as one patch. */
function colourGrid(): PatchImage {
  const levels = Array.from({ length: 52 }, (_, i) => i * 5);
  const data = new Uint8Array(levels.length ** 3 * 3);
  let k = 0;
  for (const r of levels) for (const g of levels) for (const b of levels) data.set([r, g, b], 3 * k++);
  return { width: levels.length ** 2, height: levels.length, data };
}

/** Hue in degrees in [-180, 180) around red. */
function hueDegrees(r: number, g: number, b: number): number {
  const h = rgbToHsv(r, g, b)[0] * 360;
  return h >= 180 ? h - 360 : h;
}

describe('colour spaces', () => {
  it('round-trips RGB -> HSV -> RGB and RGB -> Lab -> RGB within 1 level over the gamut', () => {
    const grid = colourGrid();
    let worstHsv = 0;
    let worstLab = 0;
    for (let i = 0; i < grid.data.length; i += 3) {
      const [r, g, b] = [grid.data[i]!, grid.data[i + 1]!, grid.data[i + 2]!];
      const viaHsv = hsvToRgb(...rgbToHsv(r, g, b));
      const viaLab = labToRgb(...rgbToLab(r, g, b));
      for (let c = 0; c < 3; c++) {
        worstHsv = Math.max(worstHsv, Math.abs(Math.round(viaHsv[c]!) - grid.data[i + c]!));
        worstLab = Math.max(worstLab, Math.abs(Math.round(viaLab[c]!) - grid.data[i + c]!));
      }
    }
    expect(worstHsv).toBeLessThanOrEqual(1);
    expect(worstLab).toBeLessThanOrEqual(1);
  });

  it('puts sRGB white at L 100 and black at L 0 with neutral a, b', () => {
    const white = rgbToLab(255, 255, 255);
    expect(white[0]).toBeCloseTo(100, 2);
    expect(Math.abs(white[1]) + Math.abs(white[2])).toBeLessThan(0.01);
    expect(rgbToLab(0, 0, 0)[0]).toBeCloseTo(0, 6);
  });
});

describe('colour shift', () => {
  let patch: PatchImage;
  beforeAll(async () => {
    patch = await readSlideRegion(CMU_SMALL, 1200, 1500, 256, 256);
  });

  it('is the identity within 1 level at hue 0 and gamma 1, on a real patch and over the gamut', () => {
    const params = { hueShift: 0, lightnessGamma: 1 };
    expect(maxAbsDiff(applyColourShift(patch, params), patch)).toBeLessThanOrEqual(1);
    const grid = colourGrid();
    expect(maxAbsDiff(applyColourShift(grid, params), grid)).toBeLessThanOrEqual(1);
  });

  it('agrees within 1 level with the scalar HSV and Lab formulas over the gamut', () => {
    const grid = colourGrid();
    for (const params of [
      { hueShift: 0.07, lightnessGamma: 1.04 },
      { hueShift: -0.52, lightnessGamma: 0.93 },
    ]) {
      const fast = applyColourShift(grid, params);
      let worst = 0;
      for (let i = 0; i < grid.data.length; i += 3) {
        const [h, s, v] = rgbToHsv(grid.data[i]!, grid.data[i + 1]!, grid.data[i + 2]!);
        const [l, a, b] = rgbToLab(...hsvToRgb(h + params.hueShift, s, v));
        const expected = labToRgb(100 * (l / 100) ** params.lightnessGamma, a, b);
        for (let c = 0; c < 3; c++) {
          worst = Math.max(worst, Math.abs(fast.data[i + c]! - Math.round(expected[c]!)));
        }
      }
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it('wraps the hue around: reds shifted by -0.03 and +0.03 stay in the red sector', () => {
    // The original clipped instead of wrapping, which sent reds near hue 0 to blue.
    const reds = [
      [255, 0, 0],
      [200, 30, 40],
      [180, 40, 20],
    ] as const;
    for (const rgb of reds) {
      for (const hueShift of [-0.03, 0.03]) {
        const out = applyColourShift(solidPatch(4, 4, rgb), { hueShift, lightnessGamma: 1 });
        const [r, g, b] = out.data;
        const hue = hueDegrees(r!, g!, b!);
        expect(Math.abs(hue)).toBeLessThan(30); // the red sector is +-30 degrees
        expect(Math.abs(hue - hueDegrees(rgb[0], rgb[1], rgb[2]) - hueShift * 360)).toBeLessThan(2);
      }
    }
    const pureRed = applyColourShift(solidPatch(1, 1, [255, 0, 0]), { hueShift: -0.03, lightnessGamma: 1 });
    expect(Array.from(pureRed.data)).toEqual([255, 0, 46]); // 0.97 turn: a touch of magenta, not blue
  });

  it('rotates a third of a turn from red to green and from green to blue', () => {
    const rgb = (data: Uint8Array): number[] => Array.from(data.subarray(0, 3));
    const third = { hueShift: 1 / 3, lightnessGamma: 1 };
    // Only the hue moves: HSV value and saturation of the primaries stay.
    expect(rgb(applyColourShift(solidPatch(1, 1, [255, 0, 0]), third).data)).toEqual([0, 255, 0]);
    expect(rgb(applyColourShift(solidPatch(1, 1, [0, 255, 0]), third).data)).toEqual([0, 0, 255]);
    expect(
      rgb(applyColourShift(solidPatch(1, 1, [0, 255, 0]), { hueShift: -2 / 3, lightnessGamma: 1 }).data),
    ).toEqual([0, 0, 255]);
  });

  it('darkens with gamma > 1 and lightens with gamma < 1, following L^gamma with a and b kept', () => {
    const grey = solidPatch(2, 2, [128, 128, 128]);
    const [l] = rgbToLab(128, 128, 128);
    for (const gamma of [0.9, 1.1]) {
      const out = applyColourShift(grey, { hueShift: 0, lightnessGamma: gamma });
      const [lOut, aOut, bOut] = rgbToLab(out.data[0]!, out.data[1]!, out.data[2]!);
      expect(lOut).toBeCloseTo(100 * (l / 100) ** gamma, 0);
      expect(Math.abs(aOut) + Math.abs(bOut)).toBeLessThan(1);
    }
    const pink = solidPatch(1, 1, [220, 150, 190]);
    const darker = applyColourShift(pink, { hueShift: 0, lightnessGamma: 1.2 });
    const [l0, a0, b0] = rgbToLab(220, 150, 190);
    const [l1, a1, b1] = rgbToLab(darker.data[0]!, darker.data[1]!, darker.data[2]!);
    expect(l1).toBeCloseTo(100 * (l0 / 100) ** 1.2, 0);
    expect(a1).toBeCloseTo(a0, 0);
    expect(b1).toBeCloseTo(b0, 0);
  });

  it('draws hue ~ N(0, 0.025) and gamma ~ N(1, 0.015)', () => {
    const rng = new Rng(5);
    const draws = Array.from({ length: 20_000 }, () => sampleColourShift(rng));
    const stats = (xs: number[]): [number, number] => {
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      return [mean, Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length)];
    };
    const [hueMean, hueSd] = stats(draws.map((d) => d.hueShift));
    const [gammaMean, gammaSd] = stats(draws.map((d) => d.lightnessGamma));
    expect(Math.abs(hueMean)).toBeLessThan(0.001);
    expect(hueSd / HUE_SHIFT_SD).toBeCloseTo(1, 1);
    expect(Math.abs(gammaMean - 1)).toBeLessThan(0.001);
    expect(gammaSd / LIGHTNESS_GAMMA_SD).toBeCloseTo(1, 1);
  });

  it('leaves the input untouched and rejects a non-positive gamma', () => {
    const before = patch.data.slice();
    applyColourShift(patch, { hueShift: 0.1, lightnessGamma: 1.1 });
    expect(Buffer.from(patch.data).equals(Buffer.from(before))).toBe(true);
    expect(() => applyColourShift(patch, { hueShift: 0, lightnessGamma: 0 })).toThrow(
      /positive lightnessGamma/,
    );
    expect(() => applyColourShift(patch, { hueShift: Number.NaN, lightnessGamma: 1 })).toThrow(
      /finite number for hueShift/,
    );
  });
});
