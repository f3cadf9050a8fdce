import { describe, expect, it } from 'vitest';

import { parseBackgroundColor, parsePositiveNumber } from '../../../../src-main/core/slide/info.js';

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
});
