import { describe, expect, it } from 'vitest';
import { ConfirmTokens } from '../../src-main/service/runs/confirm-tokens.js';
import { deepZoomLayout, tileSource } from '../../src-main/service/slides/deep-zoom.js';
import { EventBatcher, StreamThinner } from '../../src-main/service/training/event-batcher.js';

describe('confirmation tokens for destructive calls', () => {
  it('work once, for their own subject, before they expire', () => {
    let now = 0;
    const tokens = new ConfirmTokens(1000, () => now);
    const a = tokens.issue('run-a');
    expect(tokens.consume('run-b', a)).toBe(false);
    expect(tokens.consume('run-a', a)).toBe(true);
    expect(tokens.consume('run-a', a)).toBe(false);
    const late = tokens.issue('run-a');
    now = 1000;
    expect(tokens.consume('run-a', late)).toBe(false);
  });
});

describe('the deep-zoom pyramid of the slide view', () => {
  it('runs from 1x1 px to level 0, halving (rounded up) per level', () => {
    const layout = deepZoomLayout(2220, 2967);
    expect(layout.levelCount).toBe(13);
    expect(layout.levelSizes[12]).toEqual({ widthPx: 2220, heightPx: 2967 });
    expect(layout.levelSizes[11]).toEqual({ widthPx: 1110, heightPx: 1484 });
    expect(layout.levelSizes[0]).toEqual({ widthPx: 1, heightPx: 1 });
    expect(deepZoomLayout(16, 16).levelCount).toBe(5);
  });

  it('maps tiles to level-0 footprints, clipping the last row and column', () => {
    const layout = deepZoomLayout(2220, 2967);
    expect(tileSource(layout, 12, 8, 11)).toEqual({
      level0X: 2048,
      level0Y: 2816,
      level0Width: 172,
      level0Height: 151,
      tileWidthPx: 172,
      tileHeightPx: 151,
      downsample: 1,
    });
    expect(tileSource(layout, 10, 2, 0)).toMatchObject({
      level0X: 2048,
      level0Width: 172,
      tileWidthPx: 43,
      downsample: 4,
    });
    expect(tileSource(layout, 12, 9, 0)).toBeNull();
    expect(tileSource(layout, 13, 0, 0)).toBeNull();
  });
});

describe('event batching for the UI', () => {
  it('sends at most one batch per interval and everything at the end', async () => {
    const batches: number[][] = [];
    const batcher = new EventBatcher<number>(50, (items) => batches.push(items));
    for (let i = 0; i < 100; i++) batcher.add(i);
    await new Promise((resolve) => setTimeout(resolve, 80));
    batcher.add(100);
    batcher.flush();
    expect(batches.length).toBe(2);
    expect(batches.flat()).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });

  it('keeps every domain in the gallery when one samples much faster', () => {
    let now = 0;
    const thinner = new StreamThinner<{ domain: string }>(
      500,
      3,
      (p) => p.domain,
      () => now,
    );
    const accepted = [];
    for (let i = 0; i < 100; i++)
      if (thinner.accept({ domain: i % 10 === 0 ? 'B' : 'A' })) accepted.push(i % 10 === 0 ? 'B' : 'A');
    expect(accepted.filter((d) => d === 'A').length).toBe(3);
    expect(accepted.filter((d) => d === 'B').length).toBe(3);
    now = 500;
    expect(thinner.accept({ domain: 'A' })).toBe(true);
  });
});
