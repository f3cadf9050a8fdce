import { relative } from 'node:path';

import { describe, expect, it } from 'vitest';

import { SlideCache, type Slide } from '../../../../src-main/core/slide/index.js';
import { UNREADABLE, slidePath } from '../../../native/helpers/fixtures.js';

const CMU = slidePath('cmu-1-small-region.svs');
const NDPI = slidePath('ndpi-dapi.ndpi');
const TINY = slidePath('tiny.svs');

describe('SlideCache', () => {
  it('shares one open between concurrent acquires of one path', async () => {
    const cache = new SlideCache({ capacity: 4 });
    const slides = await Promise.all(Array.from({ length: 8 }, () => cache.acquire(CMU)));
    expect(new Set(slides).size).toBe(1);
    expect(cache.stats()).toMatchObject({ size: 1, misses: 1, hits: 7 });
    // A relative path names the same slide.
    expect(await cache.acquire(relative(process.cwd(), CMU))).toBe(slides[0]);
    cache.closeAll();
  });

  it('closes the least recently used slide beyond capacity', async () => {
    const cache = new SlideCache({ capacity: 2 });
    const cmu = await cache.acquire(CMU);
    const ndpi = await cache.acquire(NDPI);
    expect(await cache.acquire(CMU)).toBe(cmu); // CMU is now the most recent
    const tiny = await cache.acquire(TINY);
    expect(ndpi.closed).toBe(true);
    expect(cmu.closed).toBe(false);
    expect(tiny.closed).toBe(false);
    expect(cache.has(NDPI)).toBe(false);
    expect(cache.stats()).toMatchObject({ size: 2, capacity: 2, evictions: 1 });
    const reopened = await cache.acquire(NDPI);
    expect(reopened).not.toBe(ndpi);
    expect(cmu.closed).toBe(true); // recency was CMU, TINY: CMU made room for NDPI
    cache.closeAll();
  });

  it('does not break reads in flight on an evicted slide', async () => {
    const cache = new SlideCache({ capacity: 1 });
    const cmu = await cache.acquire(CMU);
    const positions = Array.from({ length: 16 }, (_, i) => [(i * 131) % 1900, (i * 173) % 2700] as const);
    const expected: Buffer[] = [];
    for (const [x, y] of positions) expected.push((await cmu.readRegion(x, y, 0, 256, 256)).data);
    const inFlight = positions.map(([x, y]) => cmu.readRegion(x, y, 0, 256, 256));
    await cache.acquire(TINY);
    expect(cmu.closed).toBe(true);
    const results = await Promise.all(inFlight);
    results.forEach((image, i) => expect(image.data.equals(expected[i]!)).toBe(true));
    cache.closeAll();
  });

  it('invalidate() closes and forgets a slide; the next acquire opens a new one', async () => {
    const cache = new SlideCache({ capacity: 2 });
    const first = await cache.acquire(TINY);
    cache.invalidate(TINY);
    expect(first.closed).toBe(true);
    expect(cache.size).toBe(0);
    const second = await cache.acquire(TINY);
    expect(second).not.toBe(first);
    expect(second.closed).toBe(false);
    expect(cache.stats()).toMatchObject({ misses: 2, invalidations: 1 });
    cache.invalidate('/not/cached.svs'); // no-op
    cache.closeAll();
  });

  it('reopens a slide whose handle failed', async () => {
    const cache = new SlideCache({ capacity: 2 });
    const broken: Slide = await cache.acquire(UNREADABLE);
    await expect(broken.readRegion(0, 0, 0, 16, 16)).rejects.toMatchObject({ code: 'READ_FAILED' });
    expect(broken.failed).toBe(true);
    const fresh = await cache.acquire(UNREADABLE);
    expect(fresh).not.toBe(broken);
    expect(fresh.failed).toBe(false);
    expect(broken.closed).toBe(true);
    expect(cache.stats()).toMatchObject({ size: 1, invalidations: 1, misses: 2 });
    cache.closeAll();
  });

  it('does not cache a failed open', async () => {
    const cache = new SlideCache({ capacity: 2 });
    const missing = slidePath('missing.svs');
    await expect(cache.acquire(missing)).rejects.toMatchObject({ code: 'NOT_FOUND', path: missing });
    expect(cache.has(missing)).toBe(false);
    await expect(cache.acquire(missing)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(cache.stats()).toMatchObject({ size: 0, misses: 2 });
  });

  it('rejects acquires whose open was invalidated before it finished, and closes that slide', async () => {
    const cache = new SlideCache({ capacity: 2 });
    const pending = cache.acquire(CMU);
    cache.invalidate(CMU);
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED', path: CMU });
    expect(cache.size).toBe(0);
  });

  it('closeAll() closes every slide and refuses later acquires', async () => {
    const cache = new SlideCache({ capacity: 3 });
    const slides = await Promise.all([CMU, NDPI, TINY].map((p) => cache.acquire(p)));
    cache.closeAll();
    expect(slides.every((s) => s.closed)).toBe(true);
    expect(cache.size).toBe(0);
    await expect(cache.acquire(CMU)).rejects.toMatchObject({
      code: 'CLOSED',
      message: `${CMU}: the slide cache is closed`,
    });
  });

  it('refuses a capacity below one', () => {
    expect(() => new SlideCache({ capacity: 0 })).toThrow(
      'Expected a positive integer for capacity but received 0',
    );
  });
});
