import type { Patch, PatchBatch } from './patch-stream.js';
import { writePatchToTensorData } from './to-tensor-data.js';

/**
 * Packs patches into one NHWC batch: the 8-bit pixels side by side, and (when asked) the same as
 * Float32 in [-1, 1] for training.
 */
export function writeBatchPixels(
  patches: readonly Patch[],
  domain: string,
  patchSize: number,
  float32: boolean,
): PatchBatch {
  const stride = patchSize * patchSize * 3;
  const pixels = new Uint8Array(patches.length * stride);
  const images = float32 ? new Float32Array(patches.length * stride) : null;
  patches.forEach((patch, i) => {
    pixels.set(patch.pixels, i * stride);
    if (images !== null) {
      writePatchToTensorData({ width: patchSize, height: patchSize, data: patch.pixels }, images, i * stride);
    }
  });
  return {
    domain,
    patchSize,
    count: patches.length,
    images,
    pixels,
    provenance: patches.map((p) => p.provenance),
  };
}
