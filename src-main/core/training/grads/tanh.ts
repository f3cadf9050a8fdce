import * as tf from '@tensorflow/tfjs';

/**
 * Gradient of `Tanh` from its input: dy * (1 - tanh(x)^2). tfjs-core's version uses the saved
 * output, a copy the tape does not connect to x, so a gradient of that gradient (WGAN-GP on a critic
 * with tanh) silently misses the tanh''(x) term. Same first-order values, one more kernel.
 */
export const tanhGradConfig: tf.GradConfig = {
  kernelName: 'Tanh',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const x = saved[0]!;
    return { x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))) };
  },
};
