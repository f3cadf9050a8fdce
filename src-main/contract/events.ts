import type { ImageBytes, JobInfo } from './common.js';
import type { SlideEntry } from './datasets.js';
import type { TranslationSummary } from './inference.js';
import type { PatchProvenance } from './runs.js';
import type { TrainingStatus } from './training.js';

/** Progress of a domain's mask build: sent once per slide finished (built, reused, failed). */
export interface MaskProgressEvent {
  readonly domainId: string;
  readonly jobId: string;
  /** Slides finished so far (built + reused from cache + failed), of `total`. */
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  readonly fromCache: number;
  /** The slide that just finished, with its new status; null for the first event of a build. */
  readonly slide: SlideEntry | null;
}

/**
 * One training step's metrics, by name. The names group into charts by their prefix:
 * `loss.<term>` (every loss term, e.g. `loss.G_AB`, `loss.cycle_A`, `loss.D_B`, `loss.gp`),
 * `lr.<network>` (learning rate, e.g. `lr.generator`), `time.stepSeconds`, `time.dataWaitSeconds`,
 * `rate.supply` (patches/s the sampler delivered) and `rate.demand` (patches/s the trainer consumed).
 * Evaluation steps (every `evaluateEverySteps`) add `eval.<name>`: the sliced Wasserstein distance as
 * `eval.swd` (ProGAN) or `eval.swdAB` / `eval.swdBA` (CycleGAN, translations against the target domain),
 * the mean over the Laplacian pyramid's levels, and each level as `eval.swd@<px>`; CycleGAN's
 * cycle-reconstruction error as `eval.cycleErrorA` (A -> B -> A) and `eval.cycleErrorB`.
 */
export interface MetricPoint {
  readonly step: number;
  readonly values: Readonly<Record<string, number>>;
}

/** Metrics batched by the service (a few times per second, not once per step). */
export interface TrainingMetricsEvent {
  readonly runId: string;
  readonly points: readonly MetricPoint[];
  /** The status line after the last point. */
  readonly status: TrainingStatus;
}

/** New sample grids were written; fetch them with `runs.samples`. */
export interface TrainingSamplesEvent {
  readonly runId: string;
  readonly step: number;
  readonly grids: readonly string[];
}

/** A patch the sampler fed to the trainer, with a small image of it (after augmentation). */
export interface AuditPatch {
  readonly provenance: PatchProvenance;
  readonly image: ImageBytes;
}

/** Recent patches for the audit gallery, batched and thinned by the service. */
export interface SamplerPatchesEvent {
  readonly runId: string;
  readonly patches: readonly AuditPatch[];
}

/** A job changed state; `progress` is 0..1 where the job knows it. */
export interface JobStateEvent {
  readonly job: JobInfo;
  readonly progress: number | null;
  readonly message: string | null;
}

/** Where a translation job stands (a few times per second, and at each phase change). */
export interface TranslationProgressEvent {
  readonly jobId: string;
  readonly outPath: string;
  /** `loading`: backend, generator and tissue mask; then the core's phases. */
  readonly phase: 'loading' | 'translate' | 'pyramid' | 'write';
  /** Units of the phase: network tiles when translating, rows of TIFF tiles after. */
  readonly done: number;
  readonly total: number;
  /** Network tiles sent through the generator, and skipped as background, so far in this run. */
  readonly tissueTiles: number;
  readonly backgroundTiles: number;
  /** The whole job, 0..1. */
  readonly fraction: number;
  /** Seconds since the job started. */
  readonly elapsedSeconds: number;
}

/** A translation changed state (started, done, stopped, failed). */
export interface TranslationStateEvent {
  readonly translation: TranslationSummary;
}

/** Every event the service emits, by name. */
export interface EventMap {
  'mask.progress': MaskProgressEvent;
  'training.metrics': TrainingMetricsEvent;
  'training.samples': TrainingSamplesEvent;
  'sampler.patches': SamplerPatchesEvent;
  'job.state': JobStateEvent;
  'translation.progress': TranslationProgressEvent;
  'translation.state': TranslationStateEvent;
}

export type EventName = keyof EventMap;
