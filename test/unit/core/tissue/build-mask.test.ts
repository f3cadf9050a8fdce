import {
  copyFile,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import { buildSlideMask } from '../../../../src-main/core/tissue/build-mask.js';
import { MaskCache } from '../../../../src-main/core/tissue/mask-cache.js';
import { resolveTissueMaskParameters } from '../../../../src-main/core/tissue/tissue-mask.js';
import { fixtureSlide } from './fixtures.js';

describe('buildSlideMask', () => {
  let cacheDir: string;
  let slideDir: string;
  const open = (path: string) => openSlide(path);

  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'histo-fetch-build-'));
    slideDir = await mkdtemp(join(tmpdir(), 'histo-fetch-slides-'));
    await symlink(fixtureSlide('cmu-1-small-region.svs'), join(slideDir, 'cmu.svs'));
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
    await rm(slideDir, { recursive: true, force: true });
  });

  it.each([
    // name, mask PNG bytes measured when the blur became exact (1-bit, best of the PNG encodings)
    ['cmu-1-small-region.svs', 17810],
    ['tcga-cr-7395-ts1.svs', 8140],
  ])(
    'builds byte-identical PNGs for %s through two separate caches, of a stable size',
    async (name, bytes) => {
      const params = resolveTissueMaskParameters();
      const other = await mkdtemp(join(tmpdir(), 'histo-fetch-build-other-'));
      try {
        const pngs: Buffer[] = [];
        for (const dir of [cacheDir, other]) {
          const report = await buildSlideMask(fixtureSlide(name), {
            cache: new MaskCache({ cacheDir: dir }),
            params,
            openSlide: open,
            writeUiThumbnail: false,
          });
          expect(report.fromCache).toBe(false);
          pngs.push(await readFile(report.maskPath!));
        }
        expect(pngs[0]!.equals(pngs[1]!)).toBe(true);
        console.info(`${name}: mask PNG ${pngs[0]!.length} B`);
        expect(Math.abs(pngs[0]!.length - bytes)).toBeLessThanOrEqual(bytes * 0.05);
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    },
  );

  it('builds a new mask for a changed slide (new quickhash) and never reuses the old one', async () => {
    const cache = new MaskCache({ cacheDir });
    const params = resolveTissueMaskParameters();
    const path = join(slideDir, 'copy.svs');
    await copyFile(fixtureSlide('cmu-1-small-region.svs'), path);
    const before = await buildSlideMask(path, { cache, params, openSlide: open, writeUiThumbnail: false });
    // Edit a TIFF tag value in place (the Aperio description's magnification, which the quickhash covers).
    const bytes = await readFile(path);
    const at = bytes.indexOf('AppMag = 20');
    expect(at).toBeGreaterThan(0);
    bytes.write('AppMag = 40', at);
    await writeFile(path, bytes);
    const after = await buildSlideMask(path, { cache, params, openSlide: open, writeUiThumbnail: false });
    expect(after.quickhash).not.toBe(before.quickhash);
    expect(after).toMatchObject({ fromCache: false, outcome: 'ok' });
    expect(after.maskPath).not.toBe(before.maskPath);
    expect(after.metadata!.slide.quickhash).toBe(after.quickhash);
    const again = await buildSlideMask(path, { cache, params, openSlide: open, writeUiThumbnail: false });
    expect(again).toMatchObject({ fromCache: true, quickhash: after.quickhash, maskPath: after.maskPath });
  });

  it('builds a mask once, then reuses it without building anything', async () => {
    const cache = new MaskCache({ cacheDir });
    const params = resolveTissueMaskParameters();
    const path = join(slideDir, 'cmu.svs');
    const first = await buildSlideMask(path, { cache, params, openSlide: open });
    expect(first).toMatchObject({ outcome: 'ok', fromCache: false, error: null });
    expect(first.quickhash).toBe('6335ea0e6cc54c2cba64bb265d3c713a50cd84484924e3a9c109558c13521d5c');
    expect(first.metadata).toMatchObject({
      detector: 'otsu-red',
      thumbnail: { width: 1496, height: 2000 },
      slide: { level0Width: 2220, level0Height: 2967, vendor: 'aperio' },
    });
    expect(first.metadata!.buildMs).toBeGreaterThan(0);
    const pngStat = await stat(first.maskPath!);
    const thumb = await sharp(first.thumbnailPath!).metadata();
    expect(thumb.format).toBe('jpeg');

    const second = await buildSlideMask(path, { cache, params, openSlide: open });
    expect(second).toMatchObject({ outcome: 'ok', fromCache: true, maskPath: first.maskPath });
    expect(second.metadata).toEqual(first.metadata);
    expect((await stat(first.maskPath!)).mtimeMs).toBe(pngStat.mtimeMs);
    // Nothing is ever written beside the slide.
    expect(await readdir(slideDir)).toEqual(['cmu.svs']);
  });

  it('builds a new mask when the parameters change, keeping the old one', async () => {
    const cache = new MaskCache({ cacheDir });
    const path = join(slideDir, 'cmu.svs');
    const red = await buildSlideMask(path, { cache, params: resolveTissueMaskParameters(), openSlide: open });
    const saturation = await buildSlideMask(path, {
      cache,
      params: resolveTissueMaskParameters({ detector: 'saturation' }),
      openSlide: open,
    });
    expect(saturation.fromCache).toBe(false);
    expect(saturation.maskPath).not.toBe(red.maskPath);
    expect((await readdir(join(cacheDir, 'masks'))).filter((n) => n.endsWith('.png')).length).toBe(2);
  });

  it('rebuilds over a truncated cache entry instead of reading it', async () => {
    const cache = new MaskCache({ cacheDir });
    const params = resolveTissueMaskParameters();
    const path = join(slideDir, 'cmu.svs');
    const first = await buildSlideMask(path, { cache, params, openSlide: open });
    await truncate(first.maskPath!, 100);
    const again = await buildSlideMask(path, { cache, params, openSlide: open });
    expect(again.fromCache).toBe(false);
    expect(again.replacedInvalid).toMatch(/does not match its metadata/);
    expect((await cache.read(first.quickhash!, params)).status).toBe('hit');
  });

  it('reports unreadable slides with the reason instead of throwing', async () => {
    const cache = new MaskCache({ cacheDir });
    const params = resolveTissueMaskParameters();
    const corrupt = await buildSlideMask(fixtureSlide('bad/unreadable.svs'), {
      cache,
      params,
      openSlide: open,
    });
    expect(corrupt).toMatchObject({ outcome: 'unreadable', error: { code: 'READ_FAILED' } });
    expect(corrupt.error!.message).toMatch(/unreadable\.svs/);
    const unopenable = await buildSlideMask(fixtureSlide('bad/unopenable.tiff'), {
      cache,
      params,
      openSlide: open,
    });
    expect(unopenable).toMatchObject({ outcome: 'unreadable', error: { code: 'UNSUPPORTED_FORMAT' } });
    const missing = await buildSlideMask(join(slideDir, 'gone.svs'), { cache, params, openSlide: open });
    expect(missing).toMatchObject({ outcome: 'unreadable', error: { code: 'NOT_FOUND' } });
  });
});
