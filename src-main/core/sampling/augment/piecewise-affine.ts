import type { Rng } from '../../util/rng.js';
import {
  assertFinite,
  assertPatchImage,
  assertPositiveInteger,
  PatchImageError,
  type PatchImage,
} from '../patch-image.js';
import type { Augmentation } from './types.js';

/**
 * A piecewise affine warp: a `gridSize` x `gridSize` grid of control points spread evenly over the patch
 * padded by `padPx` (reflected), each displaced by (dx, dy) pixels. Arrays are row-major over the grid
 * (index = row * gridSize + column). Output pixel positions on the regular grid read the source at the
 * displaced points (the inverse mapping), affine inside each triangle of the grid.
 */
export interface PiecewiseAffineParams {
  readonly gridSize: number;
  readonly padPx: number;
  readonly dx: readonly number[];
  readonly dy: readonly number[];
}

/** SPEC 3: 8x8 control grid, displacement sd = patch size / 80, 2 px pad. */
export const AFFINE_GRID_SIZE = 8;
export const AFFINE_PAD_PX = 2;
export const AFFINE_SD_DIVISOR = 80;
/** Displacements are capped at this fraction of the grid spacing so triangles never fold (> 5 sd). */
const MAX_SHIFT_OF_SPACING = 0.45;

/**
 * Draws displacements for a square patch of side `sizePx`: interior points ~ N(0, sizePx/80) in x and y;
 * points on an edge move only along it; corners stay. Values are rounded to 1/1000 px so the recorded
 * parameters are short and replay exactly.
 */
export function samplePiecewiseAffine(rng: Rng, sizePx: number): PiecewiseAffineParams {
  assertPositiveInteger('patch size', sizePx);
  const g = AFFINE_GRID_SIZE;
  const sd = sizePx / AFFINE_SD_DIVISOR;
  const limit = (MAX_SHIFT_OF_SPACING * (sizePx + 2 * AFFINE_PAD_PX - 1)) / (g - 1);
  const draw = (): number => {
    const v = Math.min(limit, Math.max(-limit, rng.normal(0, sd)));
    return Math.round(v * 1000) / 1000 || 0; // `|| 0` turns -0 into 0 for clean JSON
  };
  const dx = new Array<number>(g * g).fill(0);
  const dy = new Array<number>(g * g).fill(0);
  for (let row = 0; row < g; row++) {
    for (let col = 0; col < g; col++) {
      const onLeftRight = col === 0 || col === g - 1;
      const onTopBottom = row === 0 || row === g - 1;
      // Draw in a fixed order (x then y) whatever is kept, so parameters depend only on the seed.
      const x = draw();
      const y = draw();
      if (!onLeftRight) dx[row * g + col] = x;
      if (!onTopBottom) dy[row * g + col] = y;
    }
  }
  return { gridSize: g, padPx: AFFINE_PAD_PX, dx, dy };
}

/**
 * Warps the patch: pads it by `padPx` (reflect), maps every output pixel through the triangle of the
 * regular control grid that contains it onto the displaced grid, samples bilinearly there, and crops the
 * pad, so the output has exactly the input's size. Zero displacements give the input back.
 */
