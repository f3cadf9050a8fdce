import type { Slide } from '../slide/index.js';
import { BackgroundMatte, type BackgroundMatteOptions } from './background-matte.js';
import { InferenceError } from './errors.js';
import { mapLimit } from './map-limit.js';
import { TileBlender, type OutputStrip } from './tile-blender.js';
import { finalRowsAfter, firstTileRowReaching, type TileGrid } from './tile-grid.js';
import { planTileReads, readTile, type TissueMaskGrid } from './tile-source.js';
import type { TileTransform } from './tile-transform.js';

export interface TilePassOptions {
  readonly slide: Slide;
  readonly grid: TileGrid;
  readonly transform: TileTransform;
  /** Null: everything is tissue. Else background is white per pixel (BackgroundMatte). */
  readonly tissueMask: TissueMaskGrid | null;
  /** How the mask is grown and feathered at output resolution. */
  readonly matte?: BackgroundMatteOptions;
  /** Tiles per transform call. */
  readonly batchSize: number;
  /** First TIFF tile row to produce (0, or where an interrupted run stopped). */
  readonly startTiffRow?: number;
  readonly signal?: AbortSignal;
  /** Tiles read at once on the thread pool (default 4). */
  readonly readConcurrency?: number;
  /** After each transform batch (or background-only row): tiles done and the total, counts. */
  readonly onTiles?: (done: number, total: number, tissue: number, background: number) => void;
  /** Receives each finished row of TIFF tiles, in order; awaited before the pass goes on. */
  readonly onStrip: (strip: OutputStrip) => Promise<void>;
}

/** What a pass did: whether it reached the end, and its tiles. */
export interface TilePassResult {
  readonly completed: boolean;
  readonly tissueTiles: number;
  readonly backgroundTiles: number;
}

/**
 * The tiled translation itself, independent of how its output is stored: network tiles row by row
 * (tiles within the matte's reach of tissue read, transformed in batches; the others white without the
 * transform), blended into strips of TIFF tile rows, background whitened per pixel by the matte, and
 * handed to `onStrip` as soon as they are final. The next row's tiles are
 * read while the transform works on the current one. Stops at the next batch once `signal` aborts.
 */
export async function runTilePass(options: Readonly<TilePassOptions>): Promise<TilePassResult> {
  const { slide, grid, transform, tissueMask, batchSize, signal } = options;
  const plan = planTileReads(slide, grid);
  const startTiffRow = options.startTiffRow ?? 0;
  const counts = { tissueTiles: 0, backgroundTiles: 0 };
  if (startTiffRow >= grid.tiffRows) return { completed: true, ...counts };
  const total = grid.rows * grid.columns;
  const firstRow = firstTileRowReaching(grid, startTiffRow * grid.tiffTileSizePx);
  let done = firstRow * grid.columns;
  const progress = (): void => options.onTiles?.(done, total, counts.tissueTiles, counts.backgroundTiles);
  const matte = tissueMask ? new BackgroundMatte(tissueMask, grid, options.matte) : null;
  const blender = new TileBlender(grid, startTiffRow, matte);
  const columns = Array.from({ length: grid.columns }, (_, i) => i);
  const readRow = (row: number): Promise<(Uint8Array | null)[]> =>
    mapLimit(columns, options.readConcurrency ?? 4, (column) => {
      const x = column * grid.stridePx;
      const y = row * grid.stridePx;
      return !matte || matte.reachesTile(x, y, grid.tileSizePx)
        ? readTile(slide, grid, plan, x, y)
        : Promise.resolve(null);
    });
  const tilePixels = grid.tileSizePx * grid.tileSizePx * 3;
  let nextRead: Promise<(Uint8Array | null)[]> | null = readRow(firstRow);
  try {
    for (let row = firstRow; row < grid.rows; row++) {
      const inputs = await nextRead!;
      // The next row is read on the thread pool while the transform computes this one.
      nextRead = row + 1 < grid.rows ? readRow(row + 1) : null;
      inputs.forEach((rgb, column) => {
        if (rgb) return;
        blender.add(column, row, null);
        counts.backgroundTiles++;
        done++;
      });
      const tissue = inputs.flatMap((rgb, column) => (rgb ? [{ column, rgb }] : []));
      if (tissue.length === 0) progress();
      for (let i = 0; i < tissue.length; i += batchSize) {
        if (signal?.aborted) return { completed: false, ...counts };
        const batch = tissue.slice(i, i + batchSize);
        const outputs = await runTransform(transform, batch, grid.tileSizePx);
        batch.forEach(({ column }, k) =>
          blender.add(column, row, outputs.subarray(k * tilePixels, (k + 1) * tilePixels)),
        );
        counts.tissueTiles += batch.length;
        done += batch.length;
        progress();
      }
      for (const strip of blender.takeFinished(finalRowsAfter(grid, row))) await options.onStrip(strip);
      if (signal?.aborted && row + 1 < grid.rows) return { completed: false, ...counts };
    }
  } finally {
    // A row read ahead and never awaited must not become an unhandled rejection.
    void nextRead?.catch(() => undefined);
  }
  return { completed: true, ...counts };
}

async function runTransform(
  transform: TileTransform,
  batch: readonly { rgb: Uint8Array }[],
  sizePx: number,
): Promise<Float32Array> {
  const tilePixels = sizePx * sizePx * 3;
  const rgb = new Uint8Array(batch.length * tilePixels);
  batch.forEach((tile, k) => rgb.set(tile.rgb, k * tilePixels));
  let out: Float32Array;
  try {
    out = await transform({ count: batch.length, sizePx, rgb });
  } catch (error) {
    throw new InferenceError('TRANSFORM_FAILED', `The tile transform failed: ${(error as Error).message}`);
  }
  if (!(out instanceof Float32Array) || out.length !== rgb.length) {
    throw new InferenceError(
      'TRANSFORM_FAILED',
      `The tile transform returned ${String((out as { length?: number } | null)?.length)} values for ` +
        `${batch.length} tiles of ${sizePx} px (expected ${rgb.length})`,
    );
  }
  return out;
}
