import type { FieldOfView } from '../../config/training-config.js';

/** What the trainer asks the data source for: one domain's next batch at a size and field of view. */
export interface BatchRequest {
  readonly domain: string;
  readonly sizePx: number;
  readonly scale: FieldOfView;
  readonly batchSize: number;
  /** Seed of the patch sequence for this size and field of view. */
  readonly seed: number | string;
}

/** A note about the training data, for the CLI and the UI. */
export interface DataEvent {
  /** `slide` found, `mask` built or read from the cache, `excluded` slide, `problem` (file or folder skipped). */
  readonly kind: 'slide' | 'mask' | 'excluded' | 'problem';
  readonly message: string;
  readonly path?: string;
  readonly domain?: string;
}

/** A batch of one domain, as the source delivers it (NHWC). */
export interface SourceBatch {
  readonly domain: string;
  readonly sizePx: number;
  readonly count: number;
  /** `[count, sizePx, sizePx, 3]` in [-1, 1]. */
  readonly images: Float32Array;
  /** The same patches as 8-bit RGB, for the audit gallery. */
  readonly pixels: Uint8Array;
  /** One provenance record per patch (slide, level, footprint, augmentation...), each with `domain` and `slidePath`. */
  readonly provenance: readonly SourcePatchProvenance[];
}

/** The provenance fields the trainer relies on; the sampler's records hold more. */
export interface SourcePatchProvenance {
  readonly domain: string;
  readonly slidePath: string;
}

/** Live figures of the data supply. */
export interface BatchSourceStats {
  /** Patches prepared per second over the last seconds. */
  readonly patchesPerSecond: number;
  /** Prepared patches waiting to be taken. */
  readonly queueDepth: number;
}

/**
 * The trainer's narrow view of the patch sampler: batches in a fixed, seeded sequence whose position can
 * be saved (`getState`, JSON) and continued exactly by a source created from that state.
 */
export interface BatchSource {
  /** The next batch of a domain; null once the source is closed. Rejects when the domain has no data left. */
  next(request: BatchRequest): Promise<SourceBatch | null>;
  /** Where the sequence stands, as JSON (a checkpoint stores it). */
  getState(): unknown;
  stats(): BatchSourceStats;
  close(): Promise<void>;
}
