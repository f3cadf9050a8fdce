import sharp from 'sharp';
import type { ImageBytes } from '../../contract/index.js';
import type { Slide } from '../../core/slide/types.js';

/** A level-0 rectangle of a slide. */
export interface Level0Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Reads a level-0 rectangle at the coarsest pyramid level that still has at least the output's resolution,
 * and scales it to `outWidth` x `outHeight` as a JPEG. Reading level 0 for a small picture of a large
 * slide would read (and decode) every tile of the slide.
 */
export async function renderRegion(
  slide: Slide,
  rect: Level0Rect,
  outWidth: number,
  outHeight: number,
  quality = 85,
): Promise<ImageBytes> {
  const downsample = Math.max(rect.width / outWidth, rect.height / outHeight, 1);
  // 1% slack: level factors such as 4.0003 should still count as 4.
  const level = slide.bestLevelForDownsample(downsample * 1.01);
  const levelDownsample = slide.info.levels[level]!.downsample;
  const width = Math.max(1, Math.round(rect.width / levelDownsample));
  const height = Math.max(1, Math.round(rect.height / levelDownsample));
  const raster = await slide.readRegion(rect.x, rect.y, level, width, height);
  const bytes = await sharp(raster.data, { raw: { width, height, channels: raster.channels } })
    .resize(outWidth, outHeight, { fit: 'fill', kernel: 'lanczos3' })
    .removeAlpha()
    .jpeg({ quality })
    .toBuffer();
  return { mime: 'image/jpeg', widthPx: outWidth, heightPx: outHeight, bytes };
}

/** The output size that fits a `width` x `height` picture into `maxSide`, keeping its aspect. */
export function fitInside(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
