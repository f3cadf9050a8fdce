import * as tf from '@tensorflow/tfjs';

/**
 * 2x average-pool downscale of NHWC images by reshape + mean (tf.avgPool's gradient, AvgPoolGrad, has
 * no gradient of its own, and WGAN-GP differentiates twice). Height and width must be even.
 */
export function downscale2x(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => tf.mean(tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]), [2, 4]) as tf.Tensor4D);
}

/**
 * 2x nearest-neighbour upscale by broadcasting (tf.image.resizeNearestNeighbor's gradient has no
 * gradient, and tfjs-cpu's is wrong for batch > 1).
 */
export function upscale2x(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const spread = tf.mul(tf.reshape(x, [n, h, 1, w, 1, c]), tf.fill([1, 1, 2, 1, 2, 1], 1));
    return tf.reshape(spread, [n, h * 2, w * 2, c]);
  });
}
