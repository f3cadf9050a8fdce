import * as tf from '@tensorflow/tfjs';

/** Least-squares GAN loss: mean((prediction - target)^2), target 1 for "real", 0 for "fake". */
export function lsganLoss(prediction: tf.Tensor, target: 0 | 1): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(prediction, target))));
}

/** Mean absolute error (CycleGAN's cycle and identity losses). */
export function l1Loss(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))));
}

export interface GradientPenaltyOptions {
  /** Weight of the penalty (10). */
  readonly lambda: number;
  /** Target gradient norm (1). The penalty is lambda * (|grad| - gamma)^2 / gamma^2. */
  readonly gamma: number;
}

/**
 * WGAN-GP gradient penalty (Gulrajani et al.; ProGAN's form with target gamma): the critic's input
 * gradient at random points between real and fake images, per-sample norm pushed towards gamma.
 * Differentiable with respect to the critic's weights (a gradient of a gradient).
 * @param critic images [N, H, W, 3] to scores [N, 1]
 * @param mixing per-sample interpolation factors in [0, 1], [N, 1, 1, 1]
 */
export function gradientPenalty(
  critic: (images: tf.Tensor4D) => tf.Tensor,
  reals: tf.Tensor4D,
  fakes: tf.Tensor4D,
  mixing: tf.Tensor4D,
  options: Readonly<GradientPenaltyOptions>,
): tf.Scalar {
  return tf.tidy(() => {
    const mixed = tf.add(reals, tf.mul(tf.sub(fakes, reals), mixing)) as tf.Tensor4D;
    const inputGradient = tf.grad((x: tf.Tensor) => tf.sum(critic(x as tf.Tensor4D)))(mixed);
    const norms = tf.sqrt(tf.sum(tf.square(inputGradient), [1, 2, 3]));
    const { lambda, gamma } = options;
    return tf.mul(tf.mean(tf.square(tf.sub(norms, gamma))), lambda / (gamma * gamma));
  });
}
