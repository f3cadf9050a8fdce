/**
 * The in-memory patch every sampling stage passes along: 8-bit RGB, interleaved, row-major, no padding
 * between rows (`data.length === width * height * 3`). RGB rather than RGBA because alpha doubles the cost
 * of every filter and the slide reader already composites over the background.
 */
export interface PatchImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Why a patch or an augmentation argument was refused. */
export type PatchImageErrorCode = 'INVALID_PATCH' | 'INVALID_ARGUMENT';

/** A bad patch shape or augmentation argument; `message` names the argument and the value received. */
export class PatchImageError extends Error {
  override readonly name = 'PatchImageError';
  constructor(
    readonly code: PatchImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A black patch of the given size (fresh buffer). */
export function createPatchImage(widthPx: number, heightPx: number): PatchImage {
  assertPositiveInteger('width', widthPx);
  assertPositiveInteger('height', heightPx);
  return { width: widthPx, height: heightPx, data: new Uint8Array(widthPx * heightPx * 3) };
}

/** Wraps an existing RGB buffer (a view, not a copy), checking that its length matches the size. */
export function patchImageFromRgb(widthPx: number, heightPx: number, data: Uint8Array): PatchImage {
  const image = { width: widthPx, height: heightPx, data };
  assertPatchImage(image);
  return image;
}

/** Throws PatchImageError unless `image` has positive integer sizes and exactly width*height*3 bytes. */
export function assertPatchImage(image: PatchImage): void {
  assertPositiveInteger('patch width', image.width);
  assertPositiveInteger('patch height', image.height);
  if (!(image.data instanceof Uint8Array)) {
    throw new PatchImageError('INVALID_PATCH', 'Expected patch data to be a Uint8Array');
  }
  const expected = image.width * image.height * 3;
  if (image.data.length !== expected) {
    throw new PatchImageError(
      'INVALID_PATCH',
      `Expected ${expected} bytes of RGB data for a ${image.width}x${image.height} patch but received ${image.data.length}`,
    );
  }
}

/** Throws PatchImageError('INVALID_ARGUMENT') unless `value` is a positive integer. */
export function assertPositiveInteger(what: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new PatchImageError(
      'INVALID_ARGUMENT',
      `Expected a positive integer for ${what} but received ${String(value)}`,
    );
  }
}

/** Throws PatchImageError('INVALID_ARGUMENT') unless `value` is a finite number. */
export function assertFinite(what: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new PatchImageError(
      'INVALID_ARGUMENT',
      `Expected a finite number for ${what} but received ${String(value)}`,
    );
  }
}
