import type { SlideLevel } from '../slide/types.js';
import type { Footprint } from './geometry.js';
import type { TissueLocator } from './tissue-locator.js';

/** A slide as the sequencer sees it: geometry, the downsample it is read at, and its tissue. */
export interface SamplerSlide {
  readonly path: string;
  readonly quickhash: string;
  readonly levels: readonly SlideLevel[];
  /** Downsample relative to level 0 for this slide (from the downsample or the target mpp). */
  readonly downsample: number;
  /** The slide's tissue index (uniform over the slide for a no-tissue slide kept on request). */
  readonly tissue: TissueLocator;
}

/**
 * Everything needed to produce one patch, decided by the sequencer before any pixel is read: the
 * pixel work that follows depends on nothing else, so any worker gives the same patch.
 */
export interface PatchPlan {
  readonly domain: string;
  /** Position of the patch in its domain's stream (0, 1, 2, ...). */
  readonly sampleIndex: number;
  readonly slidePath: string;
  readonly quickhash: string;
  /** The drawn location (tissue-pixel centre plus jitter), level-0 pixels. */
  readonly centreLevel0X: number;
  readonly centreLevel0Y: number;
  /** Requested downsample for this slide (patch pixels per level-0 pixel, inverted). */
  readonly downsample: number;
  readonly footprint: Footprint;
  /** Fraction of the footprint that is tissue according to the mask. */
  readonly tissueFraction: number;
  /** Seeds this patch's augmentation (an `Rng` seed). */
  readonly patchSeed: number;
}
