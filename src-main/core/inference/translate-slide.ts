import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Slide } from '../slide/index.js';
import {
  DEFAULT_MATTE_FEATHER_PX,
  DEFAULT_MATTE_GROW_PX,
  type BackgroundMatteOptions,
} from './background-matte.js';
import { InferenceError } from './errors.js';
import { encodeJpegTile, isBlankTile, JPEG_TILE_SUBSAMPLING } from './jpeg-tile.js';
import { mapLimit } from './map-limit.js';
import { buildPyramidLevel } from './pyramid-levels.js';
import type { OutputStrip } from './tile-blender.js';
import { createTileGrid, pyramidLevelSizes, type TileGrid } from './tile-grid.js';
import { runTilePass } from './tile-pass.js';
import { planTileReads, type TissueMaskGrid } from './tile-source.js';
import type { TileTransform } from './tile-transform.js';
import { pyramidLevelTags } from './tiff/pyramid-tags.js';
import { chooseTiffFormat, type TiffFormat } from './tiff/tiff-directory.js';
import { TiffFileWriter } from './tiff/tiff-file-writer.js';
import { TranslationWorkFolder } from './work-folder.js';

/** Everything a whole-slide translation needs. */
export interface TranslateSlideOptions {
  /** The source slide (the caller opens and closes it). */
  readonly slide: Slide;
  /** Applied to every tissue tile (a generator, or any function for tests). */
  readonly transform: TileTransform;
  /**
   * Identifies the transform (e.g. the generator's weights digest and direction): an interrupted
   * translation is resumed only by a run with the same identity and options.
   */
  readonly transformId: string;
  /** The pyramidal TIFF to write; its work folder is `${outPath}.partial`. */
  readonly outPath: string;
  /** Level-0 pixels per output pixel (the generator's training downsample). */
  readonly downsample: number;
  /**
   * Tissue mask of the slide: tiles out of the matte's reach of tissue skip the transform, and every
   * output pixel is blended with white by the grown, feathered mask (BackgroundMatte). Null: all tissue.
   */
  readonly tissueMask: TissueMaskGrid | null;
  /** Growth and feather of the mask at output resolution (defaults 4 and 8 px). */
  readonly matte?: BackgroundMatteOptions;
  /** Side of the network tiles in output pixels (default 256). */
  readonly tileSizePx?: number;
  /** Output pixels shared by neighbouring tiles, blended (default 32, at most half a tile). */
  readonly overlapPx?: number;
  /** Tiles per transform call (default 4). */
  readonly batchSize?: number;
  /** JPEG quality of the TIFF tiles, 1-100 (default 85). */
  readonly jpegQuality?: number;
  /** Side of the TIFF tiles (default 256). */
  readonly tiffTileSizePx?: number;
  /** Files larger than this are written as BigTIFF (default: what classic TIFF can address, 4 GiB). */
  readonly bigTiffThresholdBytes?: number;
  /** Extra provenance for the sidecar JSON and the TIFF's ImageDescription (generator, direction...). */
  readonly provenance?: Readonly<Record<string, string | number>>;
}

export type TranslatePhase = 'translate' | 'pyramid' | 'write';

/** Where a translation stands; `done` and `total` count the current phase's units. */
export interface TranslateProgress {
  readonly phase: TranslatePhase;
  /** translate: network tiles; pyramid: rows of TIFF tiles of the lower levels; write: rows copied. */
  readonly done: number;
  readonly total: number;
  /** Network tiles sent through the transform, and skipped as background, in this run so far. */
  readonly tissueTiles: number;
  readonly backgroundTiles: number;
  /** Whole job, 0-1 (translation counts for 90%). */
  readonly fraction: number;
}

export interface TranslateSlideHooks {
  readonly onProgress?: (progress: TranslateProgress) => void;
  /** Aborting stops at the next tile batch: the promise resolves with status 'cancelled', work kept. */
  readonly signal?: AbortSignal;
}

export interface TranslateSlideResult {
  readonly status: 'done' | 'cancelled';
  readonly outPath: string;
  /** The JSON written beside the TIFF (mpp, source, options); null when cancelled. */
  readonly sidecarPath: string | null;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly levels: readonly { readonly widthPx: number; readonly heightPx: number }[];
  /** Null when cancelled. */
  readonly format: TiffFormat | null;
  readonly fileBytes: number | null;
  /** Microns per output pixel (source mpp x downsample), null when the slide has no mpp. */
  readonly mppX: number | null;
  readonly mppY: number | null;
  /** TIFF tile row the translation started from (> 0 when it resumed an interrupted run). */
  readonly resumedFromTiffRow: number;
  /** Why an old work folder was discarded (it was for another job), else null. */
  readonly discardedWork: string | null;
  readonly tissueTiles: number;
  readonly backgroundTiles: number;
  readonly seconds: number;
}

