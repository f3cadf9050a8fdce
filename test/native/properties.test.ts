import { describe, expect, it } from 'vitest';

import { loadOpenSlideAddon } from '../../src-main/native/openslide/index.js';
import { UNREADABLE, USABLE_SLIDES, slidePath } from './helpers/fixtures.js';
import { showProperties } from './helpers/openslide-tools.js';

const addon = loadOpenSlideAddon();

describe('native slide metadata equals openslide-show-properties', () => {
  for (const name of [...USABLE_SLIDES, 'bad/unreadable.svs']) {
    it(`${name}: properties, level count, dimensions and downsamples`, async () => {
      const path = slidePath(name);
      const reference = await showProperties(path);
      const slide = await addon.open(path);
      try {
        expect(slide.properties()).toEqual(reference);
        expect(slide.vendor).toBe(reference['openslide.vendor']);
        const levelCount = slide.levelCount();
        expect(levelCount).toBe(Number(reference['openslide.level-count']));
        for (let level = 0; level < levelCount; level++) {
          expect(slide.levelDimensions(level)).toEqual([
            Number(reference[`openslide.level[${level}].width`]),
            Number(reference[`openslide.level[${level}].height`]),
          ]);
          // OpenSlide writes this property with g_ascii_dtostr, which round-trips the double: exact.
          expect(slide.levelDownsample(level)).toBe(
            Number(reference[`openslide.level[${level}].downsample`]),
          );
        }
      } finally {
        slide.close();
      }
    });
  }

  it('lists associated images with their sizes', async () => {
    const slide = await addon.open(slidePath('cmu-1-small-region.svs'));
    expect(slide.associatedImageNames()).toEqual(['label', 'macro', 'thumbnail']);
    expect(slide.associatedImageDimensions('label')).toEqual({ width: 387, height: 463 });
    slide.close();
    const tiff = await addon.open(slidePath('bracs-1640-crop.tiff'));
    expect(tiff.associatedImageNames()).toEqual([]);
    tiff.close();
  });

  it('bestLevelForDownsample follows OpenSlide on a 7-level NDPI', async () => {
    const slide = await addon.open(slidePath('ndpi-dapi.ndpi'));
    expect([0.5, 1, 1.9, 2, 4.1, 63.9, 64, 1000].map((d) => slide.bestLevelForDownsample(d))).toEqual([
      0, 0, 0, 1, 2, 5, 6, 6,
    ]);
    slide.close();
  });

  it('detectVendor names the vendor without opening, null for what OpenSlide does not recognise', () => {
    expect(addon.detectVendor(slidePath('ndpi-dapi.ndpi'))).toBe('hamamatsu');
    expect(addon.detectVendor(UNREADABLE)).toBe('aperio');
    expect(addon.detectVendor(slidePath('SOURCES.md'))).toBeNull();
    expect(addon.version()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
