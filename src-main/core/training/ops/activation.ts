import type * as tf from '@tensorflow/tfjs';
import { applyActivation } from './instance-norm.js';

/**
 * Leaky ReLU with slope 0.2, written as 0.6x + 0.4|x| so that it has a second-order gradient
 * (tf.leakyRelu's gradient uses `Greater`, which has none; WGAN-GP differentiates twice).
 */
export function leakyRelu<T extends tf.Tensor>(x: T): T {
  return applyActivation(x, 'lrelu');
}
