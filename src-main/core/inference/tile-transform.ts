import * as tf from '@tensorflow/tfjs';

/** Network tiles going through a transform: `count` square RGB tiles, NHWC, 8 bits per sample. */
export interface TileBatch {
  readonly count: number;
  readonly sizePx: number;
  readonly rgb: Uint8Array;
}

/**
 * What a translation applies to its tiles: any function from a batch of RGB tiles to tiles of the same
 * size and layout with float samples on the 0-255 scale (values outside are clamped when written). The
 * tiling and blending never look inside, so a pass-through function tests them without a network.
 */
export type TileTransform = (batch: Readonly<TileBatch>) => Promise<Float32Array>;

/** Anything that maps NHWC images in [-1, 1] to images of the same size (a CycleGAN generator). */
export interface ImageToImageNetwork {
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

/**
 * A TileTransform running an image-to-image generator on the current TensorFlow.js backend: bytes to
 * [-1, 1], forward pass, back to 0-255. Reads the result with `await data()`, which every backend
 * supports; no tensor outlives the call.
 */
export function generatorTileTransform(generator: ImageToImageNetwork): TileTransform {
  return async ({ count, sizePx, rgb }) => {
    const output = tf.tidy(() => {
      const x = tf
        .tensor4d(rgb, [count, sizePx, sizePx, 3], 'int32')
        .toFloat()
        .div(127.5)
        .sub(1) as tf.Tensor4D;
      const y = generator.apply(x);
      return y.add(1).mul(127.5);
    });
    try {
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  };
}
