import * as tf from '@tensorflow/tfjs';

/**
 * ProGAN's minibatch standard deviation layer (one new feature map): within groups of `groupSize`
 * samples (sample n is in group member n / M, M = N / groupSize, as in the original), the standard
 * deviation of every feature over the group, averaged to one number per group, appended to each of
 * its samples as a constant channel. Batch size must be a multiple of min(groupSize, N).
 */
export function minibatchStddev(x: tf.Tensor4D, groupSize = 4, epsilon = 1e-8): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const g = Math.min(groupSize, n);
  if (n % g !== 0) {
    throw new RangeError(`minibatch stddev: batch ${n} is not a multiple of the group size ${g}`);
  }
  const m = n / g;
  return tf.tidy(() => {
    const grouped = tf.reshape(x, [g, m, h, w, c]);
    const centred = tf.sub(grouped, tf.mean(grouped, 0, true));
    const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 0), epsilon)); // [m, h, w, c]
    const perGroup = tf.mean(std, [1, 2, 3]); // [m]
    // Broadcast with a multiply rather than tf.tile, whose gradient stops at rank 4.
    const feature = tf.mul(tf.reshape(perGroup, [1, m, 1, 1, 1]), tf.fill([g, m, h, w, 1], 1));
    return tf.concat([x, tf.reshape(feature, [n, h, w, 1])], 3);
  });
}
