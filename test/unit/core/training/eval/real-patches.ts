import type { PatchImage } from '../../../../../src-main/core/sampling/patch-image.js';
import { resizePatch } from '../../../../../src-main/core/sampling/resize.js';
import type { Slide } from '../../../../../src-main/core/slide/index.js';

/**
 * Real patches without the sampler: a region of `slide` read at `level`, resampled by 1/`shrink`, cut
 * into `sizePx` tiles (row-major).
 */
export async function gridPatches(
  slide: Slide,
  level0X: number,
  level0Y: number,
  level: number,
  regionPx: number,
  shrink: number,
  sizePx: number,
): Promise<PatchImage[]> {
  const region = await slide.readRegion(level0X, level0Y, level, regionPx, regionPx);
  const side = regionPx / shrink;
  const image = await resizePatch(
    { width: regionPx, height: regionPx, data: new Uint8Array(region.data) },
    side,
    side,
  );
  const patches: PatchImage[] = [];
  for (let y = 0; y + sizePx <= side; y += sizePx) {
    for (let x = 0; x + sizePx <= side; x += sizePx) {
      const data = new Uint8Array(sizePx * sizePx * 3);
      for (let r = 0; r < sizePx; r++) {
        const from = ((y + r) * side + x) * 3;
        data.set(image.data.subarray(from, from + sizePx * 3), r * sizePx * 3);
      }
      patches.push({ width: sizePx, height: sizePx, data });
    }
  }
  return patches;
}
