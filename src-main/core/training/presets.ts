import { TrainingError } from './errors.js';
import type { CycleganGeneratorConfig, PatchDiscriminatorConfig } from './models/cyclegan.js';
import { proganResolutions, type ProganConfig } from './models/progan.js';
import type { AdamOptions } from './optim/adam.js';

export const PRESET_NAMES = ['paper', 'small', 'tiny'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Everything that defines a CycleGAN run's model and optimisation (SPEC 5). */
export interface CycleganPreset {
  readonly model: 'cyclegan';
  /** Patch side in pixels. */
  readonly sizePx: number;
  /** Pyramid downsample the patches are read at (4 in SPEC 5; a target mpp may replace it). */
  readonly downsample: number;
  readonly batchSize: number;
  readonly generator: CycleganGeneratorConfig;
  readonly discriminator: PatchDiscriminatorConfig;
  readonly lambdaCycle: number;
  /** Identity loss weight relative to lambdaCycle; 0 turns it off. */
  readonly identityWeight: number;
  readonly poolSize: number;
  /**
   * The generators' Adam (and the discriminators' unless `discriminatorLearningRate` is set): constant
   * for the first half of the steps, then linear decay to 0 (learningRateAt).
   */
  readonly adam: AdamOptions;
  /** The discriminators' base learning rate when it differs from the generators' (same schedule). */
  readonly discriminatorLearningRate?: number;
}

/** Everything that defines a ProGAN run (SPEC 6). */
export interface ProganPreset {
  readonly model: 'progan';
  readonly network: ProganConfig;
  /** Minibatch per resolution in px; every resolution 4..maxResolution must have one. */
  readonly batchSizes: Readonly<Record<number, number>>;
  /** Real images shown per phase: stable training, and fade-in of each new resolution. */
  readonly imagesPerPhase: { readonly train: number; readonly fade: number };
  /**
   * Side of every patch in level-0 pixels, whatever its resolution, so the field of view stays the
   * same: resolution r is read at downsample fieldOfViewLevel0Px / r (SPEC 6: 4 * 512 / r).
   */
  readonly fieldOfViewLevel0Px: number;
  readonly lambda: number;
  readonly gamma: number;
  readonly drift: number;
  readonly mirror: boolean;
  readonly emaDecay: number;
  /** The generator's Adam (and the discriminator's unless `discriminatorLearningRate` is set). */
  readonly adam: AdamOptions;
  /** The discriminator's learning rate when it differs from the generator's. */
  readonly discriminatorLearningRate?: number;
}

const CYCLEGAN: Record<PresetName, CycleganPreset> = {
  // The paper and the authors' release: 256 px, ResNet-9, 70x70 PatchGAN, batch 1.
  paper: {
    model: 'cyclegan',
    sizePx: 256,
    downsample: 4,
    batchSize: 1,
    generator: { ngf: 64, residualBlocks: 9 },
    discriminator: { ndf: 64, layers: 3 },
    lambdaCycle: 10,
    identityWeight: 0.5,
    poolSize: 50,
    adam: { learningRate: 2e-4, beta1: 0.5, beta2: 0.999 },
  },
  // A laptop CPU: a quarter of the filters, 3 blocks, 64 px.
  small: {
    model: 'cyclegan',
    sizePx: 64,
    downsample: 4,
    batchSize: 1,
    generator: { ngf: 16, residualBlocks: 3 },
    discriminator: { ndf: 16, layers: 3 },
    lambdaCycle: 10,
    identityWeight: 0.5,
    poolSize: 50,
    adam: { learningRate: 2e-4, beta1: 0.5, beta2: 0.999 },
  },
  // Tests: the same architecture at 24 px (the smallest a 3-layer PatchGAN takes), 4 filters, 1 block.
  tiny: {
    model: 'cyclegan',
    sizePx: 24,
    downsample: 4,
    batchSize: 1,
    generator: { ngf: 4, residualBlocks: 1 },
    discriminator: { ndf: 4, layers: 3 },
    lambdaCycle: 10,
    identityWeight: 0.5,
    poolSize: 50,
    adam: { learningRate: 2e-4, beta1: 0.5, beta2: 0.999 },
  },
};

const PROGAN_TRAINING = {
  lambda: 10,
  gamma: 1,
  drift: 0.001,
  mirror: true,
  emaDecay: 0.999,
  adam: { learningRate: 0.001, beta1: 0, beta2: 0.99, epsilon: 1e-8 },
} as const;

const PROGAN: Record<PresetName, ProganPreset> = {
  // The original (Karras et al. 2018): fmap_base 8192, fmap_max 512, 600k + 600k images per phase.
  paper: {
    model: 'progan',
    network: {
      maxResolution: 512,
      latentSize: 512,
      fmapBase: 8192,
      fmapDecay: 1,
      fmapMax: 512,
      mbstdGroupSize: 4,
    },
    batchSizes: { 4: 128, 8: 128, 16: 128, 32: 64, 64: 32, 128: 16, 256: 8, 512: 4 },
    imagesPerPhase: { train: 600_000, fade: 600_000 },
    fieldOfViewLevel0Px: 4 * 512,
    ...PROGAN_TRAINING,
  },
  // Up to 128 px with at most 128 feature maps; downsample 4 at 128 px.
  small: {
    model: 'progan',
    network: {
      maxResolution: 128,
      latentSize: 128,
      fmapBase: 1024,
      fmapDecay: 1,
      fmapMax: 128,
      mbstdGroupSize: 4,
    },
    batchSizes: { 4: 16, 8: 16, 16: 16, 32: 16, 64: 8, 128: 4 },
    imagesPerPhase: { train: 20_000, fade: 20_000 },
    fieldOfViewLevel0Px: 4 * 128,
    ...PROGAN_TRAINING,
  },
  // Tests: up to 16 px, at most 16 feature maps, batch 4.
  tiny: {
    model: 'progan',
    network: {
      maxResolution: 16,
      latentSize: 16,
      fmapBase: 64,
      fmapDecay: 1,
      fmapMax: 16,
      mbstdGroupSize: 4,
    },
    batchSizes: { 4: 4, 8: 4, 16: 4 },
    imagesPerPhase: { train: 64, fade: 64 },
    fieldOfViewLevel0Px: 4 * 16,
    ...PROGAN_TRAINING,
  },
};

/** A named CycleGAN preset with optional overrides (e.g. the CLI's --size), validated. */
export function cycleganPreset(name: string, overrides: Partial<CycleganPreset> = {}): CycleganPreset {
  const preset: CycleganPreset = { ...CYCLEGAN[checkPresetName(name)], ...overrides, model: 'cyclegan' };
  validateCycleganPreset(preset);
  return preset;
}

/** A named ProGAN preset with optional overrides, validated. */
export function proganPreset(name: string, overrides: Partial<ProganPreset> = {}): ProganPreset {
  const preset: ProganPreset = { ...PROGAN[checkPresetName(name)], ...overrides, model: 'progan' };
  validateProganPreset(preset);
  return preset;
}

/** The discriminators' Adam: the generators' settings with their own learning rate where one is set. */
export function discriminatorAdam(preset: CycleganPreset | ProganPreset): AdamOptions {
  return { ...preset.adam, learningRate: preset.discriminatorLearningRate ?? preset.adam.learningRate };
}

/** Pyramid downsample for ProGAN patches of `resolution` px (SPEC 6: constant field of view). */
export function proganDownsampleAt(preset: ProganPreset, resolution: number): number {
  return preset.fieldOfViewLevel0Px / resolution;
}

function checkPresetName(name: string): PresetName {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw invalid(`Unknown preset '${name}': expected ${PRESET_NAMES.join(', ')}`);
  }
  return name as PresetName;
}

