import type * as tf from '@tensorflow/tfjs';
import type { NamedArrays } from '../optim/optimizer.js';

/** The same arrays under `prefix + name`. */
export function prefixArrays(prefix: string, arrays: NamedArrays): NamedArrays {
  const out: NamedArrays = {};
  for (const [name, a] of Object.entries(arrays)) out[prefix + name] = a;
  return out;
}

/**
 * The arrays whose name starts with `prefix + within`, renamed without `prefix` (so `within` stays):
 * `pickArrays(a, 'weights/', 'generatorAB/')` gives `generatorAB/...` entries.
 */
export function pickArrays(arrays: NamedArrays, prefix: string, within = ''): NamedArrays {
  const out: NamedArrays = {};
  for (const [name, a] of Object.entries(arrays)) {
    if (name.startsWith(prefix + within)) out[name.slice(prefix.length)] = a;
  }
  return out;
}

/** A tensor's values as a new Float32Array (`await data()`: works on every backend). */
export async function tensorToFloats(t: tf.Tensor): Promise<Float32Array> {
  return Float32Array.from(await t.data());
}
