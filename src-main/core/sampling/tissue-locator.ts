import type { Rng } from '../util/rng.js';

/**
 * What the sampler needs from a slide's tissue index (the shape of `core/tissue`'s TissueIndex).
 * Mask pixels are addressed by integer (maskX, maskY); level-0 coordinates are pixels.
 */
export interface TissueLocator {
  readonly maskWidth: number;
  readonly maskHeight: number;
  readonly level0Width: number;
  readonly level0Height: number;
  /** Number of mask pixels draws choose from. */
  readonly tissuePixels: number;
  /** A tissue pixel drawn uniformly at random. */
  drawMaskPixel(rng: Rng): { readonly maskX: number; readonly maskY: number };
  /** Fraction (0..1) of a level-0 rectangle covered by tissue according to the mask. */
  tissueFraction(level0X: number, level0Y: number, level0Width: number, level0Height: number): number;
}
