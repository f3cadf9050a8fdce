import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleganPreset } from '../../../../../src-main/core/training/presets.js';
import { cycleganStep } from '../../../../../src-main/core/training/steps/cyclegan-step.js';
import { createCycleganSetup } from '../../../../../src-main/core/training/setup.js';
import { Rng } from '../../../../../src-main/core/util/rng.js';
import { useBackend } from '../helpers.js';

const run = promisify(execFile);
const SLIDES = join(import.meta.dirname, '../../../../fixtures/slides');
const preset = cycleganPreset('tiny');

/**
 * Real patches without the sampler (which is built elsewhere): a tissue region read with OpenSlide's
 * own command-line tool at downsample 4, cut into sizePx tiles with sharp, scaled to [-1, 1].
 */
async function slidePatches(
  folder: string,
  slide: string,
  level0X: number,
  level0Y: number,
  level: number,
  regionPx: number,
  sizePx: number,
): Promise<Float32Array[]> {
  const png = join(folder, `${slide}.png`);
  const args = [join(SLIDES, slide), level0X, level0Y, level, regionPx, regionPx].map(String);
  await run('openslide-write-png', [...args, png]);
  // Level 0 of the single-level SVS is downsample 1: shrink it by 4 to match the NDPI's level 2.
  const side = level === 0 ? regionPx / 4 : regionPx;
  const { data } = await sharp(png)
    .removeAlpha()
    .resize(side, side, { kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const patches: Float32Array[] = [];
  for (let y = 0; y + sizePx <= side; y += sizePx) {
    for (let x = 0; x + sizePx <= side; x += sizePx) {
      const patch = new Float32Array(sizePx * sizePx * 3);
      for (let r = 0; r < sizePx; r++) {
        for (let i = 0; i < sizePx * 3; i++)
          patch[r * sizePx * 3 + i] = data[((y + r) * side + x) * 3 + i]! / 127.5 - 1;
      }
      patches.push(patch);
    }
  }
  return patches;
}

let folder: string;
let patchesA: Float32Array[];
let patchesB: Float32Array[];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'histo-fetch-patches-'));
  // Domain A: H&E (CMU-1 small region, tissue in the lower middle); domain B: DAPI fluorescence.
  patchesA = await slidePatches(folder, 'cmu-1-small-region.svs', 800, 1800, 0, 1024, preset.sizePx);
  patchesB = await slidePatches(folder, 'ndpi-dapi.ndpi', 400, 3200, 2, 256, preset.sizePx);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('CycleGAN on real slide patches', () => {
  it('30 tiny steps (H&E <-> DAPI) lower the generators cycle loss', async () => {
    expect(patchesA.length).toBeGreaterThanOrEqual(30);
    expect(patchesB.length).toBeGreaterThanOrEqual(30);
    await useBackend('wasm');
    const setup = createCycleganSetup(preset, new Rng(42));
    const { generatorAB: gAB, generatorBA: gBA } = setup.models;
    const s = preset.sizePx;
    const batch = (patches: Float32Array[], ids: number[]): tf.Tensor4D =>
      tf.tensor4d(concat(ids.map((i) => patches[i % patches.length]!)), [ids.length, s, s, 3]);
    // Cycle loss on the same 8 patches per domain, before and after training.
    const heldOut = Array.from({ length: 8 }, (_, i) => 60 + i);
    const evalA = batch(patchesA, heldOut);
    const evalB = batch(patchesB, heldOut);
    const cycleLoss = async (): Promise<number> => {
      const loss = tf.tidy(() =>
        tf.add(
          tf.mean(tf.abs(tf.sub(gBA.apply(gAB.apply(evalA)), evalA))),
          tf.mean(tf.abs(tf.sub(gAB.apply(gBA.apply(evalB)), evalB))),
        ),
      );
      const value = (await loss.data())[0]!;
      loss.dispose();
      return value;
    };
    const before = await cycleLoss();
    const perStep: number[] = [];
    for (let step = 0; step < 30; step++) {
      const realA = batch(patchesA, [step]);
      const realB = batch(patchesB, [step * 7]);
      const losses = await cycleganStep(setup.models, setup.optimizers, realA, realB, setup.stepOptions);
      perStep.push(losses.cycleA + losses.cycleB);
      tf.dispose([realA, realB]);
    }
    const after = await cycleLoss();
    tf.dispose([evalA, evalB]);
    setup.dispose();
    expect(after).toBeLessThan(before);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(perStep.slice(-3)), perStep.map((c) => c.toFixed(2)).join(' ')).toBeLessThan(
      mean(perStep.slice(0, 3)),
    );
  });
});

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
