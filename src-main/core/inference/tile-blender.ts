import type { BackgroundMatte } from './background-matte.js';
import { blendWeights } from './blend-window.js';
import type { TileGrid } from './tile-grid.js';

/** A finished strip of the output: one row of TIFF tiles, `tiffTileSizePx` rows of `widthPx` RGB pixels. */
export interface OutputStrip {
  /** Index of the TIFF tile row. */
  readonly tiffRow: number;
  /** tiffTileSizePx * widthPx * 3 bytes; rows below the image are white. */
  readonly rgb: Uint8Array;
}

/**
 * Accumulates weighted network tiles into a band of output rows and hands back each row of TIFF tiles
 * as soon as no later tile can touch it. The band holds `tileSizePx + tiffTileSizePx` rows, whatever
 * the image height: memory is bounded by the image width. Weights are a partition of unity
 * (blendWeights), so the accumulated sum is the blended image, with no division. With a matte, each
 * finished row is then blended with white per pixel (background inside tissue tiles turns white too).
 */
export class TileBlender {
  private readonly bandHeightPx: number;
  private readonly band: Float32Array;
  /** Output row held in the band's first row. */
  private bandTopPx: number;
  private nextTiffRow: number;
  private readonly weights = new Map<string, Float32Array>();

  /** `startTiffRow` > 0 resumes: contributions above it are dropped. No matte: everything is tissue. */
  constructor(
    private readonly grid: TileGrid,
    startTiffRow = 0,
    private readonly matte: BackgroundMatte | null = null,
  ) {
    this.bandHeightPx = grid.tileSizePx + grid.tiffTileSizePx;
    this.band = new Float32Array(this.bandHeightPx * grid.widthPx * 3);
    this.nextTiffRow = startTiffRow;
    this.bandTopPx = startTiffRow * grid.tiffTileSizePx;
  }

  /** Bytes held by the band (for memory accounting). */
  get bandBytes(): number {
    return this.band.byteLength;
  }

  /**
   * Adds the network output for tile (column, row): tileSizePx^2 RGB floats on the 0-255 scale, or
   * null for a tile that was not translated (background), which counts as white.
   */
  add(column: number, row: number, pixels: Float32Array | null): void {
    const g = this.grid;
    const t = g.tileSizePx;
    const ox = column * g.stridePx;
    const oy = row * g.stridePx;
    const wx = this.weightsFor(column, g.columns);
    const wy = this.weightsFor(row, g.rows);
    const yStart = Math.max(oy, this.bandTopPx);
    const yEnd = Math.min(oy + t, g.heightPx);
    const xEnd = Math.min(ox + t, g.widthPx);
    if (yEnd - this.bandTopPx > this.bandHeightPx) {
      throw new Error(`Tile row ${row} reaches past the band (rows ${this.bandTopPx}+${this.bandHeightPx})`);
    }
    const band = this.band;
    for (let y = yStart; y < yEnd; y++) {
      const v = y - oy;
      const rowWeight = wy[v]!;
      let b = ((y - this.bandTopPx) * g.widthPx + ox) * 3;
      if (pixels === null) {
        for (let x = ox; x < xEnd; x++) {
          const w = 255 * rowWeight * wx[x - ox]!;
          band[b++]! += w;
          band[b++]! += w;
          band[b++]! += w;
        }
      } else {
        let p = v * t * 3;
        for (let u = 0; u < xEnd - ox; u++) {
          const w = rowWeight * wx[u]!;
          band[b++]! += w * pixels[p++]!;
          band[b++]! += w * pixels[p++]!;
          band[b++]! += w * pixels[p++]!;
        }
      }
    }
  }

  /** Takes every TIFF tile row that is final once output rows above `finalPx` are (see finalRowsAfter). */
  takeFinished(finalPx: number): OutputStrip[] {
    const g = this.grid;
    const tt = g.tiffTileSizePx;
    const strips: OutputStrip[] = [];
    for (;;) {
      const top = this.nextTiffRow * tt;
      const complete = top + tt <= finalPx || (finalPx >= g.heightPx && top < g.heightPx);
      if (!complete) break;
      strips.push({ tiffRow: this.nextTiffRow, rgb: this.strip(Math.min(tt, g.heightPx - top)) });
      this.shift(tt);
      this.nextTiffRow++;
    }
    return strips;
  }

  private strip(validRows: number): Uint8Array {
    const g = this.grid;
    const rowLength = g.widthPx * 3;
    const out = new Uint8Array(g.tiffTileSizePx * rowLength).fill(255);
    if (this.matte) {
      const alpha = this.matte.alphaRows(this.bandTopPx, validRows);
      const band = this.band;
      for (let p = 0, b = 0; p < alpha.length; p++) {
        const a = alpha[p]!;
        const white = 255 * (1 - a);
        band[b] = a * band[b]! + white;
        band[b + 1] = a * band[b + 1]! + white;
        band[b + 2] = a * band[b + 2]! + white;
        b += 3;
      }
    }
    // Uint8ClampedArray rounds half to even and clamps to 0..255.
    new Uint8ClampedArray(out.buffer, 0, validRows * rowLength).set(
      this.band.subarray(0, validRows * rowLength),
    );
    return out;
  }

  private shift(rows: number): void {
    const length = rows * this.grid.widthPx * 3;
    this.band.copyWithin(0, length);
    this.band.fill(0, this.band.length - length);
    this.bandTopPx += rows;
  }

  private weightsFor(index: number, count: number): Float32Array {
    const key = `${index > 0}:${index < count - 1}`;
    let w = this.weights.get(key);
    if (!w) {
      w = blendWeights(this.grid.tileSizePx, this.grid.overlapPx, index > 0, index < count - 1);
      this.weights.set(key, w);
    }
    return w;
  }
}
