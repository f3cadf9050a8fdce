import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resizePatch } from '../../../../src-main/core/sampling/resize.js';
import { InferenceError } from '../../../../src-main/core/inference/errors.js';
import type { TileTransform } from '../../../../src-main/core/inference/tile-transform.js';
import {
  translateSlide,
  type TranslateProgress,
  type TranslateSlideOptions,
} from '../../../../src-main/core/inference/translate-slide.js';
import { openSlide, type Slide } from '../../../../src-main/core/slide/index.js';
import { tiffcpDecodeErrors, tiffdump } from './tiff-tools.js';

const SLIDES = join(import.meta.dirname, '../../../fixtures/slides');

let folder: string;
let cmu: Slide;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-translate-'));
  cmu = await openSlide(join(SLIDES, 'cmu-1-small-region.svs'));
});
afterAll(async () => {
  cmu.close();
  await rm(folder, { recursive: true, force: true });
});

/** A deterministic stand-in for a stain transfer: colours inverted. Counts the tiles it sees. */
function invert(): TileTransform & { tiles: number } {
  const transform = Object.assign(
    async ({ count, rgb }: { count: number; rgb: Uint8Array }) => {
      transform.tiles += count;
      return Float32Array.from(rgb, (v) => 255 - v);
    },
    { tiles: 0 },
  );
  return transform;
}

function options(outPath: string, overrides: Partial<TranslateSlideOptions> = {}): TranslateSlideOptions {
  return {
    slide: cmu,
    transform: invert(),
    transformId: 'invert',
    outPath,
    downsample: 2,
    tissueMask: null,
    tileSizePx: 128,
    overlapPx: 16,
    ...overrides,
  };
}

/**
 * What level 0 of the inverted output should hold at output pixel (x, y): the source read at twice the
 * size with a margin, resampled as the translation does (Lanczos-3), inverted.
 */
async function expectedInverted(x: number, y: number, sizePx: number): Promise<Uint8Array> {
  const m = 4;
  const source = await cmu.readRegion(
    2 * (x - m),
    2 * (y - m),
    0,
    2 * (sizePx + 2 * m),
    2 * (sizePx + 2 * m),
  );
  const outer = sizePx + 2 * m;
  const resized = await resizePatch(
    { width: source.width, height: source.height, data: new Uint8Array(source.data) },
    outer,
    outer,
  );
  const out = new Uint8Array(sizePx * sizePx * 3);
  for (let r = 0; r < sizePx; r++) {
    const from = ((r + m) * outer + m) * 3;
    out.set(resized.data.subarray(from, from + sizePx * 3), r * sizePx * 3);
  }
  return out.map((v) => 255 - v);
}

async function meanAbsError(slide: Slide, x: number, y: number, sizePx: number): Promise<number> {
  const expected = await expectedInverted(x, y, sizePx);
  const actual = await slide.readRegion(x, y, 0, sizePx, sizePx);
  let sum = 0;
  for (let i = 0; i < expected.length; i++) sum += Math.abs(expected[i]! - actual.data[i]!);
  return sum / expected.length;
}

