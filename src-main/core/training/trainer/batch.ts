/** One domain's images in a training batch, as the training worker receives them. */
export interface DomainImages {
  readonly domain: string;
  /** Images in the batch. */
  readonly count: number;
  /** Side of each image in px. */
  readonly sizePx: number;
  /** NHWC `[count, sizePx, sizePx, 3]` in [-1, 1]. */
  readonly images: Float32Array;
}

/** What one training step consumes: CycleGAN one batch per domain (A then B), ProGAN one batch. */
export interface TrainingBatch {
  /** 0-based position in the run's batch sequence; batch i feeds step i + 1. */
  readonly index: number;
  readonly domains: readonly DomainImages[];
}
