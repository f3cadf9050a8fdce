import { InferenceError } from './errors.js';

/** What defines the tiling of one translation. */
export interface TileGridOptions {
  /** Level-0 size of the slide in pixels. */
  readonly level0WidthPx: number;
  readonly level0HeightPx: number;
  /** Output pixels per level-0 pixel is 1 / downsample (>= 1 not required; any positive value). */
  readonly downsample: number;
  /** Side of the square tiles the network sees, in output pixels. */
  readonly tileSizePx: number;
  /** Output pixels shared by neighbouring network tiles (blended); at most half a tile. */
  readonly overlapPx: number;
  /** Side of the TIFF's tiles in output pixels (a multiple of 16). */
  readonly tiffTileSizePx: number;
}

/**
 * The geometry of a translation: the output image (the slide at `downsample`), the network tiles
 * (origins every `tileSizePx - overlapPx` pixels, the last ones reaching past the image edge) and the
 * TIFF tiles the output is written in.
 */
export interface TileGrid extends TileGridOptions {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly stridePx: number;
  /** Network tiles across and down. */
  readonly columns: number;
  readonly rows: number;
  /** TIFF tiles across and down at level 0. */
  readonly tiffColumns: number;
  readonly tiffRows: number;
}

function tilesAlong(lengthPx: number, tileSizePx: number, stridePx: number): number {
  return lengthPx <= tileSizePx ? 1 : Math.ceil((lengthPx - tileSizePx) / stridePx) + 1;
}

/** Validates the options and lays out the grid; InferenceError 'INVALID_OPTIONS' names the bad one. */
export function createTileGrid(options: Readonly<TileGridOptions>): TileGrid {
  const {
    level0WidthPx: w0,
    level0HeightPx: h0,
    downsample,
    tileSizePx,
    overlapPx,
    tiffTileSizePx,
  } = options;
  positiveInteger('level0WidthPx', w0);
  positiveInteger('level0HeightPx', h0);
  if (!(Number.isFinite(downsample) && downsample > 0)) {
    throw invalid(`Expected a positive number for downsample but received ${downsample}`);
  }
  positiveInteger('tileSizePx', tileSizePx);
  if (!Number.isInteger(overlapPx) || overlapPx < 0 || 2 * overlapPx > tileSizePx) {
    throw invalid(
      `Expected overlapPx to be an integer from 0 to half the tile (${tileSizePx / 2}) but received ${overlapPx}`,
    );
  }
  positiveInteger('tiffTileSizePx', tiffTileSizePx);
  if (tiffTileSizePx % 16 !== 0) {
    throw invalid(`Expected tiffTileSizePx to be a multiple of 16 (TIFF) but received ${tiffTileSizePx}`);
  }
  const widthPx = Math.ceil(w0 / downsample);
  const heightPx = Math.ceil(h0 / downsample);
  const stridePx = tileSizePx - overlapPx;
  return {
    ...options,
    widthPx,
    heightPx,
    stridePx,
    columns: tilesAlong(widthPx, tileSizePx, stridePx),
    rows: tilesAlong(heightPx, tileSizePx, stridePx),
    tiffColumns: Math.ceil(widthPx / tiffTileSizePx),
    tiffRows: Math.ceil(heightPx / tiffTileSizePx),
  };
}

/** Output y (exclusive) up to which every row is final once network tile rows 0..row are done. */
export function finalRowsAfter(grid: TileGrid, row: number): number {
  return row >= grid.rows - 1 ? grid.heightPx : (row + 1) * grid.stridePx;
}

/** The first network tile row that reaches output row `y` (rows before it end above `y`). */
export function firstTileRowReaching(grid: TileGrid, y: number): number {
  if (y <= grid.tileSizePx - 1) return 0;
  return Math.min(grid.rows - 1, Math.floor((y - grid.tileSizePx) / grid.stridePx) + 1);
}

/** Size of the pyramid's levels: halved (rounding up) until one TIFF tile holds the whole level. */
export function pyramidLevelSizes(
  widthPx: number,
  heightPx: number,
  tiffTileSizePx: number,
): { widthPx: number; heightPx: number }[] {
  const sizes = [{ widthPx, heightPx }];
  let w = widthPx;
  let h = heightPx;
  while (w > tiffTileSizePx || h > tiffTileSizePx) {
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
    sizes.push({ widthPx: w, heightPx: h });
  }
  return sizes;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw invalid(`Expected a positive integer for ${name} but received ${value}`);
  }
}

function invalid(message: string): InferenceError {
  return new InferenceError('INVALID_OPTIONS', message);
}
