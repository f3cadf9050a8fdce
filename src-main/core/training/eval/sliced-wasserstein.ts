import * as tf from '@tensorflow/tfjs';
import type { PatchImage } from '../../sampling/patch-image.js';
import { Rng } from '../../util/rng.js';
import { laplacianPyramid, type FloatImage } from './laplacian-pyramid.js';
import { radixSortFloat32 } from './radix-sort.js';

/**
 * Multi-scale sliced Wasserstein distance (Karras et al. 2018, appendix D; their metrics/
 * sliced_wasserstein.py): random 7x7 neighbourhoods of each Laplacian pyramid level, normalised per
 * channel, compared through the 1-D Wasserstein distances of many random projections. Needs no
 * downloaded network. Reported x 1e3 per level, as in the paper.
 */
export interface SwdOptions {
  /** Side of the neighbourhoods in pixels (7). */
  readonly neighbourhoodPx?: number;
  /** Neighbourhoods drawn per image and level (128). */
  readonly neighbourhoodsPerImage?: number;
  /** Independent sets of projection directions (4), each of `directionsPerRepeat` (128). */
  readonly directionRepeats?: number;
  readonly directionsPerRepeat?: number;
  /** Coarsest pyramid level compared, in pixels (16): levels are the image size halved down to it. */
  readonly minResolutionPx?: number;
  /** Seeds the neighbourhood positions and the directions. */
  readonly seed?: number;
}

const DEFAULTS = {
  neighbourhoodPx: 7,
  neighbourhoodsPerImage: 128,
  directionRepeats: 4,
  directionsPerRepeat: 128,
  minResolutionPx: 16,
  seed: 1,
} as const;

/** Normalised descriptors of one image set: one matrix [count, dimension] per pyramid level. */
export interface SwdDescriptors {
  /** Side of each level in pixels, finest first. */
  readonly resolutionsPx: readonly number[];
  readonly levels: readonly {
    readonly count: number;
    readonly dimension: number;
    readonly data: Float32Array;
  }[];
}

export interface SwdResult {
  readonly resolutionsPx: readonly number[];
  /** SWD x 1e3 per level, finest first. */
  readonly distances: readonly number[];
  /** Mean over the levels (the paper's "avg"). */
  readonly mean: number;
}

/** The pyramid levels compared for images of `sizePx`: sizePx, sizePx/2, ... down to minResolutionPx. */
export function swdResolutions(sizePx: number, minResolutionPx: number): number[] {
  const out = [sizePx];
  for (let r = Math.floor(sizePx / 2); r >= minResolutionPx; r = Math.floor(r / 2)) out.push(r);
  return out;
}

/**
 * Draws and normalises the descriptors of a set of equally sized square RGB images (0-255). Compute
 * the real set's once and compare many generated sets against it.
 */
export function swdDescriptors(
  images: readonly PatchImage[],
  options: Readonly<SwdOptions> = {},
): SwdDescriptors {
  const o = { ...DEFAULTS, ...options };
  if (images.length === 0)
    throw new RangeError('Expected at least one image for the sliced Wasserstein distance');
  const size = images[0]!.width;
  for (const image of images) {
    if (image.width !== size || image.height !== size) {
      throw new RangeError(
        `Expected square images of one size (${size} px) but received ${image.width}x${image.height}`,
      );
    }
  }
  if (size < o.neighbourhoodPx) {
    throw new RangeError(`Expected images of at least ${o.neighbourhoodPx} px but received ${size} px`);
  }
  const resolutionsPx = swdResolutions(size, Math.max(o.minResolutionPx, o.neighbourhoodPx));
  const half = Math.floor(o.neighbourhoodPx / 2);
  const dimension = o.neighbourhoodPx * o.neighbourhoodPx * 3;
  const count = images.length * o.neighbourhoodsPerImage;
  const levels = resolutionsPx.map(() => new Float32Array(count * dimension));
  const rng = new Rng(o.seed);
  images.forEach((image, n) => {
    const pyramid = laplacianPyramid(toFloat(image), resolutionsPx.length);
    pyramid.forEach((level, l) => {
      const out = levels[l]!;
      for (let k = 0; k < o.neighbourhoodsPerImage; k++) {
        // Centres at least `half` from the edges, as the original draws them.
        const cx = half + rng.int(level.width - 2 * half);
        const cy = half + rng.int(level.height - 2 * half);
        let at = (n * o.neighbourhoodsPerImage + k) * dimension;
        for (let c = 0; c < 3; c++) {
          for (let y = cy - half; y <= cy + half; y++) {
            for (let x = cx - half; x <= cx + half; x++)
              out[at++] = level.data[(y * level.width + x) * 3 + c]!;
          }
        }
      }
    });
  });
  const perChannel = o.neighbourhoodPx * o.neighbourhoodPx;
  for (const data of levels) normalisePerChannel(data, count, perChannel);
  return { resolutionsPx, levels: levels.map((data) => ({ count, dimension, data })) };
}

