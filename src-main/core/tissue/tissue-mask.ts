import { createHash } from 'node:crypto';
import type { RasterImage } from '../slide/types.js';
import { redChannel, saturationChannel } from './colour-features.js';
import { gaussianBlurChannel } from './gaussian-blur.js';
import { dilateSquare } from './morphology.js';
import { otsuThreshold } from './otsu.js';

/** `otsu-red`: SPEC 1.1-1.4 (the original tool). `saturation`: Otsu on saturation (CLAM's idea, SPEC 1.9). */
export type TissueDetector = 'otsu-red' | 'saturation';

export const TISSUE_DETECTORS: readonly TissueDetector[] = ['otsu-red', 'saturation'];

/** Everything that changes a mask; part of its cache key. */
export interface TissueMaskParameters {
  readonly detector: TissueDetector;
  /** Long side of the thumbnail the mask is computed on (SPEC 1.1: `min(this, level-0 long side)`). */
  readonly thumbnailLongSidePx: number;
  /** Gaussian sigma in thumbnail pixels (SPEC 1.2). */
  readonly blurSigmaPx: number;
  /** Side of the square that erodes the background, i.e. dilates the tissue (SPEC 1.4), odd. */
  readonly dilationSquarePx: number;
}

export const DEFAULT_TISSUE_MASK_PARAMETERS: TissueMaskParameters = Object.freeze({
  detector: 'otsu-red',
  thumbnailLongSidePx: 2000,
  blurSigmaPx: 10,
  dilationSquarePx: 5,
});

/** Bumped whenever the algorithm changes in a way that changes masks, so old cache entries are never reused. */
export const TISSUE_MASK_ALGORITHM_VERSION = 1;

/** A binary mask: one byte per thumbnail pixel, 1 = tissue, row-major. */
export interface TissueMask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface TissueMaskResult {
  readonly mask: TissueMask;
  /** The Otsu threshold on the detector's channel (0-255). */
  readonly threshold: number;
  readonly tissuePixels: number;
  /** tissuePixels / all pixels, 0-1. */
  readonly tissueFraction: number;
}

/** Validates parameters (from a config, the CLI, or the UI) and fills defaults; throws RangeError naming the field. */
export function resolveTissueMaskParameters(
  overrides: Readonly<Partial<TissueMaskParameters>> = {},
): TissueMaskParameters {
  const p = { ...DEFAULT_TISSUE_MASK_PARAMETERS, ...overrides };
  if (!TISSUE_DETECTORS.includes(p.detector)) {
    throw new RangeError(
      `Expected detector to be one of ${TISSUE_DETECTORS.join(', ')} but received ${String(p.detector)}`,
    );
  }
  if (
    !Number.isInteger(p.thumbnailLongSidePx) ||
    p.thumbnailLongSidePx < 16 ||
    p.thumbnailLongSidePx > 16384
  ) {
    throw new RangeError(
      `Expected thumbnailLongSidePx to be an integer in 16..16384 but received ${p.thumbnailLongSidePx}`,
    );
  }
  if (!(p.blurSigmaPx > 0 && p.blurSigmaPx <= 100)) {
    throw new RangeError(`Expected blurSigmaPx in (0, 100] but received ${p.blurSigmaPx}`);
  }
  if (
    !Number.isInteger(p.dilationSquarePx) ||
    p.dilationSquarePx < 1 ||
    p.dilationSquarePx % 2 === 0 ||
    p.dilationSquarePx > 101
  ) {
    throw new RangeError(
      `Expected dilationSquarePx to be an odd integer in 1..101 but received ${p.dilationSquarePx}`,
    );
  }
  return Object.freeze({
    detector: p.detector,
    thumbnailLongSidePx: p.thumbnailLongSidePx,
    blurSigmaPx: p.blurSigmaPx,
    dilationSquarePx: p.dilationSquarePx,
  });
}

/**
 * Short stable key of the parameters and the algorithm version, for cache file names: any change of either
 * gives another key, so a mask built with other settings is never picked up by mistake.
 */
export function tissueMaskParametersKey(params: TissueMaskParameters): string {
  const canonical = JSON.stringify([
    TISSUE_MASK_ALGORITHM_VERSION,
    params.detector,
    params.thumbnailLongSidePx,
    params.blurSigmaPx,
    params.dilationSquarePx,
  ]);
  return `${params.detector}-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}

/**
 * Computes the tissue mask of a thumbnail: detector channel -> Gaussian blur -> Otsu -> tissue side of the
 * threshold -> dilation of the tissue. `otsu-red`: tissue is red `<=` threshold (brighter is background,
 * SPEC 1.3). `saturation`: tissue is saturation `>` threshold.
 */
export async function computeTissueMask(
  thumbnail: RasterImage,
  params: TissueMaskParameters,
): Promise<TissueMaskResult> {
  const { width, height } = thumbnail;
  const feature = params.detector === 'otsu-red' ? redChannel(thumbnail) : saturationChannel(thumbnail);
  const blurred = await gaussianBlurChannel(feature, width, height, params.blurSigmaPx);
  const threshold = otsuThreshold(blurred);
  const raw = new Uint8Array(width * height);
  if (params.detector === 'otsu-red') {
    for (let i = 0; i < raw.length; i++) raw[i] = blurred[i]! <= threshold ? 1 : 0;
  } else {
    for (let i = 0; i < raw.length; i++) raw[i] = blurred[i]! > threshold ? 1 : 0;
  }
  const data = dilateSquare(raw, width, height, params.dilationSquarePx);
  const tissuePixels = countOnes(data);
  return {
    mask: { width, height, data },
    threshold,
    tissuePixels,
    tissueFraction: tissuePixels / data.length,
  };
}

/** Number of 1 bytes in a 0/1 array, four at a time (the byte sum of a word is at most 4, so no carries). */
function countOnes(bytes: Uint8Array): number {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  let count = 0;
  for (let i = 0; i < words.length; i++) count += Math.imul(words[i]!, 0x01010101) >>> 24;
  for (let i = words.length * 4; i < bytes.length; i++) count += bytes[i]!;
  return count;
}
