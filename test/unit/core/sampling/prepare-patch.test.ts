import { copyFileSync, openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PatchJob } from '../../../../src-main/core/sampling/patch-job.js';
import { preparePatch } from '../../../../src-main/core/sampling/prepare-patch.js';
import { openSlide, SlideCache, type Slide } from '../../../../src-main/core/slide/index.js';
import { slidePath, tempDir } from './fixtures.js';

const scratch = tempDir('sampling-prepare-');
afterAll(() => scratch.done());

/**
 * A copy of cmu-1-small-region.svs (240-px JPEG tiles) whose first tile is corrupt: its SOF marker length
 * (file offset 20; the tile starts at 16) is made bogus, so reading the top-left corner fails in libjpeg
 * while every other tile decodes. OpenSlide then latches the error on that handle.
 */
function slideWithOneBadTile(): string {
  const path = join(scratch.path, 'one-bad-tile.svs');
  copyFileSync(slidePath('cmu-1-small-region.svs'), path);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.from([0xff, 0xff]), 0, 2, 20);
  } finally {
    closeSync(fd);
  }
  return path;
}

const job = (path: string, level0X: number, level0Y: number): PatchJob => ({
  slidePath: path,
  level: 0,
  level0X,
  level0Y,
  readSizePx: 64,
  patchSize: 64,
  patchSeed: 1,
  augmentProbability: 0,
});

/**
 * The worker's real slide cache, except that the first handle it hands out is latched by a failed read
 * of the bad tile right after acquire(): what happens when another job's read fails on the shared handle
 * between this job's acquire() and its read (the cache itself drops handles that failed before).
 */
class CacheWithConcurrentFailure extends SlideCache {
  private latched = false;
  override async acquire(path: string): Promise<Slide> {
    const slide = await super.acquire(path);
    if (!this.latched) {
      this.latched = true;
      await expect(
        slide.readRegion(0, 0, 0, 64, 64, { format: 'rgb', background: [255, 255, 255] }),
      ).rejects.toMatchObject({ code: 'READ_FAILED' });
      expect(slide.failed).toBe(true);
    }
    return slide;
  }
}

describe('preparePatch read errors', () => {
  it('retries a read that failed on a shared, already-failed handle on a fresh one: the good region comes back', async () => {
    const path = slideWithOneBadTile();
    const slides = new CacheWithConcurrentFailure({ capacity: 4 });
    let privateOpens = 0;
    const deps = {
      slides,
      openPrivate: (p: string): Promise<Slide> => {
        privateOpens++;
        return openSlide(p);
      },
    };
    const background = [255, 255, 255] as const;
    try {
      // A good region whose shared handle failed under it: retried on a fresh private handle, delivered
      // (so the stream counts no failure against the slide).
      const good = await preparePatch(job(path, 1000, 1000), deps);
      expect(good.ok).toBe(true);
      expect(privateOpens).toBe(1);
      const fresh = await openSlide(path);
      const reference = await fresh.readRegion(1000, 1000, 0, 64, 64, { format: 'rgb', background });
      fresh.close();
      expect(
        Buffer.from(good.ok ? good.pixels : new ArrayBuffer(0)).equals(Buffer.from(reference.data)),
      ).toBe(true);

      // The latched handle left the cache: the next read gets a new shared handle, no retry needed.
      const next = await preparePatch(job(path, 1200, 900), deps);
      expect(next.ok).toBe(true);
      expect(privateOpens).toBe(1);

      // The bad region fails on its own fresh handle too: that one is the slide's fault, and counted.
      const bad = await preparePatch(job(path, 0, 0), deps);
      expect(bad).toMatchObject({ ok: false, kind: 'slide', code: 'READ_FAILED' });
      expect(privateOpens).toBe(2);
      expect(bad.ok ? '' : bad.message).toMatch(/Bogus marker length/);
    } finally {
      slides.closeAll();
    }
  });
});