const ENCODE_CONCURRENCY = 4;

/**
 * Translates a whole slide: runs `transform` over the tissue tiles at `downsample`, overlapping tiles
 * blended with raised-cosine weights (no seams), background white per pixel (the grown, feathered mask), streaming a band of rows at a time (memory bounded by
 * the output width, not the slide), and writes a pyramidal tiled JPEG TIFF that OpenSlide opens as
 * generic-tiff, plus `${outPath}.json` with the mpp. The mpp is in the X/YResolution tags, which the
 * slide layer reads back (OpenSlide 3.4.1 does not make them openslide.mpp-x for generic-tiff), and in
 * the ImageDescription.
 * Finished rows are kept in `${outPath}.partial/`, so an interrupted or cancelled run continues where it
 * stopped when run again with the same options. The TIFF appears under its name only when complete.
 */
export async function translateSlide(
  options: Readonly<TranslateSlideOptions>,
  hooks: Readonly<TranslateSlideHooks> = {},
): Promise<TranslateSlideResult> {
  const started = performance.now();
  const { slide } = options;
  const { signal } = hooks;
  const jpegQuality = options.jpegQuality ?? 85;
  const batchSize = options.batchSize ?? 4;
  if (!Number.isInteger(jpegQuality) || jpegQuality < 1 || jpegQuality > 100) {
    throw invalid(`Expected jpegQuality to be an integer from 1 to 100 but received ${jpegQuality}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw invalid(`Expected a positive integer for batchSize but received ${batchSize}`);
  }
  const level0 = slide.info.levels[0]!;
  const grid = createTileGrid({
    level0WidthPx: level0.width,
    level0HeightPx: level0.height,
    downsample: options.downsample,
    tileSizePx: options.tileSizePx ?? 256,
    overlapPx: options.overlapPx ?? 32,
    tiffTileSizePx: options.tiffTileSizePx ?? 256,
  });
  planTileReads(slide, grid); // refuses tiles too large to read before any file is touched
  const sizes = pyramidLevelSizes(grid.widthPx, grid.heightPx, grid.tiffTileSizePx);
  const mpp = outputMpp(slide, grid.downsample);
  const matte = options.tissueMask
    ? {
        growPx: options.matte?.growPx ?? DEFAULT_MATTE_GROW_PX,
        featherPx: options.matte?.featherPx ?? DEFAULT_MATTE_FEATHER_PX,
      }
    : null;
  const job = {
    slide: { quickhash: slide.info.quickhash, widthPx: level0.width, heightPx: level0.height },
    transformId: options.transformId,
    downsample: grid.downsample,
    tileSizePx: grid.tileSizePx,
    overlapPx: grid.overlapPx,
    tiffTileSizePx: grid.tiffTileSizePx,
    jpegQuality,
    tissueMask: maskDigest(options.tissueMask),
    matte,
  };
  const { work, discarded } = await TranslationWorkFolder.open(
    `${options.outPath}.partial`,
    job,
    sizes.length,
  );
  const startTiffRow = work.rowsDone(0);
  const counts = { tissueTiles: 0, backgroundTiles: 0 };
  const report = (phase: TranslatePhase, done: number, total: number, fraction: number): void =>
    hooks.onProgress?.({ phase, done, total, ...counts, fraction });
  const result = (
    status: 'done' | 'cancelled',
    written?: { format: TiffFormat; fileBytes: number; sidecar: string },
  ) => ({
    status,
    outPath: options.outPath,
    sidecarPath: written?.sidecar ?? null,
    widthPx: grid.widthPx,
    heightPx: grid.heightPx,
    levels: sizes,
    format: written?.format ?? null,
    fileBytes: written?.fileBytes ?? null,
    mppX: mpp?.x ?? null,
    mppY: mpp?.y ?? null,
    resumedFromTiffRow: startTiffRow,
    discardedWork: discarded,
    ...counts,
    seconds: (performance.now() - started) / 1000,
  });

  // 1. Network tiles, row by row, blended into strips of TIFF tile rows.
  const pass = await runTilePass({
    slide,
    grid,
    transform: options.transform,
    tissueMask: options.tissueMask,
    ...(matte ? { matte } : {}),
    batchSize,
    startTiffRow,
    signal,
    onTiles: (done, total, tissue, background) => {
      counts.tissueTiles = tissue;
      counts.backgroundTiles = background;
      report('translate', done, total, (0.9 * done) / total);
    },
    onStrip: async (strip) => work.writeRow(0, strip.tiffRow, await encodeStrip(strip, grid, jpegQuality)),
  });
  if (!pass.completed) return result('cancelled');

  // 2. Lower levels, each from the one above.
  const pyramidRows = sizes.slice(1).reduce((n, s) => n + Math.ceil(s.heightPx / grid.tiffTileSizePx), 0);
  let pyramidDone = sizes.slice(1).reduce((n, _, i) => n + work.rowsDone(i + 1), 0);
  for (let level = 1; level < sizes.length; level++) {
    const complete = await buildPyramidLevel({
      work,
      level,
      sizes,
      tileSizePx: grid.tiffTileSizePx,
      jpegQuality,
      signal,
      onRow: () => {
        pyramidDone++;
        report('pyramid', pyramidDone, pyramidRows, 0.9 + (0.07 * pyramidDone) / pyramidRows);
      },
    });
    if (!complete) return result('cancelled');
  }

  // 3. The TIFF, under a temporary name in the work folder, then renamed.
  const written = await writePyramidTiff(options, work, grid, sizes, mpp, jpegQuality, signal, report);
  if (!written) return result('cancelled');
  const sidecar = `${options.outPath}.json`;
  const done = result('done', { ...written, sidecar });
  await writeFile(
    `${sidecar}.tmp`,
    `${JSON.stringify({ ...sidecarJson(options, grid, done, mpp), matte }, null, 2)}\n`,
  );
  await rename(`${sidecar}.tmp`, sidecar);
  await rename(written.tempPath, options.outPath);
  await work.remove();
  return { ...done, seconds: (performance.now() - started) / 1000 };
}

/** Cuts a strip into TIFF tiles (white beyond the right edge) and JPEG-encodes the non-blank ones. */
async function encodeStrip(
  strip: OutputStrip,
  grid: TileGrid,
  quality: number,
): Promise<(Uint8Array | null)[]> {
  const t = grid.tiffTileSizePx;
  return mapLimit(
    Array.from({ length: grid.tiffColumns }, (_, i) => i),
    ENCODE_CONCURRENCY,
    async (column) => {
      const tile = new Uint8Array(t * t * 3).fill(255);
      const x0 = column * t;
      const width = Math.min(t, grid.widthPx - x0);
      for (let y = 0; y < t; y++) {
        const from = (y * grid.widthPx + x0) * 3;
        tile.set(strip.rgb.subarray(from, from + width * 3), y * t * 3);
      }
      return isBlankTile(tile) ? null : encodeJpegTile(tile, t, quality);
    },
  );
}

async function writePyramidTiff(
  options: Readonly<TranslateSlideOptions>,
  work: TranslationWorkFolder,
  grid: TileGrid,
  sizes: readonly { widthPx: number; heightPx: number }[],
  mpp: { x: number; y: number } | null,
  jpegQuality: number,
  signal: AbortSignal | undefined,
  report: (phase: TranslatePhase, done: number, total: number, fraction: number) => void,
): Promise<{ format: TiffFormat; fileBytes: number; tempPath: string } | null> {
  const t = grid.tiffTileSizePx;
  const blank = await encodeJpegTile(new Uint8Array(t * t * 3).fill(255), t, jpegQuality);
  const description = imageDescription(options, grid, mpp);
  const directories = (format: TiffFormat, offsets: Float64Array[], counts: Float64Array[]) =>
    sizes.map((size, level) =>
      pyramidLevelTags(
        {
          ...size,
          tileSizePx: t,
          tileOffsets: offsets[level]!,
          tileByteCounts: counts[level]!,
          reduced: level > 0,
          ycbcrSubsampling: JPEG_TILE_SUBSAMPLING,
          mpp: mpp && {
            x: (mpp.x * grid.widthPx) / size.widthPx,
            y: (mpp.y * grid.heightPx) / size.heightPx,
          },
          ...(level === 0 ? { description } : {}),
        },
        format,
      ),
    );
  const tileCounts = sizes.map((s) => Math.ceil(s.widthPx / t) * Math.ceil(s.heightPx / t));
  const offsets = tileCounts.map((n) => new Float64Array(n));
  const counts = tileCounts.map((n) => new Float64Array(n));
  const format = chooseTiffFormat(
    work.tileBytes + blank.length,
    directories('classic', offsets, counts),
    options.bigTiffThresholdBytes,
  );
  const tempPath = join(work.folder, 'output.tif');
  const writer = await TiffFileWriter.create(tempPath, format);
  try {
    const blankOffset = await writer.append(blank);
    const rowsTotal = sizes.reduce((n, s) => n + Math.ceil(s.heightPx / t), 0);
    let rowsDone = 0;
    for (let level = 0; level < sizes.length; level++) {
      const rows = Math.ceil(sizes[level]!.heightPx / t);
      for (let row = 0; row < rows; row++) {
        if (signal?.aborted) {
          await writer.discard();
          return null;
        }
        const tiles = await work.readRow(level, row);
        for (let i = 0; i < tiles.length; i++) {
          const tile = tiles[i];
          const index = row * tiles.length + i;
          offsets[level]![index] = tile ? await writer.append(tile) : blankOffset;
          counts[level]![index] = tile ? tile.length : blank.length;
        }
        rowsDone++;
        report('write', rowsDone, rowsTotal, 0.97 + (0.03 * rowsDone) / rowsTotal);
      }
    }
    const fileBytes = await writer.finish(directories(format, offsets, counts));
    return { format, fileBytes, tempPath };
  } catch (error) {
    await writer.discard();
    throw error;
  }
}

/** Microns per output pixel, when the slide gives its mpp. */
function outputMpp(slide: Slide, downsample: number): { x: number; y: number } | null {
  const { mppX, mppY } = slide.info;
  return mppX && mppY ? { x: mppX * downsample, y: mppY * downsample } : null;
}

/** Identifies the mask's content, so a changed mask does not resume an old job. */
function maskDigest(mask: TissueMaskGrid | null): string {
  if (!mask) return 'none';
  const hash = createHash('sha256');
  hash.update(`${mask.width}x${mask.height}:`);
  hash.update(mask.data);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Level 0's ImageDescription: `key=value` pairs separated by '|', printable ASCII only. It must not
 * start with a vendor's signature (e.g. "Aperio"), or OpenSlide would not open the file as generic-tiff.
 */
function imageDescription(
  options: Readonly<TranslateSlideOptions>,
  grid: TileGrid,
  mpp: { x: number; y: number } | null,
): string {
  const fields: Record<string, string | number> = {
    source: basename(options.slide.path),
    'source-quickhash': options.slide.info.quickhash,
    downsample: grid.downsample,
    ...(mpp ? { 'mpp-x': mpp.x, 'mpp-y': mpp.y } : {}),
    ...options.provenance,
  };
  const clean = (v: string | number): string => String(v).replace(/[^ -~]|\|/g, '?');
  return [
    'histo-fetch translation',
    ...Object.entries(fields).map(([k, v]) => `${clean(k)}=${clean(v)}`),
  ].join('|');
}

function sidecarJson(
  options: Readonly<TranslateSlideOptions>,
  grid: TileGrid,
  result: TranslateSlideResult,
  mpp: { x: number; y: number } | null,
): Record<string, unknown> {
  return {
    format: 'histo-fetch-translation',
    formatVersion: 1,
    tiff: basename(options.outPath),
    createdAt: new Date().toISOString(),
    source: {
      path: options.slide.path,
      quickhash: options.slide.info.quickhash,
      widthPx: grid.level0WidthPx,
      heightPx: grid.level0HeightPx,
      mppX: options.slide.info.mppX,
      mppY: options.slide.info.mppY,
    },
    downsample: grid.downsample,
    mppX: mpp?.x ?? null,
    mppY: mpp?.y ?? null,
    mppNote:
      'OpenSlide 3.4.1 does not read TIFF resolution tags for generic-tiff, so openslide.mpp-x/y are absent ' +
      "(histo-fetch's slide layer derives the mpp from them); " +
      'the mpp is here, in the ImageDescription (mpp-x, mpp-y) and in X/YResolution (pixels per cm).',
    widthPx: result.widthPx,
    heightPx: result.heightPx,
    levels: result.levels,
    tiffFormat: result.format,
    tileSizePx: grid.tileSizePx,
    overlapPx: grid.overlapPx,
    tiffTileSizePx: grid.tiffTileSizePx,
    tissueMask: options.tissueMask ? 'used' : 'none',
    transformId: options.transformId,
    provenance: options.provenance ?? {},
  };
}

function invalid(message: string): InferenceError {
  return new InferenceError('INVALID_OPTIONS', message);
}
