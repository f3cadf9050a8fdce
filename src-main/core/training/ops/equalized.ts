import * as tf from '@tensorflow/tfjs';
import { conv2d } from './conv.js';

/**
 * He's constant for equalised learning rate: weights are stored N(0, 1) and scaled at run time by
 * gain / sqrt(fanIn), so Adam sees every layer at the same scale (ProGAN section 4.1).
 */
export function heScale(fanIn: number, gain = Math.SQRT2): number {
  return gain / Math.sqrt(fanIn);
}

/**
 * Convolution with equalised learning rate and zero 'same' padding (odd kernels).
 * @param weight [kh, kw, in, out], stored N(0, 1)
 * @param scale he scale as a scalar tensor, kept by the model so no per-call upload is needed
 */
export function equalizedConv2d(
  x: tf.Tensor4D,
  weight: tf.Tensor4D,
  bias: tf.Tensor1D,
  scale: tf.Scalar,
): tf.Tensor4D {
  const padPx = (weight.shape[0] - 1) / 2;
  return tf.tidy(() => conv2d(x, tf.mul(weight, scale), bias, { padPx }));
}

/**
 * Dense layer with equalised learning rate.
 * @param weight [in, out], stored N(0, 1)
 */
export function equalizedDense(
  x: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  scale: tf.Scalar,
): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(x, tf.mul(weight, scale)), bias));
}
