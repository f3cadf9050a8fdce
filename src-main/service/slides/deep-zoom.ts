import type { DeepZoomLayout } from '../../contract/index.js';

/** Tile side of the slide view's pyramid. */
export const deepZoomTileSizePx = 256;

/**
 * The deep-zoom pyramid of a slide of level-0 size `widthPx` x `heightPx`: the top level is level 0 at
 * full resolution, each level below halves it (rounding up), down to 1 x 1 px.
 */
export function deepZoomLayout(widthPx: number, heightPx: number): DeepZoomLayout {
  const levelCount = Math.ceil(Math.log2(Math.max(widthPx, heightPx, 1))) + 1;
  const levelSizes = Array.from({ length: levelCount }, (_, level) => {
    const factor = 2 ** (levelCount - 1 - level);
    return { widthPx: Math.ceil(widthPx / factor), heightPx: Math.ceil(heightPx / factor) };
  });
  return { tileSizePx: deepZoomTileSizePx, levelCount, levelSizes };
}

/** Where a deep-zoom tile comes from in the slide. */
export interface TileSource {
  /** Level-0 rectangle the tile covers. */
  readonly level0X: number;
  readonly level0Y: number;
  readonly level0Width: number;
  readonly level0Height: number;
  /** Size of the tile in its deep-zoom level's pixels. */
  readonly tileWidthPx: number;
  readonly tileHeightPx: number;
  /** Downsample of the tile's level relative to level 0 (a power of two). */
  readonly downsample: number;
}

/** Maps a tile address to its level-0 footprint; null when the address lies outside the pyramid. */
export function tileSource(
  layout: DeepZoomLayout,
  level: number,
  col: number,
  row: number,
): TileSource | null {
  if (level >= layout.levelCount) return null;
  const size = layout.levelSizes[level]!;
  const tile = layout.tileSizePx;
  if (col * tile >= size.widthPx || row * tile >= size.heightPx) return null;
  const full = layout.levelSizes[layout.levelCount - 1]!;
  const downsample = 2 ** (layout.levelCount - 1 - level);
  const tileWidthPx = Math.min(tile, size.widthPx - col * tile);
  const tileHeightPx = Math.min(tile, size.heightPx - row * tile);
  const level0X = col * tile * downsample;
  const level0Y = row * tile * downsample;
  return {
    level0X,
    level0Y,
    level0Width: Math.min(tileWidthPx * downsample, full.widthPx - level0X),
    level0Height: Math.min(tileHeightPx * downsample, full.heightPx - level0Y),
    tileWidthPx,
    tileHeightPx,
    downsample,
  };
}
