import type { Rng } from '../util/rng.js';
import type { TissueMask } from './tissue-mask.js';

/** A point in level-0 pixel coordinates (may be fractional: the centre of a mask pixel). */
export interface Level0Point {
  readonly level0X: number;
  readonly level0Y: number;
}

/** What to do with a slide whose mask has no tissue pixel (SPEC 1.8). */
export type EmptyMaskPolicy = 'exclude' | 'uniform';

/**
 * Sampling index over one slide's tissue mask, built once and kept in memory (SPEC 2.1, 2.4):
 * - `drawMaskPixel` / `drawLevel0Point`: a uniformly random tissue pixel in O(log runs) from a run-length
 *   form (tissue runs of each row with a prefix count), a few KB for a smooth mask instead of a pixel list;
 * - `tissueFraction`: the tissue share of any level-0 rectangle by summing, row by row, the runs it covers
 *   (O(rows x runs per row), a few microseconds for a patch footprint). The sampler asks for it for every
 *   patch (provenance), so it must not cost memory per mask pixel: a summed-area table (4 bytes per mask
 *   pixel, ~13 MB for a 2000 px mask) for each of a dataset's slides would not fit; the runs are all it keeps.
 */
export class TissueIndex {
  readonly maskWidth: number;
  readonly maskHeight: number;
  readonly level0Width: number;
  readonly level0Height: number;
  /** Number of pixels draws choose from (all pixels when `uniform`). */
  readonly tissuePixels: number;
  /** True when the mask had no tissue and the policy made every pixel eligible. */
  readonly uniform: boolean;
  /** Flat index (y * width + x) where each run starts. */
  private readonly runStart: Uint32Array;
  /** Number of eligible pixels before each run; `runPrefix[runs] = tissuePixels`. */
  private readonly runPrefix: Float64Array;
  /** The runs of row y are `rowRuns[y]` .. `rowRuns[y + 1] - 1` (a run never spans two rows). */
  private readonly rowRuns: Uint32Array;

  private constructor(
    mask: TissueMask,
    level0Width: number,
    level0Height: number,
    runStart: Uint32Array,
    runPrefix: Float64Array,
    uniform: boolean,
  ) {
    this.maskWidth = mask.width;
    this.maskHeight = mask.height;
    this.level0Width = level0Width;
    this.level0Height = level0Height;
    this.runStart = runStart;
    this.runPrefix = runPrefix;
    this.tissuePixels = runPrefix[runPrefix.length - 1]!;
    this.uniform = uniform;
    this.rowRuns = new Uint32Array(mask.height + 1);
    let run = 0;
    for (let y = 0; y <= mask.height; y++) {
      while (run < runStart.length && runStart[run]! < y * mask.width) run++;
      this.rowRuns[y] = run;
    }
  }

