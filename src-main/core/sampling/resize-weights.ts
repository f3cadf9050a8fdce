/**
 * Separable resampling weights: for each output column (or row), the contiguous run of source pixels it
 * reads and their weights (summing to 1). Built once per (source size, output size, filter) and cached,
 * because a sampler resizes thousands of patches between the same few sizes.
 */

/** 'area': exact average of the source over each output pixel's footprint; 'lanczos3': windowed sinc. */
export type ResizeFilter = 'area' | 'lanczos3';

export interface ResampleWeights {
  readonly srcSize: number;
  readonly dstSize: number;
  /** Most source pixels any output reads; the stride of `weights`. */
  readonly taps: number;
  /** First source index read by each output. */
  readonly first: Int32Array;
  /** Number of source pixels read by each output (<= taps). */
  readonly count: Int32Array;
  /** `weights[j * taps + k]` multiplies source `first[j] + k`. */
  readonly weights: Float32Array;
}

const LANCZOS_RADIUS = 3;
/** Enough for the few footprint/patch size pairs of a run; a size change evicts the oldest entry. */
const CACHE_LIMIT = 32;
const cache = new Map<string, ResampleWeights>();

/**
 * Weights mapping `srcSize` pixels onto `dstSize` with the exact scale `srcSize / dstSize` (never rounded):
 * output pixel j covers source interval [j*scale, (j+1)*scale). Edge pixels are replicated outside the
 * source. The cache is per thread (module state) and only memoises a pure function.
 */
export function resampleWeights(srcSize: number, dstSize: number, filter: ResizeFilter): ResampleWeights {
  const key = `${filter}:${srcSize}:${dstSize}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const built = filter === 'area' ? areaWeights(srcSize, dstSize) : lanczosWeights(srcSize, dstSize);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, built);
  return built;
}

function lanczosWeights(srcSize: number, dstSize: number): ResampleWeights {
  const scale = srcSize / dstSize;
  // Downscaling stretches the kernel over `scale` source pixels so it also low-passes (anti-aliasing).
  const stretch = Math.max(scale, 1);
  const support = LANCZOS_RADIUS * stretch;
  return buildWeights(srcSize, dstSize, Math.ceil(2 * support) + 2, (j, add) => {
    const centre = (j + 0.5) * scale;
    const lo = Math.floor(centre - support);
    const hi = Math.ceil(centre + support);
    for (let i = lo; i <= hi; i++) {
      const w = lanczos3((i + 0.5 - centre) / stretch);
      if (w !== 0) add(i, w);
    }
  });
}

function areaWeights(srcSize: number, dstSize: number): ResampleWeights {
  const scale = srcSize / dstSize;
  return buildWeights(srcSize, dstSize, Math.ceil(scale) + 2, (j, add) => {
    const start = j * scale;
    const end = (j + 1) * scale;
    for (let i = Math.floor(start); i < end; i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 0) add(i, overlap);
    }
  });
}

/** Collects raw weights per output, folds out-of-range taps onto the edge pixel, normalises to sum 1. */
function buildWeights(
  srcSize: number,
  dstSize: number,
  maxTaps: number,
  visit: (j: number, add: (i: number, w: number) => void) => void,
): ResampleWeights {
  const first = new Int32Array(dstSize);
  const count = new Int32Array(dstSize);
  const raw = new Float64Array(srcSize);
  const rows: { lo: number; hi: number; w: Float64Array }[] = [];
  let taps = 1;
  for (let j = 0; j < dstSize; j++) {
    let lo = srcSize;
    let hi = -1;
    let sum = 0;
    visit(j, (i, w) => {
      const at = i < 0 ? 0 : i >= srcSize ? srcSize - 1 : i;
      raw[at]! += w;
      sum += w;
      if (at < lo) lo = at;
      if (at > hi) hi = at;
    });
    // Drop zero-weight ends so rows stay short (for example the exact edges of an area footprint).
    while (lo < hi && raw[lo] === 0) lo++;
    while (hi > lo && raw[hi] === 0) hi--;
    const w = new Float64Array(hi - lo + 1);
    for (let i = lo; i <= hi; i++) {
      w[i - lo] = raw[i]! / sum;
      raw[i] = 0;
    }
    rows.push({ lo, hi, w });
    taps = Math.max(taps, w.length);
  }
  if (taps > maxTaps) throw new RangeError(`resample rows of ${taps} taps exceed ${maxTaps}`);
  const weights = new Float32Array(dstSize * taps);
  rows.forEach((row, j) => {
    first[j] = row.lo;
    count[j] = row.w.length;
    weights.set(row.w, j * taps);
  });
  return { srcSize, dstSize, taps, first, count, weights };
}

function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -LANCZOS_RADIUS || x >= LANCZOS_RADIUS) return 0;
  const px = Math.PI * x;
  return (LANCZOS_RADIUS * Math.sin(px) * Math.sin(px / LANCZOS_RADIUS)) / (px * px);
}
