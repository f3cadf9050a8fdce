import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import type { Slide } from '../../../../src-main/core/slide/types.js';
import {
  encodeThumbnailJpeg,
  readThumbnail,
  thumbnailSize,
} from '../../../../src-main/core/tissue/thumbnail.js';
import { fixtureSlide } from './fixtures.js';

/** The real slide, with every readRegion call recorded (level and size) on the way through. */
function recordingReads(slide: Slide): {
  slide: Slide;
  reads: { level: number; width: number; height: number }[];
} {
  const reads: { level: number; width: number; height: number }[] = [];
  const recording = Object.create(slide) as Slide;
  recording.readRegion = (x, y, level, width, height, options) => {
    reads.push({ level, width, height });
    return slide.readRegion(x, y, level, width, height, options);
  };
  return { slide: recording, reads };
}

describe('slide thumbnails', () => {
  it('sizes the long side to min(2000, level-0 long side) and keeps the aspect', () => {
    expect(thumbnailSize(2220, 2967, 2000)).toEqual({ width: 1496, height: 2000, downsample: 2967 / 2000 });
    expect(thumbnailSize(4443, 3567, 2000)).toMatchObject({ width: 2000, height: 1606 });
    expect(thumbnailSize(16, 16, 2000)).toEqual({ width: 16, height: 16, downsample: 1 });
    expect(thumbnailSize(100_000, 10, 2000)).toMatchObject({ width: 2000, height: 1 });
  });

  it('reads from the pyramid level OpenSlide picks for the downsample, not level 0', async () => {
    const slide = await openSlide(fixtureSlide('ndpi-dapi.ndpi'));
    try {
      const { slide: recording, reads } = recordingReads(slide);
      const thumbnail = await readThumbnail(recording, { longSidePx: 2000 });
      expect([thumbnail.width, thumbnail.height, thumbnail.channels]).toEqual([1632, 2000, 3]);
      // Downsample 2.43 -> level 1 (downsample 2), 1984x2432 level pixels: small enough for one read.
      expect(reads).toEqual([{ level: 1, width: 1984, height: 2432 }]);
    } finally {
      slide.close();
    }
  });

  it('reads a large level in tiles of bounded size', async () => {
    const slide = await openSlide(fixtureSlide('ndpi-dapi.ndpi'));
    try {
      const { slide: recording, reads } = recordingReads(slide);
      await readThumbnail(recording, { longSidePx: 2000, readTilePx: 1000 });
      expect(new Set(reads.map((r) => r.level))).toEqual(new Set([1]));
      expect(reads.reduce((n, r) => n + r.width * r.height, 0)).toBe(1984 * 2432);
      expect(Math.max(...reads.map((r) => Math.max(r.width, r.height)))).toBeLessThanOrEqual(1000);
    } finally {
      slide.close();
    }
  });

  it('gives the same pixels whatever the read tile size (box-shrunk tiles are seamless)', async () => {
    const slide = await openSlide(fixtureSlide('cmu-1-small-region.svs'));
    try {
      for (const longSidePx of [2000, 400]) {
        const whole = await readThumbnail(slide, { longSidePx, readTilePx: 4096 });
        const { slide: recording, reads } = recordingReads(slide);
        const tiled = await readThumbnail(recording, { longSidePx, readTilePx: 300 });
        expect(reads.length).toBeGreaterThan(20);
        expect(tiled.data.equals(whole.data)).toBe(true);
      }
    } finally {
      slide.close();
    }
  });

  it('looks like the slide: matches a plain resize of the full level-0 image', async () => {
    const slide = await openSlide(fixtureSlide('cmu-1-small-region.svs'));
    try {
      const thumbnail = await readThumbnail(slide, { longSidePx: 500 });
      const level0 = await slide.readRegion(0, 0, 0, 2220, 2967, { format: 'rgb' });
      const reference = await sharp(level0.data, { raw: { width: 2220, height: 2967, channels: 3 } })
        .resize(thumbnail.width, thumbnail.height, { fit: 'fill' })
        .raw()
        .toBuffer();
      // Box + Lanczos against libvips' own shrink: filters differ on fine texture, so a few grey levels on
      // average; a wrong level, offset or colour order would give tens.
      let sum = 0;
      const mean = [0, 0, 0];
      for (let i = 0; i < reference.length; i++) {
        sum += Math.abs(reference[i]! - thumbnail.data[i]!);
        mean[i % 3]! += (thumbnail.data[i]! - reference[i]!) / (reference.length / 3);
      }
      expect(sum / reference.length).toBeLessThan(5);
      for (const m of mean) expect(Math.abs(m)).toBeLessThan(1);
    } finally {
      slide.close();
    }
  });

  it('encodes a JPEG for the UI, at most 1024 px on the long side', async () => {
    const slide = await openSlide(fixtureSlide('tcga-cr-7395-ts1.svs'));
    try {
      const jpeg = await encodeThumbnailJpeg(await readThumbnail(slide, { longSidePx: 2000 }));
      const meta = await sharp(jpeg).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1024, 822]);
    } finally {
      slide.close();
    }
  });
});
