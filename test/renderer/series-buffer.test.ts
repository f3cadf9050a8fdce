import { describe, expect, it } from 'vitest';
import { SeriesBuffer } from '../../src-renderer/src/lib/series-buffer.js';

describe('SeriesBuffer (live metric series)', () => {
  it('keeps memory bounded over 200k points and still holds the global minimum and maximum', () => {
    const buffer = new SeriesBuffer(2048, 0.9);
    const started = performance.now();
    for (let step = 1; step <= 200_000; step++) {
      const spike = step === 123_457 ? 50 : step === 77_777 ? -50 : 0;
      buffer.push(step, Math.sin(step / 1000) + spike);
    }
    const elapsedMs = performance.now() - started;
    expect(buffer.length).toBeLessThanOrEqual(2048);
    expect(buffer.rawCount).toBe(200_000);
    const raw = buffer.points(false);
    expect(Math.max(...raw.map((p) => p.y))).toBeCloseTo(50 + Math.sin(123.457), 6);
    expect(Math.min(...raw.map((p) => p.y))).toBeCloseTo(-50 + Math.sin(77.777), 6);
    expect(raw.at(-1)!.x).toBe(200_000);
    // Steps stay in order after compaction.
    for (let i = 1; i < raw.length; i++) expect(raw[i]!.x).toBeGreaterThan(raw[i - 1]!.x);
    // Appending must stay cheap: 200k points well under a second even on a loaded 2-core machine.
    expect(elapsedMs).toBeLessThan(1500);
  });

  it('smooths with a bias-corrected moving average (the first point equals itself)', () => {
    const buffer = new SeriesBuffer(16, 0.9);
    buffer.push(1, 10);
    buffer.push(2, 0);
    const smoothed = buffer.points(true).map((p) => p.y);
    expect(smoothed[0]).toBeCloseTo(10, 12);
    // Debiased EMA of [10, 0]: (0.9*0.1*10 + 0.1*0) / (1 - 0.81)
    expect(smoothed[1]).toBeCloseTo((0.9 * 0.1 * 10) / 0.19, 12);
  });

  it('ignores repeated or older steps and non-finite values', () => {
    const buffer = new SeriesBuffer(16, 0);
    buffer.push(5, 1);
    buffer.push(5, 2);
    buffer.push(4, 3);
    buffer.push(6, Number.NaN);
    buffer.push(7, 4);
    expect(buffer.points(false)).toEqual([
      { x: 5, y: 1 },
      { x: 7, y: 4 },
    ]);
  });

  it('continues live points after history loaded from the service', () => {
    const buffer = new SeriesBuffer(16, 0.5);
    buffer.load([1, 2], [4, 2], [4, 3], 100);
    buffer.push(3, 1);
    expect(buffer.rawCount).toBe(101);
    expect(buffer.points(true).at(-1)).toEqual({ x: 3, y: 2 });
  });
  /** Points per tenth of the step range 1..lastStep. */
  function tenths(points: readonly { x: number }[], lastStep: number): number[] {
    const counts = new Array<number>(10).fill(0);
    for (const p of points) counts[Math.min(9, Math.floor(((p.x - 1) * 10) / lastStep))]!++;
    return counts;
  }

  it('keeps the same density over the whole step range after 100k points (old history is not thinned more)', () => {
    const buffer = new SeriesBuffer(8192, 0.9);
    for (let step = 1; step <= 100_000; step++) {
      const spike = step === 3_001 ? 40 : step === 96_999 ? -40 : 0;
      buffer.push(step, Math.cos(step / 700) + spike);
    }
    const raw = buffer.points(false);
    expect(raw.length).toBeLessThanOrEqual(8193);
    const counts = tenths(raw, 100_000);
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThanOrEqual(2);
    expect(Math.max(...raw.map((p) => p.y))).toBeCloseTo(40 + Math.cos(3_001 / 700), 9);
    expect(Math.min(...raw.map((p) => p.y))).toBeCloseTo(-40 + Math.cos(96_999 / 700), 9);
    expect(raw.at(-1)!.x).toBe(100_000);
    for (let i = 1; i < raw.length; i++) expect(raw[i]!.x).toBeGreaterThan(raw[i - 1]!.x);
  });

  it('continues history loaded from the service at the history density', () => {
    const buffer = new SeriesBuffer(8192, 0);
    // 50k raw points downsampled by the service to 2000 (one point per 25 steps).
    const steps = Array.from({ length: 2000 }, (_, i) => (i + 1) * 25);
    buffer.load(steps, steps.map(Math.sin), steps.map(Math.sin), 50_000);
    for (let step = 50_001; step <= 100_000; step++) buffer.push(step, Math.sin(step));
    const counts = tenths(buffer.points(false), 100_000);
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThanOrEqual(2);
  });
});
