import { bestLevelForDownsample } from '../slide/levels.js';
import type { SlideLevel } from '../slide/types.js';
import { SamplerError } from './errors.js';

/**
 * Patch geometry: which pyramid level to read, how many level pixels, and where. All of it is pure
 * arithmetic on the slide's level list, so the sequencer can plan reads without touching the slide.
 */

/** How the field of view is given: a downsample relative to level 0, or a target micron-per-pixel. */
export type SamplingScale =
  | { readonly kind: 'downsample'; readonly downsample: number }
  | { readonly kind: 'mpp'; readonly mpp: number };

/** Where and how one patch is read. Coordinates in level-0 pixels unless the name says otherwise. */
export interface Footprint {
  /** Pyramid level read. */
  readonly level: number;
  /** That level's downsample relative to level 0 (OpenSlide's value, possibly non-integer). */
  readonly levelDownsample: number;
  /** Side of the square read, in pixels of `level`: `round(patchSize * downsample / levelDownsample)`. */
  readonly readSizePx: number;
  /** Top-left corner handed to `readRegion`, integer level-0 pixels (aligned to the level's grid). */
  readonly level0X: number;
  readonly level0Y: number;
  /** Side of the area actually read, in level-0 pixels: `readSizePx * levelDownsample`. */
  readonly level0Width: number;
  readonly level0Height: number;
}

/**
 * The downsample to read one slide at. A target mpp is turned into a downsample from the slide's
 * `openslide.mpp-x`; upsampling (downsample < 1) is refused rather than silently changing the field of view.
 * @param slidePath named in errors
 */
export function downsampleForSlide(scale: SamplingScale, mppX: number | null, slidePath: string): number {
  let downsample: number;
  if (scale.kind === 'downsample') {
    downsample = scale.downsample;
  } else {
    if (mppX === null || !(mppX > 0)) {
      throw new SamplerError(
        'NO_MPP',
        `${slidePath}: the slide has no openslide.mpp-x, so a target of ${scale.mpp} µm/px cannot be ` +
          'converted to a downsample; give a downsample instead, or leave this slide out',
        { path: slidePath },
      );
    }
    downsample = scale.mpp / mppX;
  }
  // 1e-9 absorbs floating-point noise when the target equals the scan resolution.
  if (!(downsample >= 1 - 1e-9)) {
    throw new SamplerError(
      'DOWNSAMPLE_BELOW_ONE',
      `${slidePath}: the requested field of view needs downsample ${downsample.toFixed(4)} < 1 ` +
        `(slide ${mppX ?? '?'} µm/px); the sampler never upsamples`,
      { path: slidePath },
    );
  }
  return Math.max(1, downsample);
}

/**
 * Plans the read of a `patchSize` patch at `downsample` centred on a level-0 point.
 *
 * - Level: OpenSlide's best level for `downsample + 0.1` (the 0.1 absorbs level factors like 4.0003).
 * - Size: `round(patchSize * downsample / levelDownsample)` level pixels, resized to `patchSize` later;
 *   the ratio is never rounded to an integer (the original tool's flaw).
 * - Alignment: the corner sits on a whole level pixel (level-0 x/y multiples of the level downsample,
 *   exact for integer downsamples), because unaligned reads at level > 0 are resampled by OpenSlide
 *   and slower. The centre therefore moves by at most half a level pixel.
 * - Edges: the footprint is shifted to lie inside the level (no transparent, hence no blank, border).
 *   Only when the slide is smaller than the footprint along an axis is the slide centred in it; the
 *   outside is then composited on white by the read (never black).
 */
export function planFootprint(
  levels: readonly SlideLevel[],
  centreLevel0X: number,
  centreLevel0Y: number,
  patchSize: number,
  downsample: number,
): Footprint {
  const level = bestLevelForDownsample(levels, downsample + 0.1);
  const { width, height, downsample: levelDownsample } = levels[level]!;
  const readSizePx = Math.max(1, Math.round((patchSize * downsample) / levelDownsample));
  const level0X = alignedStart(centreLevel0X, width, readSizePx, levelDownsample);
  const level0Y = alignedStart(centreLevel0Y, height, readSizePx, levelDownsample);
  return {
    level,
    levelDownsample,
    readSizePx,
    level0X,
    level0Y,
    level0Width: readSizePx * levelDownsample,
    level0Height: readSizePx * levelDownsample,
  };
}

/** Level-0 start of a read of `sizePx` level pixels centred on `centreLevel0`, kept inside the level. */
function alignedStart(
  centreLevel0: number,
  levelSizePx: number,
  sizePx: number,
  levelDownsample: number,
): number {
  if (sizePx > levelSizePx) {
    return Math.round(Math.round((levelSizePx - sizePx) / 2) * levelDownsample);
  }
  const maxStart = levelSizePx - sizePx;
  const start = Math.min(maxStart, Math.max(0, Math.round(centreLevel0 / levelDownsample - sizePx / 2)));
  // Level-0 coordinates are integers; for a non-integer downsample, floor at the far edge so the read
  // never reaches past the level's last pixel.
  return Math.min(Math.round(start * levelDownsample), Math.floor(maxStart * levelDownsample));
}

/** Centre of a footprint in level-0 pixels. */
export function footprintCentre(footprint: Footprint): { x: number; y: number } {
  return {
    x: footprint.level0X + footprint.level0Width / 2,
    y: footprint.level0Y + footprint.level0Height / 2,
  };
}
