import sharp from 'sharp';
import type { RasterImage, Slide } from '../slide/types.js';

/**
 * Slide thumbnails for masks (SPEC 1.1): long side `min(longSidePx, level-0 long side)`, aspect kept, read
 * from the pyramid level OpenSlide picks for the downsample (never level 0 of a large pyramidal slide),
 * transparent areas composited on the slide's background colour.
 */

export interface ThumbnailSize {
  readonly width: number;
  readonly height: number;
  /** Level-0 pixels per thumbnail pixel along the long side (>= 1). */
  readonly downsample: number;
}

export interface ThumbnailOptions {
  /** Longest side of the thumbnail in pixels; the level-0 long side when smaller. */
  readonly longSidePx: number;
  /**
   * Largest region read in one call, in level pixels per side: bounds OpenSlide's temporary buffers when the
   * chosen level is large (a slide without a pyramid, or one with sparse levels). Default 4096, so the level
   * OpenSlide picks for a 2000 px thumbnail of a full pyramid is read in one call.
   */
  readonly readTilePx?: number;
}

/** Thumbnail size for a level-0 size: long side `min(longSidePx, long side)`, short side rounded, both >= 1. */
export function thumbnailSize(level0Width: number, level0Height: number, longSidePx: number): ThumbnailSize {
  const long = Math.max(level0Width, level0Height);
  const target = Math.min(longSidePx, long);
  const scale = target / long;
  return {
    width: Math.max(1, Math.round(level0Width * scale)),
    height: Math.max(1, Math.round(level0Height * scale)),
    downsample: long / target,
  };
}

/**
 * Reads the thumbnail of a slide as RGB. The level is OpenSlide's best level for the thumbnail's downsample;
 * it is read in tiles of at most `readTilePx` and box-averaged by the largest integer factor that keeps it at
 * least as large as the thumbnail (exact, seam-free, bounded memory), then resized to the exact size.
 */
export async function readThumbnail(slide: Slide, options: Readonly<ThumbnailOptions>): Promise<RasterImage> {
  const level0 = slide.info.levels[0]!;
  const size = thumbnailSize(level0.width, level0.height, options.longSidePx);
  const tilePx = options.readTilePx ?? 4096;
  const level = slide.bestLevelForDownsample(size.downsample);
  const { width: levelWidth, height: levelHeight, downsample: levelDownsample } = slide.info.levels[level]!;
  const factor = Math.max(
    1,
    Math.min(Math.floor(levelWidth / size.width), Math.floor(levelHeight / size.height)),
  );
  const readPx = Math.max(factor, Math.floor(tilePx / factor) * factor);
  const shrunkWidth = Math.ceil(levelWidth / factor);
  const shrunkHeight = Math.ceil(levelHeight / factor);
  const readOptions = { format: 'rgb', background: slide.info.backgroundRgb } as const;
  let shrunk: Buffer;
  if (factor === 1 && levelWidth <= readPx && levelHeight <= readPx) {
    // The common case (a full pyramid): one read of the whole level, used as it is.
    shrunk = (await slide.readRegion(0, 0, level, levelWidth, levelHeight, readOptions)).data;
  } else {
    shrunk = Buffer.alloc(shrunkWidth * shrunkHeight * 3);
    for (let levelY = 0; levelY < levelHeight; levelY += readPx) {
      for (let levelX = 0; levelX < levelWidth; levelX += readPx) {
        const tile = await slide.readRegion(
          Math.round(levelX * levelDownsample),
          Math.round(levelY * levelDownsample),
          level,
          Math.min(readPx, levelWidth - levelX),
          Math.min(readPx, levelHeight - levelY),
          readOptions,
        );
        boxShrinkInto(tile, factor, shrunk, shrunkWidth, levelX / factor, levelY / factor);
      }
    }
  }
  if (shrunkWidth === size.width && shrunkHeight === size.height) {
    return { width: size.width, height: size.height, channels: 3, data: shrunk };
  }
  const data = await sharp(shrunk, { raw: { width: shrunkWidth, height: shrunkHeight, channels: 3 } })
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { width: size.width, height: size.height, channels: 3, data };
}

/**
 * Averages `factor x factor` blocks of an RGB tile into `out` (RGB, `outWidth` wide) at block position
 * (outX, outY). Blocks cut by the tile's right or bottom edge average the pixels they have.
 */
export function boxShrinkInto(
  tile: RasterImage,
  factor: number,
  out: Buffer,
  outWidth: number,
  outX: number,
  outY: number,
): void {
  const { width, height, channels, data } = tile;
  if (factor === 1 && channels === 3) {
    for (let y = 0; y < height; y++) {
      data.copy(out, ((outY + y) * outWidth + outX) * 3, y * width * 3, (y + 1) * width * 3);
    }
    return;
  }
  const blocksX = Math.ceil(width / factor);
  const sums = new Uint32Array(blocksX * 3);
  const counts = new Uint32Array(blocksX);
  for (let blockY = 0; blockY * factor < height; blockY++) {
    sums.fill(0);
    counts.fill(0);
    const yEnd = Math.min(height, (blockY + 1) * factor);
    for (let y = blockY * factor; y < yEnd; y++) {
      let from = y * width * channels;
      for (let x = 0; x < width; x++, from += channels) {
        const block = (x / factor) | 0;
        sums[block * 3] += data[from]!;
        sums[block * 3 + 1] += data[from + 1]!;
        sums[block * 3 + 2] += data[from + 2]!;
        counts[block]!++;
      }
    }
    let to = ((outY + blockY) * outWidth + outX) * 3;
    for (let block = 0; block < blocksX; block++, to += 3) {
      const n = counts[block]!;
      const half = n >> 1;
      out[to] = ((sums[block * 3]! + half) / n) | 0;
      out[to + 1] = ((sums[block * 3 + 1]! + half) / n) | 0;
      out[to + 2] = ((sums[block * 3 + 2]! + half) / n) | 0;
    }
  }
}

/** Encodes a thumbnail as a JPEG for the UI, long side at most `longSidePx`. */
export async function encodeThumbnailJpeg(thumbnail: RasterImage, longSidePx = 1024): Promise<Buffer> {
  const scale = Math.min(1, longSidePx / Math.max(thumbnail.width, thumbnail.height));
  return sharp(thumbnail.data, {
    raw: { width: thumbnail.width, height: thumbnail.height, channels: thumbnail.channels },
  })
    .resize(
      Math.max(1, Math.round(thumbnail.width * scale)),
      Math.max(1, Math.round(thumbnail.height * scale)),
      {
        fit: 'fill',
      },
    )
    .removeAlpha()
    .jpeg({ quality: 80 })
    .toBuffer();
}
