/**
 * Evaluation of trained generators (SPEC 6, 7): multi-scale sliced Wasserstein distance between real and
 * generated patches, CycleGAN's cycle-reconstruction error on held-out slides, and the hooks a trainer
 * calls at set intervals.
 */
export { laplacianPyramid, pyramidDown, pyramidUp, type FloatImage } from './laplacian-pyramid.js';
export {
  slicedWassersteinDistance,
  swdBetween,
  swdDescriptors,
  swdResolutions,
  type SwdDescriptors,
  type SwdOptions,
  type SwdResult,
} from './sliced-wasserstein.js';
export { cycleReconstructionError, type ImageToImage } from './cycle-error.js';
export { patchesToTensor, tensorToPatches } from './image-tensor.js';
export {
  evaluateCyclegan,
  generatePatches,
  isEvaluationStep,
  ProganEvaluator,
  seededLatents,
  swdMetrics,
  translatePatches,
  type CycleganEvaluationInput,
  type EvaluationMetrics,
} from './evaluate.js';
export { sampleRealPatches, type RealPatchOptions } from './real-patches.js';
export {
  downscalePatches,
  evaluationPatches,
  openSlideEvaluationSet,
  TrainingEvaluator,
  type EvaluationSet,
  type EvaluationSetRequest,
} from './training-evaluation.js';
