import type { Rng } from '../util/rng.js';
import { planFootprint, type Footprint } from './geometry.js';
import type { SamplerSlide } from './plan.js';

/** A drawn patch location: the point, the read that covers it, and the tissue under the read. */
export interface Location {
  readonly centreLevel0X: number;
  readonly centreLevel0Y: number;
  readonly footprint: Footprint;
  readonly tissueFraction: number;
}

/**
 * Draws a patch location on a slide: a tissue pixel of the mask uniformly at random, then a point
 * uniformly inside that mask pixel's level-0 footprint. The jitter keeps locations from being quantised
 * to the mask grid (a 2000-px mask of a 100k-px slide would otherwise allow only every 50th pixel as a
 * centre) while keeping the density uniform over tissue. With `minTissueFraction`, locations whose
 * footprint holds less tissue are redrawn, at most `maxRedraws` times; null means none was found.
 */
export function drawLocation(
  slide: SamplerSlide,
  rng: Rng,
  patchSize: number,
  minTissueFraction: number,
  maxRedraws: number,
): Location | null {
  const tissue = slide.tissue;
  const level0PerMaskPixelX = tissue.level0Width / tissue.maskWidth;
  const level0PerMaskPixelY = tissue.level0Height / tissue.maskHeight;
  for (let attempt = 0; attempt <= maxRedraws; attempt++) {
    const pixel = tissue.drawMaskPixel(rng);
    const centreLevel0X = (pixel.maskX + rng.next()) * level0PerMaskPixelX;
    const centreLevel0Y = (pixel.maskY + rng.next()) * level0PerMaskPixelY;
    const footprint = planFootprint(slide.levels, centreLevel0X, centreLevel0Y, patchSize, slide.downsample);
    const tissueFraction = tissue.tissueFraction(
      footprint.level0X,
      footprint.level0Y,
      footprint.level0Width,
      footprint.level0Height,
    );
    if (tissueFraction >= minTissueFraction) {
      return { centreLevel0X, centreLevel0Y, footprint, tissueFraction };
    }
  }
  return null;
}
