import { EventEmitter } from 'node:events';
import type { SlideLevel } from '../slide/types.js';
import { SamplerError } from './errors.js';
import { downsampleForSlide } from './geometry.js';
import type { ManifestWriter } from './manifest.js';
import {
  resolveSamplerOptions,
  sequenceFingerprint,
  type PatchSamplerOptions,
  type ResolvedSamplerOptions,
} from './options.js';
import type { PatchJob, PatchJobResult } from './patch-job.js';
import { PatchStream, type PatchStreamState } from './patch-stream.js';
import type { SamplerSlide } from './plan.js';
import type { PatchProvenance } from './provenance.js';
import { DomainSequencer, type ExcludedSlide, type SlideFailure } from './sequencer.js';
import { SamplerStats, type SamplerStatsSnapshot } from './stats.js';
import type { TissueLocator } from './tissue-locator.js';

/** A domain (stain) and its slides, in dataset order (the order defines the sequence). */
export interface SamplerDomain {
  readonly name: string;
  readonly slidePaths: readonly string[];
}

/** One slide's mask outcome, as the sampler receives it: a usable slide, or why it is left out. */
export type SlideTissueReport =
  | {
      readonly domain: string;
      readonly path: string;
      readonly usable: true;
      readonly tissue: TissueLocator;
      readonly quickhash: string;
      readonly levels: readonly SlideLevel[];
      readonly mppX: number | null;
    }
  | {
      readonly domain: string;
      readonly path: string;
      readonly usable: false;
      /** UNREADABLE: cannot be opened or read; NO_TISSUE: the mask is empty (and the policy excludes). */
      readonly code: 'UNREADABLE' | 'NO_TISSUE';
      /** A sentence naming the slide and the reason. */
      readonly message: string;
    };

/** What the sampler samples from: the domains, and the mask outcomes as they become ready. */
export interface SamplerDataset {
  readonly domains: readonly SamplerDomain[];
  /** Each slide's report exactly once, in any order (e.g. from the mask worker pool). */
  readonly reports: AsyncIterable<SlideTissueReport>;
}

/** Serialisable sampler state, stored in checkpoints; {@link PatchSampler} continues it exactly. */
export interface SamplerState {
  readonly version: 1;
  readonly fingerprint: Readonly<Record<string, unknown>>;
  readonly streams: Readonly<Record<string, PatchStreamState>>;
}

/** Events of a {@link PatchSampler}. */
export interface SamplerEventMap {
  /** A failure was counted against a slide (read error, no location with enough tissue). */
  'slide-failure': [SlideFailure];
  /** A slide is left out for good, with the reason. */
  'slide-excluded': [ExcludedSlide];
  /** Live statistics, every `statsIntervalMs`. */
  stats: [SamplerStatsSnapshot];
  /** A domain's stream stopped (every slide excluded, a dead worker, a failed mask source); its requests reject with this error. */
  'stream-error': [{ readonly domain: string; readonly error: Error }];
}

/** What the sampler runs on. */
export interface PatchSamplerDeps {
  /**
   * Runs one patch job, normally `(job, urgent) => pool.run(job, urgent)` on a PatchWorkerPool (the pool
   * stays the caller's to close); `urgent` jobs should go first.
   */
  readonly runJob: (job: PatchJob, urgent: boolean) => Promise<PatchJobResult>;
  /** Jobs being processed (for the statistics); default 0. */
  readonly inFlight?: () => number;
  /** Appends every delivered patch's provenance. */
  readonly manifest?: ManifestWriter<PatchProvenance> | null;
  /** Continue a saved sequence. */
  readonly restore?: SamplerState | null;
  /** Interval of the 'stats' event in ms (default 1000; 0 turns it off). */
  readonly statsIntervalMs?: number;
}

/**
 * The patch sampler (histo-fetch): one stream of random tissue patches per domain, prepared by a pool of
 * worker threads, batched, with provenance, live statistics and a resumable state. Domains are kept
 * apart: each has its own sequencer and seed stream, so CycleGAN draws A and B independently.
 */
