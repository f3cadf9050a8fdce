import type { Rng } from '../../util/rng.js';
import { assertFinite, assertPatchImage, PatchImageError, type PatchImage } from '../patch-image.js';
import {
  buildLookupTable,
  labF,
  labFInverse,
  linearToSrgb,
  SRGB_XYZ,
  srgbToLinear,
  WHITE_X,
  WHITE_Y,
  WHITE_Z,
} from './colour-space.js';
import type { Augmentation } from './types.js';

/** Parameters of one colour shift (recorded in the provenance). */
export interface ColourShiftParams {
  /** Hue rotation as a fraction of the colour circle (0.1 = 36 degrees), applied with wrap-around. */
  readonly hueShift: number;
  /** Exponent applied to Lab L normalised to [0, 1]: > 1 darkens, < 1 lightens, 1 keeps. */
  readonly lightnessGamma: number;
}

/** SPEC 3: hue shift ~ N(0, 0.025), lightness gamma ~ N(1, 0.015). */
export const HUE_SHIFT_SD = 0.025;
export const LIGHTNESS_GAMMA_SD = 0.015;

/** Draws hue shift ~ N(0, 0.025) and gamma ~ N(1, 0.015) (SPEC section 3); `sizePx` is unused. */
export function sampleColourShift(rng: Rng, _sizePx?: number): ColourShiftParams {
  const hueShift = rng.normal(0, HUE_SHIFT_SD);
  // A gamma <= 0 would invert lightness; it is 60 sd away, but keep the op defined for any draw.
  const lightnessGamma = Math.max(0.05, rng.normal(1, LIGHTNESS_GAMMA_SD));
  return { hueShift, lightnessGamma };
}

// Tables shared by every call: pure functions of the pixel, built once per thread.
/** sRGB 0..255 (float) -> linear light, one entry per level (interpolated between). */
const linearOfLevel = buildLookupTable((c) => srgbToLinear(c / 255), 255, 255);
/** Lab f(t) on t in [0, 1]: X/Xn, Y/Yn, Z/Zn of in-gamut colours stay within it (up to rounding). */
const LAB_F_SIZE = 4096;
const labFTable = buildLookupTable(labF, 1, LAB_F_SIZE);
const LAB_F_SCALE_X = LAB_F_SIZE / WHITE_X;
const LAB_F_SCALE_Y = LAB_F_SIZE / WHITE_Y;
const LAB_F_SCALE_Z = LAB_F_SIZE / WHITE_Z;
/** Linear light in [0, 1] -> rounded 8-bit sRGB level, sampled finely enough to read the nearest entry. */
const TO_SRGB_SIZE = 65536;
const srgbLevelOf = Uint8Array.from({ length: TO_SRGB_SIZE + 1 }, (_, i) =>
  Math.round(255 * linearToSrgb(i / TO_SRGB_SIZE)),
);
/** The per-call table of L^gamma, indexed by Lab L in 0..100. */
const GAMMA_TABLE_SIZE = 1024;
const GAMMA_SCALE = GAMMA_TABLE_SIZE / 100;
const [M0, M1, M2, M3, M4, M5, M6, M7, M8] = SRGB_XYZ.toXyz;
const [N0, N1, N2, N3, N4, N5, N6, N7, N8] = SRGB_XYZ.toRgb;

/**
 * Rotates the HSV hue by `hueShift` (wrapping around, so reds near hue 0 stay red) and raises Lab L, taken
 * on [0, 1], to `lightnessGamma` (a and b kept), then returns to sRGB with proper companding, clipping each
 * channel to the gamut. One pass over the pixels in doubles, no intermediate rounding; the tables keep
 * the result within 1 level of the exact formulas (tested over the gamut).
 */
