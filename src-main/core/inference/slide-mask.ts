import type { Slide } from '../slide/index.js';
import { buildSlideMask, type SlideMaskOutcome } from '../tissue/build-mask.js';
import { MaskCache } from '../tissue/mask-cache.js';
import { resolveTissueMaskParameters, type TissueDetector } from '../tissue/tissue-mask.js';
import { InferenceError } from './errors.js';
import type { TissueMaskGrid } from './tile-source.js';

export interface SlideTissueMaskOptions {
  /** The workbench's cache folder (resolveCacheDir): masks are reused from it or built into it. */
  readonly cacheDir: string;
  readonly detector?: TissueDetector;
  /** Opens the slide (the slide layer's openSlide); the handle is closed again. */
  readonly openSlide: (path: string) => Promise<Slide>;
}

/** A slide's tissue mask for translation, with how it was obtained. */
export interface SlideTissueMask {
  readonly mask: TissueMaskGrid;
  readonly outcome: Exclude<SlideMaskOutcome, 'unreadable'>;
  readonly fromCache: boolean;
  readonly maskPath: string | null;
}

/**
 * The tissue mask of the slide at `path` (SPEC 1): reused from the cache, else built and cached, as the
 * `masks` command does. An unreadable slide is an InferenceError 'SLIDE_UNREADABLE' naming it.
 */
export async function slideTissueMask(
  path: string,
  options: Readonly<SlideTissueMaskOptions>,
): Promise<SlideTissueMask> {
  const cache = new MaskCache({ cacheDir: options.cacheDir });
  const params = resolveTissueMaskParameters(options.detector ? { detector: options.detector } : {});
  const report = await buildSlideMask(path, {
    cache,
    params,
    openSlide: options.openSlide,
    writeUiThumbnail: false,
  });
  if (report.outcome === 'unreadable' || report.quickhash === null) {
    throw new InferenceError(
      'SLIDE_UNREADABLE',
      `Cannot build the tissue mask: ${report.error?.message ?? 'the slide is unreadable'}`,
      path,
    );
  }
  const lookup = await cache.read(report.quickhash, params);
  if (lookup.status !== 'hit') {
    throw new InferenceError(
      'SLIDE_UNREADABLE',
      `The tissue mask just built cannot be read back from the cache (${lookup.status})`,
      report.maskPath ?? path,
    );
  }
  return {
    mask: lookup.entry.mask,
    outcome: report.outcome,
    fromCache: report.fromCache,
    maskPath: report.maskPath,
  };
}
