import type { ImageBytes, JobInfo } from './common.js';
import type { BackendName, PatchScale } from './training.js';
import type { MaskDetector } from './datasets.js';

/** Which of a CycleGAN run's generators: first domain to second (A to B) or back. */
export type TranslationDirection = 'AtoB' | 'BtoA';

/**
 * The CycleGAN generator a translation uses: a run's (its latest checkpoint, else its export), or an
 * exported generator folder (`model.json` + weights) inside the runs folder.
 */
export type GeneratorSource =
  | { readonly kind: 'run'; readonly runId: string; readonly direction: TranslationDirection }
  | { readonly kind: 'export'; readonly path: string };

export interface TranslateRequest {
  readonly generator: GeneratorSource;
  /** Slide inside an added folder. */
  readonly slidePath: string;
  /** Output scale: a downsample from level 0, or a target µm/px; default the run's (required for an export). */
  readonly scale?: PatchScale;
  /** Side of the network tiles in output pixels, a multiple of 4 from 16 to 1024 (default 256). */
  readonly tileSizePx?: number;
  /** Output pixels shared by neighbouring tiles and blended, at most half a tile (default 32). */
  readonly overlapPx?: number;
  /**
   * Folder of the TIFF. Default: the run's `translations/` folder. Otherwise a folder inside the runs
   * folder, or one the folder rules let the user pick (inside a `--root` in server mode); never the
   * slide's own folder unless the user chose it.
   */
  readonly outFolder?: string;
  /** File name ending in `.tif` or `.tiff`; default from the slide, direction, step and downsample. */
  readonly outName?: string;
  /** Replace a finished translation of the same name (only files this service wrote). Default false. */
  readonly replace?: boolean;
  /** TensorFlow.js backend (default `auto`). */
  readonly backend?: BackendName | 'auto';
}

/**
 * Where a translation stands. `stopped`: cancelled or interrupted (the service quit); its finished rows
 * are kept and the same request continues it.
 */
export type TranslationState = 'running' | 'done' | 'stopped' | 'failed';

/** A translation the service wrote (or is writing), as the Inference view lists it. */
export interface TranslationSummary {
  /** Absolute path of the pyramidal TIFF; `slides.*` open it once it is done. */
  readonly outPath: string;
  /** The run folder the generator came from (the top folder inside the runs folder). */
  readonly runId: string;
  readonly direction: TranslationDirection | null;
  /** Domain names, source and target; null for an export. */
  readonly from: string | null;
  readonly to: string | null;
  /** The translated slide. */
  readonly slidePath: string;
  /** Level-0 pixels of the slide per output pixel. */
  readonly downsample: number;
  /**
   * The detector of the tissue mask that chose the tiles to translate: the run's source domain's (the
   * generator learnt on its masks); for an export, the detector of the domain holding the slide.
   */
  readonly detector: MaskDetector;
  /** Checkpoint step of the generator; null for an export. */
  readonly generatorStep: number | null;
  readonly state: TranslationState;
  /** The job while it runs. */
  readonly jobId: string | null;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Output size and pyramid levels; null until done. */
  readonly widthPx: number | null;
  readonly heightPx: number | null;
  readonly levelCount: number | null;
  readonly fileBytes: number | null;
  /** TIFF tile row the last run started from (> 0: it continued an interrupted one). */
  readonly resumedFromRow: number | null;
  /** Why it failed. */
  readonly error: string | null;
  /** The request that makes it (again): sending it continues a stopped translation. */
  readonly request: TranslateRequest;
}

export interface TranslateResponse {
  readonly job: JobInfo;
  readonly translation: TranslationSummary;
}

export interface TranslationsRequest {
  /** Only the translations of this run; omitted: all. */
  readonly runId?: string;
}

export interface CancelRequest {
  readonly jobId: string;
}

export interface GenerateRequest {
  readonly runId: string;
  /** 1..64 images. */
  readonly count: number;
  readonly seed?: number;
  /** Images in a latent interpolation strip between two random points, 0 (none) or 2..16. */
  readonly interpolationSteps?: number;
  /** TensorFlow.js backend (default `auto`). */
  readonly backend?: BackendName | 'auto';
}

export interface GenerateResponse {
  readonly images: readonly ImageBytes[];
  readonly grid: ImageBytes;
  readonly interpolation: ImageBytes | null;
  /** Side of the images: the resolution the run's growing reached. */
  readonly resolution: number;
  /** Checkpoint step of the EMA generator; null for an export. */
  readonly generatorStep: number | null;
}

/** Use what was trained: whole-slide stain transfer (CycleGAN), image synthesis (ProGAN). */
export interface InferenceApi {
  /**
   * Starts a translation job writing a pyramidal TIFF (by default into the run's `translations/`);
   * progress comes as `translation.progress` events, state changes as `job.state`. Sending the request
   * of a stopped translation again continues it from its finished rows.
   */
  translate(request: TranslateRequest): Promise<TranslateResponse>;
  /** Cancels a running translation; resolves once it has stopped (its finished rows are kept). */
  cancel(request: CancelRequest): Promise<{ readonly translation: TranslationSummary }>;
  /** The translations this service wrote, newest first. */
  translations(
    request: TranslationsRequest,
  ): Promise<{ readonly translations: readonly TranslationSummary[] }>;
  generate(request: GenerateRequest): Promise<GenerateResponse>;
}
