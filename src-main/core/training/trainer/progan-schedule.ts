import { proganResolutions } from '../models/progan.js';
import type { ProganPreset } from '../presets.js';

/** One phase of progressive growing: stable training at a resolution, or the fade-in of a new one. */
export interface ProganPhase {
  /** 0 for the first phase (4 px, stable), then one per fade-in and per stable phase. */
  readonly index: number;
  /** Resolution in px of the images (real and fake) of this phase. */
  readonly resolution: number;
  readonly fading: boolean;
  /** Real images this phase lasts; Infinity for the last (stable at the target resolution). */
  readonly images: number;
}

/** Where a ProGAN run stands after `imagesSeen` real images. */
export interface ProganPosition {
  readonly phase: ProganPhase;
  /** Images shown since the phase began. */
  readonly imagesIntoPhase: number;
  /** Fade-in of the newest block in [0, 1): images into the fade / fade length; 1 when stable. */
  readonly alpha: number;
  /** Minibatch at this resolution (the preset's per-resolution minibatch). */
  readonly batchSize: number;
}

/**
 * The phases of progressive growing (the original's schedule): 4 px stable, then for each next
 * resolution a fade-in and a stable phase, `imagesPerPhase.fade` and `.train` real images each; the last
 * stable phase runs until training ends. A zero fade length leaves fade-ins out.
 */
export function proganPhases(preset: ProganPreset): ProganPhase[] {
  const resolutions = proganResolutions(preset.network);
  const phases: ProganPhase[] = [];
  resolutions.forEach((resolution, i) => {
    if (i > 0 && preset.imagesPerPhase.fade > 0) {
      phases.push({ index: phases.length, resolution, fading: true, images: preset.imagesPerPhase.fade });
    }
    const last = i === resolutions.length - 1;
    phases.push({
      index: phases.length,
      resolution,
      fading: false,
      images: last ? Infinity : preset.imagesPerPhase.train,
    });
  });
  return phases;
}

/**
 * The phase, fade-in alpha and minibatch of the step that starts after `imagesSeen` real images. A
 * minibatch belongs wholly to the phase it starts in, as in the original (which advances by whole
 * minibatches and reads the schedule before each).
 */
export function proganPositionAt(preset: ProganPreset, imagesSeen: number): ProganPosition {
  if (!Number.isSafeInteger(imagesSeen) || imagesSeen < 0) {
    throw new RangeError(`Expected a non-negative integer image count but received ${imagesSeen}`);
  }
  let start = 0;
  for (const phase of proganPhases(preset)) {
    if (imagesSeen < start + phase.images) {
      const imagesIntoPhase = imagesSeen - start;
      return {
        phase,
        imagesIntoPhase,
        alpha: phase.fading ? imagesIntoPhase / phase.images : 1,
        batchSize: preset.batchSizes[phase.resolution]!,
      };
    }
    start += phase.images;
  }
  // Unreachable: the last phase is endless.
  throw new RangeError(`No ProGAN phase holds image ${imagesSeen}`);
}
