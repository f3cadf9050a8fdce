/**
 * Binary morphology on masks of 0/1 bytes. SPEC 1.4 erodes the *background* with a square, once; that is the
 * same as dilating the tissue with the square, with OpenCV's erosion border rule (pixels outside the image
 * never shrink the background, i.e. count as background when dilating tissue).
 */

/**
 * Dilates the 1-pixels of a `width x height` mask with a `sizePx x sizePx` square (odd size, centred), once.
 * Separable: each row's runs of 1s are widened by the radius (memset-speed fills, cost follows the number of
 * runs), then each output row is the OR of the `sizePx` widened rows around it, four pixels per 32-bit word.
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
  // Rows padded to whole 32-bit words so the vertical pass can OR four pixels at a time.
  const words = (width + 3) >> 2;
  const stride = words * 4;
  const widened = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const from = y * width;
    const to = y * stride;
    let x = 0;
    while (x < width) {
      while (x < width && mask[from + x] === 0) x++;
      if (x === width) break;
      const start = x;
      while (x < width && mask[from + x] !== 0) x++;
      widened.fill(1, to + Math.max(0, start - radius), to + Math.min(width, x + radius));
    }
  }
  const rows = new Uint32Array(widened.buffer);
  const orRow = new Uint32Array(words);
  const orBytes = new Uint8Array(orRow.buffer);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const first = Math.max(0, y - radius);
    const last = Math.min(height - 1, y + radius);
    orRow.set(rows.subarray(first * words, (first + 1) * words));
    for (let r = first + 1; r <= last; r++) {
      const offset = r * words;
      for (let w = 0; w < words; w++) orRow[w]! |= rows[offset + w]!;
    }
    out.set(orBytes.subarray(0, width), y * width);
  }
  return out;
}
