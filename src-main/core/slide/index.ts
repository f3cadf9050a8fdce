/**
 * The slide layer: open whole-slide images through our OpenSlide binding, read regions and associated
 * images, cache open handles. Everything above (tissue, sampling, inference) uses only this module.
 */
export type { RasterImage, ReadRegionOptions, Slide, SlideInfo, SlideLevel } from './types.js';
export { SlideError, UnsupportedFormatError, toSlideError, type SlideErrorCode } from './errors.js';
export { openSlide, type OpenSlideOptions } from './open-slide.js';
export { SlideCache, type SlideCacheOptions, type SlideCacheStats } from './cache.js';
export { detectVendor } from './vendor.js';
export { bestLevelForDownsample } from './levels.js';
export { MAX_REGION_PIXELS } from './validate.js';
