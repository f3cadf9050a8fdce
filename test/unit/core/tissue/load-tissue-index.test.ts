import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import {
  buildSlideMask,
  classifyMask,
  type SlideMaskReport,
} from '../../../../src-main/core/tissue/build-mask.js';
import { loadTissueIndex } from '../../../../src-main/core/tissue/load-tissue-index.js';
import { MaskCache } from '../../../../src-main/core/tissue/mask-cache.js';
import { encodeMaskPng } from '../../../../src-main/core/tissue/png1bit.js';
import { TissueIndex } from '../../../../src-main/core/tissue/tissue-index.js';
import { resolveTissueMaskParameters } from '../../../../src-main/core/tissue/tissue-mask.js';
import { Rng } from '../../../../src-main/core/util/rng.js';
import { fixtureSlide } from './fixtures.js';

describe('loadTissueIndex', () => {
  let cacheDir: string;
  const params = resolveTissueMaskParameters();
  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'histo-fetch-index-'));
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('indexes a built mask for sampling in level-0 coordinates of the slide', async () => {
    const cache = new MaskCache({ cacheDir });
    const report = await buildSlideMask(fixtureSlide('cmu-1-small-region.svs'), {
      cache,
      params,
      openSlide: (p) => openSlide(p),
    });
    const index = await loadTissueIndex(report, cache);
    expect(index).toBeInstanceOf(TissueIndex);
    if (!(index instanceof TissueIndex)) return;
    expect(index.tissuePixels).toBe(report.metadata!.tissuePixels);
    expect(index.tissueFraction(0, 0, 2220, 2967)).toBeCloseTo(report.metadata!.tissueFraction, 12);
    const rng = new Rng(5);
    for (let n = 0; n < 200; n++) {
      const { level0X, level0Y } = index.drawLevel0Point(rng);
      expect(level0X).toBeGreaterThan(0);
      expect(level0X).toBeLessThan(2220);
      expect(level0Y).toBeLessThan(2967);
      // A small footprint around a drawn point is mostly tissue (the point is a tissue pixel centre).
      expect(index.tissueFraction(level0X - 1, level0Y - 1, 2, 2)).toBe(1);
    }
  });

  it('excludes unreadable slides and masks that left the cache, with the reason', async () => {
    const cache = new MaskCache({ cacheDir });
    const open = (p: string) => openSlide(p);
    const bad = await buildSlideMask(fixtureSlide('bad/unreadable.svs'), { cache, params, openSlide: open });
    expect(await loadTissueIndex(bad, cache)).toMatchObject({
      reason: expect.stringMatching(/Bogus marker/),
    });
    const good = await buildSlideMask(fixtureSlide('tcga-cr-7395-ts1.svs'), {
      cache,
      params,
      openSlide: open,
    });
    await unlink(good.maskPath!);
    expect(await loadTissueIndex(good, cache)).toMatchObject({
      reason: expect.stringMatching(/no longer in the cache/),
    });
  });

  it('leaves out a slide without tissue, or samples it uniformly when asked', async () => {
    const cache = new MaskCache({ cacheDir });
    const mask = { width: 40, height: 30, data: new Uint8Array(1200) };
    const quickhash = 'ab'.repeat(32);
    const metadata = await cache.write(
      {
        parameters: params,
        outcome: classifyMask(0, 1200),
        threshold: 0,
        tissuePixels: 0,
        tissueFraction: 0,
        thumbnail: { width: 40, height: 30 },
        slide: { quickhash, level0Width: 4000, level0Height: 3000, vendor: null, path: '/blank.tif' },
        buildMs: 1,
      },
      encodeMaskPng(mask),
    );
    expect(metadata.outcome).toBe('no-tissue');
    const report: SlideMaskReport = {
      path: '/blank.tif',
      outcome: 'no-tissue',
      fromCache: true,
      quickhash,
      error: null,
      metadata,
      maskPath: cache.maskPaths(quickhash, params).png,
      thumbnailPath: null,
      ms: 1,
      replacedInvalid: null,
    };
    expect(await loadTissueIndex(report, cache, 'exclude')).toEqual({
      path: '/blank.tif',
      reason: '/blank.tif: no tissue found; left out of sampling',
    });
    const uniform = await loadTissueIndex(report, cache, 'uniform');
    expect(uniform).toBeInstanceOf(TissueIndex);
    expect((uniform as TissueIndex).uniform).toBe(true);
  });

  it('classifies masks with none, all or some tissue', () => {
    expect(classifyMask(0, 100)).toBe('no-tissue');
    expect(classifyMask(100, 100)).toBe('all-tissue');
    expect(classifyMask(1, 100)).toBe('ok');
  });
});