export class PatchSampler extends EventEmitter<SamplerEventMap> {
  readonly options: ResolvedSamplerOptions;
  private readonly dataset: SamplerDataset;
  private readonly deps: PatchSamplerDeps;
  private readonly statsCollector = new SamplerStats();
  private readonly sequencers = new Map<string, DomainSequencer>();
  private readonly streams = new Map<string, PatchStream>();
  private readonly pendingReports = new Map<string, Map<string, SlideTissueReport>>();
  private readonly admittedCount = new Map<string, number>();
  private readonly timer: NodeJS.Timeout | null;
  private closed = false;

  constructor(dataset: SamplerDataset, options: Readonly<PatchSamplerOptions>, deps: PatchSamplerDeps) {
    super();
    this.options = resolveSamplerOptions(options);
    this.dataset = dataset;
    this.deps = deps;
    const restore = deps.restore ?? null;
    if (restore !== null) checkState(restore, this.options, dataset);
    for (const domain of dataset.domains) this.addDomain(domain, restore?.streams[domain.name] ?? null);
    const interval = deps.statsIntervalMs ?? 1000;
    this.timer = interval > 0 ? setInterval(() => this.emit('stats', this.stats()), interval) : null;
    this.timer?.unref();
    void this.consumeReports();
  }

  /**
   * A sampler that continues a saved sequence exactly where {@link getState} left it: the same patches,
   * in the same order, as the saved sampler would have delivered next (whatever the worker count). The
   * dataset and the sequence options must be the ones the state was saved with (BAD_STATE otherwise).
   * @param state a {@link SamplerState}, e.g. read back from a checkpoint's JSON
   */
  static restore(
    dataset: SamplerDataset,
    options: Readonly<PatchSamplerOptions>,
    deps: Omit<PatchSamplerDeps, 'restore'>,
    state: SamplerState,
  ): PatchSampler {
    return new PatchSampler(dataset, options, { ...deps, restore: state });
  }

  /** Domain names, in dataset order. */
  get domains(): string[] {
    return this.dataset.domains.map((d) => d.name);
  }

  /** The stream of one domain. */
  stream(domain: string): PatchStream {
    const stream = this.streams.get(domain);
    if (stream === undefined) {
      throw new SamplerError(
        'UNKNOWN_DOMAIN',
        `No domain '${domain}' (domains: ${this.domains.join(', ')})`,
        {
          domain,
        },
      );
    }
    return stream;
  }

  /** Live statistics. */
  stats(): SamplerStatsSnapshot {
    const byDomain: Record<string, number> = {};
    let inFlight = 0;
    for (const [name, stream] of this.streams) {
      byDomain[name] = stream.queueDepth;
      inFlight += stream.inFlight;
    }
    const excluded = [...this.sequencers.values()].flatMap((s) => s.excludedSlides);
    return this.statsCollector.snapshot({ byDomain, inFlight: this.deps.inFlight?.() ?? inFlight, excluded });
  }

  /** Where every stream stands, as plain JSON (checkpoint it; pass it as `restore` to continue). */
  getState(): SamplerState {
    const streams: Record<string, PatchStreamState> = {};
    for (const [name, stream] of this.streams) streams[name] = stream.getState();
    return { version: 1, fingerprint: sequenceFingerprint(this.options), streams };
  }

