import * as tf from '@tensorflow/tfjs';

/**
 * Runs a tiny convolution forward and backward on the current backend and checks the filter gradient
 * against its known value. Returns null when it is right, else what went wrong. With an all-ones
 * 4x4 input and 'same' padding, each 3x3 tap sees (4 - |dy|) * (4 - |dx|) input pixels.
 */
export async function smokeTestBackend(): Promise<string | null> {
  const expected = [9, 12, 9, 12, 16, 12, 9, 12, 9];
  let grad: tf.Tensor | null = null;
  try {
    grad = tf.tidy(() => {
      const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
      const gradient = tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 1, 'same')));
      return gradient(tf.zeros([3, 3, 1, 1]));
    });
    const values = Array.from(await grad.data());
    const wrong = values.findIndex((v, i) => Math.abs(v - expected[i]!) > 1e-4);
    return wrong < 0 ? null : `smoke test gave a wrong filter gradient (${values.join(', ')})`;
  } catch (error) {
    return `smoke test failed: ${(error as Error).message}`;
  } finally {
    grad?.dispose();
  }
}
