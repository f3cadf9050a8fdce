import { describe, expect, it } from 'vitest';
import {
  histogram256,
  otsuThreshold,
  otsuThresholdFromHistogram,
} from '../../../../src-main/core/tissue/otsu.js';
import { Rng } from '../../../../src-main/core/util/rng.js';

/** Otsu by its definition: the t maximising the between-class variance of {<= t} and {> t}, first on ties. */
function bruteForceOtsu(counts: Float64Array): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let best = 0;
  let bestVariance = 0;
  for (let t = 0; t < 255; t++) {
    let n1 = 0;
    let s1 = 0;
    let n2 = 0;
    let s2 = 0;
    for (let i = 0; i < 256; i++) {
      if (i <= t) {
        n1 += counts[i]!;
        s1 += i * counts[i]!;
      } else {
        n2 += counts[i]!;
        s2 += i * counts[i]!;
      }
    }
    if (n1 === 0 || n2 === 0) continue;
    const variance = (n1 / total) * (n2 / total) * (s1 / n1 - s2 / n2) ** 2;
    if (variance > bestVariance * (1 + 1e-12)) {
      bestVariance = variance;
      best = t;
    }
  }
  return best;
}

describe('otsu threshold', () => {
  it('splits a bimodal channel between its modes (darker class is <= threshold)', () => {
    const values = new Uint8Array(1000);
    values.fill(60, 0, 300);
    values.fill(220, 300);
    const t = otsuThreshold(values);
    expect(t).toBeGreaterThanOrEqual(60);
    expect(t).toBeLessThan(220);
  });

  it('matches the definition on random noisy bimodal histograms', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const channel = new Uint8Array(5000);
      const dark = 40 + rng.int(80);
      const bright = 170 + rng.int(70);
      for (let i = 0; i < channel.length; i++) {
        const centre = rng.next() < 0.3 + 0.4 * rng.next() ? dark : bright;
        channel[i] = Math.max(0, Math.min(255, Math.round(rng.normal(centre, 12))));
      }
      const counts = histogram256(channel);
      expect(otsuThresholdFromHistogram(counts)).toBe(bruteForceOtsu(counts));
    }
  });

  it('gives 0 for a channel with a single value, as OpenCV does', () => {
    expect(otsuThreshold(new Uint8Array(100).fill(255))).toBe(0);
    expect(otsuThreshold(new Uint8Array(100).fill(7))).toBe(0);
    expect(otsuThresholdFromHistogram(new Float64Array(256))).toBe(0);
  });

  it('rejects a histogram that does not have 256 bins', () => {
    expect(() => otsuThresholdFromHistogram([1, 2, 3])).toThrow(/256 histogram bins/);
  });
});
