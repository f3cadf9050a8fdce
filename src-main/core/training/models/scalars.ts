import * as tf from '@tensorflow/tfjs';

/**
 * Scalar constants a model multiplies by on every call (equalised-LR scales), created once and kept:
 * on WebGPU a JS number in an op is a new upload each time. Owned and disposed by one model.
 */
export class ScalarCache {
  private readonly scalars = new Map<number, tf.Scalar>();

  get(value: number): tf.Scalar {
    let s = this.scalars.get(value);
    if (!s) {
      s = tf.keep(tf.scalar(value, 'float32'));
      this.scalars.set(value, s);
    }
    return s;
  }

  dispose(): void {
    for (const s of this.scalars.values()) s.dispose();
    this.scalars.clear();
  }
}
