import type { DeepZoomLayout } from '../../../src-main/contract/index.js';

/** Where the viewer looks: the level-0 point at the canvas centre and the scale (canvas px per level-0 px). */
export interface ViewState {
  readonly centerX: number;
  readonly centerY: number;
  readonly scale: number;
}

export interface TileRef {
  readonly level: number;
  readonly col: number;
  readonly row: number;
  /** Level-0 rectangle the tile covers. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Level-0 size of the slide (the top deep-zoom level). */
export function fullSize(layout: DeepZoomLayout): { widthPx: number; heightPx: number } {
  return layout.levelSizes[layout.levelCount - 1]!;
}

/** The deep-zoom level whose resolution is just at or above the view's scale (never above level 0 = top). */
export function levelForScale(layout: DeepZoomLayout, scale: number, devicePixelRatio = 1): number {
  const top = layout.levelCount - 1;
  const wanted = Math.ceil(Math.log2(1 / Math.max(scale * devicePixelRatio, 1e-9)) - 1e-9);
  return Math.min(top, Math.max(0, top - Math.max(0, wanted)));
}

/** The tiles of `level` that intersect the visible level-0 rectangle. */
export function visibleTiles(
  layout: DeepZoomLayout,
  level: number,
  view: ViewState,
  canvasWidth: number,
  canvasHeight: number,
): TileRef[] {
  const top = layout.levelCount - 1;
  const factor = 2 ** (top - level);
  const size = layout.levelSizes[level]!;
  const full = fullSize(layout);
  const tile = layout.tileSizePx;
  const halfW = canvasWidth / 2 / view.scale;
  const halfH = canvasHeight / 2 / view.scale;
  const x0 = Math.max(0, view.centerX - halfW);
  const y0 = Math.max(0, view.centerY - halfH);
  const x1 = Math.min(full.widthPx, view.centerX + halfW);
  const y1 = Math.min(full.heightPx, view.centerY + halfH);
  if (x1 <= x0 || y1 <= y0) return [];
  const cols = Math.ceil(size.widthPx / tile);
  const rows = Math.ceil(size.heightPx / tile);
  const c0 = Math.max(0, Math.floor(x0 / factor / tile));
  const c1 = Math.min(cols - 1, Math.floor((x1 - 1e-9) / factor / tile));
  const r0 = Math.max(0, Math.floor(y0 / factor / tile));
  const r1 = Math.min(rows - 1, Math.floor((y1 - 1e-9) / factor / tile));
  const tiles: TileRef[] = [];
  for (let row = r0; row <= r1; row++) {
    for (let col = c0; col <= c1; col++) {
      const x = col * tile * factor;
      const y = row * tile * factor;
      tiles.push({
        level,
        col,
        row,
        x,
        y,
        width: Math.min(tile * factor, full.widthPx - x),
        height: Math.min(tile * factor, full.heightPx - y),
      });
    }
  }
  return tiles;
}

/** The view that shows the whole slide in the canvas, with a margin. */
export function fitView(layout: DeepZoomLayout, canvasWidth: number, canvasHeight: number): ViewState {
  const full = fullSize(layout);
  const scale = 0.95 * Math.min(canvasWidth / full.widthPx, canvasHeight / full.heightPx);
  return { centerX: full.widthPx / 2, centerY: full.heightPx / 2, scale };
}

/** Zooms by `factor` keeping the level-0 point under the canvas point (px, py) fixed. */
export function zoomAt(
  view: ViewState,
  factor: number,
  px: number,
  py: number,
  canvasWidth: number,
  canvasHeight: number,
  minScale: number,
  maxScale: number,
): ViewState {
  const scale = Math.min(maxScale, Math.max(minScale, view.scale * factor));
  const wx = view.centerX + (px - canvasWidth / 2) / view.scale;
  const wy = view.centerY + (py - canvasHeight / 2) / view.scale;
  return {
    scale,
    centerX: wx - (px - canvasWidth / 2) / scale,
    centerY: wy - (py - canvasHeight / 2) / scale,
  };
}