export function applyColourShift(image: PatchImage, params: Readonly<ColourShiftParams>): PatchImage {
  assertPatchImage(image);
  assertFinite('hueShift', params.hueShift);
  assertFinite('lightnessGamma', params.lightnessGamma);
  if (params.lightnessGamma <= 0) {
    throw new PatchImageError(
      'INVALID_ARGUMENT',
      `Expected a positive lightnessGamma but received ${params.lightnessGamma}`,
    );
  }
  const gamma = params.lightnessGamma;
  const gammaTable = buildLookupTable((l) => l ** gamma, 1, GAMMA_TABLE_SIZE);
  // Shift in sextants, reduced to [0, 6) so one conditional subtraction wraps each pixel.
  let shift6 = (params.hueShift - Math.floor(params.hueShift)) * 6;
  if (shift6 >= 6) shift6 = 0;
  const src = image.data;
  const out = new Uint8Array(src.length);
  const n = src.length;
  for (let i = 0; i < n; i += 3) {
    const r = src[i]!;
    const g = src[i + 1]!;
    const b = src[i + 2]!;
    // Hue rotation keeps HSV value (max) and chroma (max - min): after it the channels are max, min and
    // one value in between, so only that one needs an interpolated linearisation.
    const max = r > g ? (r > b ? r : b) : g > b ? g : b;
    const min = r < g ? (r < b ? r : b) : g < b ? g : b;
    const chroma = max - min;
    let lr: number;
    let lg: number;
    let lb: number;
    if (chroma === 0) {
      lr = lg = lb = linearOfLevel[max]!;
    } else {
      let h6: number;
      if (max === r) h6 = (g - b) / chroma;
      else if (max === g) h6 = (b - r) / chroma + 2;
      else h6 = (r - g) / chroma + 4;
      h6 += shift6;
      if (h6 < 0) h6 += 6;
      if (h6 >= 6) h6 -= 6;
      if (h6 >= 6) h6 = 0;
      const sector = h6 | 0;
      const f = h6 - sector;
      // Even sectors have the middle channel rising from min, odd ones falling from max.
      const mid = (sector & 1) === 0 ? min + chroma * f : max - chroma * f;
      const k = mid | 0;
      const linMid = linearOfLevel[k]! + (mid - k) * (linearOfLevel[k + 1]! - linearOfLevel[k]!);
      const linMax = linearOfLevel[max]!;
      const linMin = linearOfLevel[min]!;
      if (sector === 0) {
        lr = linMax;
        lg = linMid;
        lb = linMin;
      } else if (sector === 1) {
        lr = linMid;
        lg = linMax;
        lb = linMin;
      } else if (sector === 2) {
        lr = linMin;
        lg = linMax;
        lb = linMid;
      } else if (sector === 3) {
        lr = linMin;
        lg = linMid;
        lb = linMax;
      } else if (sector === 4) {
        lr = linMid;
        lg = linMin;
        lb = linMax;
      } else {
        lr = linMax;
        lg = linMin;
        lb = linMid;
      }
    }
    // To Lab f-values; L' = 100 * (L / 100)^gamma moves fy, and fx, fz move with it (a, b kept).
    // Interpolated table reads are written out inline: a helper call per read was 2x slower in V8.
    let t = (M3 * lr + M4 * lg + M5 * lb) * LAB_F_SCALE_Y;
    if (t > LAB_F_SIZE) t = LAB_F_SIZE;
    let k = t | 0;
    const fy = labFTable[k]! + (t - k) * (labFTable[k + 1]! - labFTable[k]!);
    t = (116 * fy - 16) * GAMMA_SCALE;
    if (t < 0) t = 0;
    else if (t > GAMMA_TABLE_SIZE) t = GAMMA_TABLE_SIZE;
    k = t | 0;
    const lightness = gammaTable[k]! + (t - k) * (gammaTable[k + 1]! - gammaTable[k]!);
    const fyNew = (100 * lightness + 16) / 116;
    const shift = fyNew - fy;
    t = (M0 * lr + M1 * lg + M2 * lb) * LAB_F_SCALE_X;
    if (t > LAB_F_SIZE) t = LAB_F_SIZE;
    k = t | 0;
    const fx = labFTable[k]! + (t - k) * (labFTable[k + 1]! - labFTable[k]!) + shift;
    t = (M6 * lr + M7 * lg + M8 * lb) * LAB_F_SCALE_Z;
    if (t > LAB_F_SIZE) t = LAB_F_SIZE;
    k = t | 0;
    const fz = labFTable[k]! + (t - k) * (labFTable[k + 1]! - labFTable[k]!) + shift;
    const x = WHITE_X * labFInverse(fx);
    const y = WHITE_Y * labFInverse(fyNew);
    const z = WHITE_Z * labFInverse(fz);
    // Back to 8-bit sRGB through a fine nearest-entry table of rounded levels (error < 0.03 level).
    t = (N0 * x + N1 * y + N2 * z) * TO_SRGB_SIZE + 0.5;
    out[i] = t <= 0 ? 0 : t >= TO_SRGB_SIZE ? 255 : srgbLevelOf[t | 0]!;
    t = (N3 * x + N4 * y + N5 * z) * TO_SRGB_SIZE + 0.5;
    out[i + 1] = t <= 0 ? 0 : t >= TO_SRGB_SIZE ? 255 : srgbLevelOf[t | 0]!;
    t = (N6 * x + N7 * y + N8 * z) * TO_SRGB_SIZE + 0.5;
    out[i + 2] = t <= 0 ? 0 : t >= TO_SRGB_SIZE ? 255 : srgbLevelOf[t | 0]!;
  }
  return { width: image.width, height: image.height, data: out };
}

/** The colour shift as a pipeline step. */
export const colourShift: Augmentation<ColourShiftParams> = {
  name: 'colourShift',
  sample: sampleColourShift,
  apply: applyColourShift,
};
