import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { openSlide } from '../../../../../src-main/core/slide/index.js';
import {
  laplacianPyramid,
  pyramidDown,
  pyramidUp,
  type FloatImage,
} from '../../../../../src-main/core/training/eval/laplacian-pyramid.js';
import {
  slicedWassersteinDistance,
  swdBetween,
  swdDescriptors,
  swdResolutions,
  type SwdResult,
} from '../../../../../src-main/core/training/eval/sliced-wasserstein.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { useBackend } from '../helpers.js';
import { gridPatches } from './real-patches.js';

const run = promisify(execFile);
const SLIDES = join(import.meta.dirname, '../../../../fixtures/slides');

let folder: string;
let he: PatchImage[];
let dapi: PatchImage[];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-swd-'));
  await useBackend('wasm');
  const cmu = await openSlide(join(SLIDES, 'cmu-1-small-region.svs'));
  const ndpi = await openSlide(join(SLIDES, 'ndpi-dapi.ndpi'));
  // 64 patches of 32 px at downsample 4 from each slide's tissue.
  he = await gridPatches(cmu, 600, 1400, 0, 1024, 4, 32);
  dapi = await gridPatches(ndpi, 800, 2400, 2, 256, 1, 32);
  cmu.close();
  ndpi.close();
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function withNoise(patches: readonly PatchImage[], sd: number, seed: number): PatchImage[] {
  const rng = new Rng(seed);
  return patches.map((p) => ({
    ...p,
    data: Uint8Array.from(p.data, (v) => Math.min(255, Math.max(0, Math.round(v + rng.normal(0, sd))))),
  }));
}

const FAST = { neighbourhoodsPerImage: 64, directionRepeats: 2, directionsPerRepeat: 64 } as const;

describe('Laplacian pyramid', () => {
  it('pyramidDown and pyramidUp match OpenCV (cv2.pyrDown, cv2.pyrUp) on a real patch', async () => {
    const patch = he[5]!;
    const image: FloatImage = { width: 32, height: 32, channels: 3, data: Float32Array.from(patch.data) };
    const input = join(folder, 'patch.f32');
    await writeFile(input, Buffer.from(image.data.buffer));
    const script = [
      'import cv2, numpy as np, sys',
      'a = np.fromfile(sys.argv[1], dtype=np.float32).reshape(32, 32, 3)',
      'd = cv2.pyrDown(a)',
      'd.astype(np.float32).tofile(sys.argv[1] + ".down")',
      'cv2.pyrUp(d, dstsize=(32, 32)).astype(np.float32).tofile(sys.argv[1] + ".up")',
    ].join('\n');
    await run('/usr/bin/python3', ['-c', script, input]);
    const cvDown = new Float32Array((await readFile(`${input}.down`)).buffer.slice(0));
    const cvUp = new Float32Array((await readFile(`${input}.up`)).buffer.slice(0));
    const down = pyramidDown(image);
    const up = pyramidUp(down, 32, 32);
    expect([down.width, down.height]).toEqual([16, 16]);
    const maxDiff = (a: Float32Array, b: Float32Array): number =>
      a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    expect(maxDiff(down.data, cvDown)).toBeLessThan(1e-3);
    expect(maxDiff(up.data, cvUp)).toBeLessThan(1e-3);
  });

  it('levels add back up to the image', () => {
    const image: FloatImage = { width: 32, height: 32, channels: 3, data: Float32Array.from(he[9]!.data) };
    const levels = laplacianPyramid(image, 3);
    expect(levels.map((l) => l.width)).toEqual([32, 16, 8]);
    let rebuilt = levels[2]!;
    for (const l of [1, 0]) {
      const up = pyramidUp(rebuilt, levels[l]!.width, levels[l]!.height);
      rebuilt = { ...up, data: up.data.map((v, i) => v + levels[l]!.data[i]!) };
    }
    const error = rebuilt.data.reduce((m, v, i) => Math.max(m, Math.abs(v - image.data[i]!)), 0);
    expect(error).toBeLessThan(1e-3);
  });
});

describe('sliced Wasserstein distance', () => {
  it('compares the pyramid levels from the image size down to 16 px', () => {
    expect(swdResolutions(256, 16)).toEqual([256, 128, 64, 32, 16]);
    expect(swdResolutions(24, 16)).toEqual([24]);
    expect(swdDescriptors(he.slice(0, 2), FAST).levels.map((l) => [l.count, l.dimension])).toEqual([
      [128, 147],
      [128, 147],
    ]);
  });

  it('is zero for a set against itself and grows monotonically with added noise, at every level', async () => {
    const self = await slicedWassersteinDistance(he, he, FAST);
    expect(self.distances).toEqual([0, 0]);
    const noisy: SwdResult[] = [];
    for (const sd of [2, 4, 8, 16, 32])
      noisy.push(await slicedWassersteinDistance(he, withNoise(he, sd, sd), FAST));
    for (let i = 1; i < noisy.length; i++) {
      expect(noisy[i]!.mean).toBeGreaterThan(noisy[i - 1]!.mean);
      noisy[i]!.distances.forEach((d, level) => expect(d).toBeGreaterThan(noisy[i - 1]!.distances[level]!));
    }
    expect(noisy[0]!.mean).toBeGreaterThan(1);
    // Another stain is further away than strong noise.
    const other = await slicedWassersteinDistance(he, dapi, FAST);
    expect(other.mean).toBeGreaterThan(noisy[4]!.mean);
  });

  it('sampled independently, a set against itself stays below small noise (sampling noise only)', async () => {
    const a = swdDescriptors(he, { ...FAST, seed: 1 });
    const b = swdDescriptors(he, { ...FAST, seed: 2 });
    const self = await swdBetween(a, b, FAST);
    const noisy = await swdBetween(a, swdDescriptors(withNoise(he, 32, 3), { ...FAST, seed: 2 }), FAST);
    expect(self.mean).toBeGreaterThan(0);
    expect(self.mean).toBeLessThan(0.5 * noisy.mean);
  });

  it('is symmetric, seeded, and accepts sets of different sizes', async () => {
    const ab = await slicedWassersteinDistance(he, dapi.slice(0, 40), FAST);
    const ba = await slicedWassersteinDistance(dapi.slice(0, 40), he, FAST);
    expect(Math.abs(ab.mean - ba.mean)).toBeLessThan(0.05 * ab.mean);
    const again = await slicedWassersteinDistance(he, dapi.slice(0, 40), FAST);
    expect(again.distances).toEqual(ab.distances);
  });

  it('rejects images of mixed sizes, naming them', () => {
    const odd = { width: 16, height: 16, data: new Uint8Array(16 * 16 * 3) };
    expect(() => swdDescriptors([he[0]!, odd])).toThrow(
      /square images of one size \(32 px\) but received 16x16/,
    );
  });
});
