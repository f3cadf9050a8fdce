import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceError } from '../../../../src-main/core/inference/errors.js';
import { composeGrid, generateImages, slerp } from '../../../../src-main/core/inference/generate-images.js';
import { randomInitialValues } from '../../../../src-main/core/training/models/parameters.js';
import {
  createEmaGenerator,
  createProganGenerator,
  type ProganGenerator,
} from '../../../../src-main/core/training/models/progan.js';
import { proganPreset } from '../../../../src-main/core/training/presets.js';
import { exportGenerator, loadGenerator } from '../../../../src-main/core/training/weights.js';
import { Rng } from '../../../../src-main/core/util/rng.js';
import { useBackend } from '../training/helpers.js';

let folder: string;
let generator: ProganGenerator;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-generate-'));
  await useBackend('wasm');
  // The EMA copy of a tiny generator, exported and loaded back as a user would.
  const network = proganPreset('tiny').network;
  const source = createProganGenerator(network, randomInitialValues(new Rng(11)));
  const ema = createEmaGenerator(source);
  await exportGenerator(ema, { model: 'progan-generator', config: network }, join(folder, 'export'));
  source.dispose();
  ema.dispose();
  const loaded = await loadGenerator(join(folder, 'export'));
  if (loaded.model !== 'progan-generator') throw new Error(loaded.model);
  generator = loaded.generator;
});
afterAll(async () => {
  generator.dispose();
  await rm(folder, { recursive: true, force: true });
});

async function pixels(path: string): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

describe('ProGAN generation', () => {
  it('writes N seeded PNGs, a grid and an interpolation strip starting at the first image', async () => {
    const out = join(folder, 'images');
    const result = await generateImages(generator, out, {
      count: 5,
      seed: 7,
      grid: true,
      interpolationFrames: 6,
    });
    expect(result.resolution).toBe(16);
    expect(result.images.map((p) => p.slice(out.length + 1))).toEqual([
      '000000.png',
      '000001.png',
      '000002.png',
      '000003.png',
      '000004.png',
    ]);
    const first = await pixels(result.images[0]!);
    expect([first.width, first.height]).toEqual([16, 16]);
    const grid = await pixels(result.grid!);
    expect([grid.width, grid.height]).toEqual([3 * 16 + 2 * 2, 2 * 16 + 2]);
    const strip = await pixels(result.interpolation!);
    expect([strip.width, strip.height]).toEqual([6 * 16 + 5 * 2, 16]);
    // The strip's first frame is the latent of image 0; the grid's second cell is image 1.
    for (let y = 0; y < 16; y++) {
      expect(strip.data.subarray(y * strip.width * 3, y * strip.width * 3 + 48)).toEqual(
        first.data.subarray(y * 48, y * 48 + 48),
      );
    }
    const second = await pixels(result.images[1]!);
    expect(grid.data.subarray(18 * 3, 18 * 3 + 48)).toEqual(second.data.subarray(0, 48));
    // Same seed, same images; another seed, other images.
    const again = await generateImages(generator, join(folder, 'again'), { count: 2, seed: 7 });
    expect((await pixels(again.images[1]!)).data).toEqual(second.data);
    const other = await generateImages(generator, join(folder, 'other'), { count: 1, seed: 8 });
    expect((await pixels(other.images[0]!)).data).not.toEqual(first.data);
  });

  it('generates at a lower resolution of the progression on request', async () => {
    const result = await generateImages(generator, join(folder, 'low'), { count: 1, seed: 1, resolution: 8 });
    const image = await pixels(result.images[0]!);
    expect([image.width, image.height]).toEqual([8, 8]);
    const error = await generateImages(generator, join(folder, 'bad'), {
      count: 1,
      seed: 1,
      resolution: 32,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as Error).message).toMatch(/power of 2 from 4 to 16 but received 32/);
  });

  it('slerp keeps the norm between vectors of equal norm and hits both ends', () => {
    const a = Float32Array.from([3, 0, 4]);
    const b = Float32Array.from([0, 5, 0]);
    expect(Array.from(slerp(a, b, 0))).toEqual(Array.from(a));
    expect(Array.from(slerp(a, b, 1)).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 5, 0]);
    const mid = slerp(a, b, 0.5);
    expect(Math.hypot(...mid)).toBeCloseTo(5, 5);
    expect(mid[1]).toBeCloseTo(5 * Math.SQRT1_2, 5);
  });

  it('lays a grid out row by row with white gaps', () => {
    const tile = (v: number) => ({ width: 2, height: 2, data: new Uint8Array(12).fill(v) });
    const grid = composeGrid([tile(0), tile(10), tile(20)], 2, 1);
    expect([grid.width, grid.height]).toEqual([5, 5]);
    expect(grid.data[2 * 3]).toBe(255); // gap column
    expect(grid.data[3 * 3]).toBe(10);
    expect(grid.data[3 * 5 * 3]).toBe(20);
    expect(grid.data[(3 * 5 + 3) * 3]).toBe(255); // empty cell
  });
});
