import { SamplerError } from './errors.js';
import type { SamplingScale } from './geometry.js';
import type { SlideWeighting } from './slide-order.js';

/** Sampler options; every field has the original tool's default (SPEC 2) or a documented one. */
export interface PatchSamplerOptions {
  /** Output patch side in pixels (default 256). */
  readonly patchSize?: number;
  /** Field of view as a downsample relative to level 0, any real >= 1 (default 4). */
  readonly downsample?: number;
  /** Field of view as microns per patch pixel, from each slide's `openslide.mpp-x` (instead of downsample). */
  readonly mpp?: number;
  /** Probability (0..1) that a patch is augmented (default 0). */
  readonly augment?: number;
  /** Reject locations whose footprint holds less tissue than this, per the mask (default 0: off). */
  readonly minTissueFraction?: number;
  /** Seed of the whole sequence (default 0). */
  readonly seed?: number | string;
  /** Patches per batch (default 32). */
  readonly batchSize?: number;
  /** Batches kept prepared ahead of the consumer (default 2). */
  readonly prefetchBatches?: number;
  /** Plans in flight ahead of delivery; part of the sequence definition (default 64). */
  readonly lookahead?: number;
  /**
   * Plans mixed by the shuffle buffer (default 1: off). Passes are already freshly shuffled; a buffer of
   * K mixes patches across passes at the price of the exact per-pass slide balance (off by at most K).
   */
  readonly shuffleBufferSize?: number;
  /** Failures after which a slide is excluded (default 3). */
  readonly maxSlideFailures?: number;
  /** Redraws of a location below `minTissueFraction` before the slide gets a failure (default 50). */
  readonly maxLocationRedraws?: number;
  /** `balanced` passes (default) or `tissue-area` weights. */
  readonly weighting?: SlideWeighting;
  /** Also deliver Float32 NHWC in [-1, 1] (default true; the CLI needs only the 8-bit pixels). */
  readonly float32?: boolean;
  /**
   * Start as soon as a domain has one slide with a mask, admitting the others as their masks arrive
   * (fastest first batch; the sequence then depends on mask timing until all are in). Default false:
   * wait for every mask outcome, so the sequence depends only on seed, dataset and parameters.
   */
  readonly startEarly?: boolean;
}

/** Options with every default filled in and every value checked. */
export interface ResolvedSamplerOptions {
  readonly patchSize: number;
  readonly scale: SamplingScale;
  readonly augment: number;
  readonly minTissueFraction: number;
  readonly seed: number | string;
  readonly batchSize: number;
  readonly prefetchBatches: number;
  readonly lookahead: number;
  readonly shuffleBufferSize: number;
  readonly maxSlideFailures: number;
  readonly maxLocationRedraws: number;
  readonly weighting: SlideWeighting;
  readonly float32: boolean;
  readonly startEarly: boolean;
}

/** Fills in defaults and validates; throws SamplerError 'INVALID_OPTION' naming the option. */
export function resolveSamplerOptions(options: Readonly<PatchSamplerOptions> = {}): ResolvedSamplerOptions {
  if (options.downsample !== undefined && options.mpp !== undefined) {
    throw invalid('Give either downsample or mpp, not both');
  }
  const scale: SamplingScale =
    options.mpp !== undefined
      ? { kind: 'mpp', mpp: positive('mpp', options.mpp) }
      : { kind: 'downsample', downsample: atLeast('downsample', options.downsample ?? 4, 1) };
  const weighting = options.weighting ?? 'balanced';
  if (weighting !== 'balanced' && weighting !== 'tissue-area') {
    throw invalid(`Expected weighting 'balanced' or 'tissue-area' but received ${JSON.stringify(weighting)}`);
  }
  const seed = options.seed ?? 0;
  if (!(typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed)))) {
    throw invalid(`Expected a number or string seed but received ${String(seed)}`);
  }
  return {
    patchSize: integer('patchSize', options.patchSize ?? 256, 1, 8192),
    scale,
    augment: unit('augment', options.augment ?? 0),
    minTissueFraction: unit('minTissueFraction', options.minTissueFraction ?? 0),
    seed,
    batchSize: integer('batchSize', options.batchSize ?? 32, 1, 65536),
    prefetchBatches: integer('prefetchBatches', options.prefetchBatches ?? 2, 1, 1024),
    lookahead: integer('lookahead', options.lookahead ?? 64, 1, 65536),
    shuffleBufferSize: integer('shuffleBufferSize', options.shuffleBufferSize ?? 1, 1, 1 << 20),
    maxSlideFailures: integer('maxSlideFailures', options.maxSlideFailures ?? 3, 1, 1 << 20),
    maxLocationRedraws: integer('maxLocationRedraws', options.maxLocationRedraws ?? 50, 0, 1 << 20),
    weighting,
    float32: options.float32 ?? true,
    startEarly: options.startEarly ?? false,
  };
}

/** The options that define the patch sequence: a saved state only continues under the same ones. */
export function sequenceFingerprint(options: ResolvedSamplerOptions): Record<string, unknown> {
  return {
    patchSize: options.patchSize,
    scale: options.scale,
    augment: options.augment,
    minTissueFraction: options.minTissueFraction,
    seed: options.seed,
    lookahead: options.lookahead,
    shuffleBufferSize: options.shuffleBufferSize,
    maxSlideFailures: options.maxSlideFailures,
    maxLocationRedraws: options.maxLocationRedraws,
    weighting: options.weighting,
  };
}

function invalid(message: string): SamplerError {
  return new SamplerError('INVALID_OPTION', message);
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`Expected an integer in [${min}, ${max}] for ${name} but received ${String(value)}`);
  }
  return value;
}

function unit(name: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw invalid(`Expected a number in [0, 1] for ${name} but received ${String(value)}`);
  }
  return value;
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw invalid(`Expected a positive number for ${name} but received ${String(value)}`);
  }
  return value;
}

function atLeast(name: string, value: number, min: number): number {
  if (typeof value !== 'number' || !(value >= min) || !Number.isFinite(value)) {
    throw invalid(`Expected a number >= ${min} for ${name} but received ${String(value)}`);
  }
  return value;
}
