import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceError } from '../../../../src-main/core/inference/errors.js';
import { encodeJpegTile, JPEG_TILE_SUBSAMPLING } from '../../../../src-main/core/inference/jpeg-tile.js';
import { pyramidLevelTags } from '../../../../src-main/core/inference/tiff/pyramid-tags.js';
import {
  chooseTiffFormat,
  encodeTiffDirectory,
  tiffDirectorySize,
  type TiffFormat,
} from '../../../../src-main/core/inference/tiff/tiff-directory.js';
import { TiffFileWriter } from '../../../../src-main/core/inference/tiff/tiff-file-writer.js';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import { tiffcpDecodeErrors, tiffdump, tiffinfoErrors } from './tiff-tools.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-tiff-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A smooth colour ramp, so every tile differs and JPEG keeps it within a few grey levels. */
function rampImage(widthPx: number, heightPx: number): Uint8Array {
  const rgb = new Uint8Array(widthPx * heightPx * 3);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) {
      const i = (y * widthPx + x) * 3;
      rgb[i] = Math.round((255 * x) / widthPx);
      rgb[i + 1] = Math.round((255 * y) / heightPx);
      rgb[i + 2] = 128;
    }
  }
  return rgb;
}

/** Writes a pyramid of `sizes` (each level a resize of the ramp) tile by tile with our writer. */
async function writeRampPyramid(
  path: string,
  sizes: readonly [number, number][],
  format: TiffFormat,
  tileSizePx = 64,
): Promise<number> {
  const writer = await TiffFileWriter.create(path, format);
  const directories = [];
  for (const [level, [w, h]] of sizes.entries()) {
    const image = rampImage(w, h);
    const columns = Math.ceil(w / tileSizePx);
    const rows = Math.ceil(h / tileSizePx);
    const offsets: number[] = [];
    const counts: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const tile = new Uint8Array(tileSizePx * tileSizePx * 3).fill(255);
        for (let y = 0; y < tileSizePx && r * tileSizePx + y < h; y++) {
          const x0 = c * tileSizePx;
          const from = ((r * tileSizePx + y) * w + x0) * 3;
          tile.set(image.subarray(from, from + Math.min(tileSizePx, w - x0) * 3), y * tileSizePx * 3);
        }
        const jpeg = await encodeJpegTile(tile, tileSizePx, 95);
        offsets.push(await writer.append(jpeg));
        counts.push(jpeg.length);
      }
    }
    directories.push(
      pyramidLevelTags(
        {
          widthPx: w,
          heightPx: h,
          tileSizePx,
          tileOffsets: offsets,
          tileByteCounts: counts,
          reduced: level > 0,
          ycbcrSubsampling: JPEG_TILE_SUBSAMPLING,
          mpp: { x: 0.5 * 2 ** level, y: 0.5 * 2 ** level },
          ...(level === 0 ? { description: 'histo-fetch test|mpp-x=0.5' } : {}),
        },
        format,
      ),
    );
  }
  return writer.finish(directories);
}

