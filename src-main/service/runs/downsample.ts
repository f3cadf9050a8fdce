import type { MetricSeries } from '../../contract/index.js';

/**
 * Exponential moving average with TensorBoard's bias correction, so the first values are not pulled
 * towards zero. `smoothing` is the weight of the past, 0 (none) .. <1.
 */
export function smoothSeries(values: Float64Array, smoothing: number): Float64Array {
  const out = new Float64Array(values.length);
  let ema = 0;
  let debias = 0;
  for (let i = 0; i < values.length; i++) {
    ema = ema * smoothing + values[i]! * (1 - smoothing);
    debias = debias * smoothing + (1 - smoothing);
    out[i] = smoothing === 0 ? values[i]! : ema / debias;
  }
  return out;
}

/**
 * Downsamples a series for display: the points are split into `maxPoints / 2` buckets of consecutive
 * steps and each bucket keeps its minimum and maximum (in step order), so spikes survive at any length.
 * The first and last points are always kept. Series at or under budget come back whole.
 */
export function downsampleMinMax(
  name: string,
  steps: Float64Array,
  values: Float64Array,
  maxPoints: number,
  smoothing: number,
): MetricSeries {
  const smoothed = smoothSeries(values, smoothing);
  const n = steps.length;
  if (n <= maxPoints) return { name, steps, values, smoothed, rawCount: n };
  const keep: number[] = [0];
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const inner = n - 2;
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (end <= start) continue;
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      if (values[i]! < values[lo]!) lo = i;
      if (values[i]! > values[hi]!) hi = i;
    }
    if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  keep.push(n - 1);
  const pick = (source: Float64Array): Float64Array => Float64Array.from(keep, (i) => source[i]!);
  return { name, steps: pick(steps), values: pick(values), smoothed: pick(smoothed), rawCount: n };
}
