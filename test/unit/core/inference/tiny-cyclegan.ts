import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { patchesToTensor } from '../../../../src-main/core/training/eval/image-tensor.js';
import type { PatchImage } from '../../../../src-main/core/sampling/patch-image.js';
import { openSlide } from '../../../../src-main/core/slide/index.js';
import { cycleganPreset } from '../../../../src-main/core/training/presets.js';
import { createCycleganSetup } from '../../../../src-main/core/training/setup.js';
import { cycleganStep } from '../../../../src-main/core/training/steps/cyclegan-step.js';
import type { CycleganGenerator } from '../../../../src-main/core/training/models/cyclegan.js';
import { exportGenerator, loadGenerator } from '../../../../src-main/core/training/weights.js';
import { Rng } from '../../../../src-main/core/util/rng.js';
import { gridPatches } from '../training/eval/real-patches.js';

export const SLIDES = join(import.meta.dirname, '../../../fixtures/slides');

/** Real patches of the two domains at downsample 4: H&E (CMU-1) and DAPI fluorescence. */
export async function domainPatches(sizePx: number): Promise<{ a: PatchImage[]; b: PatchImage[] }> {
  const cmu = await openSlide(join(SLIDES, 'cmu-1-small-region.svs'));
  const dapi = await openSlide(join(SLIDES, 'ndpi-dapi.ndpi'));
  try {
    return {
      a: await gridPatches(cmu, 600, 1400, 0, 1024, 4, sizePx),
      b: await gridPatches(dapi, 800, 2400, 2, 256, 1, sizePx),
    };
  } finally {
    cmu.close();
    dapi.close();
  }
}

/**
 * Trains the 'tiny' CycleGAN preset for `steps` steps on real patches (H&E -> DAPI) with the project's
 * own step function, and exports both generators (`folder/AtoB`, `folder/BtoA`) with exportGenerator.
 * Uses the current backend.
 */
export async function trainTinyCyclegan(folder: string, steps: number, seed = 42): Promise<void> {
  const preset = cycleganPreset('tiny');
  const { a, b } = await domainPatches(preset.sizePx);
  const setup = createCycleganSetup(preset, new Rng(seed));
  try {
    for (let step = 0; step < steps; step++) {
      const realA = patchesToTensor([a[step % a.length]!]);
      const realB = patchesToTensor([b[(step * 7) % b.length]!]);
      await cycleganStep(setup.models, setup.optimizers, realA, realB, setup.stepOptions);
      tf.dispose([realA, realB]);
    }
    const { generatorAB, generatorBA } = setup.models;
    await exportGenerator(
      generatorAB,
      { model: 'cyclegan-generator', config: preset.generator },
      join(folder, 'AtoB'),
    );
    await exportGenerator(
      generatorBA,
      { model: 'cyclegan-generator', config: preset.generator },
      join(folder, 'BtoA'),
    );
  } finally {
    setup.dispose();
  }
}

/** trainTinyCyclegan, then the exported A -> B generator loaded back (what translation runs). */
export async function trainedTinyGenerator(folder: string, steps: number): Promise<CycleganGenerator> {
  await trainTinyCyclegan(folder, steps);
  const loaded = await loadGenerator(join(folder, 'AtoB'));
  if (loaded.model !== 'cyclegan-generator') throw new Error(`unexpected ${loaded.model}`);
  return loaded.generator;
}
