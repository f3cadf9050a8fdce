/**
 * Patch sampling (histo-fetch): random tissue patches read from slide pyramids on the fly, augmented,
 * batched and streamed by a pool of worker threads, with provenance and a resumable state.
 */
export { SamplerError, type SamplerErrorCode } from './errors.js';
export {
  planFootprint,
  downsampleForSlide,
  footprintCentre,
  type Footprint,
  type SamplingScale,
} from './geometry.js';
export { drawLocation, type Location } from './location.js';
export { resolveSamplerOptions, type PatchSamplerOptions, type ResolvedSamplerOptions } from './options.js';
export type { PatchPlan, SamplerSlide } from './plan.js';
export { provenanceOf, type PatchProvenance } from './provenance.js';
export { ManifestWriter, readManifest } from './manifest.js';
export { SlideOrder, type SlideWeighting, type SlideOrderState } from './slide-order.js';
export {
  DomainSequencer,
  type ExcludedSlide,
  type SlideFailure,
  type SequencerOptions,
  type SequencerState,
} from './sequencer.js';
export { PatchStream, type Patch, type PatchBatch, type PatchStreamState } from './patch-stream.js';
export {
  PatchSampler,
  type PatchSamplerDeps,
  type SamplerDataset,
  type SamplerDomain,
  type SamplerEventMap,
  type SamplerState,
  type SlideTissueReport,
} from './patch-sampler.js';
export { PatchWorkerPool, type PatchWorkerPoolOptions } from './worker-pool.js';
export type { PatchJob, PatchJobResult, AugmentationRecord } from './patch-job.js';
export type { SamplerStatsSnapshot, SlideCounts } from './stats.js';
export type { TissueLocator } from './tissue-locator.js';
export { renderContactSheet, type ContactSheetPatch, type SlideThumbnail } from './contact-sheet.js';
