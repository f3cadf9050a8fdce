import type { ImageBytes, JobInfo } from './common.js';
import type { SlideEntry } from './datasets.js';
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

/** Every event the service emits, by name. */
export interface EventMap {
  'mask.progress': MaskProgressEvent;
  'training.metrics': TrainingMetricsEvent;
  'training.samples': TrainingSamplesEvent;
  'sampler.patches': SamplerPatchesEvent;
  'job.state': JobStateEvent;
}

export type EventName = keyof EventMap;
