import { describe, expect, it } from 'vitest';
import { TissueIndex } from '../../../../src-main/core/tissue/tissue-index.js';
import type { TissueMask } from '../../../../src-main/core/tissue/tissue-mask.js';
import { Rng } from '../../../../src-main/core/util/rng.js';

function randomBlobMask(width: number, height: number, seed: number): TissueMask {
  const rng = new Rng(seed);
  const data = new Uint8Array(width * height);
  for (let blob = 0; blob < 4; blob++) {
    const cx = rng.next() * width;
    const cy = rng.next() * height;
    const r = 3 + rng.next() * Math.min(width, height) * 0.3;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) data[y * width + x] = 1;
  }
  return { width, height, data };
}

describe('TissueIndex', () => {
  it('draws only tissue pixels, each about equally often', () => {
    const width = 40;
    const height = 30;
    const data = new Uint8Array(width * height);
    const tissue = [5, 6, 7, 100, 101, 500, 777, 1199];
    for (const i of tissue) data[i] = 1;
    const index = TissueIndex.fromMask({ width, height, data }, 4000, 3000)!;
    expect(index.tissuePixels).toBe(tissue.length);
    const counts = new Map<number, number>();
    const rng = new Rng(1);
    const draws = 40_000;
    for (let n = 0; n < draws; n++) {
      const { maskX, maskY } = index.drawMaskPixel(rng);
      const flat = maskY * width + maskX;
      counts.set(flat, (counts.get(flat) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(tissue);
    // Chi-square with 7 degrees of freedom: 24.3 is the 0.1% critical value.
    const expected = draws / tissue.length;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(24.3);
  });

  it('keeps a run-length form far smaller than a pixel list', () => {
    const mask = randomBlobMask(2000, 1500, 9);
    const index = TissueIndex.fromMask(mask, 40_000, 30_000)!;
    expect(index.tissuePixels).toBe(mask.data.reduce((a, b) => a + b, 0));
    // 12 bytes per run against 4 bytes per pixel for a list of tissue pixels.
    expect(index.runCount * 12).toBeLessThan((index.tissuePixels * 4) / 50);
  });

  it('maps a mask pixel centre to level-0 coordinates', () => {
    const data = new Uint8Array(10 * 5).fill(1);
    const index = TissueIndex.fromMask({ width: 10, height: 5, data }, 1000, 500)!;
    expect(index.maskPixelCentreToLevel0(0, 0)).toEqual({ level0X: 50, level0Y: 50 });
    expect(index.maskPixelCentreToLevel0(9, 4)).toEqual({ level0X: 950, level0Y: 450 });
  });

  it('draws the same level-0 points for the same seed', () => {
    const index = TissueIndex.fromMask(randomBlobMask(300, 200, 4), 30_000, 20_000)!;
    const a = new Rng('seed');
    const b = new Rng('seed');
    for (let n = 0; n < 100; n++) expect(index.drawLevel0Point(a)).toEqual(index.drawLevel0Point(b));
  });

  it('gives the tissue fraction of a level-0 rectangle, equal to counting the mask pixels inside', () => {
    const mask = randomBlobMask(120, 90, 5);
    const level0Width = 12_000;
    const level0Height = 9_000;
    const index = TissueIndex.fromMask(mask, level0Width, level0Height)!;
    const rng = new Rng(2);
    for (let n = 0; n < 300; n++) {
      const w = 150 + rng.next() * 3000;
      const h = 150 + rng.next() * 3000;
      const x = -500 + rng.next() * (level0Width - w + 1000);
      const y = -500 + rng.next() * (level0Height - h + 1000);
      // Mask pixels whose centres ((i + 0.5) * 100) lie in [x, x + w) x [y, y + h); outside counts as background.
      let inside = 0;
      let tissue = 0;
      for (let my = -10; my < 100; my++) {
        for (let mx = -10; mx < 130; mx++) {
          const cx = (mx + 0.5) * 100;
          const cy = (my + 0.5) * 100;
          if (cx < x || cx >= x + w || cy < y || cy >= y + h) continue;
          inside++;
          if (mx >= 0 && my >= 0 && mx < 120 && my < 90 && mask.data[my * 120 + mx]) tissue++;
        }
      }
      expect(index.tissueFraction(x, y, w, h)).toBeCloseTo(tissue / inside, 12);
    }
  });

  it('uses the pixel under the centre for a rectangle smaller than a mask pixel', () => {
    const data = new Uint8Array(4 * 4);
    data[1 * 4 + 2] = 1;
    const index = TissueIndex.fromMask({ width: 4, height: 4, data }, 400, 400)!;
    expect(index.tissueFraction(210, 110, 20, 20)).toBe(1);
    expect(index.tissueFraction(10, 10, 20, 20)).toBe(0);
  });

  it('excludes a slide without tissue, or samples it uniformly when asked', () => {
    const empty = { width: 8, height: 6, data: new Uint8Array(48) };
    expect(TissueIndex.fromMask(empty, 800, 600, 'exclude')).toBeNull();
    const uniform = TissueIndex.fromMask(empty, 800, 600, 'uniform')!;
    expect(uniform.uniform).toBe(true);
    expect(uniform.tissuePixels).toBe(48);
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let n = 0; n < 2000; n++) {
      const { maskX, maskY } = uniform.drawMaskPixel(rng);
      seen.add(maskY * 8 + maskX);
    }
    expect(seen.size).toBe(48);
    expect(uniform.tissueFraction(0, 0, 800, 600)).toBe(1);
    expect(uniform.tissueFraction(-400, 0, 800, 600)).toBe(0.5);
  });
});
