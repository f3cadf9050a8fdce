import { resizePatch } from '../sampling/resize.js';
import { MAX_REGION_PIXELS, type Slide } from '../slide/index.js';
import { InferenceError } from './errors.js';
import type { TileGrid } from './tile-grid.js';

/**
 * A tissue mask over the slide's whole level-0 extent, one byte per mask pixel (1 = tissue), row-major;
 * the tissue module's TissueMask has this shape.
 */
export interface TissueMaskGrid {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Output pixels read around each tile and cut off after resampling, so the Lanczos kernel sees real
 * neighbours at the tile's edge instead of a clamped border (which would differ from tile to tile).
 */
export const CONTEXT_MARGIN_PX = 4;

/** Where and how tiles are read: the pyramid level and its scale relative to the output. */
export interface TileReadPlan {
  readonly level: number;
  /** Level pixels per output pixel. */
  readonly levelPxPerOutputPx: number;
  /** Side of the region read per tile, in level pixels (context margins included). */
  readonly readSizePx: number;
}

/**
 * Reads from the level OpenSlide picks for `downsample + 0.1` (SPEC 2.2: the 0.1 absorbs level factors
 * such as 4.0003), the lowest-resolution level that still has at least the output's resolution.
 */
export function planTileReads(slide: Slide, grid: TileGrid): TileReadPlan {
  const level = slide.bestLevelForDownsample(grid.downsample + 0.1);
  const levelPxPerOutputPx = grid.downsample / slide.info.levels[level]!.downsample;
  const readSizePx = Math.max(1, Math.round((grid.tileSizePx + 2 * CONTEXT_MARGIN_PX) * levelPxPerOutputPx));
  if (readSizePx * readSizePx > MAX_REGION_PIXELS) {
    throw new InferenceError(
      'INVALID_OPTIONS',
      `A ${grid.tileSizePx} px tile at downsample ${grid.downsample} needs ${readSizePx}x${readSizePx} pixels ` +
        `of level ${level}, more than one read may return: use a smaller tile`,
      slide.path,
    );
  }
  return { level, levelPxPerOutputPx, readSizePx };
}

/**
 * Reads the network tile whose top-left corner is output pixel (originX, originY): its footprint plus
 * a context margin, resampled to the output's scale (Lanczos-3, as the sampler prepares training
 * patches), margin cut off. Returns tileSizePx^2 RGB bytes; outside the slide reads as its background.
 */
export async function readTile(
  slide: Slide,
  grid: TileGrid,
  plan: TileReadPlan,
  originX: number,
  originY: number,
): Promise<Uint8Array> {
  const t = grid.tileSizePx;
  const m = CONTEXT_MARGIN_PX;
  const outer = t + 2 * m;
  const region = await slide.readRegion(
    Math.round((originX - m) * grid.downsample),
    Math.round((originY - m) * grid.downsample),
    plan.level,
    plan.readSizePx,
    plan.readSizePx,
    { format: 'rgb' },
  );
  const source = {
    width: region.width,
    height: region.height,
    data: new Uint8Array(region.data.buffer, region.data.byteOffset, region.data.length),
  };
  const resized = await resizePatch(source, outer, outer);
  const tile = new Uint8Array(t * t * 3);
  for (let y = 0; y < t; y++) {
    const from = ((y + m) * outer + m) * 3;
    tile.set(resized.data.subarray(from, from + t * 3), y * t * 3);
  }
  return tile;
}
