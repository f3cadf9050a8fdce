import * as tf from '@tensorflow/tfjs';

/**
 * Activations fused with instance normalisation. 'lrelu' is leaky ReLU with slope 0.2 written as
 * 0.6x + 0.4|x|, which (unlike tf.leakyRelu) has a second-order gradient.
 */
export type NormActivation = 'none' | 'relu' | 'lrelu';

/** An implementation of instance norm + activation over NHWC input, statistics per sample and channel. */
export type InstanceNormImpl = (
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  activation: NormActivation,
  epsilon: number,
) => tf.Tensor4D;

const overrides = new Map<string, InstanceNormImpl>();

/**
 * Lets a backend supply a fused kernel (for example the WebGPU one); models keep calling instanceNormAct.
 * Pass null to restore the composite version.
 */
export function registerInstanceNormImpl(backendName: string, impl: InstanceNormImpl | null): void {
  if (impl) overrides.set(backendName, impl);
  else overrides.delete(backendName);
}

/** Instance normalisation (eps 1e-5 by default) with a learned scale and shift, then the activation. */
export function instanceNormAct(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  activation: NormActivation,
  epsilon = 1e-5,
): tf.Tensor4D {
  const impl = overrides.get(tf.getBackend()) ?? compositeInstanceNormAct;
  return impl(x, gamma, beta, activation, epsilon);
}

/** Reference implementation from stock ops; every backend has it, and it is second-order-safe. */
export const compositeInstanceNormAct: InstanceNormImpl = (x, gamma, beta, activation, epsilon) =>
  tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    const y = tf.add(tf.mul(normalised, gamma), beta) as tf.Tensor4D;
    return applyActivation(y, activation);
  });

/** The activations of NormActivation on their own, for tensors of any rank. */
export function applyActivation<T extends tf.Tensor>(x: T, activation: NormActivation): T {
  switch (activation) {
    case 'none':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'lrelu':
      return tf.add(tf.mul(x, 0.6), tf.mul(tf.abs(x), 0.4));
  }
}
