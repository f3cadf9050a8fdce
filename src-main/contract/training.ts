import type { EmptyRequest, JobInfo } from './common.js';
import type { ValidationIssue } from './errors.js';

export type ModelKind = 'cyclegan' | 'progan';
/** `paper`: the original hyperparameters; `small`: fits a laptop CPU; `tiny`: tests, seconds per step. */
export type Preset = 'tiny' | 'small' | 'paper';
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** What backend detection found for one backend. */
export interface BackendReport {
  readonly name: BackendName;
  readonly available: boolean;
  /** The device it would run on, e.g. the GPU adapter's name; null when unavailable. */
  readonly device: string | null;
  /** Why it is unavailable, or why it was (not) preferred. */
  readonly reason: string;
}

/** Patch scale: a fixed downsample from level 0, or a target resolution derived from the slides' mpp. */
export type PatchScale =
  | { readonly kind: 'downsample'; readonly downsample: number }
  | { readonly kind: 'mpp'; readonly mpp: number };

/** ProGAN: the minibatch at one resolution. */
export interface ResolutionBatch {
  readonly resolutionPx: number;
  readonly batchSize: number;
}

/** One training configuration as the Training view edits it. */
export interface TrainingConfig {
  readonly model: ModelKind;
  readonly preset: Preset;
  /** Domain ids: CycleGAN exactly two (A, B in this order); ProGAN one or more. */
  readonly domainIds: readonly string[];
  /** Patch side in pixels (CycleGAN 64..1024; ProGAN's final resolution, a power of two 4..512). */
  readonly patchSizePx: number;
  readonly scale: PatchScale;
  /** Reject footprints with less tissue than this share of the mask (0 = off). */
  readonly minTissueFraction: number;
  /**
   * Probability (0..1) that a patch is augmented: rotations/flips, piecewise affine warp, colour shift and
   * HED stain jitter, each with its drawn parameters recorded in the patch's provenance. 0 = off.
   */
  readonly augmentProbability: number;
  readonly steps: number;
  /** CycleGAN: the minibatch. ProGAN: the minibatch at every resolution `batchSizes` leaves out. */
  readonly batchSize: number;
  /**
   * ProGAN: the minibatch per resolution (SPEC 6; the preset's by default). Resolutions above
   * `patchSizePx` are ignored: the network does not grow that far.
   */
  readonly batchSizes?: readonly ResolutionBatch[];
  /** ProGAN: real images shown per growing phase, stable training and fade-in (SPEC 6; default the preset's). */
  readonly phaseImages?: { readonly train: number; readonly fade: number };
  /** CycleGAN: identity loss weight relative to the cycle weight (0.5 by default; 0 turns it off). */
  readonly identityWeight?: number;
  /** Adam's base learning rate for generators and discriminators (CycleGAN decays it over the second half). */
  readonly learningRate: number;
  /** The discriminators' own base learning rate; omitted: `learningRate`. */
  readonly discriminatorLearningRate?: number;
  readonly seed: number;
  readonly backend: BackendName | 'auto';
  /** Sample grids every N steps; 0 = none. */
  readonly sampleEverySteps: number;
  /**
   * Evaluations every N steps (0 = none): the sliced Wasserstein distance between generated and real
   * patches, and for CycleGAN the cycle-reconstruction error, logged as `eval.*` metrics. Default 0.
   */
  readonly evaluateEverySteps?: number;
  /** Real patches per domain the evaluations compare against, drawn once when the run starts (default 64). */
  readonly evaluatePatchCount?: number;
  /**
   * Held-out slide folders the evaluations use instead of the training slides: one per domain, in
   * `domainIds`' order (each must exist, inside the folders the workbench may open). Omitted, or every
   * entry empty: the training slides.
   */
  readonly heldOutFolders?: readonly string[];
  /** Checkpoints every N steps. */
  readonly checkpointEverySteps: number;
  /** Checkpoints kept (the oldest are deleted). */
  readonly keepCheckpoints: number;
  /** Name of the run folder; a name is generated when omitted. */
  readonly runName?: string;
}

/** Defaults the service fills for a model and preset, shown by the form before the user edits. */
export interface TrainingDefaultsRequest {
  readonly model: ModelKind;
  readonly preset: Preset;
}

export interface ValidateResponse {
  readonly valid: boolean;
  readonly issues: readonly ValidationIssue[];
}

export type TrainingPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'finished' | 'failed';

/** The status line of the Training view. */
export interface TrainingStatus {
  readonly phase: TrainingPhase;
  readonly runId: string | null;
  readonly job: JobInfo | null;
  readonly step: number;
  readonly totalSteps: number;
  /** Seconds to the last step at the current rate; null before the rate is known. */
  readonly etaSeconds: number | null;
  /** Patches the sampler delivered per second (supply). */
  readonly patchesPerSecond: number | null;
  /** Share of step time the trainer waited for data, 0..1. */
  readonly dataWaitFraction: number | null;
  readonly backend: BackendName | null;
  readonly device: string | null;
  /** Why the run failed, when `phase` is `failed`. */
  readonly error: string | null;
}

export interface StartTrainingResponse {
  readonly runId: string;
  readonly job: JobInfo;
}

export interface ResumeRequest {
  readonly runId: string;
  /** New total step count; omitted: the run's own. */
  readonly steps?: number;
}

/** Training: backend detection, configuration checks, and the one training job. */
export interface TrainingApi {
  backends(
    request: EmptyRequest,
  ): Promise<{ readonly backends: readonly BackendReport[]; readonly auto: BackendName }>;
  defaults(request: TrainingDefaultsRequest): Promise<{ readonly config: TrainingConfig }>;
  validate(request: { readonly config: TrainingConfig }): Promise<ValidateResponse>;
  start(request: { readonly config: TrainingConfig }): Promise<StartTrainingResponse>;
  /** Graceful: the current step finishes and a checkpoint is written. */
  stop(request: { readonly runId: string }): Promise<{ readonly status: TrainingStatus }>;
  resume(request: ResumeRequest): Promise<StartTrainingResponse>;
  status(request: EmptyRequest): Promise<TrainingStatus>;
}
