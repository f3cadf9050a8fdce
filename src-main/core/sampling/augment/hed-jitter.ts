import type { Rng } from '../../util/rng.js';
import { assertFinite, assertPatchImage, PatchImageError, type PatchImage } from '../patch-image.js';
import type { Augmentation } from './types.js';

/** Per-stain scale and shift, in the order haematoxylin, eosin, DAB (recorded in the provenance). */
export interface HedJitterParams {
  readonly scale: readonly [number, number, number];
  readonly shift: readonly [number, number, number];
}

export interface HedJitterOptions {
  /** Standard deviation of the multiplicative factor per stain (around 1). Default 0.05. */
  readonly scaleSd?: number;
  /** Standard deviation of the additive shift per stain, in optical density (log10). Default 0.05. */
  readonly shiftSd?: number;
}

/**
 * Default sigmas, 0.05 for the scale and 0.05 OD for the shift: the magnitudes common practice uses
 * (Tellez et al. 2018/2019, "HED light": factors in 1 +- 0.05, shifts in +-0.05). Our stain units are
 * decadic optical densities (Ruifrok & Johnston); scikit-image's `rgb2hed` units, in which several
 * implementations apply the shift, are 6x larger (ln I / ln 1e-6 = OD / 6), and a shift of 0.05 in those
 * turned white background lavender in our tests, so ours is the gentler reading of the same number.
 */
export const HED_SCALE_SD = 0.05;
export const HED_SHIFT_SD = 0.05;

/**
 * Stain optical-density vectors (rows H, E, DAB; columns R, G, B) of Ruifrok & Johnston (2001), each
 * normalised to unit length, as used by colour deconvolution.
 */
export const RGB_FROM_HED: readonly (readonly [number, number, number])[] = [
  [0.65, 0.704, 0.286],
  [0.072, 0.99, 0.105],
  [0.268, 0.57, 0.776],
].map((row) => {
  const norm = Math.hypot(...row);
  return row.map((v) => v / norm) as [number, number, number];
});
export const HED_FROM_RGB = invert3(RGB_FROM_HED);

/** Stain amounts are decadic optical densities, OD = log10(255 / I); I is floored at 255e-6 (OD 6). */
const MAX_OD = 6;

/** Optical density of an intensity in 0..255. */
function opticalDensity(intensity: number): number {
  return -Math.log10(Math.max(intensity / 255, 10 ** -MAX_OD));
}

/** Intensity (0..255, clipped at white) of an optical density. */
function intensityOfDensity(od: number): number {
  return Math.min(255, 255 * 10 ** -od);
}

const OD_OF_LEVEL = Float64Array.from({ length: 256 }, (_, level) => opticalDensity(level));
/**
 * Rounded 8-bit level of each density on [0, 3] (beyond 3, I < 0.26 rounds to 0), sampled finely enough
 * (step 4.6e-5 OD, at most 0.03 level) to read the nearest entry instead of interpolating.
 */
const LEVEL_TABLE_MAX_OD = 3;
const LEVEL_TABLE_SIZE = 65536;
const LEVEL_TABLE_SCALE = LEVEL_TABLE_SIZE / LEVEL_TABLE_MAX_OD;
const LEVEL_OF_DENSITY = Uint8Array.from({ length: LEVEL_TABLE_SIZE + 1 }, (_, i) =>
  Math.round(intensityOfDensity(i / LEVEL_TABLE_SCALE)),
);

/** Draws scale ~ N(1, scaleSd) and shift ~ N(0, shiftSd) for each of H, E, DAB; `sizePx` is unused. */
export function sampleHedJitter(
  rng: Rng,
  _sizePx?: number,
  options: Readonly<HedJitterOptions> = {},
): HedJitterParams {
  const scaleSd = options.scaleSd ?? HED_SCALE_SD;
  const shiftSd = options.shiftSd ?? HED_SHIFT_SD;
  for (const [what, sd] of [
    ['scaleSd', scaleSd],
    ['shiftSd', shiftSd],
  ] as const) {
    if (!Number.isFinite(sd) || sd < 0) {
      throw new PatchImageError(
        'INVALID_ARGUMENT',
        `Expected a non-negative ${what} but received ${String(sd)}`,
      );
    }
  }
  const scale: [number, number, number] = [0, 0, 0];
  const shift: [number, number, number] = [0, 0, 0];
  for (let s = 0; s < 3; s++) {
    scale[s] = rng.normal(1, scaleSd);
    shift[s] = rng.normal(0, shiftSd);
  }
  return { scale, shift };
}

/**
 * Colour deconvolution of one RGB colour (0..255) into H, E, DAB optical densities (unclipped: a colour
 * outside the stain model gives small negative amounts instead of losing information, which also keeps
 * the zero-sigma jitter an exact identity).
 */
