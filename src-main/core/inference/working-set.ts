import type { TileGrid } from './tile-grid.js';

/** The buffers a translation holds at once, in bytes: all grow with the output's width, none with its height. */
export interface TranslationWorkingSet {
  /** The blend band: (tileSizePx + tiffTileSizePx) rows x widthPx x 3 float32 samples. */
  readonly blendBandBytes: number;
  /** One finished strip of TIFF tiles: tiffTileSizePx rows x widthPx x 3 bytes. */
  readonly stripBytes: number;
  /**
   * The matte of one strip (with a tissue mask): float32 alpha per pixel, plus uint16 row distances
   * over the strip and `reachPx` rows above and below it.
   */
  readonly matteBytes: number;
  /** Network tiles of the current row and of the row read ahead: 2 x columns x tileSizePx^2 x 3 bytes. */
  readonly tileRowsBytes: number;
  /** One transform batch: its input bytes and float32 output (the backend's own tensors not counted). */
  readonly batchBytes: number;
  readonly totalBytes: number;
}

/**
 * What translateSlide holds in memory besides the runtime and the network, for `grid`: the bound the
 * streaming design guarantees, O(widthPx) whatever the height (memory is not bounded in the width:
 * a 100k-pixel-wide output at 256 px tiles needs about 1 GB). `matteReachPx` is the BackgroundMatte's
 * reach (null without a tissue mask).
 */
export function translationWorkingSet(
  grid: TileGrid,
  batchSize: number,
  matteReachPx: number | null,
): TranslationWorkingSet {
  const { widthPx: w, tileSizePx: t, tiffTileSizePx: tt, columns } = grid;
  const blendBandBytes = (t + tt) * w * 3 * 4;
  const stripBytes = tt * w * 3;
  const matteBytes = matteReachPx === null ? 0 : tt * w * 4 + (tt + 2 * matteReachPx) * w * 2 + w;
  const tileRowsBytes = 2 * columns * t * t * 3;
  const batchBytes = batchSize * t * t * 3 * (1 + 4);
  return {
    blendBandBytes,
    stripBytes,
    matteBytes,
    tileRowsBytes,
    batchBytes,
    totalBytes: blendBandBytes + stripBytes + matteBytes + tileRowsBytes + batchBytes,
  };
}
