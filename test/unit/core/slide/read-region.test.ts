import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  MAX_REGION_PIXELS,
  SlideError,
  openSlide,
  type Slide,
} from '../../../../src-main/core/slide/index.js';
import { parseBackgroundColor, readSlideInfo } from '../../../../src-main/core/slide/info.js';
import { OpenSlideSlide } from '../../../../src-main/core/slide/slide.js';
import { loadOpenSlideAddon } from '../../../../src-main/native/openslide/index.js';
import { USABLE_SLIDES, slidePath } from '../../../native/helpers/fixtures.js';
import { writePngReference } from '../../../native/helpers/openslide-tools.js';

const BRACS = slidePath('bracs-1640-crop.tiff');

describe('Slide.readRegion', () => {
  let slide: Slide;
  beforeAll(async () => {
    slide = await openSlide(BRACS);
  });
  afterAll(() => slide.close());

  it('returns RGB by default and RGBA on request, sized by the level', async () => {
    const rgb = await slide.readRegion(64, 32, 1, 40, 30);
    expect([rgb.width, rgb.height, rgb.channels, rgb.data.length]).toEqual([40, 30, 3, 40 * 30 * 3]);
    const rgba = await slide.readRegion(64, 32, 1, 40, 30, { format: 'rgba' });
    expect([rgba.channels, rgba.data.length]).toEqual([4, 40 * 30 * 4]);
  });

  it('passes coordinates in OpenSlide order: RGBA equals openslide-write-png', async () => {
    const ndpi = await openSlide(slidePath('ndpi-dapi.ndpi'));
    const ours = await ndpi.readRegion(1200, 800, 2, 120, 90, { format: 'rgba' });
    ndpi.close();
    expect(ours.data.equals(await writePngReference(ndpi.path, 1200, 800, 2, 120, 90))).toBe(true);
  });

  it('reads the parts outside the slide as transparent (RGBA) or the background (RGB)', async () => {
    const rgba = await slide.readRegion(-10, -10, 0, 20, 20, { format: 'rgba' });
    const rgb = await slide.readRegion(-10, -10, 0, 20, 20, { background: [1, 2, 3] });
    const white = await slide.readRegion(-10, -10, 0, 20, 20);
    expect([...rgba.data.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...rgb.data.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect([...white.data.subarray(0, 3)]).toEqual([255, 255, 255]);
    const inside = (15 * 20 + 15) * 4;
    expect(rgba.data[inside + 3]).toBe(255);
  });

  const path = BRACS;
  const refusals: Array<[string, () => Promise<unknown>, string]> = [
    [
      'a negative level',
      () => slide.readRegion(0, 0, -1, 8, 8),
      'Expected a non-negative integer for level but received -1',
    ],
    [
      'a level out of range',
      () => slide.readRegion(0, 0, 9, 8, 8),
      'level 9 is out of range: the slide has 3 levels (0-2)',
    ],
    [
      'a fractional coordinate',
      () => slide.readRegion(1.5, 0, 0, 8, 8),
      'Expected an integer for level0X but received 1.5',
    ],
    [
      'a NaN coordinate',
      () => slide.readRegion(0, Number.NaN, 0, 8, 8),
      'Expected an integer for level0Y but received NaN',
    ],
    [
      'an unsafe coordinate',
      () => slide.readRegion(2 ** 60, 0, 0, 8, 8),
      `Expected an integer for level0X but received ${2 ** 60}`,
    ],
    [
      'a zero width',
      () => slide.readRegion(0, 0, 0, 0, 8),
      'Expected a positive integer for width but received 0',
    ],
    [
      'a negative height',
      () => slide.readRegion(0, 0, 0, 8, -4),
      'Expected a positive integer for height but received -4',
    ],
    [
      'a huge region',
      () => slide.readRegion(0, 0, 0, 100_000, 100_000),
      `region 100000x100000 is 10000000000 pixels, above the limit of ${MAX_REGION_PIXELS} pixels for one read; read it in smaller tiles`,
    ],
    [
      'negative coordinates outside the slide',
      () => slide.readRegion(-5000, -5000, 0, 256, 256),
      'region x=-5000 y=-5000 256x256 at level 0 lies entirely outside the slide (level-0 size 650x743)',
    ],
    [
      'huge coordinates',
      () => slide.readRegion(1e12, 0, 2, 256, 256),
      'region x=1000000000000 y=0 256x256 at level 2 lies entirely outside the slide (level-0 size 650x743)',
    ],
    [
      'an unknown format',
      () => slide.readRegion(0, 0, 0, 8, 8, { format: 'bgr' as 'rgb' }),
      "Expected 'rgb' or 'rgba' for format but received 'bgr'",
    ],
    [
      'a bad background',
      () => slide.readRegion(0, 0, 0, 8, 8, { background: [0, 0, 300] }),
      'Expected [r, g, b] with integers 0-255 for background but received an array',
    ],
  ];
  for (const [what, call, detail] of refusals) {
    it(`refuses ${what} with a clear INVALID_ARGUMENT`, async () => {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SlideError);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', path, detail, message: `${path}: ${detail}` });
      expect(slide.failed).toBe(false);
    });
  }

  it('applies a lower maxRegionPixels before allocating', async () => {
    const small = await openSlide(BRACS, { maxRegionPixels: 100 });
    await expect(small.readRegion(0, 0, 0, 10, 10)).resolves.toMatchObject({ width: 10 });
    await expect(small.readRegion(0, 0, 0, 11, 10)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringMatching(/^region 11x10 is 110 pixels, above the limit of 100 pixels/),
    });
    small.close();
  });

  it('rejects reads after close with CLOSED, while reads in flight still resolve', async () => {
    const other = await openSlide(slidePath('cmu-1-small-region.svs'));
    const inFlight = [0, 1, 2, 3].map((i) => other.readRegion(i * 300, 500, 0, 256, 256));
    other.close();
    expect(other.closed).toBe(true);
    for (const image of await Promise.all(inFlight)) expect(image.data.length).toBe(256 * 256 * 3);
    await expect(other.readRegion(0, 0, 0, 8, 8)).rejects.toMatchObject({
      code: 'CLOSED',
      message: `${other.path}: the slide is closed`,
    });
    await expect(other.readAssociatedImage('label')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe("RGB reads composite on the slide's openslide.background-color", () => {
  // No test slide carries the property (OpenSlide sets it for formats such as MIRAX), so
  // the facade goes over a real handle with the info the property yields.
  it('fills the part outside the slide with that colour and leaves the tissue unchanged', async () => {
    const native = await loadOpenSlideAddon().open(BRACS);
    const read = readSlideInfo(native, BRACS, 'test');
    const property = 'e0a050';
    const info = {
      ...read,
      properties: { ...read.properties, 'openslide.background-color': property },
      backgroundRgb: parseBackgroundColor(property),
    };
    const coloured = new OpenSlideSlide(native, info, { maxRegionPixels: MAX_REGION_PIXELS });
    // Level 1 (325x371): crosses the right and bottom edges.
    const region = [401, 501, 1, 200, 200] as const;
    try {
      const rgb = await coloured.readRegion(...region);
      const rgba = await coloured.readRegion(...region, { format: 'rgba' });
      const explicit = await coloured.readRegion(...region, { background: [0xe0, 0xa0, 0x50] });
      const onWhite = await (async () => {
        const plain = await openSlide(BRACS);
        try {
          expect(plain.info.backgroundRgb).toEqual([255, 255, 255]);
          return await plain.readRegion(...region);
        } finally {
          plain.close();
        }
      })();
      expect(rgb.data.equals(explicit.data)).toBe(true);
      let [transparent, opaque, mismatches] = [0, 0, 0];
      for (let i = 0; i < 200 * 200; i++) {
        const alpha = rgba.data[4 * i + 3]!;
        const pixel = [...rgb.data.subarray(3 * i, 3 * i + 3)];
        if (alpha === 0) {
          transparent++;
          if (pixel.join() !== [0xe0, 0xa0, 0x50].join()) mismatches++;
        } else if (alpha === 255) {
          opaque++;
          if (pixel.join() !== [...onWhite.data.subarray(3 * i, 3 * i + 3)].join()) mismatches++;
        }
      }
      expect(mismatches).toBe(0);
      expect(transparent).toBeGreaterThan(10_000);
      expect(opaque).toBeGreaterThan(10_000);
    } finally {
      coloured.close();
    }
  });
});

describe('Slide.bestLevelForDownsample', () => {
  it("matches OpenSlide's own choice on every slide, except on a level marked unreliable", async () => {
    const addon = loadOpenSlideAddon();
    const downsamples = [0.25, 1, 1.5, 2, 2.0005, 2.1, 3.99, 4, 4.1, 8, 15.9, 16, 33, 64, 65, 1e6];
    for (const name of USABLE_SLIDES) {
      const slide = await openSlide(slidePath(name));
      const native = await addon.open(slidePath(name));
      for (const downsample of downsamples) {
        const openslideLevel = native.bestLevelForDownsample(downsample);
        const ours = slide.bestLevelForDownsample(downsample);
        if (slide.info.levels[openslideLevel]!.unreliable === undefined) {
          expect(ours, `${name} ${downsample}`).toBe(openslideLevel);
        } else {
          expect(ours, `${name} ${downsample}`).toBe(openslideLevel - 1);
        }
      }
      slide.close();
      native.close();
    }
  });

  it('passes over a level whose tiles are larger than the level (its pixels are undefined)', async () => {
    const slide = await openSlide(BRACS);
    // Level 2 is 162x185 px stored in 256x256 tiles; level 1 (325x371) is fine.
    expect(slide.info.levels[2]!.unreliable).toMatch(/162x185\) has 256x256 tiles/);
    expect(slide.info.levels[1]!.unreliable).toBeUndefined();
    expect(slide.bestLevelForDownsample(4.1)).toBe(1);
    expect(slide.bestLevelForDownsample(2.1)).toBe(1);
    slide.close();
  });

  it('refuses a downsample that is not a positive number', async () => {
    const slide = await openSlide(BRACS);
    expect(() => slide.bestLevelForDownsample(0)).toThrow(
      'Expected a positive number for downsample but received 0',
    );
    expect(() => slide.bestLevelForDownsample(Number.NaN)).toThrow(SlideError);
    slide.close();
  });
});

describe('Slide.readAssociatedImage', () => {
  it('reads a label as RGB or RGBA', async () => {
    const slide = await openSlide(slidePath('cmu-1-small-region.svs'));
    const rgb = await slide.readAssociatedImage('label');
    const rgba = await slide.readAssociatedImage('label', { format: 'rgba' });
    slide.close();
    expect([rgb.width, rgb.height, rgb.channels, rgb.data.length]).toEqual([387, 463, 3, 387 * 463 * 3]);
    expect([rgba.channels, rgba.data.length]).toEqual([4, 387 * 463 * 4]);
    expect([...rgb.data.subarray(0, 3)]).toEqual([...rgba.data.subarray(0, 3)]);
  });

  it('names the images a slide has when asked for another', async () => {
    const slide = await openSlide(slidePath('cmu-1-small-region.svs'));
    await expect(slide.readAssociatedImage('overview')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: "the slide has no associated image 'overview' (it has: label, macro, thumbnail)",
    });
    slide.close();
    const tiff = await openSlide(BRACS);
    await expect(tiff.readAssociatedImage('label')).rejects.toMatchObject({
      detail: "the slide has no associated image 'label' (it has: none)",
    });
    tiff.close();
  });
});
