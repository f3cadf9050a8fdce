import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-core's Mean and Sum gradients broadcast `dy` by multiplying with `ones(x.shape)`, which is built
 * element by element in JavaScript and uploaded: on WebGPU that was 1.5 GB of uploads per paper
 * CycleGAN iteration (notes/webgpu-perf.md section 2). These versions multiply by `fill(x.shape, 1)`,
 * which each backend fills itself (a GPU kernel on webgpu, a typed-array fill on cpu, native on wasm).
 * The arithmetic is the same (dy * 1, then / n for Mean), so results are bit-for-bit identical.
 */
function expandedDy(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  return tf.mul(tf.reshape(dy, shape), tf.fill(x.shape, 1, 'float32'));
}

/** Gradient of `Mean`: dy broadcast over the reduced axes, divided by their size. */
export const meanGradConfig: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0]!;
    const axis = (attrs as unknown as tf.MeanAttrs).axis;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const reduceSize = axes.reduce((n, a) => n * x.shape[a]!, 1);
    return { x: () => tf.div(expandedDy(dy as tf.Tensor, x, axis), reduceSize) };
  },
};

/** Gradient of `Sum`: dy broadcast over the reduced axes. */
export const sumGradConfig: tf.GradConfig = {
  kernelName: 'Sum',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0]!;
    const axis = (attrs as unknown as tf.SumAttrs).axis;
    return { x: () => expandedDy(dy as tf.Tensor, x, axis) };
  },
};
