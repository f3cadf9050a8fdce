import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { ImageBytes, SlideDetails, SlidesApi } from '../../contract/index.js';
import type { Slide } from '../../core/slide/types.js';
import type { CachedMask } from '../../core/tissue/index.js';
import type { ServiceContext } from '../context.js';
import { maskParameters } from '../datasets/dataset-catalog.js';
import { renderMaskOverlay } from '../datasets/mask-overlay.js';
import { ServiceError } from '../errors.js';
import { isInside, resolveInside } from '../workspace/path-guard.js';
import { deepZoomLayout, tileSource } from './deep-zoom.js';
import { fitInside, renderRegion } from './render.js';

/**
 * Slides: details, thumbnails, masks, deep-zoom tiles and footprints, for paths inside added folders and
 * for the translations the service wrote.
 */
export function createSlidesArea(context: ServiceContext): SlidesApi {
  const { workspace, maskCache } = context;

  /**
   * A slide inside the added folders, or a finished translation the service wrote (by its exact path:
   * it may lie in the runs folder, outside every added folder).
   */
  async function open(path: string): Promise<Slide> {
    const real =
      (await context.translations.openablePath(path)) ??
      (await resolveInside(path, workspace.slideRoots(), 'slide'));
    return context.slides.acquire(real);
  }

  function level0(slide: Slide): { width: number; height: number } {
    const level = slide.info.levels[0]!;
    return { width: level.width, height: level.height };
  }

  /** The cached mask of a slide, built with the detector of the (first) domain whose folder holds it. */
  async function cachedMask(slide: Slide): Promise<CachedMask | null> {
    const domain = workspace.domains().find((d) => d.folders.some((folder) => isInside(slide.path, folder)));
    if (!domain) return null;
    const lookup = await maskCache.read(slide.info.quickhash, maskParameters(domain.detector));
    return lookup.status === 'hit' ? lookup.entry : null;
  }

  /** The thumbnail from the mask build's cached JPEG when it is large enough, else read from the slide. */
  async function thumbnail(slide: Slide, maxSizePx: number): Promise<ImageBytes> {
    const size = level0(slide);
    const out = fitInside(size.width, size.height, maxSizePx);
    const cached = await readFile(maskCache.thumbnailPath(slide.info.quickhash)).catch(() => null);
    if (cached) {
      const meta = await sharp(cached).metadata();
      if (Math.max(meta.width ?? 0, meta.height ?? 0) >= Math.max(out.width, out.height)) {
        const bytes = await sharp(cached)
          .resize(out.width, out.height, { fit: 'fill' })
          .jpeg({ quality: 85 })
          .toBuffer();
        return { mime: 'image/jpeg', widthPx: out.width, heightPx: out.height, bytes };
      }
    }
    return renderRegion(slide, { x: 0, y: 0, ...size }, out.width, out.height);
  }

  return {
    async info(request) {
      const slide = await open(request.path);
      const { info } = slide;
      const size = level0(slide);
      const mask = await cachedMask(slide);
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
        mask: mask
          ? {
              detector: mask.metadata.detector,
              tissueFraction: mask.metadata.tissueFraction,
              widthPx: mask.mask.width,
              heightPx: mask.mask.height,
            }
          : null,
      };
      return details;
    },
    async thumbnail(request) {
      return { image: await thumbnail(await open(request.path), request.maxSizePx ?? 512) };
    },
    async mask(request) {
      const slide = await open(request.path);
      const mask = await cachedMask(slide);
      if (!mask) {
        throw new ServiceError('NOT_READY', `The tissue mask of ${slide.path} is not built yet`, {
          path: slide.path,
        });
      }
      return {
        overlay: await renderMaskOverlay(mask.mask),
        tissueFraction: mask.metadata.tissueFraction,
        detector: mask.metadata.detector,
      };
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
      // The long side is `sizePx`, enlarging small footprints too: the audit view wants a fixed size.
      const scale = request.sizePx / Math.max(rect.width, rect.height);
      const width = Math.max(1, Math.round(rect.width * scale));
      const height = Math.max(1, Math.round(rect.height * scale));
      return { image: await renderRegion(slide, rect, width, height) };
    },
  };
}
