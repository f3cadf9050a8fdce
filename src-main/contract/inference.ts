import type { ImageBytes, JobInfo } from './common.js';

export interface TranslateRequest {
  readonly runId: string;
  /** Slide inside an added folder. */
  readonly slidePath: string;
  readonly direction: 'AtoB' | 'BtoA';
  /** Downsample of the output relative to the slide's level 0 (default: the run's). */
  readonly downsample?: number;
}

export interface GenerateRequest {
  readonly runId: string;
  /** 1..64 images. */
  readonly count: number;
  readonly seed?: number;
  /** Images in a latent interpolation strip between two random points, 0 (none) or 2..16. */
  readonly interpolationSteps?: number;
}

export interface GenerateResponse {
  readonly images: readonly ImageBytes[];
  readonly grid: ImageBytes;
  readonly interpolation: ImageBytes | null;
}

/** Use what was trained: whole-slide stain transfer (CycleGAN), image synthesis (ProGAN). */
export interface InferenceApi {
  /** Starts a translation job writing a pyramidal TIFF into the run folder; progress as `job.state`. */
  translate(request: TranslateRequest): Promise<{ readonly job: JobInfo; readonly outPath: string }>;
  generate(request: GenerateRequest): Promise<GenerateResponse>;
}
