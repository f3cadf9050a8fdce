import { describe, expect, it } from 'vitest';

import { loadOpenSlideAddon } from '../../src-main/native/openslide/index.js';
import { UNOPENABLE, UNREADABLE, slidePath } from './helpers/fixtures.js';

const addon = loadOpenSlideAddon();

describe('native errors carry a code and the file', () => {
  it('rejects an unopenable TIFF with UNSUPPORTED_FORMAT and OpenSlide message', async () => {
    await expect(addon.open(UNOPENABLE)).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      path: UNOPENABLE,
      message: `${UNOPENABLE}: recognized as generic-tiff but OpenSlide cannot open it: Unsupported TIFF compression: 52479`,
    });
  });

  it('rejects a file OpenSlide does not recognise', async () => {
    const path = slidePath('SOURCES.md');
    await expect(addon.open(path)).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      path,
      detail: 'not a file that OpenSlide can recognize',
    });
  });

  it('opens a corrupt slide, fails the read with READ_FAILED, and latches the error on the handle', async () => {
    const slide = await addon.open(UNREADABLE);
    expect(slide.error).toBeNull();
    await expect(slide.readRegion(0, 0, 0, 16, 16)).rejects.toMatchObject({
      code: 'READ_FAILED',
      path: UNREADABLE,
      message: expect.stringMatching(
        /unreadable\.svs: cannot read region x=0 y=0 level 0 16x16: .*Bogus marker length/,
      ),
    });
    expect(slide.error).toMatch(/Bogus marker length/);
    // OpenSlide errors are sticky: every later call on this handle fails too.
    expect(() => slide.levelCount()).toThrow(
      expect.objectContaining({ code: 'READ_FAILED', path: UNREADABLE }),
    );
    expect(() => slide.readRegion(0, 0, 0, 16, 16)).toThrow(
      expect.objectContaining({ code: 'READ_FAILED', message: expect.stringMatching(/failed earlier/) }),
    );
    slide.close();
  });

  it('reports a failed associated image read', async () => {
    const slide = await addon.open(UNREADABLE);
    await expect(slide.readAssociatedImage('thumbnail')).rejects.toMatchObject({
      code: 'READ_FAILED',
      path: UNREADABLE,
      message: expect.stringMatching(/cannot read associated image 'thumbnail'/),
    });
    slide.close();
  });

  it('refuses bad arguments with INVALID_ARGUMENT TypeErrors instead of crashing', async () => {
    const path = slidePath('cmu-1-small-region.svs');
    const slide = await addon.open(path);
    const calls: Array<[() => unknown, RegExp]> = [
      [() => slide.readRegion('0' as unknown as number, 0, 0, 1, 1), /Expected a number for level0X/],
      [() => slide.readRegion(0.5, 0, 0, 1, 1), /Expected a safe integer for level0X/],
      [() => slide.readRegion(0, Number.NaN, 0, 1, 1), /Expected a finite number for level0Y/],
      [() => slide.readRegion(0, 0, 3, 1, 1), /level 3 is out of range: the slide has 1 levels/],
      [() => slide.readRegion(0, 0, -1, 1, 1), /level -1 is out of range/],
      [() => slide.readRegion(0, 0, 0, 0, 1), /must be positive and at most 268435456 pixels/],
      [() => slide.readRegion(0, 0, 0, 2 ** 20, 2 ** 20), /must be positive and at most 268435456 pixels/],
      [() => slide.readRegion(0, 0, 0, 1, 1, 'bgr' as 'rgb'), /Expected 'rgb' or 'rgba' for format/],
      [
        () => slide.readRegion(0, 0, 0, 1, 1, 'rgb', [1, 2] as unknown as [number, number, number]),
        /background/,
      ],
      [() => slide.readRegion(0, 0, 0, 1, 1, 'rgb', [1, 2, 256]), /Expected integers 0-255/],
      [() => slide.levelDimensions(1), /level 1 is out of range/],
      [() => slide.associatedImageDimensions('nope'), /has no associated image 'nope'/],
      [() => addon.open(42 as unknown as string), /Expected a string for path/],
    ];
    for (const [call, message] of calls) {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) }),
      );
    }
    slide.close();
  });

  it('cannot construct a Slide directly', async () => {
    const slide = await addon.open(slidePath('tiny.svs'));
    const SlideClass = slide.constructor as new () => unknown;
    expect(() => new SlideClass()).toThrow(/use open\(path\)/);
    slide.close();
  });
});
