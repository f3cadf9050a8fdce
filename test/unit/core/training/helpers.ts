import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src-main/core/training/backend/select.js';
import type { BackendName } from '../../../../src-main/core/training/backend/types.js';
import type { Rng } from '../../../../src-main/core/util/rng.js';

/** Makes `name` the current backend through the real selection (kernels and gradients registered). */
export async function useBackend(name: BackendName): Promise<void> {
  const selection = await selectBackend({ preferred: name });
  if (selection.name !== name) throw new Error(`wanted ${name}, got ${selection.name}`);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Uniform values in [-1, 1) from a seeded Rng. */
export function seededTensor(rng: Rng, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rng.next() * 2 - 1),
    shape,
  );
}