describe('pyramidal TIFF writer', () => {
  it('writes a classic tiled JPEG pyramid that libtiff reads tag by tag', async () => {
    const path = join(folder, 'classic.tif');
    const bytes = await writeRampPyramid(
      path,
      [
        [300, 200],
        [150, 100],
        [75, 50],
      ],
      'classic',
    );
    expect((await readFile(path)).length).toBe(bytes);
    expect(await tiffinfoErrors(path)).toBe('');
    expect(await tiffcpDecodeErrors(path, join(folder, 'classic-decoded.tif'))).toBe('');
    const { magic, directories } = await tiffdump(path);
    expect(magic).toBe('2a');
    expect(directories).toHaveLength(3);
    const [d0, d1] = directories;
    expect(d0!.get(254)!.values).toBe('0');
    expect(d1!.get(254)!.values).toBe('1'); // reduced resolution
    expect(d0!.get(256)!.values).toBe('300');
    expect(d0!.get(257)!.values).toBe('200');
    expect(d1!.get(256)!.values).toBe('150');
    expect(d0!.get(322)!.values).toBe('64');
    expect(d0!.get(323)!.values).toBe('64');
    expect(d0!.get(259)!.values).toBe('7'); // JPEG
    expect(d0!.get(262)!.values).toBe('6'); // YCbCr
    expect(d0!.get(530)!.values).toBe('2 2');
    expect(d0!.get(324)!.type).toBe('LONG');
    expect(d0!.get(324)!.count).toBe(5 * 4);
    expect(d1!.get(324)!.count).toBe(3 * 2);
    expect(d0!.get(282)!.values).toBe('20000'); // 0.5 um/px = 20000 px/cm
    expect(d0!.get(296)!.values).toBe('3');
    expect(d0!.has(270)).toBe(true);
    expect(d1!.has(270)).toBe(false);
  });

  it('gives OpenSlide a generic-tiff slide with every level and the pixels written', async () => {
    const path = join(folder, 'levels.tif');
    await writeRampPyramid(
      path,
      [
        [300, 200],
        [150, 100],
        [75, 50],
      ],
      'classic',
    );
    const slide = await openSlide(path);
    try {
      expect(slide.info.vendor).toBe('generic-tiff');
      expect(slide.info.levels.map((l) => [l.width, l.height])).toEqual([
        [300, 200],
        [150, 100],
        [75, 50],
      ]);
      expect(slide.info.properties['tiff.ImageDescription']).toBe('histo-fetch test|mpp-x=0.5');
      for (const [level, [w, h]] of [
        [300, 200],
        [150, 100],
        [75, 50],
      ].entries()) {
        const region = await slide.readRegion(0, 0, level, w!, h!);
        const expected = rampImage(w!, h!);
        let error = 0;
        for (let i = 0; i < expected.length; i++) error += Math.abs(region.data[i]! - expected[i]!);
        expect(error / expected.length).toBeLessThan(2);
      }
    } finally {
      slide.close();
    }
  });

  it('writes BigTIFF when asked, and OpenSlide opens it alike', async () => {
    const path = join(folder, 'big.tif');
    await writeRampPyramid(
      path,
      [
        [200, 130],
        [100, 65],
      ],
      'bigtiff',
    );
    const { magic, directories } = await tiffdump(path);
    expect(magic).toBe('2b');
    expect(await tiffcpDecodeErrors(path, join(folder, 'big-decoded.tif'))).toBe('');
    expect(directories.map((d) => d.get(256)!.values)).toEqual(['200', '100']);
    expect(directories[0]!.get(324)!.type).toBe('LONG8');
    const slide = await openSlide(path);
    try {
      expect(slide.info.levels.map((l) => [l.width, l.height])).toEqual([
        [200, 130],
        [100, 65],
      ]);
      const pixel = await slide.readRegion(100, 65, 0, 1, 1);
      expect(Math.abs(pixel.data[0]! - 128)).toBeLessThan(4);
    } finally {
      slide.close();
    }
  });

  it('switches to BigTIFF once the file would pass the threshold', () => {
    const tags = pyramidLevelTags(
      {
        widthPx: 512,
        heightPx: 512,
        tileSizePx: 256,
        tileOffsets: [0, 0, 0, 0],
        tileByteCounts: [0, 0, 0, 0],
        reduced: false,
        ycbcrSubsampling: [2, 2],
      },
      'classic',
    );
    const overhead = 8 + tiffDirectorySize(tags, 'classic');
    expect(chooseTiffFormat(1000, [tags], 1000 + overhead)).toBe('classic');
    expect(chooseTiffFormat(1002, [tags], 1000 + overhead)).toBe('bigtiff');
    // The default threshold is what 32-bit offsets reach.
    expect(chooseTiffFormat(4_000_000_000, [tags])).toBe('classic');
    expect(chooseTiffFormat(2 ** 32, [tags])).toBe('bigtiff');
  });

  it('refuses offsets beyond 4 GiB in a classic TIFF', () => {
    const tags = [{ tag: 324, type: 'LONG' as const, values: [2 ** 32] }];
    let error: unknown;
    try {
      encodeTiffDirectory([...tags, { tag: 256, type: 'LONG', values: [1] }], 8, 0, 'classic');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as InferenceError).code).toBe('TIFF_TOO_LARGE');
    // BigTIFF stores the same value as LONG8.
    const big = encodeTiffDirectory([{ tag: 324, type: 'LONG8', values: [2 ** 32] }], 16, 0, 'bigtiff');
    expect(big.readBigUInt64LE(8 + 12)).toBe(2n ** 32n);
  });

  it('decodes the JPEG tiles it writes to the same size with sharp', async () => {
    const jpeg = await encodeJpegTile(rampImage(64, 64), 64, 90);
    const meta = await sharp(jpeg).metadata();
    expect([meta.width, meta.height, meta.chromaSubsampling]).toEqual([64, 64, '4:2:0']);
  });
});
