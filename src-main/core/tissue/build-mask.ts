import { access } from 'node:fs/promises';
import type { RasterImage, Slide } from '../slide/types.js';
import { type CachedMask, type MaskCache, type MaskMetadata, type StoredMaskOutcome } from './mask-cache.js';
import { encodeMaskPng } from './png1bit.js';
import { encodeThumbnailJpeg, readThumbnail } from './thumbnail.js';
import { computeTissueMask, type TissueMask, type TissueMaskParameters } from './tissue-mask.js';

/** Per-slide result of a mask build (SPEC 1.8). */
export type SlideMaskOutcome = StoredMaskOutcome | 'unreadable';

export interface SlideMaskReport {
  readonly path: string;
  readonly outcome: SlideMaskOutcome;
  /** True when the mask came from the cache and nothing was built. */
  readonly fromCache: boolean;
  readonly quickhash: string | null;
  /** Why the slide is unreadable: the slide layer's error code and message. */
  readonly error: { readonly code: string; readonly message: string } | null;
  /** Null when unreadable. */
  readonly metadata: MaskMetadata | null;
  readonly maskPath: string | null;
  readonly thumbnailPath: string | null;
  /** Wall time of this call in ms (open, cache lookup, and build when there was one). */
  readonly ms: number;
  /** Set when the cache held an entry that failed validation and was rebuilt. */
  readonly replacedInvalid: string | null;
}

export interface BuildSlideMaskOptions {
  readonly cache: MaskCache;
  readonly params: TissueMaskParameters;
  /** Opens a slide (the binding's `openSlide`); the handle is closed before returning. */
  readonly openSlide: (path: string) => Promise<Slide>;
  /** Write `<cache>/thumbs/<quickhash>.jpg` for the UI when it is missing (default true). */
  readonly writeUiThumbnail?: boolean;
  /** Called with the thumbnail and mask when a caller wants them (overlays); reads the thumbnail on a hit. */
  readonly onThumbnail?: (thumbnail: RasterImage, mask: TissueMask, report: SlideMaskReport) => Promise<void>;
}

/**
 * Builds or reuses the mask of one slide: open, look the quickhash up in the cache, else read the thumbnail,
 * compute and store the mask. Never throws for a bad slide: it reports it `unreadable` with the reason.
 */
export async function buildSlideMask(
  path: string,
  options: Readonly<BuildSlideMaskOptions>,
): Promise<SlideMaskReport> {
  const started = performance.now();
  let slide: Slide;
  try {
    slide = await options.openSlide(path);
  } catch (error) {
    return unreadable(path, null, error, started);
  }
  try {
    const quickhash = slide.info.quickhash;
    if (!quickhash) {
      return unreadable(
        path,
        null,
        { code: 'READ_FAILED', message: `${path}: OpenSlide gave no quickhash` },
        started,
      );
    }
    const lookup = await options.cache.read(quickhash, options.params);
    if (lookup.status === 'hit') {
      const thumbnailPath = options.cache.thumbnailPath(quickhash);
      const thumbnailExists = await access(thumbnailPath).then(
        () => true,
        () => false,
      );
      const report = hitReport(path, lookup.entry, started, thumbnailExists ? thumbnailPath : null);
      if (options.onThumbnail) {
        const thumbnail = await readThumbnail(slide, { longSidePx: options.params.thumbnailLongSidePx });
        await options.onThumbnail(thumbnail, lookup.entry.mask, report);
      }
      return report;
    }
    const buildStarted = performance.now();
    const thumbnail = await readThumbnail(slide, { longSidePx: options.params.thumbnailLongSidePx });
    const result = await computeTissueMask(thumbnail, options.params);
    const png = encodeMaskPng(result.mask);
    const buildMs = performance.now() - buildStarted;
    const level0 = slide.info.levels[0]!;
    const outcome = classifyMask(result.tissuePixels, result.mask.data.length);
    const metadata = await options.cache.write(
      {
        parameters: options.params,
        outcome,
        threshold: result.threshold,
        tissuePixels: result.tissuePixels,
        tissueFraction: result.tissueFraction,
        thumbnail: { width: thumbnail.width, height: thumbnail.height },
        slide: {
          quickhash,
          level0Width: level0.width,
          level0Height: level0.height,
          vendor: slide.info.vendor,
          path,
        },
        buildMs: Math.round(buildMs * 10) / 10,
        noTissueReason: result.noTissueReason,
      },
      png,
    );
    let thumbnailPath: string | null = null;
    if (options.writeUiThumbnail ?? true) {
      thumbnailPath = await options.cache.writeThumbnail(quickhash, await encodeThumbnailJpeg(thumbnail));
    }
    const report: SlideMaskReport = {
      path,
      outcome,
      fromCache: false,
      quickhash,
      error: null,
      metadata,
      maskPath: options.cache.maskPaths(quickhash, options.params).png,
      thumbnailPath,
      ms: performance.now() - started,
      replacedInvalid: lookup.status === 'invalid' ? lookup.reason : null,
    };
    if (options.onThumbnail) await options.onThumbnail(thumbnail, result.mask, report);
    return report;
  } catch (error) {
    return unreadable(path, slide.info.quickhash || null, error, started);
  } finally {
    slide.close();
  }
}

function hitReport(
  path: string,
  entry: CachedMask,
  started: number,
  thumbnailPath: string | null,
): SlideMaskReport {
  return {
    path,
    outcome: entry.metadata.outcome,
    fromCache: true,
    quickhash: entry.metadata.slide.quickhash,
    error: null,
    metadata: entry.metadata,
    maskPath: entry.pngPath,
    thumbnailPath,
    ms: performance.now() - started,
    replacedInvalid: null,
  };
}

function unreadable(
  path: string,
  quickhash: string | null,
  error: unknown,
  started: number,
): SlideMaskReport {
  return {
    path,
    outcome: 'unreadable',
    fromCache: false,
    quickhash,
    error: describeError(error),
    metadata: null,
    maskPath: null,
    thumbnailPath: null,
    ms: performance.now() - started,
    replacedInvalid: null,
  };
}

/** The outcome of a mask by its tissue pixel count: none, all, or some (SPEC 1.8). */
export function classifyMask(tissuePixels: number, pixels: number): StoredMaskOutcome {
  if (tissuePixels === 0) return 'no-tissue';
  return tissuePixels === pixels ? 'all-tissue' : 'ok';
}

/** The code and message of an error from the slide layer (or anything else thrown). */
export function describeError(error: unknown): { code: string; message: string } {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'READ_FAILED';
    return { code, message: typeof e.message === 'string' ? e.message : String(error) };
  }
  return { code: 'READ_FAILED', message: String(error) };
}
