import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SlideError, UnsupportedFormatError, openSlide } from '../../../../src-main/core/slide/index.js';
import {
  SLIDES_DIR,
  UNOPENABLE,
  UNREADABLE,
  USABLE_SLIDES,
  slidePath,
} from '../../../native/helpers/fixtures.js';
import { quickhash1sum, showProperties } from '../../../native/helpers/openslide-tools.js';

describe('openSlide on every fixture slide', () => {
  for (const name of USABLE_SLIDES) {
    it(`${name}: info agrees with openslide-show-properties and openslide-quickhash1sum`, async () => {
      const path = slidePath(name);
      const [reference, quickhash] = await Promise.all([showProperties(path), quickhash1sum(path)]);
      const slide = await openSlide(path);
      try {
        const { info } = slide;
        expect(info.path).toBe(path);
        expect(slide.path).toBe(path);
        expect(info.vendor).toBe(reference['openslide.vendor']);
        expect(info.quickhash).toBe(quickhash);
        expect(info.properties).toEqual(reference);
        expect(info.levels.length).toBe(Number(reference['openslide.level-count']));
        info.levels.forEach((level, i) => {
          expect(level.width).toBe(Number(reference[`openslide.level[${i}].width`]));
          expect(level.height).toBe(Number(reference[`openslide.level[${i}].height`]));
          // The property round-trips the double (g_ascii_dtostr): exact.
          expect(level.downsample).toBe(Number(reference[`openslide.level[${i}].downsample`]));
        });
        const number = (key: string): number | null => (key in reference ? Number(reference[key]) : null);
        expect(info.mppX).toBe(number('openslide.mpp-x'));
        expect(info.mppY).toBe(number('openslide.mpp-y'));
        expect(info.objectivePower).toBe(number('openslide.objective-power'));
        expect(info.backgroundRgb).toEqual([255, 255, 255]);
        expect(slide.failed).toBe(false);
        expect(slide.closed).toBe(false);
      } finally {
        slide.close();
      }
      expect(slide.closed).toBe(true);
    });
  }

  it('resolves a relative path to an absolute one', async () => {
    const slide = await openSlide(relative(process.cwd(), slidePath('tiny.svs')));
    expect(slide.path).toBe(slidePath('tiny.svs'));
    slide.close();
  });

  it('lists associated images', async () => {
    const slide = await openSlide(slidePath('cmu-1-small-region.svs'));
    expect(slide.info.associatedImages).toEqual(['label', 'macro', 'thumbnail']);
    slide.close();
  });
});

describe('openSlide refuses bad input with a typed error naming the file', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'histo-fetch-open-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('an unopenable TIFF is an UnsupportedFormatError with the detected vendor', async () => {
    const error = await openSlide(UNOPENABLE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error).toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      path: UNOPENABLE,
      vendor: 'generic-tiff',
      message: `${UNOPENABLE}: recognized as generic-tiff but OpenSlide cannot open it: Unsupported TIFF compression: 52479`,
    });
  });

  it('a text file is an UnsupportedFormatError', async () => {
    const path = join(SLIDES_DIR, 'SOURCES.md');
    const error = await openSlide(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error).toMatchObject({
      vendor: null,
      message: `${path}: not a file that OpenSlide can recognize`,
    });
  });

  it('a zero-byte file is an UnsupportedFormatError', async () => {
    const path = join(scratch, 'empty.svs');
    await writeFile(path, '');
    const error = await openSlide(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error).toMatchObject({ message: `${path}: is an empty file (0 bytes), not a slide` });
  });

  it('a missing path is NOT_FOUND', async () => {
    const path = join(scratch, 'missing.svs');
    await expect(openSlide(path)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      path,
      message: `${path}: no such file`,
    });
    const below = join(slidePath('tiny.svs'), 'inside.svs');
    await expect(openSlide(below)).rejects.toMatchObject({ code: 'NOT_FOUND', path: below });
  });

  it('a directory is NOT_A_FILE', async () => {
    await expect(openSlide(scratch)).rejects.toMatchObject({
      code: 'NOT_A_FILE',
      path: scratch,
      message: `${scratch}: is a directory, not a slide file`,
    });
  });

  it('a device is NOT_A_FILE', async () => {
    await expect(openSlide('/dev/null')).rejects.toMatchObject({ code: 'NOT_A_FILE', path: '/dev/null' });
  });

  it('an empty path is INVALID_ARGUMENT', async () => {
    const error = await openSlide('').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlideError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', path: null });
  });

  it('a corrupt slide opens, then its read fails with READ_FAILED and the slide reports failed', async () => {
    const slide = await openSlide(UNREADABLE);
    expect(slide.info.vendor).toBe('aperio');
    expect(slide.failed).toBe(false);
    const error = await slide.readRegion(0, 0, 0, 16, 16).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlideError);
    expect(error).toMatchObject({ code: 'READ_FAILED', path: UNREADABLE });
    expect((error as Error).message).toMatch(/^.*unreadable\.svs: cannot read region .*Bogus marker length/);
    expect(slide.failed).toBe(true);
    // The error latches on the handle: metadata from the cached info still works, reads keep failing.
    expect(slide.bestLevelForDownsample(4)).toBe(0);
    await expect(slide.readRegion(0, 0, 0, 8, 8)).rejects.toMatchObject({ code: 'READ_FAILED' });
    slide.close();
  });
});
