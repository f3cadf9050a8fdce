import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/rng.js';

/** How a parameter starts: normal deviates (weights) or a constant (biases, norm scales). */
export type Initializer =
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'constant'; readonly value: number };

/** One trainable tensor of a model: its stable name (the checkpoint key), shape and initialiser. */
export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Initializer;
}

/** Supplies the initial values of each parameter: seeded random numbers, or arrays being loaded. */
export type InitialValues = (spec: ParameterSpec) => Float32Array;

/** The variables of a model by stable name. */
export type ModelVariables = Readonly<Record<string, tf.Variable>>;

/**
 * Initial values drawn from a seeded Rng in spec order, so the same seed gives the same weights on
 * every backend (tf.randomNormal's seeding is per backend).
 */
export function randomInitialValues(rng: Rng): InitialValues {
  return (spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (spec.init.kind === 'constant') values.fill(spec.init.value);
    else for (let i = 0; i < size; i++) values[i] = rng.normal(spec.init.mean, spec.init.std);
    return values;
  };
}

/** Creates one trainable tf.Variable per spec, named by the spec. */
export function createVariables(
  specs: readonly ParameterSpec[],
  initialValues: InitialValues,
): Record<string, tf.Variable> {
  const variables: Record<string, tf.Variable> = {};
  try {
    for (const spec of specs) {
      const values = initialValues(spec);
      const initial = tf.tensor(values, [...spec.shape], 'float32');
      // tf.variable keeps a reference to its initial tensor: dispose ours or it leaks.
      variables[spec.name] = tf.variable(initial, true, spec.name);
      initial.dispose();
    }
  } catch (error) {
    disposeVariables(variables);
    throw error;
  }
  return variables;
}

/** Frees a model's variables (their names become free for a new model). */
export function disposeVariables(variables: ModelVariables): void {
  for (const v of Object.values(variables)) v.dispose();
}

/** Total number of scalar parameters. */
export function countParameters(variables: ModelVariables): number {
  return Object.values(variables).reduce((n, v) => n + v.size, 0);
}
