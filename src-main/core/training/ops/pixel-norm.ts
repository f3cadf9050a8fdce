import * as tf from '@tensorflow/tfjs';

/** ProGAN's pixelwise feature normalisation: each pixel's channel vector scaled to unit RMS. */
export function pixelNorm(x: tf.Tensor4D, epsilon?: number): tf.Tensor4D;
export function pixelNorm(x: tf.Tensor2D, epsilon?: number): tf.Tensor2D;
export function pixelNorm(x: tf.Tensor, epsilon = 1e-8): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), axis, true), epsilon)));
  });
}
