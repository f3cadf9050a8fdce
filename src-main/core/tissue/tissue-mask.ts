import { createHash } from 'node:crypto';
import type { RasterImage } from '../slide/types.js';
import { redChannel, saturationChannel } from './colour-features.js';
import { gaussianBlurChannel } from './gaussian-blur.js';
import { dilateSquare } from './morphology.js';
import { histogram256, otsuClassMeans, otsuThresholdFromHistogram } from './otsu.js';

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
export const TISSUE_MASK_ALGORITHM_VERSION = 2;

/**
 * When a slide holds no tissue (SPEC 1.8). Otsu always splits a histogram in two, so a blank glass slide
 * (noise, or an illumination gradient) would otherwise come out with 40-100% "tissue". Levels are grey
 * levels of the blurred detector channel. Chosen from the fixtures (otsu-red, darker/brighter class means):
 * CMU 151/238, TCGA 199/248, BRACS 139/194, DAPI 0/1, TRITC 10/25; generated blank glass (235 +- noise,
 * and a 230->240 gradient) 234/235 and 232/237. Saturation contrast: TRITC 14.5, BRACS 17.9, others >= 51;
 * blank glass 0.
 */
export const NO_TISSUE_GUARD = Object.freeze({
  /** otsu-red: a darker ("tissue") class at least this bright is glass (palest real fixture: TCGA 199). */
  redNearWhite: 215,
  /** otsu-red on bright glass: classes closer than this are two shades of glass (real: >= 48.6). */
  redMinContrast: 20,
  /** otsu-red: a brighter class at least this bright is brightfield glass (fluorescence stays dark). */
  redBrightGlass: 128,
  /** saturation: classes closer than this in chroma hold no stained tissue (real: >= 14.5). */
  saturationMinContrast: 8,
});

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
  /** Mean of the blurred channel on each side of the threshold (NaN for an empty side). */
  readonly classMeans: { readonly darker: number; readonly brighter: number };
  /** Why the slide holds no tissue though Otsu split it (the mask is then empty); null otherwise. */
  readonly noTissueReason: string | null;
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
    NO_TISSUE_GUARD,
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
 * SPEC 1.3). `saturation`: tissue is saturation `>` threshold. A split without contrast (NO_TISSUE_GUARD)
 * gives an empty mask and the reason.
 */
export async function computeTissueMask(
  thumbnail: RasterImage,
  params: TissueMaskParameters,
): Promise<TissueMaskResult> {
  const { width, height } = thumbnail;
  const feature = params.detector === 'otsu-red' ? redChannel(thumbnail) : saturationChannel(thumbnail);
  const blurred = await gaussianBlurChannel(feature, width, height, params.blurSigmaPx);
  const counts = histogram256(blurred);
  const threshold = otsuThresholdFromHistogram(counts);
  const classMeans = otsuClassMeans(counts, threshold);
  const noTissueReason = noTissueBy(params.detector, classMeans);
  const raw = new Uint8Array(width * height);
  if (noTissueReason !== null) {
    // Left empty: glass only.
  } else if (params.detector === 'otsu-red') {
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
    classMeans,
    noTissueReason,
  };
}

/** Why the two Otsu classes of a detector's channel are both glass, or null when one can be tissue. */
export function noTissueBy(
  detector: TissueDetector,
  means: { readonly darker: number; readonly brighter: number },
): string | null {
  const { darker, brighter } = means;
  // An empty side (a uniform channel): the threshold alone already gives all or nothing.
  if (Number.isNaN(darker) || Number.isNaN(brighter)) return null;
  const contrast = (brighter - darker).toFixed(1);
  if (detector === 'saturation') {
    return brighter - darker < NO_TISSUE_GUARD.saturationMinContrast
      ? `its colour varies by ${contrast} levels only (glass)`
      : null;
  }
  if (darker >= NO_TISSUE_GUARD.redNearWhite) {
    return `even its darker part is near white (red ${darker.toFixed(1)}: glass)`;
  }
  if (brighter >= NO_TISSUE_GUARD.redBrightGlass && brighter - darker < NO_TISSUE_GUARD.redMinContrast) {
    return `its brightness varies by ${contrast} levels only (glass)`;
  }
  return null;
}

/** Number of 1 bytes in a 0/1 array, four at a time (the byte sum of a word is at most 4, so no carries). */
function countOnes(bytes: Uint8Array): number {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  let count = 0;
  for (let i = 0; i < words.length; i++) count += Math.imul(words[i]!, 0x01010101) >>> 24;
  for (let i = words.length * 4; i < bytes.length; i++) count += bytes[i]!;
  return count;
}