export function rgbToHed(r: number, g: number, b: number): [number, number, number] {
  const od = [r, g, b].map(opticalDensity);
  return [0, 1, 2].map(
    (s) => od[0]! * HED_FROM_RGB[0]![s]! + od[1]! * HED_FROM_RGB[1]![s]! + od[2]! * HED_FROM_RGB[2]![s]!,
  ) as [number, number, number];
}

/** Inverse of rgbToHed: RGB floats in 0..255 (clipped) of the given stain amounts. */
export function hedToRgb(h: number, e: number, d: number): [number, number, number] {
  return [0, 1, 2].map((c) => {
    const od = h * RGB_FROM_HED[0]![c]! + e * RGB_FROM_HED[1]![c]! + d * RGB_FROM_HED[2]![c]!;
    return intensityOfDensity(od);
  }) as [number, number, number];
}

/**
 * Deconvolves each pixel into stains, scales and shifts each stain, and recomposes RGB. Everything between
 * the optical densities is linear, so the per-pixel work is one 3x3 matrix (HED_FROM_RGB * diag(scale) *
 * RGB_FROM_HED) and an offset (shift * RGB_FROM_HED) applied to the pixel's optical densities.
 */
export function applyHedJitter(image: PatchImage, params: Readonly<HedJitterParams>): PatchImage {
  assertPatchImage(image);
  if (params.scale.length !== 3 || params.shift.length !== 3) {
    throw new PatchImageError('INVALID_ARGUMENT', 'Expected 3 scale and 3 shift values (H, E, DAB)');
  }
  params.scale.forEach((v) => assertFinite('HED scale', v));
  params.shift.forEach((v) => assertFinite('HED shift', v));
  // m[i][c]: contribution of input optical density channel i to output channel c.
  const m = new Float64Array(9);
  const offset = new Float64Array(3);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 3; i++) {
      let sum = 0;
      for (let s = 0; s < 3; s++) sum += HED_FROM_RGB[i]![s]! * params.scale[s]! * RGB_FROM_HED[s]![c]!;
      m[i * 3 + c] = sum;
    }
    for (let s = 0; s < 3; s++) offset[c]! += params.shift[s]! * RGB_FROM_HED[s]![c]!;
  }
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m as unknown as number[];
  const [o0, o1, o2] = offset as unknown as number[];
  const src = image.data;
  const out = new Uint8Array(src.length);
  const odOf = OD_OF_LEVEL;
  const levelOf = LEVEL_OF_DENSITY;
  const top = LEVEL_TABLE_SIZE;
  for (let i = 0; i < src.length; i += 3) {
    const r = odOf[src[i]!]!;
    const g = odOf[src[i + 1]!]!;
    const b = odOf[src[i + 2]!]!;
    // Table positions, rounded by the + 0.5; negative densities are brighter than white and clip.
    let t = (r * m0! + g * m3! + b * m6! + o0!) * LEVEL_TABLE_SCALE + 0.5;
    out[i] = t < 1 ? 255 : t >= top ? 0 : levelOf[t | 0]!;
    t = (r * m1! + g * m4! + b * m7! + o1!) * LEVEL_TABLE_SCALE + 0.5;
    out[i + 1] = t < 1 ? 255 : t >= top ? 0 : levelOf[t | 0]!;
    t = (r * m2! + g * m5! + b * m8! + o2!) * LEVEL_TABLE_SCALE + 0.5;
    out[i + 2] = t < 1 ? 255 : t >= top ? 0 : levelOf[t | 0]!;
  }
  return { width: image.width, height: image.height, data: out };
}

/** HED jitter with the given sigmas as a pipeline step. */
export function createHedJitter(options: Readonly<HedJitterOptions> = {}): Augmentation<HedJitterParams> {
  return {
    name: 'hedJitter',
    sample: (rng, sizePx) => sampleHedJitter(rng, sizePx, options),
    apply: applyHedJitter,
  };
}

/** HED jitter with the default sigmas (0.05 / 0.05). */
export const hedJitter = createHedJitter();

function invert3(
  a: readonly (readonly [number, number, number])[],
): readonly (readonly [number, number, number])[] {
  const [[a00, a01, a02], [a10, a11, a12], [a20, a21, a22]] = a as [
    [number, number, number],
    [number, number, number],
    [number, number, number],
  ];
  const c00 = a11 * a22 - a12 * a21;
  const c01 = a12 * a20 - a10 * a22;
  const c02 = a10 * a21 - a11 * a20;
  const det = a00 * c00 + a01 * c01 + a02 * c02;
  return [
    [c00 / det, (a02 * a21 - a01 * a22) / det, (a01 * a12 - a02 * a11) / det],
    [c01 / det, (a00 * a22 - a02 * a20) / det, (a02 * a10 - a00 * a12) / det],
    [c02 / det, (a01 * a20 - a00 * a21) / det, (a00 * a11 - a01 * a10) / det],
  ];
}
