import type { AugmentationRecord } from './patch-job.js';
import type { PatchPlan } from './plan.js';

/**
 * Where a patch came from and what was done to it: one manifest line, and what the audit gallery shows.
 * Coordinates are level-0 pixels; the footprint is the area actually read.
 */
export interface PatchProvenance {
  readonly sampleIndex: number;
  readonly domain: string;
  readonly slidePath: string;
  readonly quickhash: string;
  readonly level: number;
  readonly levelDownsample: number;
  /** Side of the square read, in pixels of `level`. */
  readonly readSizePx: number;
  readonly level0X: number;
  readonly level0Y: number;
  readonly level0Width: number;
  readonly level0Height: number;
  /** The drawn point the footprint is centred on (before alignment and edge clamping). */
  readonly centreLevel0X: number;
  readonly centreLevel0Y: number;
  readonly patchSize: number;
  /** Requested downsample for this slide (from the downsample or target mpp option). */
  readonly downsample: number;
  /** Fraction of the footprint that is tissue according to the mask. */
  readonly tissueFraction: number;
  /** The run's seed, and this patch's augmentation seed. */
  readonly seed: number | string;
  readonly patchSeed: number;
  /** Parameters of every augmentation op applied, or null when the patch was not augmented. */
  readonly augmentation: AugmentationRecord | null;
}

/** Builds a provenance record from a plan and the worker's augmentation record. */
export function provenanceOf(
  plan: PatchPlan,
  patchSize: number,
  seed: number | string,
  augmentation: AugmentationRecord | null,
): PatchProvenance {
  const f = plan.footprint;
  return {
    sampleIndex: plan.sampleIndex,
    domain: plan.domain,
    slidePath: plan.slidePath,
    quickhash: plan.quickhash,
    level: f.level,
    levelDownsample: f.levelDownsample,
    readSizePx: f.readSizePx,
    level0X: f.level0X,
    level0Y: f.level0Y,
    level0Width: f.level0Width,
    level0Height: f.level0Height,
    centreLevel0X: plan.centreLevel0X,
    centreLevel0Y: plan.centreLevel0Y,
    patchSize,
    downsample: plan.downsample,
    tissueFraction: plan.tissueFraction,
    seed,
    patchSeed: plan.patchSeed,
    augmentation,
  };
}
