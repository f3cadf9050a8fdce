import * as tf from '@tensorflow/tfjs';

/**
 * Reads named scalar tensors back as numbers in one transfer (`await data()`: synchronous reads fail
 * on webgpu in Node) and disposes them.
 */
export async function readScalars<K extends string>(
  scalars: Record<K, tf.Scalar>,
): Promise<Record<K, number>> {
  const names = Object.keys(scalars) as K[];
  try {
    const packed = tf.stack(names.map((n) => scalars[n]));
    const values = await packed.data();
    packed.dispose();
    return Object.fromEntries(names.map((n, i) => [n, values[i]!])) as Record<K, number>;
  } finally {
    for (const n of names) scalars[n].dispose();
  }
}

/** Disposes the tensors of a partially built record (error paths). */
export function disposeAll(tensors: Iterable<tf.Tensor | null | undefined>): void {
  for (const t of tensors) t?.dispose();
}
