/**
 * Colour conversions for the colour-shift augmentation: sRGB (8-bit, D65) <-> HSV and CIE Lab, with
 * proper sRGB companding. These scalar functions are the reference (and what the tests check); the
 * per-pixel loop in colour-shift.ts reads tables built from them instead of calling pow/cbrt.
 */

/** sRGB linear -> XYZ (D65), rows X, Y, Z. */
const RGB_TO_XYZ = [
  0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041,
] as const;
/** XYZ -> sRGB linear (the inverse of RGB_TO_XYZ). */
const XYZ_TO_RGB = [
  3.2404542, -1.5371385, -0.4985314, -0.969266, 1.8760108, 0.041556, 0.0556434, -0.2040259, 1.0572252,
] as const;
/** D65 reference white. */
export const WHITE_X = 0.95047;
export const WHITE_Y = 1;
export const WHITE_Z = 1.08883;
/** CIE constants: below EPSILON the Lab f() is linear with slope KAPPA / 116. */
const EPSILON = 216 / 24389;
const KAPPA = 24389 / 27;

/** sRGB-encoded value in [0, 1] -> linear light. */
export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Linear light in [0, 1] -> sRGB-encoded value (input clipped to [0, 1]). */
export function linearToSrgb(l: number): number {
  if (l <= 0) return 0;
  if (l >= 1) return 1;
  return l <= 0.0031308 ? 12.92 * l : 1.055 * l ** (1 / 2.4) - 0.055;
}

/** CIE Lab's f(t). */
export function labF(t: number): number {
  return t > EPSILON ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

/** Inverse of labF. */
export function labFInverse(f: number): number {
  const f3 = f * f * f;
  return f3 > EPSILON ? f3 : (116 * f - 16) / KAPPA;
}

/**
 * RGB (0..255) -> [hue, saturation, value], each in [0, 1]; hue is a fraction of the colour circle
 * (0 red, 1/3 green, 2/3 blue) and 0 for greys.
 */
export function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const chroma = max - min;
  if (max === 0) return [0, 0, 0];
  return [chroma === 0 ? 0 : hueSector(r, g, b, max, chroma) / 6, chroma / max, max / 255];
}

/** [hue, saturation, value] (hue wrapped into [0, 1)) -> RGB floats in 0..255. */
export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const value = v * 255;
  const chroma = value * s;
  const out: [number, number, number] = [0, 0, 0];
  writeHueRgb(wrapUnit(h) * 6, value, chroma, out, 0);
  return out;
}

/** RGB (0..255) -> CIE Lab (L in 0..100, a and b unbounded), D65. */
export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const lr = srgbToLinear(r / 255);
  const lg = srgbToLinear(g / 255);
  const lb = srgbToLinear(b / 255);
  const fx = labF((RGB_TO_XYZ[0] * lr + RGB_TO_XYZ[1] * lg + RGB_TO_XYZ[2] * lb) / WHITE_X);
  const fy = labF((RGB_TO_XYZ[3] * lr + RGB_TO_XYZ[4] * lg + RGB_TO_XYZ[5] * lb) / WHITE_Y);
  const fz = labF((RGB_TO_XYZ[6] * lr + RGB_TO_XYZ[7] * lg + RGB_TO_XYZ[8] * lb) / WHITE_Z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIE Lab (D65) -> RGB floats in 0..255, clipped to the sRGB gamut per channel. */
export function labToRgb(l: number, a: number, b: number): [number, number, number] {
  const fy = (l + 16) / 116;
  const x = WHITE_X * labFInverse(fy + a / 500);
  const y = WHITE_Y * labFInverse(fy);
  const z = WHITE_Z * labFInverse(fy - b / 200);
  return [
    255 * linearToSrgb(XYZ_TO_RGB[0] * x + XYZ_TO_RGB[1] * y + XYZ_TO_RGB[2] * z),
    255 * linearToSrgb(XYZ_TO_RGB[3] * x + XYZ_TO_RGB[4] * y + XYZ_TO_RGB[5] * z),
    255 * linearToSrgb(XYZ_TO_RGB[6] * x + XYZ_TO_RGB[7] * y + XYZ_TO_RGB[8] * z),
  ];
}

/** Hue in sextants [0, 6) of a non-grey colour given its max and chroma (max - min). */
function hueSector(r: number, g: number, b: number, max: number, chroma: number): number {
  if (max === r) {
    const h = (g - b) / chroma;
    return h < 0 ? h + 6 : h;
  }
  if (max === g) return (b - r) / chroma + 2;
  return (r - g) / chroma + 4;
}

/** Writes the RGB of hue `h6` (sextants, [0, 6)) with the given value and chroma into out[at..at+2]. */
function writeHueRgb(
  h6: number,
  value: number,
  chroma: number,
  out: { [i: number]: number },
  at: number,
): void {
  const sector = Math.min(5, Math.floor(h6));
  const f = h6 - sector;
  const min = value - chroma;
  const rising = min + chroma * f;
  const falling = value - chroma * f;
  let r: number;
  let g: number;
  let b: number;
  switch (sector) {
    case 0:
      [r, g, b] = [value, rising, min];
      break;
    case 1:
      [r, g, b] = [falling, value, min];
      break;
    case 2:
      [r, g, b] = [min, value, rising];
      break;
    case 3:
      [r, g, b] = [min, falling, value];
      break;
    case 4:
      [r, g, b] = [rising, min, value];
      break;
    default:
      [r, g, b] = [value, min, falling];
  }
  out[at] = r;
  out[at + 1] = g;
  out[at + 2] = b;
}

/** x modulo 1 into [0, 1), for hue wrap-around (negative shifts included). */
function wrapUnit(x: number): number {
  const w = x - Math.floor(x);
  return w >= 1 ? 0 : w;
}

/** The matrices (row-major), for the table-driven loop in colour-shift.ts. */
export const SRGB_XYZ = { toXyz: RGB_TO_XYZ, toRgb: XYZ_TO_RGB } as const;

/**
 * `fn` sampled at `size` + 1 evenly spaced points of [0, max] (entry i is fn(i * max / size)), plus a
 * repeat of the last entry so interpolating readers can read i + 1 at the top end without a branch.
 */
export function buildLookupTable(fn: (x: number) => number, max: number, size: number): Float64Array {
  const values = new Float64Array(size + 2);
  for (let i = 0; i <= size; i++) values[i] = fn((i * max) / size);
  values[size + 1] = values[size]!;
  return values;
}
