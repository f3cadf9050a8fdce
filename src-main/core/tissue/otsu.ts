/**
 * Otsu's threshold on an 8-bit channel (SPEC 1.3), with OpenCV's conventions so the golden reference agrees:
 * 256 bins, the threshold `t` splits the values into `<= t` and `> t`, the first `t` with the largest
 * between-class variance wins, and a histogram with a single value gives 0.
 */

/** 256-bin histogram of an 8-bit channel. */
export function histogram256(channel: Uint8Array): Float64Array {
  const counts = new Uint32Array(256);
  for (let i = 0; i < channel.length; i++) counts[channel[i]!]!++;
  return Float64Array.from(counts);
}

/** Otsu's threshold of a 256-bin histogram of counts; values `<= threshold` form the darker class. */
export function otsuThresholdFromHistogram(counts: ArrayLike<number>): number {
  if (counts.length !== 256)
    throw new RangeError(`Expected 256 histogram bins but received ${counts.length}`);
  let total = 0;
  let weightedTotal = 0;
  for (let i = 0; i < 256; i++) {
    total += counts[i]!;
    weightedTotal += i * counts[i]!;
  }
  if (total === 0) return 0;
  const mean = weightedTotal / total;
  // OpenCV's recurrence, in probabilities: q1 = P(value <= i), mu1 = mean of that class.
  const epsilon = 1.1920928955078125e-7; // FLT_EPSILON, as OpenCV skips near-empty classes
  let q1 = 0;
  let mu1 = 0;
  let bestSigma = 0;
  let best = 0;
  for (let i = 0; i < 256; i++) {
    const p = counts[i]! / total;
    mu1 *= q1;
    q1 += p;
    const q2 = 1 - q1;
    if (Math.min(q1, q2) < epsilon || Math.max(q1, q2) > 1 - epsilon) continue;
    mu1 = (mu1 + i * p) / q1;
    const mu2 = (mean - q1 * mu1) / q2;
    const sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
    if (sigma > bestSigma) {
      bestSigma = sigma;
      best = i;
    }
  }
  return best;
}

/** Otsu's threshold of an 8-bit channel. */
export function otsuThreshold(channel: Uint8Array): number {
  return otsuThresholdFromHistogram(histogram256(channel));
}

/** Mean value of each side of a threshold: `darker` is the values `<= threshold`; NaN for an empty side. */
export function otsuClassMeans(
  counts: ArrayLike<number>,
  threshold: number,
): { readonly darker: number; readonly brighter: number } {
  let darkCount = 0;
  let darkSum = 0;
  let brightCount = 0;
  let brightSum = 0;
  for (let i = 0; i < counts.length; i++) {
    if (i <= threshold) {
      darkCount += counts[i]!;
      darkSum += i * counts[i]!;
    } else {
      brightCount += counts[i]!;
      brightSum += i * counts[i]!;
    }
  }
  return { darker: darkSum / darkCount, brighter: brightSum / brightCount };
}
