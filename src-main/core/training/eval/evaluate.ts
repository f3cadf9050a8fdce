import * as tf from '@tensorflow/tfjs';
import type { PatchImage } from '../../sampling/patch-image.js';
import { Rng } from '../../util/rng.js';
import type { ProganGenerator } from '../models/progan.js';
import { cycleReconstructionError, type ImageToImage } from './cycle-error.js';
import { patchesToTensor, tensorToPatches } from './image-tensor.js';
import {
  swdBetween,
  swdDescriptors,
  type SwdDescriptors,
  type SwdOptions,
  type SwdResult,
} from './sliced-wasserstein.js';

/** Metrics an evaluation adds to a step's metrics line: flat names (`eval/...`) to numbers. */
export type EvaluationMetrics = Record<string, number>;

/** Whether `step` (1-based) is one at which to evaluate, every `everySteps` steps (0: never). */
export function isEvaluationStep(step: number, everySteps: number): boolean {
  return everySteps > 0 && step > 0 && step % everySteps === 0;
}

/** SWD as metrics: the mean under `name` and each level under `name@<px>`. */
export function swdMetrics(name: string, swd: SwdResult): EvaluationMetrics {
  const out: EvaluationMetrics = { [name]: swd.mean };
  swd.resolutionsPx.forEach((r, i) => (out[`${name}@${r}`] = swd.distances[i]!));
  return out;
}

/** Applies a generator to patches in batches and returns its outputs as patches. */
export async function translatePatches(
  generator: ImageToImage,
  patches: readonly PatchImage[],
  batchSize = 4,
): Promise<PatchImage[]> {
  const out: PatchImage[] = [];
  for (let i = 0; i < patches.length; i += batchSize) {
    const y = tf.tidy(() => generator.apply(patchesToTensor(patches.slice(i, i + batchSize))));
    out.push(...(await tensorToPatches(y)));
    y.dispose();
  }
  return out;
}

export interface CycleganEvaluationInput {
  readonly generatorAB: ImageToImage;
  readonly generatorBA: ImageToImage;
  /** Patches of held-out slides of each domain (never trained on), all of one size. */
  readonly heldOutA: readonly PatchImage[];
  readonly heldOutB: readonly PatchImage[];
  readonly swd?: SwdOptions;
  readonly batchSize?: number;
}

/**
 * CycleGAN evaluation: cycle-reconstruction error per domain on held-out patches, and the SWD between
 * each generator's translations of held-out patches and the held-out patches of the target domain.
 * Metrics: eval/cycleErrorA (A -> B -> A), eval/cycleErrorB, eval/swdAB (G_AB(A) vs B), eval/swdBA.
 */
export async function evaluateCyclegan(input: Readonly<CycleganEvaluationInput>): Promise<EvaluationMetrics> {
  const batch = input.batchSize ?? 4;
  const cycleErrorA = await cycleReconstructionError(
    input.generatorAB,
    input.generatorBA,
    input.heldOutA,
    batch,
  );
  const cycleErrorB = await cycleReconstructionError(
    input.generatorBA,
    input.generatorAB,
    input.heldOutB,
    batch,
  );
  const fakeB = await translatePatches(input.generatorAB, input.heldOutA, batch);
  const fakeA = await translatePatches(input.generatorBA, input.heldOutB, batch);
  const swdAB = await swdBetween(
    swdDescriptors(input.heldOutB, input.swd),
    swdDescriptors(fakeB, input.swd),
    input.swd,
  );
  const swdBA = await swdBetween(
    swdDescriptors(input.heldOutA, input.swd),
    swdDescriptors(fakeA, input.swd),
    input.swd,
  );
  return {
    'eval/cycleErrorA': cycleErrorA,
    'eval/cycleErrorB': cycleErrorB,
    ...swdMetrics('eval/swdAB', swdAB),
    ...swdMetrics('eval/swdBA', swdBA),
  };
}

/** Latents N(0, 1), [count, latentSize], from a seeded Rng (the same seed gives the same images). */
export function seededLatents(count: number, latentSize: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count * latentSize }, () => rng.normal());
}

/** Runs a ProGAN generator on latents in batches at `resolution` and returns 8-bit patches. */
export async function generatePatches(
  generator: ProganGenerator,
  latents: Float32Array,
  resolution: number,
  alpha = 1,
  batchSize = 8,
): Promise<PatchImage[]> {
  const latentSize = generator.config.latentSize;
  const count = latents.length / latentSize;
  const out: PatchImage[] = [];
  for (let i = 0; i < count; i += batchSize) {
    const n = Math.min(batchSize, count - i);
    const images = tf.tidy(() =>
      generator.apply(
        tf.tensor2d(latents.subarray(i * latentSize, (i + n) * latentSize), [n, latentSize]),
        resolution,
        alpha,
      ),
    );
    out.push(...(await tensorToPatches(images)));
    images.dispose();
  }
  return out;
}

/**
 * ProGAN evaluation for a trainer: SWD between `count` images of the (EMA) generator and real patches
 * at the current resolution. Real descriptors are computed once per resolution and kept; the latents
 * come from a fixed seed, so successive evaluations compare like with like.
 */
export class ProganEvaluator {
  private readonly references = new Map<number, SwdDescriptors>();

  constructor(
    private readonly options: Readonly<{
      /**
       * Real patches of `resolution` px covering the run's field of view: during training the fixed
       * set's full-resolution patches box-downscaled (downscalePatches); the evaluate command samples
       * them at that resolution's scale.
       */
      realPatches: (resolution: number) => Promise<readonly PatchImage[]>;
      /** Generated images per evaluation. */
      count: number;
      seed?: number;
      swd?: SwdOptions;
    }>,
  ) {}

  /**
   * Metrics eval/swd and eval/swd@<px> for the generator at `resolution` (alpha: its fade-in); none
   * (an empty object) below the neighbourhood size (7 px by default), where SWD has nothing to compare.
   */
  async evaluate(generator: ProganGenerator, resolution: number, alpha = 1): Promise<EvaluationMetrics> {
    if (resolution < (this.options.swd?.neighbourhoodPx ?? 7)) return {};
    let reference = this.references.get(resolution);
    if (!reference) {
      reference = swdDescriptors(await this.options.realPatches(resolution), this.options.swd);
      this.references.set(resolution, reference);
    }
    const latents = seededLatents(this.options.count, generator.config.latentSize, this.options.seed ?? 1);
    const fakes = await generatePatches(generator, latents, resolution, alpha);
    const swd = await swdBetween(reference, swdDescriptors(fakes, this.options.swd), this.options.swd);
    return swdMetrics('eval/swd', swd);
  }
}
