import type { TileGrid } from './tile-grid.js';
import type { TissueMaskGrid } from './tile-source.js';

/** How far the tissue mask is grown at output resolution before the background is whitened. */
export interface BackgroundMatteOptions {
  /** Output pixels around the tissue kept fully translated (default 4). */
  readonly growPx?: number;
  /** Width in output pixels of the fade from translated to white beyond the grown tissue (default 8). */
  readonly featherPx?: number;
}

export const DEFAULT_MATTE_GROW_PX = 4;
export const DEFAULT_MATTE_FEATHER_PX = 8;

/** Columns summarised together when looking for blocks that are all tissue or all background. */
const BLOCK_PX = 32;

/**
 * The per-pixel weight of the translation against white: the tissue mask at output resolution (the
 * mask sampled bilinearly at each output pixel's centre, tissue where >= 0.5), grown by `growPx` and
 * feathered over `featherPx` with a raised cosine of the Euclidean distance to the nearest tissue pixel.
 * The output is `alpha * translated + (1 - alpha) * 255`, so background inside a tile that touches
 * tissue is white too, not whatever the network made of it. Alpha depends only on the output pixel,
 * never on the tile, so overlapping tiles agree and no tile shape shows.
 */
export class BackgroundMatte {
  readonly growPx: number;
  readonly featherPx: number;
  /** Distance beyond which alpha is 0: growPx + featherPx. */
  readonly reachPx: number;
  /** Per output column: left mask column and the weight of the right one (bilinear sampling). */
  private readonly column0: Int32Array;
  private readonly columnWeight: Float32Array;
  private readonly scaleY: number;

  constructor(
    private readonly mask: TissueMaskGrid,
    private readonly grid: TileGrid,
    options: Readonly<BackgroundMatteOptions> = {},
  ) {
    this.growPx = options.growPx ?? DEFAULT_MATTE_GROW_PX;
    this.featherPx = options.featherPx ?? DEFAULT_MATTE_FEATHER_PX;
    if (!Number.isInteger(this.growPx) || this.growPx < 0) {
      throw new RangeError(`growPx must be a non-negative integer, not ${this.growPx}`);
    }
    if (!Number.isInteger(this.featherPx) || this.featherPx < 1) {
      throw new RangeError(`featherPx must be a positive integer, not ${this.featherPx}`);
    }
    this.reachPx = this.growPx + this.featherPx;
    const scaleX = (mask.width / grid.level0WidthPx) * grid.downsample;
    this.scaleY = (mask.height / grid.level0HeightPx) * grid.downsample;
    this.column0 = new Int32Array(grid.widthPx);
    this.columnWeight = new Float32Array(grid.widthPx);
    for (let x = 0; x < grid.widthPx; x++) {
      const u = (x + 0.5) * scaleX - 0.5;
      this.column0[x] = Math.floor(u);
      this.columnWeight[x] = u - Math.floor(u);
    }
  }

  /**
   * The tissue at output resolution, before growing: 1 or 0 for each pixel of rows y0..y0+rows-1,
   * row-major, `widthPx` per row.
   */
  tissueRows(y0: number, rows: number): Uint8Array {
    const { widthPx } = this.grid;
    const out = new Uint8Array(rows * widthPx);
    for (let y = y0; y < y0 + rows; y++) {
      this.tissueRow(y, 0, widthPx, out.subarray((y - y0) * widthPx));
    }
    return out;
  }

  /**
   * Whether any pixel of the square of `sizePx` at output (originX, originY) gets alpha > 0, i.e. has
   * tissue within `reachPx`: tiles for which this is false need no translation.
   */
  reachesTile(originX: number, originY: number, sizePx: number): boolean {
    const { widthPx, heightPx } = this.grid;
    const x0 = Math.max(0, originX - this.reachPx);
    const x1 = Math.min(widthPx, originX + sizePx + this.reachPx);
    const y0 = Math.max(0, originY - this.reachPx);
    const y1 = Math.min(heightPx, originY + sizePx + this.reachPx);
    if (x0 >= x1) return false;
    const row = new Uint8Array(x1 - x0);
    for (let y = y0; y < y1; y++) {
      this.tissueRow(y, x0, x1, row);
      if (row.includes(1)) return true;
    }
    return false;
  }

