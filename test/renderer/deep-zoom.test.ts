import { describe, expect, it } from 'vitest';
import type { DeepZoomLayout } from '../../src-main/contract/index.js';
import { fitView, levelForScale, visibleTiles, zoomAt } from '../../src-renderer/src/lib/deep-zoom.js';

// The layout of cmu-1-small-region.svs (2220 x 2967) with 256 px tiles: 13 levels, 1x1 up to full size.
const layout: DeepZoomLayout = {
  tileSizePx: 256,
  levelCount: 13,
  levelSizes: Array.from({ length: 13 }, (_, level) => ({
    widthPx: Math.ceil(2220 / 2 ** (12 - level)),
    heightPx: Math.ceil(2967 / 2 ** (12 - level)),
  })),
};

describe('deep-zoom viewer geometry', () => {
  it('picks the level whose resolution just covers the scale', () => {
    expect(levelForScale(layout, 1)).toBe(12);
    expect(levelForScale(layout, 2)).toBe(12);
    expect(levelForScale(layout, 0.5)).toBe(11);
    expect(levelForScale(layout, 0.3)).toBe(10);
    expect(levelForScale(layout, 0.25)).toBe(10);
    expect(levelForScale(layout, 0.25, 2)).toBe(11);
    expect(levelForScale(layout, 1e-6)).toBe(0);
  });

  it('covers the whole slide with the tiles of the fitting level, and nothing outside it', () => {
    const view = fitView(layout, 800, 600);
    const level = levelForScale(layout, view.scale);
    const tiles = visibleTiles(layout, level, view, 800, 600);
    const size = layout.levelSizes[level]!;
    expect(tiles.length).toBe(Math.ceil(size.widthPx / 256) * Math.ceil(size.heightPx / 256));
    const area = tiles.reduce((sum, t) => sum + t.width * t.height, 0);
    expect(area).toBe(2220 * 2967);
  });

  it('lists only the tiles in view when zoomed in', () => {
    const view = { centerX: 1000, centerY: 1000, scale: 1 };
    const tiles = visibleTiles(layout, 12, view, 512, 512);
    expect(tiles.map((t) => `${t.col},${t.row}`).sort()).toEqual(
      ['2,2', '2,3', '2,4', '3,2', '3,3', '3,4', '4,2', '4,3', '4,4'].sort(),
    );
  });

  it('keeps the point under the cursor fixed while zooming', () => {
    const view = { centerX: 1000, centerY: 1500, scale: 0.2 };
    const next = zoomAt(view, 2, 100, 50, 800, 600, 0.01, 8);
    const before = { x: view.centerX + (100 - 400) / view.scale, y: view.centerY + (50 - 300) / view.scale };
    const after = { x: next.centerX + (100 - 400) / next.scale, y: next.centerY + (50 - 300) / next.scale };
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
    expect(next.scale).toBeCloseTo(0.4, 12);
  });
});
