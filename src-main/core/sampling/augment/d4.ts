import type { Rng } from '../../util/rng.js';
import { assertPatchImage, PatchImageError, type PatchImage } from '../patch-image.js';
import type { Augmentation } from './types.js';

/**
 * One element of the dihedral group D4 (the 8 symmetries of a square): an optional left-right mirror
 * followed by `quarterTurns` clockwise rotations by 90 degrees.
 */
export interface D4Params {
  readonly quarterTurns: 0 | 1 | 2 | 3;
  readonly mirror: boolean;
}

/** Draws one of the 8 elements uniformly; `sizePx` is unused. */
export function sampleD4(rng: Rng, _sizePx?: number): D4Params {
  const element = rng.int(8);
  return { quarterTurns: (element & 3) as D4Params['quarterTurns'], mirror: element >= 4 };
}

/** The element that undoes `params`: mirrors are their own inverse once rotated, turns reverse. */
export function inverseD4(params: Readonly<D4Params>): D4Params {
  if (params.mirror) return { quarterTurns: params.quarterTurns, mirror: true };
  return { quarterTurns: ((4 - params.quarterTurns) & 3) as D4Params['quarterTurns'], mirror: false };
}

/**
 * Permutes the pixels: mirror (x -> width-1-x) if asked, then rotate clockwise. Odd turns swap width and
 * height. Each output pixel reads source `base + x * stepX + y * stepY` (in pixels), one tight copy loop.
 */
export function applyD4(image: PatchImage, params: Readonly<D4Params>): PatchImage {
  assertPatchImage(image);
  const turns = params.quarterTurns;
  if (turns !== 0 && turns !== 1 && turns !== 2 && turns !== 3) {
    throw new PatchImageError(
      'INVALID_ARGUMENT',
      `Expected 0, 1, 2 or 3 for quarterTurns but received ${String(turns)}`,
    );
  }
  const { width: w, height: h } = image;
  const outW = turns & 1 ? h : w;
  const outH = turns & 1 ? w : h;
  // Source column and row of output (x, y) as c0 + x*cx + y*cy and r0 + x*rx + y*ry. Clockwise turns:
  // 1: in(col y, row H-1-x); 2: in(W-1-x, H-1-y); 3: in(W-1-y, x). A mirror reflects the column.
  const geometry =
    turns === 0
      ? [0, 1, 0, 0, 0, 1]
      : turns === 1
        ? [0, 0, 1, h - 1, -1, 0]
        : turns === 2
          ? [w - 1, -1, 0, h - 1, 0, -1]
          : [w - 1, 0, -1, 0, 1, 0];
  const [r0, rx, ry] = geometry.slice(3) as [number, number, number];
  const [c0, cx, cy] = params.mirror
    ? [w - 1 - geometry[0]!, -geometry[1]!, -geometry[2]!]
    : geometry.slice(0, 3);
  const base = r0 * w + c0;
  const stepX = rx * w + cx;
  const stepY = ry * w + cy;
  const src = image.data;
  const out = new Uint8Array(src.length);
  let o = 0;
  for (let y = 0; y < outH; y++) {
    let s = (base + y * stepY) * 3;
    const step = stepX * 3;
    if (step === 3) {
      out.set(src.subarray(s, s + outW * 3), o);
      o += outW * 3;
      continue;
    }
    for (let x = 0; x < outW; x++) {
      out[o] = src[s]!;
      out[o + 1] = src[s + 1]!;
      out[o + 2] = src[s + 2]!;
      o += 3;
      s += step;
    }
  }
  return { width: outW, height: outH, data: out };
}

/** D4 as a pipeline step. */
export const d4: Augmentation<D4Params> = { name: 'd4', sample: sampleD4, apply: applyD4 };
