/**
 * Patch sampling (histo-fetch): random tissue patches read from slide pyramids on the fly, augmented,
 * batched and streamed by a pool of worker threads, with provenance and a resumable state.
 *
 * Decisions worth knowing (details in each module):
 * - Location: a tissue pixel of the mask uniformly at random, then a point uniformly inside its level-0
 *   footprint (no quantisation to the mask grid); level = best for `downsample + 0.1`; the read is
 *   `round(patchSize * downsample / levelDownsample)` level pixels, aligned to the level's pixel grid,
 *   resized with the exact ratio (geometry.ts, location.ts).
 * - Edges: footprints are shifted inside the slide; a slide smaller than the footprint is centred in it
 *   and the outside composited on white, never black (geometry.ts, prepare-patch.ts).
 * - Determinism: one sequencer per domain draws slides, locations and per-patch seeds on the owner's
 *   thread; workers only do pixel work; every sequencer call happens at a fixed point of the in-order
 *   resolution of positions, so worker count and timing never change the sequence (patch-stream.ts).
 *   Tissue indexes therefore live with the sequencer (a few hundred KB per slide), not in the workers.
 * - Shuffle buffer: over plans, not pixels (same distribution, and its state is a few plans); off by
 *   default because passes are already freshly shuffled and the buffer loosens the per-pass balance.
 * - Faults: a failed read is retried on a fresh handle, then counted against the slide and its position
 *   re-planned; `maxSlideFailures` excludes the slide with an event; no dummy patch; a domain with no
 *   slide left ends its stream with DOMAIN_EXHAUSTED.
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