  /**
   * Alpha of output rows y0..y0+rows-1, `rows * widthPx` values from 0 (white) to 1 (translated).
   * Memory is O(width): the rows plus `reachPx` rows of context above and below.
   */
  alphaRows(y0: number, rows: number): Float32Array {
    const { widthPx, heightPx } = this.grid;
    const reach = this.reachPx;
    const top = Math.max(0, y0 - reach);
    const bottom = Math.min(heightPx, y0 + rows + reach);
    // Per context row: horizontal distance to the nearest tissue pixel of that row, capped at reach + 1.
    const cap = reach + 1;
    const rowDistance = new Uint16Array((bottom - top) * widthPx);
    const tissue = new Uint8Array(widthPx);
    for (let y = top; y < bottom; y++) {
      this.tissueRow(y, 0, widthPx, tissue);
      const d = rowDistance.subarray((y - top) * widthPx, (y - top + 1) * widthPx);
      let run = cap;
      for (let x = 0; x < widthPx; x++) {
        run = tissue[x] ? 0 : Math.min(cap, run + 1);
        d[x] = run;
      }
      run = cap;
      for (let x = widthPx - 1; x >= 0; x--) {
        run = tissue[x] ? 0 : Math.min(cap, run + 1);
        if (run < d[x]!) d[x] = run;
      }
    }
    // Per block of BLOCK_PX columns of each context row: the least and greatest horizontal distance, so
    // blocks that are all tissue or all far background skip the per-pixel search.
    const blocks = Math.ceil(widthPx / BLOCK_PX);
    const blockMin = new Uint16Array((bottom - top) * blocks);
    const blockMax = new Uint16Array((bottom - top) * blocks);
    for (let r = 0; r < bottom - top; r++) {
      for (let b = 0; b < blocks; b++) {
        let lo = cap;
        let hi = 0;
        for (let x = b * BLOCK_PX; x < Math.min(widthPx, (b + 1) * BLOCK_PX); x++) {
          const h = rowDistance[r * widthPx + x]!;
          if (h < lo) lo = h;
          if (h > hi) hi = h;
        }
        blockMin[r * blocks + b] = lo;
        blockMax[r * blocks + b] = hi;
      }
    }
    // Exact Euclidean distance within the reach: the nearest tissue pixel lies on some row y + dy.
    const alpha = new Float32Array(rows * widthPx);
    const grow2 = this.growPx * this.growPx;
    const reach2 = reach * reach;
    for (let y = y0; y < y0 + rows; y++) {
      const out = (y - y0) * widthPx;
      const dyMin = Math.max(top, y - reach) - y;
      const dyMax = Math.min(bottom - 1, y + reach) - y;
      for (let b = 0; b < blocks; b++) {
        const x0 = b * BLOCK_PX;
        const x1 = Math.min(widthPx, x0 + BLOCK_PX);
        let lo = cap;
        for (let dy = dyMin; dy <= dyMax; dy++) lo = Math.min(lo, blockMin[(y + dy - top) * blocks + b]!);
        if (lo === cap) continue; // no tissue within reach: alpha stays 0
        if (blockMax[(y - top) * blocks + b] === 0) {
          alpha.fill(1, out + x0, out + x1); // every pixel is tissue
          continue;
        }
        for (let x = x0; x < x1; x++) {
          let best = reach2 + 1;
          for (let dy = dyMin; dy <= dyMax && best > grow2; dy++) {
            const h = rowDistance[(y + dy - top) * widthPx + x]!;
            const d2 = h * h + dy * dy;
            if (d2 < best) best = d2;
          }
          alpha[out + x] = best <= grow2 ? 1 : best > reach2 ? 0 : this.fade(Math.sqrt(best));
        }
      }
    }
    return alpha;
  }

  /** Raised cosine from 1 at growPx to 0 at reachPx. */
  private fade(distancePx: number): number {
    const t = (distancePx - this.growPx) / this.featherPx;
    return t >= 1 ? 0 : 0.5 * (1 + Math.cos(Math.PI * t));
  }

  /** Tissue (1) or not (0) for output pixels x0..x1-1 of row y, into out[0..x1-x0-1]. */
  private tissueRow(y: number, x0: number, x1: number, out: Uint8Array): void {
    const { mask } = this;
    const v = (y + 0.5) * this.scaleY - 0.5;
    const r0 = clamp(Math.floor(v), mask.height);
    const r1 = clamp(Math.floor(v) + 1, mask.height);
    const wy = v - Math.floor(v);
    const row0 = r0 * mask.width;
    const row1 = r1 * mask.width;
    for (let x = x0; x < x1; x++) {
      const c0 = clamp(this.column0[x]!, mask.width);
      const c1 = clamp(this.column0[x]! + 1, mask.width);
      const wx = this.columnWeight[x]!;
      const top = (mask.data[row0 + c0] ? 1 - wx : 0) + (mask.data[row0 + c1] ? wx : 0);
      const bottom = (mask.data[row1 + c0] ? 1 - wx : 0) + (mask.data[row1 + c1] ? wx : 0);
      out[x - x0] = (1 - wy) * top + wy * bottom >= 0.5 ? 1 : 0;
    }
  }
}

function clamp(index: number, length: number): number {
  return index < 0 ? 0 : index >= length ? length - 1 : index;
}