/** Zero mean and unit standard deviation per colour channel, over every descriptor and position. */
function normalisePerChannel(data: Float32Array, count: number, perChannel: number): void {
  const dimension = 3 * perChannel;
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    let sumSq = 0;
    for (let n = 0; n < count; n++) {
      const base = n * dimension + c * perChannel;
      for (let i = 0; i < perChannel; i++) {
        const v = data[base + i]!;
        sum += v;
        sumSq += v * v;
      }
    }
    const total = count * perChannel;
    const mean = sum / total;
    const std = Math.sqrt(Math.max(0, sumSq / total - mean * mean)) || 1;
    for (let n = 0; n < count; n++) {
      const base = n * dimension + c * perChannel;
      for (let i = 0; i < perChannel; i++) data[base + i] = (data[base + i]! - mean) / std;
    }
  }
}

/**
 * SWD between two descriptor sets of the same resolutions. Projections run on the current
 * TensorFlow.js backend (matMul), sorting and the 1-D distances in JS; read back with `await data()`.
 */
export async function swdBetween(
  a: SwdDescriptors,
  b: SwdDescriptors,
  options: Readonly<SwdOptions> = {},
): Promise<SwdResult> {
  const o = { ...DEFAULTS, ...options };
  if (a.resolutionsPx.join() !== b.resolutionsPx.join()) {
    throw new RangeError(
      `Descriptor sets of different resolutions: [${a.resolutionsPx.join(', ')}] vs [${b.resolutionsPx.join(', ')}]`,
    );
  }
  const rng = new Rng(o.seed).fork();
  const distances: number[] = [];
  for (let l = 0; l < a.levels.length; l++) {
    const da = a.levels[l]!;
    const db = b.levels[l]!;
    let total = 0;
    for (let r = 0; r < o.directionRepeats; r++) {
      const directions = randomDirections(rng, da.dimension, o.directionsPerRepeat);
      const [pa, pb] = await Promise.all([project(da, directions), project(db, directions)]);
      total += meanSortedDistance(pa, da.count, pb, db.count, o.directionsPerRepeat);
    }
    distances.push((total / o.directionRepeats) * 1e3);
  }
  return {
    resolutionsPx: a.resolutionsPx,
    distances,
    mean: distances.reduce((s, d) => s + d, 0) / distances.length,
  };
}

/**
 * Descriptors of both sets, then their SWD: the one call for a single comparison. Both sets are
 * sampled at the same neighbourhood positions (same seed; the original drew them independently):
 * positions do not depend on the pixels, so this is still a fair sample of each set, and it removes
 * the sampling noise that otherwise hides small differences (a set against itself gives exactly 0).
 */
export async function slicedWassersteinDistance(
  real: readonly PatchImage[],
  fake: readonly PatchImage[],
  options: Readonly<SwdOptions> = {},
): Promise<SwdResult> {
  return swdBetween(swdDescriptors(real, options), swdDescriptors(fake, options), options);
}

/** Unit-length Gaussian directions, [dimension, count] row-major. */
function randomDirections(rng: Rng, dimension: number, count: number): Float32Array {
  const d = new Float32Array(dimension * count);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  for (let k = 0; k < count; k++) {
    let norm = 0;
    for (let i = 0; i < dimension; i++) norm += d[i * count + k]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < dimension; i++) d[i * count + k]! /= norm;
  }
  return d;
}

async function project(
  descriptors: SwdDescriptors['levels'][number],
  directions: Float32Array,
): Promise<Float32Array> {
  const count = directions.length / descriptors.dimension;
  const product = tf.tidy(() =>
    tf.matMul(
      tf.tensor2d(descriptors.data, [descriptors.count, descriptors.dimension]),
      tf.tensor2d(directions, [descriptors.dimension, count]),
    ),
  );
  try {
    return (await product.data()) as Float32Array;
  } finally {
    product.dispose();
  }
}

/**
 * Mean over directions of the 1-D Wasserstein-1 distance between the two projected samples, exact for
 * samples of different sizes (the quantile functions compared over [0, 1]).
 */
function meanSortedDistance(
  pa: Float32Array,
  na: number,
  pb: Float32Array,
  nb: number,
  directions: number,
): number {
  const a = new Float32Array(na);
  const b = new Float32Array(nb);
  let sum = 0;
  for (let k = 0; k < directions; k++) {
    for (let i = 0; i < na; i++) a[i] = pa[i * directions + k]!;
    for (let j = 0; j < nb; j++) b[j] = pb[j * directions + k]!;
    radixSortFloat32(a);
    radixSortFloat32(b);
    sum += wasserstein1(a, b);
  }
  return sum / directions;
}

function wasserstein1(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  const m = b.length;
  if (n === m) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i]! - b[i]!);
    return s / n;
  }
  let i = 0;
  let j = 0;
  let t = 0;
  let s = 0;
  while (i < n && j < m) {
    const ta = (i + 1) / n;
    const tb = (j + 1) / m;
    const next = Math.min(ta, tb);
    s += (next - t) * Math.abs(a[i]! - b[j]!);
    t = next;
    if (ta <= tb) i++;
    if (tb <= ta) j++;
  }
  return s;
}

function toFloat(image: PatchImage): FloatImage {
  return { width: image.width, height: image.height, channels: 3, data: Float32Array.from(image.data) };
}
