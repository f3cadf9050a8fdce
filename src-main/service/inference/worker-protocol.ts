import type { TranslateProgress, TranslateSlideResult } from '../../core/inference/translate-slide.js';
import type { TissueDetector } from '../../core/tissue/tissue-mask.js';

/** The TensorFlow.js backend a task asks for. */
export type BackendChoice = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** A whole-slide translation, every path already checked by the service (real, allowed). */
export interface TranslateTask {
  readonly kind: 'translate';
  readonly generator:
    | { readonly kind: 'run'; readonly runDir: string; readonly direction: 'AtoB' | 'BtoA' }
    | { readonly kind: 'export'; readonly folder: string };
  readonly slidePath: string;
  readonly outPath: string;
  /** Level-0 pixels per output pixel. */
  readonly downsample: number;
  readonly tileSizePx: number;
  readonly overlapPx: number;
  readonly backend: BackendChoice;
  /** Mask cache: the slide's tissue mask is reused from it (or built into it). */
  readonly cacheDir: string;
  readonly detector: TissueDetector;
  /** Extra provenance written into the TIFF's description and sidecar (run, direction). */
  readonly provenance: Readonly<Record<string, string | number>>;
}

/** ProGAN images from a run's EMA generator. */
export interface GenerateTask {
  readonly kind: 'generate';
  readonly runDir: string;
  readonly count: number;
  readonly seed: number;
  /** 0: no interpolation strip. */
  readonly interpolationSteps: number;
  readonly backend: BackendChoice;
}

/** Writes a run's generator from its latest checkpoint into `folder` (a run stopped before any export). */
export interface ExportTask {
  readonly kind: 'export';
  readonly runDir: string;
  /** CycleGAN direction; ignored for ProGAN (its EMA generator). */
  readonly direction: 'AtoB' | 'BtoA';
  readonly folder: string;
  readonly backend: BackendChoice;
}

export type InferenceTask = TranslateTask | GenerateTask | ExportTask;

/** 8-bit RGB pixels, row-major. */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Messages from the host to the worker. */
export type ToInferenceWorker = { readonly kind: 'cancel' };

/** Messages from the worker to the host; exactly one of the last five ends the task. */
export type FromInferenceWorker =
  | { readonly kind: 'backend'; readonly name: string; readonly device: string }
  | { readonly kind: 'progress'; readonly progress: TranslateProgress }
  | { readonly kind: 'translated'; readonly result: TranslateSlideResult }
  | {
      readonly kind: 'generated';
      readonly resolution: number;
      readonly step: number | null;
      readonly images: readonly RawImage[];
      readonly grid: RawImage;
      readonly interpolation: RawImage | null;
    }
  | { readonly kind: 'exported'; readonly step: number | null }
  | { readonly kind: 'cancelled' }
  | {
      readonly kind: 'failed';
      readonly message: string;
      /** The core error's code (INVALID_OPTIONS, BAD_GENERATOR, ...), when it had one. */
      readonly code: string | null;
      readonly path: string | null;
    };
