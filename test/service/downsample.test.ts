import { describe, expect, it } from 'vitest';
import { downsampleMinMax, smoothSeries } from '../../src-main/service/runs/downsample.js';

describe('metric series downsampled for display', () => {
  it('keeps every spike of a 150k-point series within a 2000-point budget', () => {
    const n = 150_000;
    const steps = Float64Array.from({ length: n }, (_, i) => i + 1);
    const values = Float64Array.from(
      { length: n },
      (_, i) => Math.cos(i / 500) + (i === 98_765 ? 40 : 0) - (i === 4321 ? 40 : 0),
    );
    const series = downsampleMinMax('loss.G', steps, values, 2000, 0.9);
    expect(series.rawCount).toBe(n);
    expect(series.steps.length).toBeLessThanOrEqual(2000);
    expect(series.steps.length).toBeGreaterThan(1900);
    expect(Math.max(...series.values)).toBe(values[98_765]);
    expect(Math.min(...series.values)).toBe(values[4321]);
    expect(series.steps[0]).toBe(1);
    expect(series.steps.at(-1)).toBe(n);
    for (let i = 1; i < series.steps.length; i++)
      expect(series.steps[i]).toBeGreaterThan(series.steps[i - 1]!);
  });

  it('returns short series whole', () => {
    const steps = Float64Array.from([1, 2, 3]);
    const values = Float64Array.from([3, 1, 2]);
    const series = downsampleMinMax('lr.generator', steps, values, 16, 0);
    expect([...series.values]).toEqual([3, 1, 2]);
    expect([...series.smoothed]).toEqual([3, 1, 2]);
  });

  it('smooths raw values before downsampling, with bias correction', () => {
    const smoothed = smoothSeries(Float64Array.from([10, 0, 0]), 0.5);
    expect(smoothed[0]).toBeCloseTo(10, 12);
    expect(smoothed[1]).toBeCloseTo((0.5 * 0.5 * 10) / 0.75, 12);
  });
});
