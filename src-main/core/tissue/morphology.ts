/**
 * Binary morphology on masks of 0/1 bytes. SPEC 1.4 erodes the *background* with a square, once; that is the
 * same as dilating the tissue with the square, with OpenCV's erosion border rule (pixels outside the image
 * never shrink the background, i.e. count as background when dilating tissue).
 */

/**
 * Dilates the 1-pixels of a `width x height` mask with a `sizePx x sizePx` square (odd size, centred), once;
 * separable (rows, then columns), linear in the number of pixels.
 */
export function dilateSquare(mask: Uint8Array, width: number, height: number, sizePx: number): Uint8Array {
  if (!Number.isInteger(sizePx) || sizePx < 1 || sizePx % 2 === 0) {
    throw new RangeError(`Expected an odd positive square size in pixels but received ${sizePx}`);
  }
  if (mask.length !== width * height) {
    throw new RangeError(
      `Expected ${width * height} mask bytes for ${width}x${height} but received ${mask.length}`,
    );
  }
  const radius = (sizePx - 1) >> 1;
  if (radius === 0) return Uint8Array.from(mask);
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    // Distance to the last 1 seen on the left, carried forward; then the same from the right.
    let sinceOne = radius + 1;
    for (let x = 0; x < width; x++) {
      sinceOne = mask[row + x] ? 0 : sinceOne + 1;
      if (sinceOne <= radius) rows[row + x] = 1;
    }
    sinceOne = radius + 1;
    for (let x = width - 1; x >= 0; x--) {
      sinceOne = mask[row + x] ? 0 : sinceOne + 1;
      if (sinceOne <= radius) rows[row + x] = 1;
    }
  }
  const out = new Uint8Array(mask.length);
  const since = new Int32Array(width);
  since.fill(radius + 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const d = rows[row + x] ? 0 : since[x]! + 1;
      since[x] = d;
      if (d <= radius) out[row + x] = 1;
    }
  }
  since.fill(radius + 1);
  for (let y = height - 1; y >= 0; y--) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const d = rows[row + x] ? 0 : since[x]! + 1;
      since[x] = d;
      if (d <= radius) out[row + x] = 1;
    }
  }
  return out;
}