/** Side of the PatchGAN's score map for an input of `sizePx` (k4 p1 convs: s2 x layers, then s1 x 2). */
export function patchScoreSizePx(sizePx: number, layers: number): number {
  let s = sizePx;
  for (let i = 0; i < layers; i++) s = Math.floor(s / 2);
  return s - 2;
}

/** Throws a TrainingError 'INVALID_CONFIG' naming the first problem. */
export function validateCycleganPreset(p: CycleganPreset): void {
  positiveInteger('generator.ngf', p.generator.ngf);
  nonNegativeInteger('generator.residualBlocks', p.generator.residualBlocks);
  positiveInteger('discriminator.ndf', p.discriminator.ndf);
  positiveInteger('discriminator.layers', p.discriminator.layers);
  positiveInteger('sizePx', p.sizePx);
  // Two stride-2 convs then two transposed ones: only multiples of 4 come back at their own size;
  // the 7-px reflection pad needs at least 4 px and the blocks' 1-px pad at least 2 px at 1/4 size.
  if (p.sizePx % 4 !== 0 || p.sizePx < 8) {
    throw invalid(
      `sizePx ${p.sizePx} is not allowed for cyclegan: the generator needs a multiple of 4, at least 8`,
    );
  }
  const scores = patchScoreSizePx(p.sizePx, p.discriminator.layers);
  if (scores < 1) {
    throw invalid(
      `sizePx ${p.sizePx} is not allowed for cyclegan: a ${p.discriminator.layers}-layer PatchGAN ` +
        `needs at least ${minimumPatchGanSize(p.discriminator.layers)} px`,
    );
  }
  positive('downsample', p.downsample);
  positiveInteger('batchSize', p.batchSize);
  nonNegative('lambdaCycle', p.lambdaCycle);
  nonNegative('identityWeight', p.identityWeight);
  nonNegativeInteger('poolSize', p.poolSize);
  validateAdam(p.adam);
  if (p.discriminatorLearningRate !== undefined) {
    nonNegative('discriminatorLearningRate', p.discriminatorLearningRate);
  }
}

