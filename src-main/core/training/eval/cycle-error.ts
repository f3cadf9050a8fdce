import * as tf from '@tensorflow/tfjs';
import type { PatchImage } from '../../sampling/patch-image.js';
import { patchesToTensor } from './image-tensor.js';

/** Anything mapping NHWC images in [-1, 1] to images of the same size (a CycleGAN generator). */
export interface ImageToImage {
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

/**
 * Cycle-reconstruction error on patches (held-out slides): mean |backward(forward(x)) - x| on the
 * networks' [-1, 1] scale, i.e. the cycle L1 loss without its weight; x 127.5 gives grey levels.
 * Runs in batches; no tensor outlives the call.
 */
export async function cycleReconstructionError(
  forward: ImageToImage,
  backward: ImageToImage,
  patches: readonly PatchImage[],
  batchSize = 4,
): Promise<number> {
  if (patches.length === 0) throw new RangeError('Expected at least one held-out patch for the cycle error');
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Expected a positive integer batch size but received ${batchSize}`);
  }
  let total = 0;
  for (let i = 0; i < patches.length; i += batchSize) {
    const batch = patches.slice(i, i + batchSize);
    const sum = tf.tidy(() => {
      const x = patchesToTensor(batch);
      return tf.sum(tf.abs(tf.sub(backward.apply(forward.apply(x)), x)));
    });
    total += (await sum.data())[0]!;
    sum.dispose();
  }
  const { width, height } = patches[0]!;
  return total / (patches.length * width * height * 3);
}
