import { describe, expect, it } from 'vitest';

import {
  mppFromTiffResolution,
  parseBackgroundColor,
  parsePositiveNumber,
} from '../../../../src-main/core/slide/info.js';

describe('slide info parsing', () => {
  it('reads openslide.background-color as RGB, white when absent or malformed', () => {
    expect(parseBackgroundColor('FF8000')).toEqual([255, 128, 0]);
    expect(parseBackgroundColor('0a0B0c')).toEqual([10, 11, 12]);
    expect(parseBackgroundColor(undefined)).toEqual([255, 255, 255]);
    expect(parseBackgroundColor('#FF8000')).toEqual([255, 255, 255]);
    expect(parseBackgroundColor('FF80')).toEqual([255, 255, 255]);
  });

  it('reads mpp and objective power as positive numbers or null', () => {
    expect(parsePositiveNumber('0.2281750559028887')).toBe(0.2281750559028887);
    expect(parsePositiveNumber('20')).toBe(20);
    expect(parsePositiveNumber(undefined)).toBeNull();
    expect(parsePositiveNumber('')).toBeNull();
    expect(parsePositiveNumber('0')).toBeNull();
    expect(parsePositiveNumber('n/a')).toBeNull();
  });

  it('derives mpp from TIFF resolution tags in pixels per centimetre or inch, not from placeholders', () => {
    const tags = (x: string, unit: string) => ({
      'tiff.XResolution': x,
      'tiff.YResolution': '20000',
      'tiff.ResolutionUnit': unit,
    });
    expect(mppFromTiffResolution(tags('10020.04', 'centimeter'), 'x')).toBeCloseTo(0.998, 6);
    expect(mppFromTiffResolution(tags('10020.04', 'centimeter'), 'y')).toBe(0.5);
    expect(mppFromTiffResolution(tags('50800', 'inch'), 'x')).toBe(0.5);
    expect(mppFromTiffResolution(tags('10020.04', 'none'), 'x')).toBeNull();
    expect(mppFromTiffResolution({ 'tiff.XResolution': '10020.04' }, 'x')).toBeNull();
    expect(mppFromTiffResolution(tags('0', 'centimeter'), 'x')).toBeNull();
    // libvips' default (10 px/cm, 1000 µm) and 72 or 300 dpi say nothing about a microscope.
    expect(mppFromTiffResolution(tags('10', 'centimeter'), 'x')).toBeNull();
    expect(mppFromTiffResolution(tags('72', 'inch'), 'x')).toBeNull();
    expect(mppFromTiffResolution(tags('300', 'inch'), 'x')).toBeNull();
  });
});
