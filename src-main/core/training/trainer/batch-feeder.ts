import type { FieldOfView, TrainingConfig } from '../../config/training-config.js';
import type { TrainingBatch } from './batch.js';
import type { BatchRequest, BatchSource, SourceBatch } from './batch-source.js';
import { proganPositionAt } from './progan-schedule.js';

/** A batch handed to the worker, kept until its step is reported. */
export interface FedBatch {
  readonly index: number;
  readonly sources: readonly SourceBatch[];
  /** Source state before this batch was taken: what a checkpoint after the previous step stores. */
  readonly stateBefore: unknown;
  readonly imagesBefore: number;
  /** Prepared patches waiting in the sampler when the batch was taken. */
  readonly queueDepth: number;
}

/** The host half of a checkpoint: where the data sequence stands after `batchIndex` steps. */
export interface DataCheckpoint {
  readonly batchIndex: number;
  /** Real images fed so far (ProGAN's schedule clock). */
  readonly imagesSeen: number;
  readonly source: unknown;
}

/**
 * Takes the run's batches from the data source strictly in order and remembers, for every batch not
 * yet consumed, the source state before it: so a checkpoint after step N stores the state that
 * continues with batch N however far the feeder has run ahead. ProGAN's requests follow its schedule
 * (resolution and minibatch from the images fed so far; domains in turn).
 */
export class BatchFeeder {
  private readonly fed = new Map<number, FedBatch>();
  private nextIndex: number;
  private consumedCount: number;
  private imagesScheduled: number;

  constructor(
    private readonly config: TrainingConfig,
    private readonly source: BatchSource,
    start: Readonly<{ index: number; imagesSeen: number }>,
    /** Batches stop at this index (the run's last step). */
    private readonly endIndex: number,
  ) {
    this.nextIndex = start.index;
    this.consumedCount = start.index;
    this.imagesScheduled = start.imagesSeen;
  }

  /** Batches taken but whose step has not been reported yet. */
  get ahead(): number {
    return this.nextIndex - this.consumedCount;
  }

  /** Every batch of the run has been taken. */
  get exhausted(): boolean {
    return this.nextIndex >= this.endIndex;
  }

  /**
   * The next batch for the worker, or null when the source is closed. Its float images have buffers of
   * their own for the caller to transfer (the source's are handed over, or copied when shared).
   */
  async take(): Promise<{ fed: FedBatch; batch: TrainingBatch } | null> {
    const index = this.nextIndex;
    const stateBefore = this.source.getState();
    const imagesBefore = this.imagesScheduled;
    const queueDepth = this.source.stats().queueDepth;
    const batches = await Promise.all(this.requestsFor(index).map((r) => this.source.next(r)));
    if (batches.some((b) => b === null)) return null;
    const sources = batches as SourceBatch[];
    this.imagesScheduled += sources.reduce((n, b) => n + b.count, 0);
    const fed: FedBatch = { index, sources, stateBefore, imagesBefore, queueDepth };
    this.fed.set(index, fed);
    this.nextIndex++;
    const batch: TrainingBatch = {
      index,
      domains: sources.map((b) => ({
        domain: b.domain,
        count: b.count,
        sizePx: b.sizePx,
        images: ownBuffer(b.images),
      })),
    };
    return { fed, batch };
  }

  /** The worker finished the step of batch `index`: returns that batch and forgets it and earlier ones. */
  consumed(index: number): FedBatch | undefined {
    this.consumedCount = Math.max(this.consumedCount, index + 1);
    const fed = this.fed.get(index);
    for (const k of this.fed.keys()) if (k <= index) this.fed.delete(k);
    return fed;
  }

  /** Where the data stands after `step` steps (batches 0..step-1 consumed). */
  checkpointData(step: number): DataCheckpoint {
    const next = this.fed.get(step);
    // Not taken yet: nothing after it was taken either, so the state now is the state before it.
    return next
      ? { batchIndex: step, imagesSeen: next.imagesBefore, source: next.stateBefore }
      : { batchIndex: step, imagesSeen: this.imagesScheduled, source: this.source.getState() };
  }

  private requestsFor(index: number): BatchRequest[] {
    const { config } = this;
    const s = config.sampling;
    if (config.model === 'cyclegan') {
      return config.domains.map((d) => ({
        domain: d.name,
        sizePx: s.sizePx,
        scale: s.scale,
        batchSize: config.cyclegan.batchSize,
        seed: config.seed,
      }));
    }
    const position = proganPositionAt(config.progan, this.imagesScheduled);
    const r = position.phase.resolution;
    return [
      {
        domain: config.domains[index % config.domains.length]!.name,
        sizePx: r,
        scale: scaleAtResolution(s.scale, s.sizePx, r),
        batchSize: position.batchSize,
        // Each resolution has its own patch sequence (a sampler per size and field of view).
        seed: `${config.seed}/${r}px`,
      },
    ];
  }
}

/** The field of view at resolution `r` when `scale` is that of the target resolution (ProGAN, SPEC 6). */
export function scaleAtResolution(scale: FieldOfView, targetPx: number, r: number): FieldOfView {
  return scale.kind === 'downsample'
    ? { kind: 'downsample', downsample: (scale.downsample * targetPx) / r }
    : { kind: 'mpp', mpp: (scale.mpp * targetPx) / r };
}

/** The array itself when it spans its whole buffer (transferable without harm), else a copy. */
function ownBuffer(images: Float32Array): Float32Array {
  return images.byteOffset === 0 && images.byteLength === images.buffer.byteLength ? images : images.slice();
}
