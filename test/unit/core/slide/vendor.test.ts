import { describe, expect, it } from 'vitest';

import { detectVendor } from '../../../../src-main/core/slide/index.js';
import { UNOPENABLE, USABLE_SLIDES, slidePath } from '../../../native/helpers/fixtures.js';
import { showProperties } from '../../../native/helpers/openslide-tools.js';

describe('detectVendor', () => {
  it('names the vendor openslide-show-properties reports, for every slide', async () => {
    for (const name of USABLE_SLIDES) {
      const reference = await showProperties(slidePath(name));
      expect(detectVendor(slidePath(name)), name).toBe(reference['openslide.vendor']);
    }
  });

  it('detects a slide it cannot open, and nothing in a text file or a missing path', () => {
    expect(detectVendor(UNOPENABLE)).toBe('generic-tiff');
    expect(detectVendor(slidePath('SOURCES.md'))).toBeNull();
    expect(detectVendor(slidePath('missing.svs'))).toBeNull();
  });
});
