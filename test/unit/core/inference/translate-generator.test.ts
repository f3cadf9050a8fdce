import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJpegTile, encodeJpegTile } from '../../../../src-main/core/inference/jpeg-tile.js';
import { createTileGrid } from '../../../../src-main/core/inference/tile-grid.js';
import { planTileReads, readTile } from '../../../../src-main/core/inference/tile-source.js';
import { generatorTileTransform } from '../../../../src-main/core/inference/tile-transform.js';
import { translateSlide } from '../../../../src-main/core/inference/translate-slide.js';
import { openSlide, type Slide } from '../../../../src-main/core/slide/index.js';
import type { CycleganGenerator } from '../../../../src-main/core/training/models/cyclegan.js';
import { useBackend } from '../training/helpers.js';
import { SLIDES, trainedTinyGenerator } from './tiny-cyclegan.js';

let folder: string;
let slide: Slide;
let generator: CycleganGenerator;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-translate-gen-'));
  await useBackend('wasm');
  generator = await trainedTinyGenerator(folder, 20);
  slide = await openSlide(join(SLIDES, 'cmu-1-small-region.svs'));
});
afterAll(async () => {
  slide.close();
  generator.dispose();
  await rm(folder, { recursive: true, force: true });
});

describe('translating a real slide with a tiny trained CycleGAN generator', () => {
  it('writes a TIFF OpenSlide opens with the expected size and levels, holding the generator output', async () => {
    const out = join(folder, 'cmu-to-dapi.tif');
    // The generator keeps its instance-norm constants from its first call on: warm it up first.
    await generatorTileTransform(generator)({ count: 1, sizePx: 64, rgb: new Uint8Array(64 * 64 * 3) });
    const tensorsBefore = tf.memory().numTensors;
    const result = await translateSlide({
      slide,
      transform: generatorTileTransform(generator),
      transformId: 'tiny-AtoB',
      outPath: out,
      downsample: 4,
      tissueMask: null,
      tileSizePx: 64,
      overlapPx: 16,
      jpegQuality: 95,
    });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result.status).toBe('done');
    expect(result.tissueTiles).toBe(12 * 16);
    const translated = await openSlide(out);
    try {
      expect(translated.info.vendor).toBe('generic-tiff');
      expect(translated.info.levels.map((l) => [l.width, l.height])).toEqual([
        [555, 742],
        [278, 371],
        [139, 186],
      ]);
      // Deep inside tile (3, 5), where its weight is 1, the TIFF holds the generator's output for that tile.
      const grid = createTileGrid({
        level0WidthPx: 2220,
        level0HeightPx: 2967,
        downsample: 4,
        tileSizePx: 64,
        overlapPx: 16,
        tiffTileSizePx: 256,
      });
      const [x, y] = [3 * grid.stridePx, 5 * grid.stridePx];
      const input = await readTile(slide, grid, planTileReads(slide, grid), x, y);
      const expected = await generatorTileTransform(generator)({ count: 1, sizePx: 64, rgb: input });
      const actual = await translated.readRegion(x + 16, y + 16, 0, 32, 32);
      let error = 0;
      let change = 0;
      for (let r = 0; r < 32; r++) {
        for (let i = 0; i < 32 * 3; i++) {
          const e = Math.min(255, Math.max(0, expected[((r + 16) * 64 + 16) * 3 + i]!));
          error += Math.abs(e - actual.data[r * 32 * 3 + i]!);
          change += Math.abs(input[((r + 16) * 64 + 16) * 3 + i]! - actual.data[r * 32 * 3 + i]!);
        }
      }
      // The tiny generator's output is noisy in colour, which 4:2:0 JPEG cannot keep: allow what a
      // JPEG round trip of the expected tile itself loses.
      const expectedRgb = Uint8Array.from(expected, (v) => Math.min(255, Math.max(0, Math.round(v))));
      const roundTrip = await decodeJpegTile(await encodeJpegTile(expectedRgb, 64, 95), 64);
      let jpegError = 0;
      for (let i = 0; i < roundTrip.length; i++) jpegError += Math.abs(roundTrip[i]! - expectedRgb[i]!);
      expect(error / (32 * 32 * 3)).toBeLessThan((1.5 * jpegError) / roundTrip.length + 1);
      // ... which is not the source: the generator changed the stain.
      expect(change / (32 * 32 * 3)).toBeGreaterThan(10);
    } finally {
      translated.close();
    }
  });
});
