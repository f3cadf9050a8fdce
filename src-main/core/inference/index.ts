/**
 * Using what was trained (SPEC 7): whole-slide stain transfer with a CycleGAN generator (tiles with
 * overlap blending over the tissue, streamed into a pyramidal tiled JPEG TIFF that OpenSlide opens,
 * resumable), and image generation with a ProGAN generator (PNGs, grids, latent interpolations).
 */
export { InferenceError, type InferenceErrorCode } from './errors.js';
export {
  translateSlide,
  type TranslatePhase,
  type TranslateProgress,
  type TranslateSlideHooks,
  type TranslateSlideOptions,
  type TranslateSlideResult,
} from './translate-slide.js';
export {
  generatorTileTransform,
  type ImageToImageNetwork,
  type TileBatch,
  type TileTransform,
} from './tile-transform.js';
export { runTilePass, type TilePassOptions, type TilePassResult } from './tile-pass.js';
export { createTileGrid, pyramidLevelSizes, type TileGrid, type TileGridOptions } from './tile-grid.js';
export { blendWeights } from './blend-window.js';
export {
  BackgroundMatte,
  DEFAULT_MATTE_FEATHER_PX,
  DEFAULT_MATTE_GROW_PX,
  type BackgroundMatteOptions,
} from './background-matte.js';
export { translationWorkingSet, type TranslationWorkingSet } from './working-set.js';
export { type TissueMaskGrid } from './tile-source.js';
export { slideTissueMask, type SlideTissueMask, type SlideTissueMaskOptions } from './slide-mask.js';
export {
  generatorDigest,
  loadCycleganGenerator,
  loadProganGenerator,
  readProganExportState,
  type ProganExportState,
} from './generator-folder.js';
export {
  composeGrid,
  generateImages,
  interpolationLatents,
  slerp,
  type GenerateImagesOptions,
  type GeneratedImages,
} from './generate-images.js';
export {
  loadRunCycleganGenerator,
  loadRunProganGenerator,
  type CycleDirection,
  type RunCycleganGenerator,
  type RunGeneratorSource,
  type RunProganGenerator,
} from './run-generator.js';
