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
  const half = t / 2;
  const out = new Uint8Array(t * t * 3).fill(255);
  // Each child makes one quadrant of the output. Where a 2x2 footprint sticks out of the source, its
  // indices are clamped to the last valid row or column: the four samples then average the valid ones.
  for (let q = 0; q < 4; q++) {
    const child = children[q];
    const validW = Math.min(t, sourceValidWidthPx - (q & 1) * t);
    const validH = Math.min(t, sourceValidHeightPx - (q >> 1) * t);
    if (!child || validW <= 0 || validH <= 0) continue;
    for (let y = 0; 2 * y < validH; y++) {
      const row0 = 2 * y * t * 3;
      const row1 = Math.min(2 * y + 1, validH - 1) * t * 3;
      let o = (((q >> 1) * half + y) * t + (q & 1) * half) * 3;
      for (let x = 0; 2 * x < validW; x++) {
        const col0 = 6 * x;
        const col1 = Math.min(2 * x + 1, validW - 1) * 3;
        for (let c = 0; c < 3; c++) {
          const sum =
            child[row0 + col0 + c]! +
            child[row0 + col1 + c]! +
            child[row1 + col0 + c]! +
            child[row1 + col1 + c]!;
          out[o++] = (sum + 2) >> 2;
        }
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