  /**
   * Builds the index of a mask for a slide of the given level-0 size. A mask without tissue gives null with
   * `exclude` (the slide is left out of sampling), or an index over every pixel with `uniform`.
   */
  static fromMask(
    mask: TissueMask,
    level0Width: number,
    level0Height: number,
    whenEmpty: EmptyMaskPolicy = 'exclude',
  ): TissueIndex | null {
    const { width, height, data } = mask;
    if (data.length !== width * height) {
      throw new RangeError(
        `Expected ${width * height} mask bytes for ${width}x${height} but received ${data.length}`,
      );
    }
    if (!(level0Width > 0 && level0Height > 0)) {
      throw new RangeError(`Expected a positive level-0 size but received ${level0Width}x${level0Height}`);
    }
    const starts: number[] = [];
    const prefix: number[] = [0];
    let total = 0;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      let x = 0;
      while (x < width) {
        while (x < width && !data[row + x]) x++;
        if (x === width) break;
        const start = x;
        while (x < width && data[row + x]) x++;
        starts.push(row + start);
        total += x - start;
        prefix.push(total);
      }
    }
    if (total === 0) {
      if (whenEmpty === 'exclude') return null;
      // Every row is one run: uniform over the whole slide.
      const runStart = new Uint32Array(height);
      const runPrefix = new Float64Array(height + 1);
      for (let y = 0; y < height; y++) {
        runStart[y] = y * width;
        runPrefix[y + 1] = (y + 1) * width;
      }
      return new TissueIndex(mask, level0Width, level0Height, runStart, runPrefix, true);
    }
    return new TissueIndex(
      mask,
      level0Width,
      level0Height,
      Uint32Array.from(starts),
      Float64Array.from(prefix),
      false,
    );
  }

  /** Number of runs in the run-length form (memory is 12 bytes per run). */
  get runCount(): number {
    return this.runStart.length;
  }

  /** A uniformly random eligible mask pixel. */
  drawMaskPixel(rng: Rng): { maskX: number; maskY: number } {
    const k = rng.int(this.tissuePixels);
    // Last run whose prefix is <= k.
    let lo = 0;
    let hi = this.runStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runPrefix[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    const flat = this.runStart[lo]! + (k - this.runPrefix[lo]!);
    return { maskX: flat % this.maskWidth, maskY: Math.floor(flat / this.maskWidth) };
  }

  /** A uniformly random eligible mask pixel, as the level-0 coordinates of its centre (SPEC 2.1). */
  drawLevel0Point(rng: Rng): Level0Point {
    const { maskX, maskY } = this.drawMaskPixel(rng);
    return this.maskPixelCentreToLevel0(maskX, maskY);
  }

  /** Level-0 coordinates of the centre of mask pixel (maskX, maskY). */
  maskPixelCentreToLevel0(maskX: number, maskY: number): Level0Point {
    return {
      level0X: ((maskX + 0.5) * this.level0Width) / this.maskWidth,
      level0Y: ((maskY + 0.5) * this.level0Height) / this.maskHeight,
    };
  }

  /**
   * Tissue share (0-1) of a level-0 rectangle: of the mask pixels whose centres lie inside it, the share that
   * is tissue; parts outside the slide count as no tissue. A rectangle smaller than one mask pixel uses the
   * pixel under its centre. With a `uniform` index every pixel inside the slide counts as tissue.
   */
  tissueFraction(level0X: number, level0Y: number, width: number, height: number): number {
    if (!(width > 0 && height > 0)) return 0;
    const sx = this.maskWidth / this.level0Width;
    const sy = this.maskHeight / this.level0Height;
    // Pixel i's centre is at (i + 0.5) / s in level 0; it is inside [a, b) when ceil(a*s - 0.5) <= i < ceil(b*s - 0.5).
    let x0 = Math.ceil(level0X * sx - 0.5);
    let x1 = Math.ceil((level0X + width) * sx - 0.5);
    let y0 = Math.ceil(level0Y * sy - 0.5);
    let y1 = Math.ceil((level0Y + height) * sy - 0.5);
    if (x1 <= x0) {
      x0 = Math.floor((level0X + width / 2) * sx);
      x1 = x0 + 1;
    }
    if (y1 <= y0) {
      y0 = Math.floor((level0Y + height / 2) * sy);
      y1 = y0 + 1;
    }
    const area = (x1 - x0) * (y1 - y0);
    const cx0 = Math.max(0, x0);
    const cy0 = Math.max(0, y0);
    const cx1 = Math.min(this.maskWidth, x1);
    const cy1 = Math.min(this.maskHeight, y1);
    if (cx1 <= cx0 || cy1 <= cy0) return 0;
    if (this.uniform) return ((cx1 - cx0) * (cy1 - cy0)) / area;
    let count = 0;
    for (let y = cy0; y < cy1; y++) {
      const rowStart = y * this.maskWidth;
      for (let r = this.rowRuns[y]!; r < this.rowRuns[y + 1]!; r++) {
        const start = this.runStart[r]! - rowStart;
        if (start >= cx1) break;
        const end = start + (this.runPrefix[r + 1]! - this.runPrefix[r]!);
        if (end > cx0) count += Math.min(end, cx1) - Math.max(start, cx0);
      }
    }
    return count / area;
  }

  /** Whether mask pixel (maskX, maskY) is tissue (never, for a `uniform` index of an empty mask). */
  isTissue(maskX: number, maskY: number): boolean {
    if (this.uniform) return false;
    if (maskX < 0 || maskY < 0 || maskX >= this.maskWidth || maskY >= this.maskHeight) return false;
    const flat = maskY * this.maskWidth + maskX;
    for (let r = this.rowRuns[maskY]!; r < this.rowRuns[maskY + 1]!; r++) {
      const start = this.runStart[r]!;
      if (start > flat) return false;
      if (flat < start + (this.runPrefix[r + 1]! - this.runPrefix[r]!)) return true;
    }
    return false;
  }
}
