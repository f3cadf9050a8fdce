import { availableParallelism } from 'node:os';
import { PatchSampler, type SamplerState, type SlideTissueReport } from '../../sampling/patch-sampler.js';
import { PatchWorkerPool } from '../../sampling/worker-pool.js';
import type { BatchRequest, BatchSource, BatchSourceStats, DataEvent, SourceBatch } from './batch-source.js';
import { prepareSlides, type PrepareSlidesOptions, type PreparedSlides } from './slide-dataset.js';
import type { OpenBatchSource } from './training-job.js';

/** Where a {@link SamplerBatchSource} stands: the sampler configuration in use and its state. */
interface SamplerSourceState {
  /** The patch size, field of view and seed the sampler was made with. */
  readonly key: string;
  readonly sampler: SamplerState;
}

export interface SamplerSourceOptions {
  /** Patch worker threads (default: cores - 1, at least 1, at most 4: the trainer needs a core). */
  readonly workers?: number;
  /** Augmentation probability and tissue threshold of every patch. */
  readonly augment: number;
  readonly minTissueFraction: number;
}

/**
 * The trainer's batches from the patch sampler (histo-fetch). A request with another patch size, field
 * of view or seed (ProGAN's next resolution) replaces the sampler by one made for it; the worker pool
 * and the slides' masks are shared. The state names the sampler configuration, so a restored source
 * continues exactly where the saved one stood.
 */
export class SamplerBatchSource implements BatchSource {
  private readonly pool: PatchWorkerPool;
  private current: { readonly key: string; readonly sampler: PatchSampler } | null = null;
  private pendingRestore: SamplerSourceState | null;
  private closed = false;
  /** Slides whose exclusion was reported (each sampler excludes them again). */
  private readonly announced: Set<string>;

  constructor(
    private readonly slides: PreparedSlides,
    private readonly options: Readonly<SamplerSourceOptions>,
    restore: unknown,
    private readonly onEvent: (event: DataEvent) => void = () => undefined,
  ) {
    this.pendingRestore = (restore as SamplerSourceState | null) ?? null;
    this.announced = new Set(slides.excluded);
    const workers = options.workers ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.pool = new PatchWorkerPool({ workers, concurrencyPerWorker: 2, maxOpenSlidesPerWorker: 16 });
  }

  async next(request: BatchRequest): Promise<SourceBatch | null> {
    if (this.closed) return null;
    const sampler = this.samplerFor(request);
    const batch = await sampler.stream(request.domain).nextBatch(request.batchSize);
    if (batch === null) return null;
    if (batch.images === null) throw new Error('The sampler delivered no float images');
    return {
      domain: batch.domain,
      sizePx: batch.patchSize,
      count: batch.count,
      images: batch.images,
      pixels: batch.pixels,
      provenance: batch.provenance,
    };
  }

  getState(): unknown {
    if (this.current === null) return this.pendingRestore;
    return { key: this.current.key, sampler: this.current.sampler.getState() } satisfies SamplerSourceState;
  }

  stats(): BatchSourceStats {
    if (this.current === null) return { patchesPerSecond: 0, queueDepth: 0 };
    const s = this.current.sampler.stats();
    return { patchesPerSecond: s.preparedPerSecond, queueDepth: s.queueDepth };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.current?.sampler.close();
    await this.pool.close();
  }

  private samplerFor(request: BatchRequest): PatchSampler {
    const key = JSON.stringify({ sizePx: request.sizePx, scale: request.scale, seed: request.seed });
    if (this.current?.key === key) return this.current.sampler;
    this.current?.sampler.close();
    const restore = this.pendingRestore?.key === key ? this.pendingRestore.sampler : null;
    this.pendingRestore = null;
    const { scale } = request;
    const sampler = new PatchSampler(
      { domains: this.slides.domains, reports: replay(this.slides.reports) },
      {
        patchSize: request.sizePx,
        ...(scale.kind === 'mpp' ? { mpp: scale.mpp } : { downsample: scale.downsample }),
        augment: this.options.augment,
        minTissueFraction: this.options.minTissueFraction,
        seed: request.seed,
        batchSize: request.batchSize,
        float32: true,
      },
      { runJob: (job, urgent) => this.pool.run(job, urgent), restore, statsIntervalMs: 0 },
    );
    sampler.on('slide-excluded', (e) => {
      if (this.announced.has(e.path)) return;
      this.announced.add(e.path);
      this.onEvent({ kind: 'excluded', message: e.message, path: e.path, domain: e.domain });
    });
    this.current = { key, sampler };
    return sampler;
  }
}

/** The reports again, for each new sampler (every sampler consumes its own iterable). */
async function* replay(reports: readonly SlideTissueReport[]): AsyncGenerator<SlideTissueReport> {
  yield* reports;
}

/**
 * The trainer's data source over real slides: masks in `cacheDir`, then the patch sampler. Everything
 * about the data is checked before training starts (see prepareSlides).
 */
export function openSlideBatchSource(
  options: Readonly<PrepareSlidesOptions & { workers?: number }>,
): OpenBatchSource {
  return async (config, restore, hooks) => {
    const slides = await prepareSlides(config.domains, config.sampling.scale, options, hooks);
    hooks.signal.throwIfAborted();
    return new SamplerBatchSource(
      slides,
      {
        augment: config.sampling.augment,
        minTissueFraction: config.sampling.minTissueFraction,
        ...(options.workers !== undefined && { workers: options.workers }),
      },
      restore,
      hooks.onEvent,
    );
  };
}