describe('translateSlide', () => {
  it('writes a pyramidal JPEG TIFF that OpenSlide opens with the expected size, levels, pixels and mpp', async () => {
    const out = join(folder, 'cmu-inverted.tif');
    const progress: TranslateProgress[] = [];
    const result = await translateSlide(options(out, { jpegQuality: 95 }), {
      onProgress: (p) => progress.push(p),
    });
    expect(result.status).toBe('done');
    expect([result.widthPx, result.heightPx]).toEqual([1110, 1484]);
    expect(result.format).toBe('classic');
    expect(result.mppX).toBeCloseTo(0.998, 6);
    // libtiff decodes every tile of every level.
    expect(await tiffcpDecodeErrors(out, join(folder, 'decoded.tif'))).toBe('');
    const translated = await openSlide(out);
    try {
      expect(translated.info.vendor).toBe('generic-tiff');
      // OpenSlide 3.4.1 gives no openslide.mpp-x here: the slide layer reads the resolution tags.
      expect(translated.info.properties['openslide.mpp-x']).toBeUndefined();
      expect(translated.info.mppX).toBeCloseTo(cmu.info.mppX! * 2, 6);
      expect(translated.info.mppY).toBeCloseTo(cmu.info.mppY! * 2, 6);
      expect(translated.info.levels.map((l) => [l.width, l.height])).toEqual([
        [1110, 1484],
        [555, 742],
        [278, 371],
        [139, 186],
      ]);
      expect(translated.info.properties['tiff.ImageDescription']).toMatch(
        /^histo-fetch translation\|source=cmu-1-small-region.svs\|.*\|downsample=2\|mpp-x=0.998\|mpp-y=0.998/,
      );
      // Level 0 of the output is the source at downsample 2, inverted, up to JPEG's error (quality 95,
      // 4:2:0 chroma: about 5 grey levels on H&E).
      expect(await meanAbsError(translated, 400, 800, 256)).toBeLessThan(7);
      // Lower levels agree with level 0 (compared from the origin: level 2's downsample is 1110/278).
      const level2 = await translated.readRegion(0, 0, 2, 64, 64);
      const level0 = await translated.readRegion(0, 0, 0, 256, 256);
      let levelError = 0;
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 64; x++) {
          let sum = 0;
          for (let dy = 0; dy < 4; dy++)
            for (let dx = 0; dx < 4; dx++) sum += level0.data[((4 * y + dy) * 256 + 4 * x + dx) * 3]!;
          levelError += Math.abs(sum / 16 - level2.data[(y * 64 + x) * 3]!);
        }
      }
      expect(levelError / (64 * 64)).toBeLessThan(2);
    } finally {
      translated.close();
    }
    const sidecar = JSON.parse(await readFile(`${out}.json`, 'utf8'));
    expect(sidecar.mppX).toBeCloseTo(0.998, 6);
    expect(sidecar.source.quickhash).toBe(cmu.info.quickhash);
    expect(sidecar.mppNote).toMatch(/OpenSlide 3.4.1/);
    expect(await readdir(folder)).not.toContain('cmu-inverted.tif.partial');
    const phases = [...new Set(progress.map((p) => p.phase))];
    expect(phases).toEqual(['translate', 'pyramid', 'write']);
    expect(progress.at(-1)!.fraction).toBeCloseTo(1, 6);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it('resumes an interrupted translation and ends with the same file as an uninterrupted run', async () => {
    const whole = join(folder, 'whole.tif');
    await translateSlide(options(whole));
    const out = join(folder, 'resumed.tif');
    const stopAt = (phase: TranslateProgress['phase'], done: number) => {
      const controller = new AbortController();
      return {
        signal: controller.signal,
        onProgress: (p: TranslateProgress) => {
          if (p.phase === phase && p.done >= done) controller.abort();
        },
      };
    };
    // Stopped after 60 of 140 network tiles: finished strips stay in the work folder, no TIFF yet.
    const first = await translateSlide(options(out), stopAt('translate', 60));
    expect(first.status).toBe('cancelled');
    await expect(stat(out)).rejects.toThrow();
    const index = JSON.parse(await readFile(join(`${out}.partial`, 'index.json'), 'utf8'));
    expect(index.levels[0].rowsDone).toBeGreaterThan(0);
    // Stopped again while building the lower levels.
    const transform = invert();
    const second = await translateSlide(options(out, { transform }), stopAt('pyramid', 1));
    expect(second.status).toBe('cancelled');
    expect(second.resumedFromTiffRow).toBe(index.levels[0].rowsDone);
    expect(transform.tiles).toBeLessThan(140);
    const third = await translateSlide(options(out));
    expect(third.status).toBe('done');
    expect(third.resumedFromTiffRow).toBe(6); // level 0 was complete
    expect((await readFile(out)).equals(await readFile(whole))).toBe(true);
  });

  it('translates only tissue tiles: background tiles skip the transform and stay white', async () => {
    // A mask (thumbnail scale) with tissue only in its left quarter.
    const mask = { width: 100, height: 134, data: new Uint8Array(100 * 134) };
    for (let y = 0; y < 134; y++) mask.data.fill(1, y * 100, y * 100 + 25);
    const transform = invert();
    const out = join(folder, 'masked.tif');
    const result = await translateSlide(options(out, { tissueMask: mask, transform }));
    expect(result.tissueTiles).toBe(transform.tiles);
    expect(result.backgroundTiles).toBeGreaterThan(result.tissueTiles);
    expect(result.tissueTiles + result.backgroundTiles).toBe(10 * 14);
    const translated = await openSlide(out);
    try {
      // Tissue reaches output x 277; the last tissue tile (origin 224) ends at 352, and JPEG's chroma
      // upsampling smears the edge into the next 16-pixel block.
      const right = await translated.readRegion(368, 0, 0, 1110 - 368, 1484);
      expect(right.data.every((v) => v === 255)).toBe(true);
      expect(await meanAbsError(translated, 8, 700, 200)).toBeLessThan(8);
    } finally {
      translated.close();
    }
  });

  it('starts over when the work folder beside the output was made with other options', async () => {
    const out = join(folder, 'changed.tif');
    const controller = new AbortController();
    await translateSlide(options(out), {
      signal: controller.signal,
      onProgress: (p) => p.done > 40 && controller.abort(),
    });
    const result = await translateSlide(options(out, { overlapPx: 32 }));
    expect(result.status).toBe('done');
    expect(result.resumedFromTiffRow).toBe(0);
    expect(result.discardedWork).toBe('it was made with overlapPx 16, not 32');
  });

  it('writes BigTIFF past the size threshold', async () => {
    const out = join(folder, 'big.tif');
    const result = await translateSlide(options(out, { downsample: 4, bigTiffThresholdBytes: 10_000 }));
    expect(result.format).toBe('bigtiff');
    expect((await tiffdump(out)).magic).toBe('2b');
    const translated = await openSlide(out);
    expect(translated.info.levels.map((l) => l.width)).toEqual([555, 278, 139]);
    translated.close();
  });

  it('reports a failing or misbehaving transform as TRANSFORM_FAILED', async () => {
    const failing: TileTransform = async () => {
      throw new Error('out of memory');
    };
    const short: TileTransform = async () => new Float32Array(3);
    for (const [transform, message] of [
      [failing, /The tile transform failed: out of memory/],
      [short, /returned 3 values for 4 tiles of 128 px/],
    ] as const) {
      const error = await translateSlide(options(join(folder, 'failing.tif'), { transform })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InferenceError);
      expect((error as InferenceError).code).toBe('TRANSFORM_FAILED');
      expect((error as Error).message).toMatch(message);
    }
  });

  it('refuses a tile too large to read in one region, before touching any file', async () => {
    const out = join(folder, 'huge.tif');
    const error = await translateSlide(options(out, { downsample: 64, tileSizePx: 256 })).catch(
      (e: unknown) => e,
    );
    expect((error as InferenceError).code).toBe('INVALID_OPTIONS');
    expect((error as Error).message).toMatch(/use a smaller tile/);
    await expect(stat(`${out}.partial`)).rejects.toThrow();
  });
});
