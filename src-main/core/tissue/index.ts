/**
 * Tissue masks (SPEC 1): thumbnails, the mask algorithm and its detectors, the 1-bit PNG cache, the
 * worker pool that builds a dataset's masks, and the tissue index the sampler draws from.
 */
export {
  computeTissueMask,
  DEFAULT_TISSUE_MASK_PARAMETERS,
  resolveTissueMaskParameters,
  TISSUE_DETECTORS,
  TISSUE_MASK_ALGORITHM_VERSION,
  tissueMaskParametersKey,
  type TissueDetector,
  type TissueMask,
  type TissueMaskParameters,
  type TissueMaskResult,
} from './tissue-mask.js';
export { readThumbnail, thumbnailSize, encodeThumbnailJpeg, type ThumbnailSize } from './thumbnail.js';
export { decodeMaskPng, encodeMaskPng, MaskPngError } from './png1bit.js';
export { MaskCache, type CachedMask, type MaskCacheLookup, type MaskMetadata } from './mask-cache.js';
export { resolveCacheDir } from './cache-dir.js';
export { buildSlideMask, classifyMask, type SlideMaskOutcome, type SlideMaskReport } from './build-mask.js';
export {
  buildMasks,
  type MaskBuildJob,
  type MaskBuildSummary,
  type MaskPoolEvent,
  type MaskPoolOptions,
} from './mask-pool.js';
export { TissueIndex, type EmptyMaskPolicy, type Level0Point } from './tissue-index.js';
export { loadTissueIndex, type ExcludedSlide } from './load-tissue-index.js';
export { renderMaskOverlayPng } from './overlay.js';
