import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  gaussianBlurChannel,
  gaussianBlurChannelExact,
  gaussianHalfKernel,
  gaussianRadiusPx,
  padReflect101,
  reflect101,
} from '../../../../src-main/core/tissue/gaussian-blur.js';
import { fixtureSlide } from './fixtures.js';

/** The red channel of the CMU slide's level 0 (sharp reads an SVS's first page as TIFF), 600 px wide. */
async function cmuRed(): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(fixtureSlide('cmu-1-small-region.svs'))
    .resize(600)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

describe('gaussian blur', () => {
  it('uses OpenCV’s kernel size rule for 8-bit images (sigma 10 -> 61 taps)', () => {
    expect(gaussianRadiusPx(10)).toBe(30);
    expect(gaussianRadiusPx(1)).toBe(3);
    expect(gaussianRadiusPx(2.5)).toBe(8);
  });

  it('builds a normalised, decreasing half kernel', () => {
    const taps = gaussianHalfKernel(10);
    let sum = taps[0]!;
    for (let k = 1; k < taps.length; k++) {
      sum += 2 * taps[k]!;
      expect(taps[k]).toBeLessThan(taps[k - 1]!);
    }
    expect(sum).toBeCloseTo(1, 12);
    expect(taps[30]! / taps[0]!).toBeCloseTo(Math.exp(-4.5), 12);
  });

  it('reflects borders without repeating the edge (BORDER_REFLECT_101)', () => {
    // gfedcb|abcdefgh|gfedcba
    const n = 8;
    expect([-3, -2, -1, 0, 7, 8, 9, 10].map((i) => reflect101(i, n))).toEqual([3, 2, 1, 0, 7, 6, 5, 4]);
    expect(reflect101(-5, 1)).toBe(0);
    const padded = padReflect101(Uint8Array.from([1, 2, 3, 4, 5, 6]), 3, 2, 2);
    // 3x2 padded by 2 -> 7x6; row -2 mirrors row 0, row -1 mirrors row 1.
    expect(Array.from(padded.subarray(0, 7))).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(Array.from(padded.subarray(7, 14))).toEqual([6, 5, 4, 5, 6, 5, 4]);
    expect(Array.from(padded.subarray(14, 21))).toEqual([3, 2, 1, 2, 3, 2, 1]);
  });

  it('keeps a constant image constant, borders included', async () => {
    const flat = new Uint8Array(90 * 70).fill(201);
    expect(new Set(gaussianBlurChannelExact(flat, 90, 70, 10))).toEqual(new Set([201]));
    expect(new Set(await gaussianBlurChannel(flat, 90, 70, 10))).toEqual(new Set([201]));
  });

  it('agrees with the direct convolution within a grey level or two on a real slide, borders included', async () => {
    const { data, width, height } = await cmuRed();
    const exact = gaussianBlurChannelExact(data, width, height, 10);
    const fast = await gaussianBlurChannel(data, width, height, 10);
    let worst = 0;
    let withinOne = 0;
    for (let i = 0; i < exact.length; i++) {
      const d = Math.abs(exact[i]! - fast[i]!);
      worst = Math.max(worst, d);
      if (d <= 1) withinOne++;
    }
    // libvips' integer taps differ from the float ones in the last bit: rarely 2 levels, almost always <= 1.
    expect(worst).toBeLessThanOrEqual(2);
    expect(withinOne / exact.length).toBeGreaterThan(0.999);
  });

  it('handles a sharp edge at the image border like reflection, not like zero or replicate padding', async () => {
    // Left 10 columns black, the rest white: reflection makes the left border region darker than replicate.
    const width = 100;
    const height = 20;
    const step = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 10; x < width; x++) step[y * width + x] = 255;
    const exact = gaussianBlurChannelExact(step, width, height, 10);
    const fast = await gaussianBlurChannel(step, width, height, 10);
    for (let i = 0; i < exact.length; i++) expect(Math.abs(exact[i]! - fast[i]!)).toBeLessThanOrEqual(1);
    // Column 0 sees columns 1..30 mirrored: 9 black + 21 white each side -> about 100, not 0 and not 73.
    const taps = gaussianHalfKernel(10);
    let expected = 0;
    for (let k = -30; k <= 30; k++) expected += taps[Math.abs(k)]! * (reflect101(k, width) >= 10 ? 255 : 0);
    expect(exact[0]).toBe(Math.round(expected));
  });

  it('rejects a channel whose size does not match', async () => {
    await expect(gaussianBlurChannel(new Uint8Array(10), 4, 4, 10)).rejects.toThrow(/Expected 16 bytes/);
    expect(() => gaussianHalfKernel(0)).toThrow(/positive sigma/);
  });
});
