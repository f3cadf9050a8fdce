import type { AugmentRecord } from './augment/pipeline.js';

/**
 * The pixel work for one patch, as it crosses to a worker thread and back. Plain data only; the pixels
 * come back as a transferable ArrayBuffer (moved, never copied or serialised).
 */

/** What a worker needs to produce one patch: a read, a resize, an augmentation seed. */
export interface PatchJob {
  readonly slidePath: string;
  readonly level: number;
  readonly level0X: number;
  readonly level0Y: number;
  /** Side of the square read, in level pixels. */
  readonly readSizePx: number;
  /** Side of the output patch in pixels. */
  readonly patchSize: number;
  readonly patchSeed: number;
  /** Probability (0..1) that the patch is augmented. */
  readonly augmentProbability: number;
}

/** Every augmentation op applied to a patch, with its parameters (the augment module's record). */
export type AugmentationRecord = AugmentRecord;

export interface PatchJobSuccess {
  readonly ok: true;
  /** `patchSize * patchSize * 3` bytes, RGB interleaved, row-major. */
  readonly pixels: ArrayBuffer;
  /** null when the patch was not augmented. */
  readonly augmentation: AugmentationRecord | null;
}

/**
 * `slide`: the slide could not be opened or read (counts against the slide). `internal`: anything else
 * (a bug, a dead worker); the stream stops with it rather than blaming a slide.
 */
export interface PatchJobFailure {
  readonly ok: false;
  readonly kind: 'slide' | 'internal';
  readonly code: string;
  readonly message: string;
}

export type PatchJobResult = PatchJobSuccess | PatchJobFailure;

/** An ArrayBuffer holding exactly these bytes that can be transferred (copied only if shared or pooled). */
export function ownedArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = bytes.buffer;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) {
    return buffer;
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
