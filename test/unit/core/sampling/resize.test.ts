import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { PatchImageError, type PatchImage } from '../../../../src-main/core/sampling/patch-image.js';
import { resizeWithSharp } from '../../../../src-main/core/sampling/resize-sharp.js';
import { resizePatch, resizePatchSync } from '../../../../src-main/core/sampling/resize.js';
import {
  CMU_SMALL,
  meanAbsDiff,
  pillowResize,
  readSlideRegion,
  sameBytes,
  solidPatch,
} from './fixture-patch.js';

/** Crops the top-left `size` x `size` square of a patch. */
function crop(image: PatchImage, size: number): PatchImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    data.set(image.data.subarray(y * image.width * 3, (y * image.width + size) * 3), y * size * 3);
  }
  return { width: size, height: size, data };
}

async function sharpLanczos3(image: PatchImage, width: number, height: number): Promise<Uint8Array> {
  const raw = { width: image.width, height: image.height, channels: 3 } as const;
  const out = await sharp(image.data, { raw })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
  return new Uint8Array(out);
}

describe('resizePatch', () => {
  let region: PatchImage;
  beforeAll(async () => {
    region = await readSlideRegion(CMU_SMALL, 600, 900, 1024, 1024);
  });

  it.each(['lanczos3', 'area'] as const)(
    'keeps a constant image constant with %s, down and up, at non-integer ratios',
    (filter) => {
      const flat = solidPatch(301, 203, [37, 150, 222]);
      for (const [w, h] of [
        [77, 101],
        [640, 333],
      ] as const) {
        const out = resizePatchSync(flat, w, h, { filter });
        expect([out.width, out.height, out.data.length]).toEqual([w, h, w * h * 3]);
        expect(sameBytes(out.data, solidPatch(w, h, [37, 150, 222]).data)).toBe(true);
      }
    },
  );

  it('downscales by exactly 4 with the area filter to the 4x4 block means', () => {
    const out = resizePatchSync(region, 256, 256, { filter: 'area' });
    let worst = 0;
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = 0; dy < 4; dy++) {
            for (let dx = 0; dx < 4; dx++) sum += region.data[((4 * y + dy) * 1024 + 4 * x + dx) * 3 + c]!;
          }
          worst = Math.max(worst, Math.abs(out.data[(y * 256 + x) * 3 + c]! - sum / 16));
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(0.5); // only the final rounding
  });

  it('resizes 1001 px to 256 px at the exact ratio and matches sharp lanczos3 on a real patch', async () => {
    const source = crop(region, 1001);
    const ours = resizePatchSync(source, 256, 256);
    expect([ours.width, ours.height, ours.data.length]).toEqual([256, 256, 256 * 256 * 3]);
    const theirs = await sharpLanczos3(source, 256, 256);
    expect(meanAbsDiff(ours.data, theirs)).toBeLessThan(0.5);
  });

  it('keeps the field of view at a non-integer ratio (an edge at 40% stays at 40%)', () => {
    // Columns < 400.4 of 1001 are black, the rest white: at 256 px the edge must sit at 102.4, where a
    // factor rounded to 4 would put it at 100.1 and one rounded to 3.9 at 102.7.
    const src = solidPatch(1001, 8, [255, 255, 255]);
    for (let y = 0; y < 8; y++) src.data.fill(0, y * 1001 * 3, (y * 1001 + 400) * 3);
    for (let y = 0; y < 8; y++) src.data.fill(102, (y * 1001 + 400) * 3, (y * 1001 + 401) * 3);
    for (const filter of ['area', 'lanczos3'] as const) {
      const out = resizePatchSync(src, 256, 2, { filter });
      // Total darkness along the row = position of the edge in output pixels.
      let dark = 0;
      for (let x = 0; x < 256; x++) dark += 1 - out.data[x * 3]! / 255;
      expect(dark).toBeCloseTo((400 + (255 - 102) / 255) / (1001 / 256), 1);
    }
  });

  it('matches Pillow LANCZOS closely when downscaling and upscaling a real patch', async () => {
    // Pillow computes the same Lanczos-3 with the same pixel-centre alignment (in fixed point), so the
    // residue is rounding. sharp differs more when upscaling (MAE ~1.7) and at exact 4x (box pre-shrink).
    for (const size of [1001, 257, 181]) {
      const source = crop(region, size);
      const ours = resizePatchSync(source, 256, 256);
      expect([ours.width, ours.height]).toEqual([256, 256]);
      expect(meanAbsDiff(ours.data, await pillowResize(source, 256, 256))).toBeLessThan(0.2);
    }
  });

  it('returns a copy at equal size and leaves the input untouched', () => {
    const source = crop(region, 64);
    const before = source.data.slice();
    const out = resizePatchSync(source, 64, 64);
    expect(out.data).toEqual(before);
    expect(out.data === source.data).toBe(false);
    resizePatchSync(source, 13, 50);
    expect(source.data).toEqual(before);
  });

  it('rejects bad sizes, filters and buffers with a clear message', () => {
    const source = solidPatch(4, 4, [0, 0, 0]);
    expect(() => resizePatchSync(source, 0, 4)).toThrow(/positive integer for resize width but received 0/);
    expect(() => resizePatchSync(source, 4, 2.5)).toThrow(PatchImageError);
    expect(() => resizePatchSync(source, 4, 4, { filter: 'cubic' as never })).toThrow(/resize filter/);
    expect(() => resizePatchSync({ width: 4, height: 4, data: new Uint8Array(47) }, 2, 2)).toThrow(
      /Expected 48 bytes of RGB data for a 4x4 patch but received 47/,
    );
  });
});

describe('resizePatch (the default: sharp for Lanczos downscales, ours otherwise)', () => {
  let region: PatchImage;
  beforeAll(async () => {
    region = await readSlideRegion(CMU_SMALL, 300, 1200, 600, 600);
  });

  it('hands Lanczos downscales to sharp and upscales and the area filter to ours', async () => {
    const down = await resizePatch(region, 256, 256);
    expect(sameBytes(down.data, (await resizeWithSharp(region, 256, 256)).data)).toBe(true);
    const small = crop(region, 250);
    const up = await resizePatch(small, 256, 256);
    expect(sameBytes(up.data, resizePatchSync(small, 256, 256).data)).toBe(true);
    const area = await resizePatch(region, 256, 256, { filter: 'area' });
    expect(sameBytes(area.data, resizePatchSync(region, 256, 256, { filter: 'area' }).data)).toBe(true);
    const js = await resizePatch(region, 256, 256, { engine: 'js' });
    expect(sameBytes(js.data, resizePatchSync(region, 256, 256).data)).toBe(true);
    expect(meanAbsDiff(down.data, js.data)).toBeLessThan(0.5);
  });

  it('stretches non-square footprints to the exact size through sharp too', async () => {
    const out = await resizePatch(crop(region, 600), 200, 100, { engine: 'sharp' });
    expect([out.width, out.height, out.data.length]).toEqual([200, 100, 200 * 100 * 3]);
  });

  it('returns a copy at equal size and rejects an unknown engine', async () => {
    const same = await resizePatch(region, 600, 600);
    expect(same.data === region.data).toBe(false);
    expect(sameBytes(same.data, region.data)).toBe(true);
    await expect(resizePatch(region, 256, 256, { engine: 'gpu' as never })).rejects.toThrow(
      /resize engine but received gpu/,
    );
  });
});
