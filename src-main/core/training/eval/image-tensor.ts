import * as tf from '@tensorflow/tfjs';
import type { PatchImage } from '../../sampling/patch-image.js';

/** Equally sized RGB patches (0-255) as one NHWC float tensor in [-1, 1], the networks' range. */
export function patchesToTensor(patches: readonly PatchImage[]): tf.Tensor4D {
  if (patches.length === 0) throw new RangeError('Expected at least one patch');
  const { width, height } = patches[0]!;
  const data = new Float32Array(patches.length * width * height * 3);
  patches.forEach((p, n) => {
    if (p.width !== width || p.height !== height) {
      throw new RangeError(`Expected patches of ${width}x${height} but received ${p.width}x${p.height}`);
    }
    const base = n * width * height * 3;
    for (let i = 0; i < p.data.length; i++) data[base + i] = p.data[i]! / 127.5 - 1;
  });
  return tf.tensor4d(data, [patches.length, height, width, 3]);
}

/** NHWC images in [-1, 1] back to 8-bit patches (clamped, rounded); reads with `await data()`. */
export async function tensorToPatches(images: tf.Tensor4D): Promise<PatchImage[]> {
  const [n, height, width] = images.shape;
  const values = await images.data();
  const size = width * height * 3;
  return Array.from({ length: n }, (_, k) => {
    const data = new Uint8Array(size);
    const clamped = new Uint8ClampedArray(data.buffer);
    for (let i = 0; i < size; i++) clamped[i] = (values[k * size + i]! + 1) * 127.5;
    return { width, height, data };
  });
}
