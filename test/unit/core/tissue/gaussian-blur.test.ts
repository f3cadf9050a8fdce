import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import { redChannel } from '../../../../src-main/core/tissue/colour-features.js';
import {
  gaussianBlurChannel,
  gaussianKernelFixed8,
  gaussianRadiusPx,
  kernelBoxes,
  reflect101,
} from '../../../../src-main/core/tissue/gaussian-blur.js';
import { readThumbnail } from '../../../../src-main/core/tissue/thumbnail.js';
import { fixtureSlide } from './fixtures.js';

const PYTHON = '/usr/bin/python3';
const referenceScript = fileURLToPath(new URL('./reference_blur.py', import.meta.url));
const probe = spawnSync(PYTHON, ['-c', 'import cv2, numpy'], { encoding: 'utf8' });
const opencvProblem = probe.error
  ? `${PYTHON} is not available`
  : probe.status !== 0
    ? `${PYTHON} lacks cv2/numpy`
    : null;
if (opencvProblem)
  console.warn(`blur exactness test skipped: ${opencvProblem} (apt-get install python3-opencv)`);

/** OpenCV's GaussianBlur of a channel, run by Debian's python3-opencv. */
async function opencvBlur(channel: Uint8Array, width: number, height: number, sigmaPx: number) {
  const dir = await mkdtemp(join(tmpdir(), 'histo-fetch-blur-'));
  try {
    await writeFile(join(dir, 'in.raw'), channel);
    const args = [referenceScript, join(dir, 'in.raw'), String(width), String(height), String(sigmaPx)];
    const run = spawnSync(PYTHON, [...args, join(dir, 'out.raw')], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`reference_blur.py failed: ${run.stderr}`);
    return new Uint8Array(await readFile(join(dir, 'out.raw')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Pixels where two channels differ. */
function differing(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('gaussian blur', () => {
  it('uses OpenCV’s kernel size rule for 8-bit images (sigma 10 -> 61 taps)', () => {
    expect(gaussianRadiusPx(10)).toBe(30);
    expect(gaussianRadiusPx(1)).toBe(3);
    expect(gaussianRadiusPx(2.5)).toBe(8);
  });

  it('builds OpenCV’s fixed-point kernel: symmetric, in 1/256, summing to exactly 256', () => {
    expect(Array.from(gaussianKernelFixed8(1))).toEqual([1, 14, 62, 102, 62, 14, 1]);
    for (const sigma of [0.5, 2.5, 10, 33]) {
      const taps = gaussianKernelFixed8(sigma);
      expect(taps.length).toBe(2 * gaussianRadiusPx(sigma) + 1);
      expect(taps.reduce((a, b) => a + b, 0)).toBe(256);
      expect(Array.from(taps)).toEqual(Array.from(taps).reverse());
    }
    // The signed boxes add up to the kernel at every distance.
    const taps = gaussianKernelFixed8(10);
    const { halfWidths, weights } = kernelBoxes(taps);
    expect(halfWidths.length).toBeLessThan(20);
    for (let d = 0; d <= 30; d++) {
      let sum = 0;
      for (let k = 0; k < halfWidths.length; k++) if (halfWidths[k]! >= d) sum += weights[k]!;
      expect(sum).toBe(taps[30 + d]);
    }
  });

  it('reflects borders without repeating the edge (BORDER_REFLECT_101)', () => {
    // gfedcb|abcdefgh|gfedcba
    expect([-3, -2, -1, 0, 7, 8, 9, 10].map((i) => reflect101(i, 8))).toEqual([3, 2, 1, 0, 7, 6, 5, 4]);
    expect(reflect101(-5, 1)).toBe(0);
  });

  it('keeps a constant image constant, borders included', () => {
    for (const value of [0, 1, 201, 255]) {
      const flat = new Uint8Array(91 * 70).fill(value);
      expect(new Set(gaussianBlurChannel(flat, 91, 70, 10))).toEqual(new Set([value]));
    }
  });

  it.skipIf(opencvProblem !== null).each(['cmu-1-small-region.svs', 'tcga-cr-7395-ts1.svs'])(
    'is bit-exact with OpenCV on the red channel of the %s mask thumbnail',
    async (name) => {
      const slide = await openSlide(fixtureSlide(name));
      const thumbnail = await readThumbnail(slide, { longSidePx: 2000 }).finally(() => slide.close());
      const red = redChannel(thumbnail);
      const ours = gaussianBlurChannel(red, thumbnail.width, thumbnail.height, 10);
      const reference = await opencvBlur(red, thumbnail.width, thumbnail.height, 10);
      expect(differing(ours, reference)).toBe(0);
    },
  );

  it.skipIf(opencvProblem !== null)(
    'is bit-exact with OpenCV for other sigmas, odd sizes, one-pixel images and sharp edges at the border',
    async () => {
      // Left 10 columns black, the rest white, plus noise: the border region shows the reflection rule.
      const cases: [number, number, number][] = [
        [101, 37, 10],
        [1, 50, 3],
        [64, 1, 2.5],
        [80, 90, 33],
      ];
      for (const [width, height, sigma] of cases) {
        const channel = new Uint8Array(width * height);
        for (let i = 0; i < channel.length; i++) {
          channel[i] = (i % width < 10 ? 0 : 255) ^ (((i * 2654435761) >>> 24) & 15);
        }
        const ours = gaussianBlurChannel(channel, width, height, sigma);
        expect(differing(ours, await opencvBlur(channel, width, height, sigma)), `${width}x${height}`).toBe(
          0,
        );
      }
    },
  );

  it('rejects a channel whose size does not match, and a sigma that is not positive', () => {
    expect(() => gaussianBlurChannel(new Uint8Array(10), 4, 4, 10)).toThrow(/Expected 16 bytes/);
    expect(() => gaussianKernelFixed8(0)).toThrow(/positive sigma/);
  });
});
