import type { SlideLevel } from './types.js';

/**
 * OpenSlide's rule for the level to read for a wanted downsample: the last level whose downsample is
 * not above it (level 0 when it is below level 0's). Same result as openslide_get_best_level_for_downsample,
 * computed from cached levels so it keeps working on a handle in error state, except that a level marked
 * `unreliable` is passed over for the next finer one (reading more pixels, never undefined ones).
 */
export function bestLevelForDownsample(levels: readonly SlideLevel[], downsample: number): number {
  let best = Math.max(0, levels.length - 1);
  for (let level = 1; level < levels.length; level++) {
    if (downsample < levels[level]!.downsample) {
      best = level - 1;
      break;
    }
  }
  while (best > 0 && levels[best]!.unreliable !== undefined) best--;
  return best;
}