export function applyPiecewiseAffine(image: PatchImage, params: Readonly<PiecewiseAffineParams>): PatchImage {
  assertPatchImage(image);
  const { gridSize: g, padPx: pad, dx, dy } = params;
  if (!Number.isInteger(g) || g < 2) {
    throw new PatchImageError('INVALID_ARGUMENT', `Expected gridSize >= 2 but received ${String(g)}`);
  }
  if (!Number.isInteger(pad) || pad < 0) {
    throw new PatchImageError('INVALID_ARGUMENT', `Expected padPx >= 0 but received ${String(pad)}`);
  }
  if (dx.length !== g * g || dy.length !== g * g) {
    throw new PatchImageError(
      'INVALID_ARGUMENT',
      `Expected ${g * g} displacements in dx and dy but received ${dx.length} and ${dy.length}`,
    );
  }
  for (let i = 0; i < g * g; i++) {
    assertFinite('dx', dx[i]!);
    assertFinite('dy', dy[i]!);
  }
  const { width: w, height: h } = image;
  const pw = w + 2 * pad;
  const ph = h + 2 * pad;
  const padded = padReflect(image, pad);
  const spacingX = (pw - 1) / (g - 1);
  const spacingY = (ph - 1) / (g - 1);
  // Source position of each control point (regular position + displacement), in padded pixels.
  const sx = new Float64Array(g * g);
  const sy = new Float64Array(g * g);
  for (let row = 0; row < g; row++) {
    for (let col = 0; col < g; col++) {
      sx[row * g + col] = col * spacingX + dx[row * g + col]!;
      sy[row * g + col] = row * spacingY + dy[row * g + col]!;
    }
  }
  const out = new Uint8Array(w * h * 3);
  const outClamped = new Uint8ClampedArray(out.buffer);
  const maxX = pw - 1;
  const maxY = ph - 1;
  const rowLen = pw * 3;
  // Output columns where each grid cell starts (in output pixels; the last cell runs to the edge).
  const cellStart = new Int32Array(g);
  for (let c = 1; c < g - 1; c++) cellStart[c] = Math.max(0, Math.min(w, Math.ceil(c * spacingX - pad)));
  cellStart[g - 1] = w;
  for (let y = 0; y < h; y++) {
    const v = (y + pad) / spacingY;
    const cellRow = Math.min(g - 2, Math.floor(v));
    const b = v - cellRow;
    let o = y * w * 3;
    for (let c = 0; c < g - 1; c++) {
      const xEnd = cellStart[c + 1]!;
      let x = cellStart[c]!;
      if (x >= xEnd) continue;
      const p00 = cellRow * g + c;
      const p10 = p00 + 1;
      const p01 = p00 + g;
      const p11 = p01 + 1;
      // Inside a triangle the source position is affine in x: start value plus a constant step.
      // Lower-left triangle (p00, p10, p01) while a + b <= 1, i.e. up to column split; then (p11, p01, p10).
      const split = Math.min(xEnd, Math.max(x, Math.floor((c + 1 - b) * spacingX - pad) + 1));
      for (let part = 0; part < 2; part++) {
        const end = part === 0 ? split : xEnd;
        if (x >= end) continue;
        const a = (x + pad) / spacingX - c;
        let px: number;
        let py: number;
        let stepX: number;
        let stepY: number;
        if (part === 0) {
          px = sx[p00]! + a * (sx[p10]! - sx[p00]!) + b * (sx[p01]! - sx[p00]!);
          py = sy[p00]! + a * (sy[p10]! - sy[p00]!) + b * (sy[p01]! - sy[p00]!);
          stepX = (sx[p10]! - sx[p00]!) / spacingX;
          stepY = (sy[p10]! - sy[p00]!) / spacingX;
        } else {
          px = sx[p11]! + (1 - a) * (sx[p01]! - sx[p11]!) + (1 - b) * (sx[p10]! - sx[p11]!);
          py = sy[p11]! + (1 - a) * (sy[p01]! - sy[p11]!) + (1 - b) * (sy[p10]! - sy[p11]!);
          stepX = (sx[p11]! - sx[p01]!) / spacingX;
          stepY = (sy[p11]! - sy[p01]!) / spacingX;
        }
        for (; x < end; x++) {
          const qx = px < 0 ? 0 : px > maxX ? maxX : px;
          const qy = py < 0 ? 0 : py > maxY ? maxY : py;
          px += stepX;
          py += stepY;
          const x0 = qx | 0;
          const y0 = qy | 0;
          const fx = qx - x0;
          const fy = qy - y0;
          const s00 = y0 * rowLen + x0 * 3;
          const dx = x0 < maxX ? 3 : 0;
          const s01 = y0 < maxY ? s00 + rowLen : s00;
          const w00 = (1 - fx) * (1 - fy);
          const w10 = fx * (1 - fy);
          const w01 = (1 - fx) * fy;
          const w11 = fx * fy;
          outClamped[o] =
            w00 * padded[s00]! + w10 * padded[s00 + dx]! + w01 * padded[s01]! + w11 * padded[s01 + dx]!;
          outClamped[o + 1] =
            w00 * padded[s00 + 1]! +
            w10 * padded[s00 + dx + 1]! +
            w01 * padded[s01 + 1]! +
            w11 * padded[s01 + dx + 1]!;
          outClamped[o + 2] =
            w00 * padded[s00 + 2]! +
            w10 * padded[s00 + dx + 2]! +
            w01 * padded[s01 + 2]! +
            w11 * padded[s01 + dx + 2]!;
          o += 3;
        }
      }
    }
  }
  return { width: w, height: h, data: out };
}

/** The patch with `pad` pixels mirrored on every side (numpy 'reflect': the edge pixel is not repeated). */
export function padReflect(image: PatchImage, pad: number): Uint8Array {
  const { width: w, height: h, data } = image;
  const pw = w + 2 * pad;
  const ph = h + 2 * pad;
  const out = new Uint8Array(pw * ph * 3);
  const colSource = new Int32Array(pw);
  for (let x = 0; x < pw; x++) colSource[x] = reflectIndex(x - pad, w);
  for (let y = 0; y < ph; y++) {
    const srcRow = reflectIndex(y - pad, h) * w * 3;
    const dstRow = y * pw * 3;
    // The middle of the row is a straight copy; only the pad columns need the index table.
    out.set(data.subarray(srcRow, srcRow + w * 3), dstRow + pad * 3);
    for (let x = 0; x < pad; x++) copyPixel(data, srcRow + colSource[x]! * 3, out, dstRow + x * 3);
    for (let x = pad + w; x < pw; x++) {
      copyPixel(data, srcRow + colSource[x]! * 3, out, dstRow + x * 3);
    }
  }
  return out;
}

function copyPixel(src: Uint8Array, s: number, dst: Uint8Array, d: number): void {
  dst[d] = src[s]!;
  dst[d + 1] = src[s + 1]!;
  dst[d + 2] = src[s + 2]!;
}

/** Mirror index into [0, n) without repeating the edge, periodic for pads wider than the image. */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/** The piecewise affine warp as a pipeline step. */
export const piecewiseAffine: Augmentation<PiecewiseAffineParams> = {
  name: 'piecewiseAffine',
  sample: samplePiecewiseAffine,
  apply: applyPiecewiseAffine,
};