  /** Stops every stream (pending requests resolve null) and the statistics timer. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    for (const stream of this.streams.values()) stream.close();
  }

  private addDomain(domain: SamplerDomain, restored: PatchStreamState | null): void {
    const sequencer = new DomainSequencer(
      domain.name,
      this.options.seed,
      {
        patchSize: this.options.patchSize,
        minTissueFraction: this.options.minTissueFraction,
        maxLocationRedraws: this.options.maxLocationRedraws,
        maxSlideFailures: this.options.maxSlideFailures,
        shuffleBufferSize: this.options.shuffleBufferSize,
        weighting: this.options.weighting,
      },
      {
        onSlideFailure: (failure) => {
          // Read errors are counted by the stream (every failed read); the sequencer's own failures are
          // location draws that found too little tissue, and count as errors of the slide too.
          if (failure.code === 'TOO_LITTLE_TISSUE')
            this.statsCollector.recordError(failure.domain, failure.path);
          this.emit('slide-failure', failure);
        },
        onSlideExcluded: (slide) => this.emit('slide-excluded', slide),
      },
    );
    const stream = new PatchStream(
      sequencer,
      {
        patchSize: this.options.patchSize,
        augmentProbability: this.options.augment,
        batchSize: this.options.batchSize,
        lookahead: this.options.lookahead,
        prefetchPatches: this.options.batchSize * this.options.prefetchBatches,
        float32: this.options.float32,
        seed: this.options.seed,
      },
      {
        runJob: this.deps.runJob,
        stats: this.statsCollector,
        manifest: this.deps.manifest ?? null,
        onFail: (error) => this.emit('stream-error', { domain: domain.name, error }),
      },
      restored,
    );
    this.sequencers.set(domain.name, sequencer);
    this.streams.set(domain.name, stream);
    this.pendingReports.set(domain.name, new Map());
    this.admittedCount.set(domain.name, 0);
    if (domain.slidePaths.length === 0) {
      stream.markComplete();
      stream.setDrawable();
    }
  }

  private async consumeReports(): Promise<void> {
    try {
      for await (const report of this.dataset.reports) {
        if (this.closed) return;
        this.onReport(report);
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const stream of this.streams.values()) stream.fail(failure);
    }
  }

  private onReport(report: SlideTissueReport): void {
    const domain = this.dataset.domains.find((d) => d.name === report.domain);
    const pending = this.pendingReports.get(report.domain);
    const stream = this.streams.get(report.domain);
    const sequencer = this.sequencers.get(report.domain);
    if (!domain || !pending || !stream || !sequencer || !domain.slidePaths.includes(report.path)) return;
    pending.set(report.path, report);
    if (this.options.startEarly) this.admit(sequencer, report);
    const complete = domain.slidePaths.every((p) => pending.has(p));
    if (complete && !this.options.startEarly) {
      // Dataset order, not arrival order: the sequence must not depend on which mask came first.
      for (const path of domain.slidePaths) this.admit(sequencer, pending.get(path)!);
    }
    if (complete) {
      stream.setDrawable();
      stream.markComplete();
      pending.clear();
    } else if (this.options.startEarly) {
      if ((this.admittedCount.get(report.domain) ?? 0) > 0 && sequencer.missingSlides().length === 0) {
        stream.setDrawable();
      }
      stream.slidesChanged();
    }
  }

  /** Turns a report into a drawable slide, or excludes the slide with the reason. */
  private admit(sequencer: DomainSequencer, report: SlideTissueReport): void {
    const path = report.path;
    if (!report.usable) {
      sequencer.exclude(path, report.code, report.message);
      return;
    }
    let downsample: number;
    try {
      downsample = downsampleForSlide(this.options.scale, report.mppX, path);
    } catch (error) {
      const e = error as SamplerError;
      sequencer.exclude(path, e.code, e.message);
      return;
    }
    const slide: SamplerSlide = {
      path,
      quickhash: report.quickhash,
      levels: report.levels,
      downsample,
      tissue: report.tissue,
    };
    sequencer.admit(slide);
    this.admittedCount.set(report.domain, (this.admittedCount.get(report.domain) ?? 0) + 1);
  }
}

/** Refuses a saved state that does not fit these options or this dataset. */
function checkState(state: SamplerState, options: ResolvedSamplerOptions, dataset: SamplerDataset): void {
  if (state.version !== 1) {
    throw new SamplerError('BAD_STATE', `Unknown sampler state version ${String(state.version)}`);
  }
  const expected = sequenceFingerprint(options);
  const differing = Object.keys(expected).filter(
    (k) => JSON.stringify(expected[k]) !== JSON.stringify(state.fingerprint[k]),
  );
  if (differing.length > 0) {
    throw new SamplerError(
      'BAD_STATE',
      `The saved sampler state was made with different ${differing.join(', ')}; it cannot be continued`,
    );
  }
  const names = new Set(dataset.domains.map((d) => d.name));
  for (const name of Object.keys(state.streams)) {
    if (!names.has(name)) {
      throw new SamplerError(
        'BAD_STATE',
        `The saved sampler state has domain '${name}', which the dataset lacks`,
        {
          domain: name,
        },
      );
    }
  }
}
