import { decodeJpegTile, encodeJpegTile } from './jpeg-tile.js';
import { mapLimit } from './map-limit.js';
import type { TranslationWorkFolder } from './work-folder.js';

/** Tiles decoded and encoded at once (sharp works on libuv's thread pool). */
const TILE_CONCURRENCY = 4;

/** Size of one pyramid level in pixels. */
export interface LevelSize {
  readonly widthPx: number;
  readonly heightPx: number;
}

/**
 * One tile of the next level from the 2x2 block of tiles under it (row-major: top-left, top-right,
 * bottom-left, bottom-right; null = white). Each output pixel averages the source pixels of its 2x2
 * footprint that lie inside the source level (`sourceValidWidthPx/HeightPx` of the block, counted from
 * its top-left), so edges are not darkened or lightened by padding; pixels with no source stay white.
 */
export function downsampleQuad(
  children: readonly (Uint8Array | null)[],
  tileSizePx: number,
  sourceValidWidthPx: number,
  sourceValidHeightPx: number,
): Uint8Array {
  const t = tileSizePx;
  const out = new Uint8Array(t * t * 3).fill(255);
  const sample = (sx: number, sy: number, c: number): number => {
    const child = children[(sy >= t ? 2 : 0) + (sx >= t ? 1 : 0)];
    return child ? child[((sy % t) * t + (sx % t)) * 3 + c]! : 255;
  };
  for (let y = 0; y < t; y++) {
    const sy0 = 2 * y;
    if (sy0 >= sourceValidHeightPx) break;
    const rowsIn = sy0 + 1 < sourceValidHeightPx ? 2 : 1;
    for (let x = 0; x < t; x++) {
      const sx0 = 2 * x;
      if (sx0 >= sourceValidWidthPx) break;
      const colsIn = sx0 + 1 < sourceValidWidthPx ? 2 : 1;
      const n = rowsIn * colsIn;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < rowsIn; dy++)
          for (let dx = 0; dx < colsIn; dx++) sum += sample(sx0 + dx, sy0 + dy, c);
        out[(y * t + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return out;
}

export interface BuildLevelOptions {
  readonly work: TranslationWorkFolder;
  /** The level to build (>= 1); level - 1 must be complete in the work folder. */
  readonly level: number;
  readonly sizes: readonly LevelSize[];
  readonly tileSizePx: number;
  readonly jpegQuality: number;
  readonly signal?: AbortSignal;
  /** Called after each finished row. */
  readonly onRow?: (row: number, rows: number) => void;
}

/**
 * Builds a pyramid level from the level above it, one row of tiles at a time (two source rows in
 * memory), continuing after the rows the work folder already holds. Returns false when `signal`
 * aborted it (finished rows are kept).
 */
export async function buildPyramidLevel(options: Readonly<BuildLevelOptions>): Promise<boolean> {
  const { work, level, sizes, tileSizePx: t, jpegQuality } = options;
  const source = sizes[level - 1]!;
  const target = sizes[level]!;
  const sourceRows = Math.ceil(source.heightPx / t);
  const rows = Math.ceil(target.heightPx / t);
  const columns = Math.ceil(target.widthPx / t);
  for (let row = work.rowsDone(level); row < rows; row++) {
    if (options.signal?.aborted) return false;
    const upper = await work.readRow(level - 1, 2 * row);
    const lower = 2 * row + 1 < sourceRows ? await work.readRow(level - 1, 2 * row + 1) : [];
    const columnIndices = Array.from({ length: columns }, (_, column) => column);
    const tiles = await mapLimit(columnIndices, TILE_CONCURRENCY, async (column) => {
      const jpegs = [upper[2 * column], upper[2 * column + 1], lower[2 * column], lower[2 * column + 1]];
      if (jpegs.every((j) => !j)) return null;
      const children = await Promise.all(jpegs.map((j) => (j ? decodeJpegTile(j, t) : null)));
      const rgb = downsampleQuad(
        children,
        t,
        Math.min(2 * t, source.widthPx - 2 * column * t),
        Math.min(2 * t, source.heightPx - 2 * row * t),
      );
      return encodeJpegTile(rgb, t, jpegQuality);
    });
    await work.writeRow(level, row, tiles);
    options.onRow?.(row + 1, rows);
  }
  return true;
}