function minimumPatchGanSize(layers: number): number {
  let s = 8;
  while (patchScoreSizePx(s, layers) < 1) s += 4;
  return s;
}

/** Throws a TrainingError 'INVALID_CONFIG' naming the first problem. */
export function validateProganPreset(p: ProganPreset): void {
  const n = p.network;
  if (!Number.isInteger(Math.log2(n.maxResolution)) || n.maxResolution < 8 || n.maxResolution > 1024) {
    throw invalid(
      `maxResolution ${n.maxResolution} is not allowed for progan: use a power of 2 from 8 to 1024`,
    );
  }
  positiveInteger('latentSize', n.latentSize);
  positive('fmapBase', n.fmapBase);
  nonNegative('fmapDecay', n.fmapDecay);
  positiveInteger('fmapMax', n.fmapMax);
  positiveInteger('mbstdGroupSize', n.mbstdGroupSize);
  for (const r of proganResolutions(n)) {
    const batch = p.batchSizes[r];
    if (batch === undefined) throw invalid(`batchSizes has no minibatch for ${r} px`);
    positiveInteger(`batchSizes[${r}]`, batch);
    const group = Math.min(n.mbstdGroupSize, batch);
    if (batch % group !== 0) {
      throw invalid(`batchSizes[${r}] = ${batch} is not a multiple of the minibatch-stddev group ${group}`);
    }
  }
  for (const key of Object.keys(p.batchSizes)) {
    if (!proganResolutions(n).includes(Number(key))) {
      throw invalid(
        `batchSizes has ${key} px, which is not a resolution of this network (4..${n.maxResolution})`,
      );
    }
  }
  positiveInteger('imagesPerPhase.train', p.imagesPerPhase.train);
  nonNegativeInteger('imagesPerPhase.fade', p.imagesPerPhase.fade);
  positive('fieldOfViewLevel0Px', p.fieldOfViewLevel0Px);
  nonNegative('lambda', p.lambda);
  positive('gamma', p.gamma);
  nonNegative('drift', p.drift);
  if (!(p.emaDecay >= 0 && p.emaDecay < 1)) throw invalid(`emaDecay must be in [0, 1), got ${p.emaDecay}`);
  validateAdam(p.adam);
  if (p.discriminatorLearningRate !== undefined) {
    nonNegative('discriminatorLearningRate', p.discriminatorLearningRate);
  }
}

/** Checks that a ProGAN patch size is one of the network's resolutions. */
export function checkProganResolution(p: ProganPreset, sizePx: number): void {
  if (!proganResolutions(p.network).includes(sizePx)) {
    throw invalid(
      `sizePx ${sizePx} is not allowed for progan: use a power of 2 from 4 to ${p.network.maxResolution}`,
    );
  }
}

function validateAdam(adam: AdamOptions): void {
  nonNegative('adam.learningRate', adam.learningRate);
  if (!(adam.beta1 >= 0 && adam.beta1 < 1)) throw invalid(`adam.beta1 must be in [0, 1), got ${adam.beta1}`);
  if (!(adam.beta2 >= 0 && adam.beta2 < 1)) throw invalid(`adam.beta2 must be in [0, 1), got ${adam.beta2}`);
  if (adam.epsilon !== undefined) positive('adam.epsilon', adam.epsilon);
}

function invalid(message: string): TrainingError {
  return new TrainingError('INVALID_CONFIG', message);
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0)
    throw invalid(`Expected a positive integer for ${name} but received ${value}`);
}

function nonNegativeInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw invalid(`Expected a non-negative integer for ${name} but received ${value}`);
  }
}

function positive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0))
    throw invalid(`Expected a positive number for ${name} but received ${value}`);
}

function nonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw invalid(`Expected a non-negative number for ${name} but received ${value}`);
  }
}
