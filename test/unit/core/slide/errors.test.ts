import { describe, expect, it } from 'vitest';

import { SlideError, UnsupportedFormatError, toSlideError } from '../../../../src-main/core/slide/index.js';
import { AddonMissingError, loadOpenSlideAddon } from '../../../../src-main/native/openslide/index.js';
import { UNOPENABLE, UNREADABLE } from '../../../native/helpers/fixtures.js';

describe('toSlideError', () => {
  it('maps what the addon rejects with to typed errors that keep its code, file and cause', async () => {
    const addon = loadOpenSlideAddon();
    const unopenable = await addon.open(UNOPENABLE).catch((e: unknown) => e);
    const mapped = toSlideError(unopenable, UNOPENABLE, 'generic-tiff');
    expect(mapped).toBeInstanceOf(UnsupportedFormatError);
    expect(mapped).toMatchObject({ path: UNOPENABLE, vendor: 'generic-tiff', cause: unopenable });
    expect(mapped.message).toBe((unopenable as Error).message);

    const slide = await addon.open(UNREADABLE);
    const failed = await slide.readRegion(0, 0, 0, 16, 16).catch((e: unknown) => e);
    slide.close();
    expect(toSlideError(failed, UNREADABLE)).toMatchObject({ code: 'READ_FAILED', path: UNREADABLE });
  });

  it('reports a missing addon as ADDON_MISSING with its instructions', () => {
    const missing = new AddonMissingError('build it: npm run build:native', ['/x.node']);
    const mapped = toSlideError(missing, '/slides/a.svs');
    expect(mapped).toBeInstanceOf(SlideError);
    expect(mapped).toMatchObject({
      code: 'ADDON_MISSING',
      path: null,
      message: 'build it: npm run build:native',
    });
  });

  it('passes SlideErrors through and treats anything unknown as READ_FAILED', () => {
    const original = new SlideError('NOT_FOUND', '/a.svs', 'no such file');
    expect(toSlideError(original, '/b.svs')).toBe(original);
    expect(toSlideError(new Error('EIO'), '/a.svs')).toMatchObject({
      code: 'READ_FAILED',
      message: '/a.svs: EIO',
    });
    expect(toSlideError('boom', '/a.svs')).toMatchObject({ code: 'READ_FAILED', detail: 'boom' });
  });
});
