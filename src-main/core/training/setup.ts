import { ImagePool } from './image-pool.js';
import { createCycleganGenerator, createPatchDiscriminator } from './models/cyclegan.js';
import { randomInitialValues, type InitialValues } from './models/parameters.js';
import { createEmaGenerator, createProganDiscriminator, createProganGenerator } from './models/progan.js';
import { Adam, type AdamOptions } from './optim/adam.js';
import type { Optimizer } from './optim/optimizer.js';
import { discriminatorAdam, type CycleganPreset, type ProganPreset } from './presets.js';
import type { CycleganModels, CycleganOptimizers, CycleganStepOptions } from './steps/cyclegan-step.js';
import type { ProganModels, ProganOptimizers } from './steps/progan-step.js';
import type { Rng } from '../util/rng.js';

/** Everything a CycleGAN run trains and keeps between steps, ready for cycleganStep. */
export interface CycleganSetup {
  readonly models: CycleganModels;
  readonly optimizers: CycleganOptimizers;
  /** The step options from the preset, with the two image pools. */
  readonly stepOptions: CycleganStepOptions;
  dispose(): void;
}

/** Makes an Adam; the backend selection's `createAdam` gives the fused WebGPU one where installed. */
export type AdamFactory = (options: AdamOptions) => Optimizer;

const opLevelAdam: AdamFactory = (options) => new Adam(options);

/**
 * Builds the four networks (initialised from `rng`, in a fixed order, so a seed gives the same
 * weights on every backend), one Adam per pair and the two image pools (each with its own Rng
 * forked from `rng`). Variable scopes: generatorAB, generatorBA, discriminatorA, discriminatorB.
 */
export function createCycleganSetup(
  preset: CycleganPreset,
  rng: Rng,
  createAdam: AdamFactory = opLevelAdam,
): CycleganSetup {
  const init: InitialValues = randomInitialValues(rng);
  const models: CycleganModels = {
    generatorAB: createCycleganGenerator(preset.generator, init, 'generatorAB'),
    generatorBA: createCycleganGenerator(preset.generator, init, 'generatorBA'),
    discriminatorA: createPatchDiscriminator(preset.discriminator, init, 'discriminatorA'),
    discriminatorB: createPatchDiscriminator(preset.discriminator, init, 'discriminatorB'),
  };
  const optimizers = {
    generators: createAdam(preset.adam),
    discriminators: createAdam(discriminatorAdam(preset)),
  };
  const fakePools = {
    A: new ImagePool(preset.poolSize, rng.fork()),
    B: new ImagePool(preset.poolSize, rng.fork()),
  };
  return {
    models,
    optimizers,
    stepOptions: { lambdaCycle: preset.lambdaCycle, identityWeight: preset.identityWeight, fakePools },
    dispose: () => {
      Object.values(models).forEach((m) => m.dispose());
      optimizers.generators.dispose();
      optimizers.discriminators.dispose();
      fakePools.A.dispose();
      fakePools.B.dispose();
    },
  };
}

/** Everything a ProGAN run trains, ready for proganStep (the caller supplies resolution and alpha). */
export interface ProganSetup {
  readonly models: Required<ProganModels>;
  readonly optimizers: ProganOptimizers;
  dispose(): void;
}

/**
 * Builds generator, discriminator (initialised from `rng`) and the generator's EMA copy, with one
 * Adam each. Scopes: generator, discriminator, generatorEma. The original resets Adam at every new
 * resolution: dispose `optimizers` and make new ones with the same `createAdam`.
 */
export function createProganSetup(
  preset: ProganPreset,
  rng: Rng,
  createAdam: AdamFactory = opLevelAdam,
): ProganSetup {
  const init = randomInitialValues(rng);
  const generator = createProganGenerator(preset.network, init);
  const discriminator = createProganDiscriminator(preset.network, init);
  const generatorEma = createEmaGenerator(generator);
  const optimizers = {
    generator: createAdam(preset.adam),
    discriminator: createAdam(discriminatorAdam(preset)),
  };
  return {
    models: { generator, discriminator, generatorEma },
    optimizers,
    dispose: () => {
      generator.dispose();
      discriminator.dispose();
      generatorEma.dispose();
      optimizers.generator.dispose();
      optimizers.discriminator.dispose();
    },
  };
}
