import { assertPatchImage, PatchImageError, type PatchImage } from './patch-image.js';

/** Float value of each 8-bit level on [-1, 1] (0 -> -1, 255 -> 1). */
const LEVEL_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);

/**
 * Writes a patch as float NHWC values in [-1, 1] (RGB order, 0 -> -1, 255 -> 1) into `batch`, starting at
 * element `offset`; a batcher reuses one buffer and passes `index * height * width * 3`. Returns the offset
 * just past what was written.
 */
export function writePatchToTensorData(image: PatchImage, batch: Float32Array, offset: number): number {
  assertPatchImage(image);
  const n = image.data.length;
  if (!Number.isInteger(offset) || offset < 0 || offset + n > batch.length) {
    throw new PatchImageError(
      'INVALID_ARGUMENT',
      `Expected an offset in [0, ${batch.length - n}] for a ${image.width}x${image.height} patch in a batch of ${batch.length} values but received ${String(offset)}`,
    );
  }
  const src = image.data;
  const table = LEVEL_TO_UNIT;
  for (let i = 0; i < n; i++) batch[offset + i] = table[src[i]!]!;
  return offset + n;
}
