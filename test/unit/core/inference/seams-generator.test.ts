import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTileGrid, type TileGrid } from '../../../../src-main/core/inference/tile-grid.js';
import { runTilePass } from '../../../../src-main/core/inference/tile-pass.js';
import { generatorTileTransform } from '../../../../src-main/core/inference/tile-transform.js';
import { resizePatch } from '../../../../src-main/core/sampling/resize.js';
import { openSlide, type Slide } from '../../../../src-main/core/slide/index.js';
import type { CycleganGenerator } from '../../../../src-main/core/training/models/cyclegan.js';
import { useBackend } from '../training/helpers.js';
import { SLIDES, trainedTinyGenerator } from './tiny-cyclegan.js';

const DOWNSAMPLE = 3;
/** The generator upsamples twice by 2: its output has a period of 4 pixels, which steps must match. */
const UPSAMPLING_PERIOD_PX = 4;

let folder: string;
let slide: Slide;
let generator: CycleganGenerator;
/** The generator run over the whole slide at downsample 3 in one piece (740 x 988: rows to a multiple of 4). */
let reference: Uint8Array;
let referenceHeightPx: number;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-seams-generator-'));
  await useBackend('wasm');
  // Trained a little, its output depends on the image (per-tile instance norm differs from the whole's).
  generator = await trainedTinyGenerator(folder, 20);
  slide = await openSlide(join(SLIDES, 'cmu-1-small-region.svs'));
  const { width, height } = slide.info.levels[0]!;
  const [w, h] = [width / DOWNSAMPLE, height / DOWNSAMPLE];
  const whole = await slide.readRegion(0, 0, 0, width, height);
  const resized = await resizePatch({ width, height, data: new Uint8Array(whole.data) }, w, h);
  referenceHeightPx = Math.floor(h / 4) * 4;
  const output = tf.tidy(() => {
    const x = tf
      .tensor4d(resized.data.subarray(0, referenceHeightPx * w * 3), [1, referenceHeightPx, w, 3], 'int32')
      .toFloat()
      .div(127.5)
      .sub(1) as tf.Tensor4D;
    return generator.apply(x).add(1).mul(127.5).round().clipByValue(0, 255);
  });
  reference = Uint8Array.from(await output.data());
  output.dispose();
});
afterAll(async () => {
  slide.close();
  generator.dispose();
  await rm(folder, { recursive: true, force: true });
});

/** The slide translated in 64 px tiles overlapping by `overlapPx`, measured against the one-piece output. */
async function tiledSeams(overlapPx: number): Promise<SeamFigures> {
  const { width, height } = slide.info.levels[0]!;
  const grid = createTileGrid({
    level0WidthPx: width,
    level0HeightPx: height,
    downsample: DOWNSAMPLE,
    tileSizePx: 64,
    overlapPx,
    tiffTileSizePx: 256,
  });
  const image = new Uint8Array(grid.tiffRows * grid.tiffTileSizePx * grid.widthPx * 3);
  await runTilePass({
    slide,
    grid,
    transform: generatorTileTransform(generator),
    tissueMask: null,
    batchSize: 16,
    onStrip: async (strip) => image.set(strip.rgb, strip.tiffRow * grid.tiffTileSizePx * grid.widthPx * 3),
  });
  return seamFigures(grid, image);
}

interface SeamFigures {
  /** Mean absolute error against the one-piece output within 1 px of a tile edge, and 8+ px away. */
  readonly borderError: number;
  readonly interiorError: number;
  /** Mean brightness step between neighbours across a tile edge, and elsewhere at the same phase. */
  readonly edgeStep: number;
  readonly otherStep: number;
}

function seamFigures(grid: TileGrid, image: Uint8Array): SeamFigures {
  const { stridePx: s, tileSizePx: t, widthPx: w } = grid;
  const edgeDistance = (v: number): number => {
    const a = v % s;
    const b = (((v - t) % s) + s) % s;
    return Math.min(a, s - a, b, s - b);
  };
  // A tile edge between v - 1 and v: a tile starts at v, or one ended at v - 1.
  const isEdge = (v: number): boolean => v % s === 0 || (v >= t && (v - t) % s === 0);
  const sums = { border: 0, nBorder: 0, interior: 0, nInterior: 0, edge: 0, nEdge: 0, other: 0, nOther: 0 };
  const brightness = (x: number, y: number): number => {
    const i = (y * w + x) * 3;
    return image[i]! + image[i + 1]! + image[i + 2]!;
  };
  const addStep = (v: number, step: number): void => {
    if (isEdge(v)) {
      sums.edge += step;
      sums.nEdge++;
    } else if (v % UPSAMPLING_PERIOD_PX === 0) {
      sums.other += step;
      sums.nOther++;
    }
  };
  // The image's own border (8 px) is left out: tiles have no neighbour there.
  for (let y = 8; y < referenceHeightPx - 8; y++) {
    for (let x = 8; x < w - 8; x++) {
      const i = (y * w + x) * 3;
      let e = 0;
      for (let c = 0; c < 3; c++) e += Math.abs(image[i + c]! - reference[i + c]!);
      const d = Math.min(edgeDistance(x), edgeDistance(y));
      if (d <= 1) {
        sums.border += e / 3;
        sums.nBorder++;
      } else if (d >= 8) {
        sums.interior += e / 3;
        sums.nInterior++;
      }
      addStep(x, Math.abs(brightness(x, y) - brightness(x - 1, y)) / 3);
      addStep(y, Math.abs(brightness(x, y) - brightness(x, y - 1)) / 3);
    }
  }
  return {
    borderError: sums.border / sums.nBorder,
    interiorError: sums.interior / sums.nInterior,
    edgeStep: sums.edge / sums.nEdge,
    otherStep: sums.other / sums.nOther,
  };
}

describe('seams with a real CycleGAN generator (instance norm, reflection padding, transposed convs)', () => {
  it('overlapping tiles blend into the one-piece output: tile borders are no worse than tile interiors', async () => {
    const blended = await tiledSeams(16);
    const butted = await tiledSeams(0);
    // Each tile is normalised on its own, so tiles differ from the one-piece output everywhere; what
    // must not happen is more difference, or a brightness step, where tiles meet.
    expect(blended.borderError).toBeLessThanOrEqual(blended.interiorError + 0.5);
    expect(blended.edgeStep).toBeLessThanOrEqual(1.1 * blended.otherStep);
    // The measure sees this network's seams: butted tiles show them.
    expect(butted.edgeStep).toBeGreaterThan(1.3 * butted.otherStep);
    expect(butted.borderError).toBeGreaterThan(butted.interiorError + 0.5);
  });
});
