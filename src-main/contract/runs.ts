import type { EmptyRequest, ImageBytes } from './common.js';
import type { BackendName, ModelKind, PatchScale, Preset, TrainingPhase } from './training.js';

/** What a run was configured with, as its `config.json` says (domains by name: they may no longer exist). */
export interface RunConfigSummary {
  readonly preset: Preset;
  readonly domains: readonly string[];
  /** Each domain's slide folders and mask detector, in the order of `domains`. */
  readonly domainFolders: readonly {
    readonly name: string;
    readonly folders: readonly string[];
    readonly detector: string;
  }[];
  readonly patchSizePx: number;
  readonly scale: PatchScale;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly augmentProbability: number;
  readonly minTissueFraction: number;
  readonly seed: number | string;
  readonly steps: number;
  /** What the evaluations compare against: held-out slides, the training slides, or null (none). */
  readonly evaluationSlides: 'held-out' | 'training' | null;
  /** The backend the last session asked for, the one it got, and on what device. */
  readonly backend: {
    readonly requested: BackendName | 'auto';
    readonly chosen: BackendName;
    readonly device: string;
  };
}

/** One run folder, as the Runs list shows it. */
export interface RunSummary {
  readonly runId: string;
  /** Absolute path of the run folder. */
  readonly path: string;
  readonly name: string;
  readonly model: ModelKind;
  /** ISO 8601. */
  readonly createdAt: string;
  /** Last step with metrics; 0 before the first step. */
  readonly lastStep: number;
  /** Last step with a checkpoint (where a resume continues); null without one. */
  readonly checkpointStep: number | null;
  readonly totalSteps: number;
  /** `running` only while this service trains it. */
  readonly phase: TrainingPhase;
  readonly config: RunConfigSummary;
  /** Steps for which sample grids exist, ascending. */
  readonly sampleSteps: readonly number[];
}

export interface RunRequest {
  readonly runId: string;
}

export interface MetricsRequest {
  readonly runId: string;
  /** Series names to return; omitted: all. */
  readonly series?: readonly string[];
  /** Step range, inclusive. */
  readonly fromStep?: number;
  readonly toStep?: number;
  /** Display budget per series, 16..20000 points (default 2000): min/max per bucket. */
  readonly maxPoints?: number;
  /** Exponential smoothing weight for the `smoothed` values, 0..0.999 (default 0.9). */
  readonly smoothing?: number;
}

/**
 * One metric over steps, downsampled for display: the steps are split into buckets and each bucket
 * keeps its minimum and maximum point, so peaks survive. `smoothed` is the exponential moving average of
 * the raw series, read at the same steps.
 */
export interface MetricSeries {
  readonly name: string;
  readonly steps: Float64Array;
  readonly values: Float64Array;
  readonly smoothed: Float64Array;
  /** Raw points before downsampling. */
  readonly rawCount: number;
}

export interface SampleGrid {
  /** Which grid: for CycleGAN `A->B` (real A, fake B, reconstructed A) and `B->A`; for ProGAN `fakes`. */
  readonly name: string;
  readonly image: ImageBytes;
}

export interface SamplesRequest {
  readonly runId: string;
  /** Step of the grids; omitted: the latest. */
  readonly step?: number;
}

/** One augmentation applied to a patch, e.g. `{ name: 'd4', params: { rotate: 90, flip: true } }`. */
export interface AugmentationStep {
  readonly name: string;
  readonly params: Readonly<Record<string, number | string | boolean>>;
}

/** Where one sampled patch came from (SPEC 2.8). */
export interface PatchProvenance {
  /** Position in the sampler's sequence for its domain. */
  readonly index: number;
  /** Training step that consumed the patch; null when not known. */
  readonly step: number | null;
  /** The domain's name (as in the run's configuration). */
  readonly domain: string;
  readonly slidePath: string;
  readonly quickhash: string;
  readonly level: number;
  /** Top-left corner and size of the footprint read, in level-0 pixels. */
  readonly level0X: number;
  readonly level0Y: number;
  readonly level0Width: number;
  readonly level0Height: number;
  /** Patch side in pixels. */
  readonly sizePx: number;
  /** Downsample from level 0 the patch was sampled at. */
  readonly downsample: number;
  readonly tissueFraction: number;
  /** Augmentations applied, in order, with their parameters (lists summarised); empty when none. */
  readonly augmentation: readonly AugmentationStep[];
  /** The run's seed and this patch's own augmentation seed. */
  readonly seed: number | string;
  readonly patchSeed: number;
}

export interface PatchesRequest {
  readonly runId: string;
  /** Newest first: 0 is the latest patch. */
  readonly offset?: number;
  /** 1..500 (default 100). */
  readonly limit?: number;
  /** Only this domain (by name). */
  readonly domain?: string;
  readonly slidePath?: string;
}

export interface PatchesResponse {
  /** Matching records in the run's manifest. */
  readonly total: number;
  readonly patches: readonly PatchProvenance[];
}

export interface DeleteRunRequest {
  readonly runId: string;
  /** The token from a previous call without it; deletes only when it matches and is fresh. */
  readonly confirmToken?: string;
}

export type DeleteRunResponse =
  | { readonly deleted: true }
  | {
      readonly deleted: false;
      /** Send back within a minute to delete. */
      readonly confirmToken: string;
      /** What would be deleted, in words (folder, size, checkpoints). */
      readonly summary: string;
    };

export interface ExportGeneratorRequest {
  readonly runId: string;
  /** CycleGAN generator direction (default `AtoB`); ignored for ProGAN (its EMA generator). */
  readonly direction?: 'AtoB' | 'BtoA';
}

/** A generator the trainer exported when the run stopped or completed, in the TensorFlow.js format. */
export interface ExportGeneratorResponse {
  readonly name: string;
  /** Folder holding `model.json` and its weight files. */
  readonly path: string;
  readonly bytes: number;
  /** Step of the weights. */
  readonly step: number;
}

/** Runs: folders written by training, with metrics, samples, patch manifests and checkpoints. */
export interface RunsApi {
  list(request: EmptyRequest): Promise<{ readonly runs: readonly RunSummary[] }>;
  get(request: RunRequest): Promise<{ readonly run: RunSummary }>;
  metrics(request: MetricsRequest): Promise<{ readonly series: readonly MetricSeries[] }>;
  samples(request: SamplesRequest): Promise<{
    readonly step: number;
    readonly steps: readonly number[];
    readonly grids: readonly SampleGrid[];
  }>;
  patches(request: PatchesRequest): Promise<PatchesResponse>;
  delete(request: DeleteRunRequest): Promise<DeleteRunResponse>;
  exportGenerator(request: ExportGeneratorRequest): Promise<ExportGeneratorResponse>;
}
