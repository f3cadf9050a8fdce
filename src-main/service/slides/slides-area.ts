import type { SlideDetails, SlidesApi } from '../../contract/index.js';
import type { Slide } from '../../core/slide/types.js';
import { ServiceError } from '../errors.js';
import { notImplemented } from '../not-implemented.js';
import type { Workspace } from '../workspace/workspace.js';
import { resolveInside } from '../workspace/path-guard.js';
import { deepZoomLayout, tileSource } from './deep-zoom.js';
import { fitInside, renderRegion } from './render.js';

/** Where the service gets open slides from (the slide layer's LRU handle cache). */
export interface SlideSource {
  acquire(path: string): Promise<Slide>;
}

/** Slides: details, thumbnails, deep-zoom tiles and footprints, for paths inside added folders only. */
export function createSlidesArea(workspace: Workspace, slides: SlideSource): SlidesApi {
  async function open(path: string): Promise<Slide> {
    const real = await resolveInside(path, workspace.slideRoots(), 'slide');
    return slides.acquire(real);
  }

  function level0(slide: Slide): { width: number; height: number } {
    const level = slide.info.levels[0]!;
    return { width: level.width, height: level.height };
  }

  return {
    async info(request) {
      const slide = await open(request.path);
      const { info } = slide;
      const size = level0(slide);
      const details: SlideDetails = {
        path: slide.path,
        vendor: info.vendor,
        quickhash: info.quickhash,
        levels: info.levels.map((l) => ({ widthPx: l.width, heightPx: l.height, downsample: l.downsample })),
        mppX: info.mppX,
        mppY: info.mppY,
        objectivePower: info.objectivePower,
        backgroundRgb: info.backgroundRgb,
        propertyCount: Object.keys(info.properties).length,
        associatedImages: info.associatedImages,
        deepZoom: deepZoomLayout(size.width, size.height),
        mask: null,
      };
      return details;
    },
    async thumbnail(request) {
      const slide = await open(request.path);
      const size = level0(slide);
      const out = fitInside(size.width, size.height, request.maxSizePx ?? 512);
      return { image: await renderRegion(slide, { x: 0, y: 0, ...size }, out.width, out.height) };
    },
    async mask(request) {
      await open(request.path);
      throw notImplemented('slides.mask', 'tissue masks (core/tissue)');
    },
    async tile(request) {
      const slide = await open(request.path);
      const size = level0(slide);
      const source = tileSource(
        deepZoomLayout(size.width, size.height),
        request.level,
        request.col,
        request.row,
      );
      if (!source) {
        throw new ServiceError(
          'NOT_FOUND',
          `No deep-zoom tile ${request.level}/${request.col}/${request.row} in ${slide.path}`,
          { path: slide.path },
        );
      }
      const rect = {
        x: source.level0X,
        y: source.level0Y,
        width: source.level0Width,
        height: source.level0Height,
      };
      return { image: await renderRegion(slide, rect, source.tileWidthPx, source.tileHeightPx) };
    },
    async region(request) {
      const slide = await open(request.path);
      const size = level0(slide);
      const x = Math.min(request.level0X, size.width - 1);
      const y = Math.min(request.level0Y, size.height - 1);
      const rect = {
        x,
        y,
        width: Math.min(request.level0Width, size.width - x),
        height: Math.min(request.level0Height, size.height - y),
      };
      const out = fitInside(rect.width, rect.height, request.sizePx);
      // A footprint enlarged past level 0 would only be interpolated: allow it, the audit view wants a size.
      const scale = request.sizePx / Math.max(rect.width, rect.height);
      const target =
        scale > 1 ? { width: Math.round(rect.width * scale), height: Math.round(rect.height * scale) } : out;
      return { image: await renderRegion(slide, rect, target.width, target.height) };
    },
  };
}
