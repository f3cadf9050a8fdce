/** A float image, interleaved RGB (or any `channels`), row-major. */
export interface FloatImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Float32Array;
}

/** The binomial 5-tap kernel of cv2.pyrDown / pyrUp, normalised: [1, 4, 6, 4, 1] / 16. */
const KERNEL = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16] as const;

/** Mirror index without repeating the edge (d c b | a b c d | c b a), scipy's 'mirror', cv2's REFLECT_101. */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/** Separable 5-tap filter along x then y, output sampled at every `step`-th pixel (1 or 2). */
function filterAndSample(image: FloatImage, step: 1 | 2, gain: number): FloatImage {
  const { width: w, height: h, channels: c, data } = image;
  const outW = Math.ceil(w / step);
  const outH = Math.ceil(h / step);
  const rows = new Float32Array(h * outW * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      for (let k = 0; k < 5; k++) {
        const sx = mirror(x * step + k - 2, w);
        const wk = KERNEL[k]!;
        for (let ch = 0; ch < c; ch++) rows[(y * outW + x) * c + ch]! += wk * data[(y * w + sx) * c + ch]!;
      }
    }
  }
  const out = new Float32Array(outH * outW * c);
  for (let y = 0; y < outH; y++) {
    for (let k = 0; k < 5; k++) {
      const sy = mirror(y * step + k - 2, h);
      const wk = KERNEL[k]! * gain;
      const from = sy * outW * c;
      const to = y * outW * c;
      for (let i = 0; i < outW * c; i++) out[to + i]! += wk * rows[from + i]!;
    }
  }
  return { width: outW, height: outH, channels: c, data: out };
}

/** Blur with the binomial kernel and keep every second pixel (cv2.pyrDown): ceil(w/2) x ceil(h/2). */
export function pyramidDown(image: FloatImage): FloatImage {
  return filterAndSample(image, 2, 1);
}

/** Insert zeros between pixels and blur with 4x the kernel (cv2.pyrUp), cropped to `width` x `height`. */
export function pyramidUp(image: FloatImage, width: number, height: number): FloatImage {
  const { channels: c } = image;
  const upW = image.width * 2;
  const upH = image.height * 2;
  const up = new Float32Array(upW * upH * c);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      for (let ch = 0; ch < c; ch++)
        up[(2 * y * upW + 2 * x) * c + ch] = image.data[(y * image.width + x) * c + ch]!;
    }
  }
  // 2 per axis: the kernel's gain over the zero-filled image (4 overall, as cv2.pyrUp).
  const blurred = filterAndSample({ width: upW, height: upH, channels: c, data: up }, 1, 4);
  if (upW === width && upH === height) return blurred;
  const out = new Float32Array(width * height * c);
  for (let y = 0; y < height; y++)
    out.set(blurred.data.subarray(y * upW * c, (y * upW + width) * c), y * width * c);
  return { width, height, channels: c, data: out };
}

/**
 * Laplacian pyramid with `levels` levels, finest first: each level is its Gaussian level minus the
 * upsampled next one; the last level is the coarsest Gaussian level itself.
 */
export function laplacianPyramid(image: FloatImage, levels: number): FloatImage[] {
  const gaussian = [image];
  for (let i = 1; i < levels; i++) gaussian.push(pyramidDown(gaussian[i - 1]!));
  return gaussian.map((g, i) => {
    if (i === levels - 1) return g;
    const up = pyramidUp(gaussian[i + 1]!, g.width, g.height);
    const data = new Float32Array(g.data.length);
    for (let j = 0; j < data.length; j++) data[j] = g.data[j]! - up.data[j]!;
    return { ...g, data };
  });
}
