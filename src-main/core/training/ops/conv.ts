import * as tf from '@tensorflow/tfjs';

/** How a convolution's border is filled: zeros, or a reflection of the image (CycleGAN's generator). */
export type BorderMode = 'zero' | 'reflect';

export interface Conv2dOptions {
  /** Stride in pixels (both axes); default 1. */
  readonly stride?: number;
  /** Border added on every side, in pixels; default 0. */
  readonly padPx?: number;
  /** Default 'zero'. */
  readonly border?: BorderMode;
}

/**
 * 2-D convolution, NHWC, with symmetric padding of `padPx` filled with zeros or by reflection
 * (PyTorch's `padding=p` / `ReflectionPad2d(p)` followed by an unpadded conv).
 * @param kernel [kh, kw, inChannels, outChannels]
 * @param bias [outChannels], optional
 */
export function conv2d(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  options: Readonly<Conv2dOptions> = {},
): tf.Tensor4D {
  const stride = options.stride ?? 1;
  const p = options.padPx ?? 0;
  return tf.tidy(() => {
    let y: tf.Tensor4D;
    if (p > 0 && options.border === 'reflect') {
      const padded = tf.mirrorPad(
        x,
        [
          [0, 0],
          [p, p],
          [p, p],
          [0, 0],
        ],
        'reflect',
      );
      y = tf.conv2d(padded, kernel, stride, 'valid');
    } else {
      y = tf.conv2d(x, kernel, stride, p > 0 ? explicitPadding(p, p) : 'valid');
    }
    return bias ? tf.add(y, bias) : y;
  });
}

export interface Conv2dTransposeOptions {
  /** Stride in pixels; default 2. */
  readonly stride?: number;
  /** PyTorch's `padding`: pixels cropped from each side of the full transposed output; default 0. */
  readonly padPx?: number;
  /** PyTorch's `output_padding`: extra rows/columns at the bottom/right; must be < stride. */
  readonly outputPadPx?: number;
}

/**
 * Transposed convolution with PyTorch's `ConvTranspose2d` geometry: output size
 * (in - 1) * stride - 2 * padPx + kh + outputPadPx, and y[i*s - p + a] += x[i] * w[a].
 * (TF's 'same' padding places the taps one pixel off for k3 s2.)
 * @param kernel [kh, kw, outChannels, inChannels] (TF.js layout)
 */
export function conv2dTranspose(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  options: Readonly<Conv2dTransposeOptions> = {},
): tf.Tensor4D {
  const stride = options.stride ?? 2;
  const p = options.padPx ?? 0;
  const op = options.outputPadPx ?? 0;
  if (op >= stride) throw new RangeError(`outputPadPx ${op} must be smaller than the stride ${stride}`);
  const [batch, inHeight, inWidth] = x.shape;
  const [kh, kw, outChannels] = kernel.shape;
  const outHeight = (inHeight - 1) * stride - 2 * p + kh + op;
  const outWidth = (inWidth - 1) * stride - 2 * p + kw + op;
  return tf.tidy(() => {
    // This is the input gradient of a conv on the output with padding (p before, p - op after), which
    // maps outHeight back to exactly inHeight; when p < op, no padding after does the same.
    const after = Math.max(0, p - op);
    const y = tf.conv2dTranspose(
      x,
      kernel,
      [batch, outHeight, outWidth, outChannels],
      stride,
      explicitPadding(p, after),
    );
    return bias ? tf.add(y, bias) : y;
  });
}

function explicitPadding(before: number, after: number): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [before, after],
    [before, after],
    [0, 0],
  ];
}
